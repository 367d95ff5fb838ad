"""The store crash tests' provider: ``POST /send`` with ``{"key": ..., "worker": ...}``."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from crash_kit import RecordingServer


class FakeProvider(RecordingServer):
    """Reads the idempotency key and the worker's name from the JSON body."""

    def identify(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[str, str]:
        """The key and worker named in the body."""
        data = json.loads(body)
        return data["key"], data["worker"]
