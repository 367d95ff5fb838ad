"""What the crash tests share: a recording HTTP provider, process handling, journal grouping.

The crash tests (store level and engine level) send from several processes through an HTTP
"provider" on 127.0.0.1 that logs ``(idempotency key, worker)`` for every call, then read
the log (which keys arrived, how often, from which worker) next to the journal.
"""

from __future__ import annotations

import abc
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.process import BaseProcess
from typing import ClassVar, Self

import pytest

from creditcomms.stores import JournalEntry


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A killed worker resets its connection; that is expected here."""


class RecordingServer(abc.ABC):
    """Answers every ``POST`` with ``{"id": "msg-<n>"}`` and logs who sent which key.

    Subclasses say where a request carries its key and worker (`identify`). ``calls`` is the
    raw log, duplicates included; ``accepted`` counts calls per key.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version: ClassVar[str] = "HTTP/1.1"  # type: ignore[misc]
            disable_nagle_algorithm: ClassVar[bool] = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                number = server.record(*server.identify(self, body))
                reply = f'{{"id": "msg-{number}"}}'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @abc.abstractmethod
    def identify(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[str, str]:
        """The ``(idempotency key, worker)`` of one request."""

    @property
    def port(self) -> int:
        """The port the server listens on."""
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

    def workers_of(self, key: str) -> list[str]:
        """The workers that sent ``key``, in call order."""
        with self._lock:
            return [w for k, w in self.calls if k == key]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    """Poll ``condition`` until it holds; fail the test after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail("the workers made no progress")
        time.sleep(0.01)


def join_all(workers: Mapping[str, BaseProcess], timeout: float) -> dict[str, int | None]:
    """Wait up to ``timeout`` seconds in all for the workers; their exit codes (None: hung).

    Workers still alive afterwards are killed, so a failing test leaves no process behind.
    """
    end = time.monotonic() + timeout
    for process in workers.values():
        process.join(max(0.1, end - time.monotonic()))
    codes = {name: process.exitcode for name, process in workers.items()}
    for process in workers.values():
        if process.is_alive():
            process.kill()
            process.join()
    return codes


def by_key(journal: list[JournalEntry]) -> dict[str, list[JournalEntry]]:
    """The journal's entries grouped by idempotency key (entries without one left out)."""
    grouped: dict[str, list[JournalEntry]] = defaultdict(list)
    for entry in journal:
        if entry.idempotency_key is not None:
            grouped[entry.idempotency_key].append(entry)
    return grouped
