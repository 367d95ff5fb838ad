"""The chat transport of examples/custom_channel.py passes the transport contract."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import httpx
from contract import HttpContract
from fakeserver import Canned, FakeProvider

import creditcomms as cc
from creditcomms.transports import Transport

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_channel.py"


def _load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("custom_channel_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the message's annotations through it
    spec.loader.exec_module(module)
    return module


chat = _load_example()


class TestChatTransport(HttpContract):
    """A user-defined adapter plugs into the same contract as the built-in ones."""

    ok = Canned(201, {"id": "msg-1"})
    rejected = Canned(404, {"error": "user_not_found"})
    rate_limited = Canned(429, {"error": "slow down"}, {"Retry-After": "7"})

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> Transport:
        """The chat transport against the fake provider."""
        transport: Transport = chat.ChatTransport(
            token="t", base_url=provider.base_url, client=client
        )
        return transport

    def message(self) -> cc.Message:
        """A chat message."""
        message: cc.Message = chat.ChatMessage(
            idempotency_key="b2b@1:reminder:chat:0:abc",
            case_id="B-1",
            user="ap@muster.example",
            text="Invoice F-1 is overdue.",
        )
        return message
