"""A minimal HTTP "provider" on 127.0.0.1 that records the idempotency key of every call."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar


class FakeProvider:
    """Accepts ``POST /send`` with ``{"key": ..., "worker": ...}`` and logs every call.

    ``calls`` is the raw log (one entry per request, duplicates included); ``accepted`` counts
    calls per key, as a provider that deduplicates by idempotency key would see them.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version: ClassVar[str] = "HTTP/1.1"  # type: ignore[misc]
            disable_nagle_algorithm: ClassVar[bool] = True  # type: ignore[misc]

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                number = provider.record(body["key"], body["worker"])
                reply = json.dumps({"id": f"msg-{number}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The port the provider listens on."""
        port: int = self._server.server_address[1]
        return port

    def record(self, key: str, worker: str) -> int:
        """Log one call; return its number."""
        with self._lock:
            self.calls.append((key, worker))
            return len(self.calls)

    def calls_by(self, worker: str) -> int:
        """How many calls ``worker`` made."""
        with self._lock:
            return sum(1 for _, w in self.calls if w == worker)

    @property
    def accepted(self) -> Counter[str]:
        """Calls per idempotency key."""
        with self._lock:
            return Counter(key for key, _ in self.calls)

    def __enter__(self) -> FakeProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
