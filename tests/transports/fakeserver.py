"""A real HTTP server on 127.0.0.1 that answers like a provider, with canned responses."""

from __future__ import annotations

import json
import os
from collections import deque
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

import pytest

try:
    from aiohttp import web
    from aiohttp.test_utils import TestServer
except ImportError:  # pragma: no cover - the test extra installs aiohttp
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("aiohttp (test extra) is needed for the fake provider", allow_module_level=True)


@dataclass(frozen=True)
class Canned:
    """One canned provider answer."""

    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def payload(self) -> bytes:
        """The body as bytes (dicts and lists are JSON-encoded)."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


HTML_503 = Canned(
    503,
    "<html><body><h1>503 Service Unavailable</h1></body></html>",
    content_type="text/html",
)
HTML_200 = Canned(200, "<html><body>Welcome to the proxy</body></html>", content_type="text/html")


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    parsed = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and part.get_filename() is None:
            payload = part.get_payload(decode=True)
            fields[name] = payload.decode() if isinstance(payload, bytes) else ""
    return fields


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


class FakeProvider:
    """Answers every request with the next queued `Canned` response, else ``default``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queue: deque[Canned] = deque()
        self.default = Canned(200, {})
        self.base_url = ""
        self._server: TestServer | None = None

    def answer(self, *responses: Canned) -> None:
        """Queue responses for the next requests."""
        self.queue.extend(responses)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        form: dict[str, str] = {}
        if request.content_type == "application/x-www-form-urlencoded":
            form = dict(parse_qsl(body.decode()))
        elif request.content_type == "multipart/form-data":
            form = _multipart_fields(request.headers["Content-Type"], body)
        self.requests.append(
            Recorded(
                request.method, request.path, dict(request.query), dict(request.headers), body, form
            )
        )
        canned = self.queue.popleft() if self.queue else self.default
        return web.Response(
            status=canned.status,
            body=canned.payload(),
            headers=canned.headers,
            content_type=canned.content_type,
        )

    async def start(self) -> str:
        """Start listening on a free port; return the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        self.base_url = str(self._server.make_url("")).rstrip("/")
        return self.base_url

    async def close(self) -> None:
        """Stop the server."""
        if self._server is not None:
            await self._server.close()
