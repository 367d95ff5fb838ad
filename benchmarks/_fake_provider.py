"""A minimal HTTP/1.1 keep-alive fake of Twilio's Messages API for the dispatch benchmark.

It answers like Twilio (``201 Created`` with the message's JSON) at a small, fixed cost per
request, so the client under test, not the server, decides the rate: the two share the
machine's cores. Every contestant of the benchmark talks to the same server process.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "bench-token"  # noqa: S105 - the fake provider checks nothing
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
APPRISE_PATH = "/apprise"
ANSWER = b'{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "price": null}'


def _response(status: str, content_type: str, body: bytes) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body


_ANSWERS = {
    ("POST", PATH): _response("201 Created", "application/json; charset=utf-8", ANSWER),
    ("POST", APPRISE_PATH): _response("200 OK", "text/plain", b"ok"),
}
_NOT_FOUND = _response("404 Not Found", "text/plain", b"no such resource")
_NO_CHUNKS = _response("501 Not Implemented", "text/plain", b"chunked bodies not supported")


class _Connection(asyncio.Protocol):
    """One keep-alive connection: answers each complete request in order."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._answer_one():
            pass

    def _answer_one(self) -> bool:
        transport = self._transport
        end = self._buffer.find(b"\r\n\r\n")
        if transport is None or end < 0:
            return False
        lines = self._buffer[:end].decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "chunked" in headers.get("transfer-encoding", ""):
            transport.write(_NO_CHUNKS)
            transport.close()
            return False
        size = end + 4 + int(headers.get("content-length", "0"))
        if len(self._buffer) < size:
            return False
        del self._buffer[:size]
        transport.write(_ANSWERS.get((method, target.split("?", 1)[0]), _NOT_FOUND))
        if headers.get("connection") == "close":
            transport.close()
            return False
        return True


def serve(port: int) -> None:
    """Answer on 127.0.0.1:``port`` until the process is terminated."""

    async def run() -> None:
        server = await asyncio.get_running_loop().create_server(
            _Connection, "127.0.0.1", port, backlog=1024
        )
        await server.serve_forever()

    asyncio.run(run())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_listening(port: int) -> None:
    """Block until something accepts connections on ``port`` (20 seconds at most)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise SystemExit("the fake provider did not start")


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds process ``pid`` has used so far (Linux ``/proc``), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
