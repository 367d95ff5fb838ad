"""A channel of your own: reminders as chat messages, with their own message type and transport.

creditcomms' channels are data, so a new one is a `Channel` value, a `Message` subclass that
carries what the channel needs, and a transport that delivers it. Here: a (fictional) team
chat API that posts a message to a user, addressed by their work email. The `Dispatcher`
retries, rate-limits, deduplicates and reports on it like on any built-in channel.

Run offline: the chat API is simulated with ``httpx.MockTransport``. The same transport passes
the project's transport contract suite (tests/transports/test_custom_channel_contract.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

import creditcomms as cc
from creditcomms.channels import Capabilities, ContactKind
from creditcomms.transports import BaseTransport, Receipt, map_httpx_errors

CHAT = cc.Channel(
    name="chat",
    contact=ContactKind.EMAIL,
    capabilities=Capabilities(links=True, max_chars=4000, two_way=True),
    cost=cc.Money("0.00", "EUR"),
    description="A message in the customer's team chat, addressed by work email.",
)


class ChatMessage(cc.Message):
    """A chat message: who gets it, the text, and an optional pay button."""

    channel: str = CHAT.name
    user: str
    text: str
    pay_link: str | None = None

    @property
    def recipient(self) -> str:
        """The chat user the message goes to."""
        return self.user


class ChatTransport(BaseTransport):
    """Post `ChatMessage`s to the chat API; raise only creditcomms delivery errors."""

    name = "chat"

    def __init__(
        self,
        *,
        token: str,
        base_url: str = "https://chat.example",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=15)
        self._closed = False

    async def send(self, message: cc.Message, /) -> Receipt:
        """Post one message and return the chat API's receipt."""
        if not isinstance(message, ChatMessage):
            raise cc.PermanentDeliveryError(
                f"chat sends ChatMessage only, not {type(message).__name__}",
                channel=message.channel,
            )
        body: dict[str, Any] = {"user": message.user, "text": message.text}
        if message.pay_link:
            body["button"] = {"label": "Pay now", "url": message.pay_link}
        with map_httpx_errors(channel=CHAT.name, provider=self.name):
            response = await self._client.post(
                f"{self._base_url}/v1/messages",
                json=body,
                headers={**self._headers, "Idempotency-Key": message.idempotency_key},
            )
            if response.status_code == 404:
                raise cc.RecipientRejected(
                    f"chat has no user {message.user!r}",
                    channel=CHAT.name,
                    provider_status="user_not_found",
                )
            response.raise_for_status()  # 429, 5xx and other 4xx: classified by map_httpx_errors
        try:
            message_id = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            raise cc.PermanentDeliveryError(
                f"chat answered {response.status_code} with a body that is not valid JSON or "
                "has no message id; check the chat log before resending",
                channel=CHAT.name,
                provider_status="malformed_response",
            ) from None
        return Receipt(
            provider=self.name,
            provider_message_id=str(message_id),
            accepted_at=datetime.now(UTC),
            idempotency_key=message.idempotency_key,
        )

    async def aclose(self) -> None:
        """Close the HTTP client if this transport created it (once)."""
        if not self._closed:
            self._closed = True
            if self._owns_client:
                await self._client.aclose()


def fake_chat_api() -> httpx.MockTransport:
    """The chat API, simulated: knows one user, is busy once, then accepts."""
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"})])

    def handle(request: httpx.Request) -> httpx.Response:
        if b"nobody@" in request.content:
            return httpx.Response(404, json={"error": "user_not_found"})
        busy = next(answers, None)
        if busy is not None:
            return busy
        return httpx.Response(201, json={"id": f"msg-{request.headers['Idempotency-Key']}"})

    return httpx.MockTransport(handle)


async def main() -> list[cc.Outcome]:
    """Send two chat reminders through the dispatcher: one lands, one is rejected."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)  # a real dispatcher sleeps; here we only record the wait

    client = httpx.AsyncClient(transport=fake_chat_api())
    async with ChatTransport(token="chat-token", client=client) as chat:
        dispatcher = cc.Dispatcher({CHAT: chat}, sleep=sleep)
        outcomes = await dispatcher.send(
            [
                ChatMessage(
                    idempotency_key="b2b@1:reminder:chat:0:7f3a",
                    case_id="B-77",
                    user="ap@muster.example",
                    text="Invoice F-2026-77 (1.250,00 €) is 5 days overdue.",
                    pay_link="https://pay.muster.example/t/7f3a",
                ),
                ChatMessage(
                    idempotency_key="b2b@1:reminder:chat:0:9c1d",
                    case_id="B-78",
                    user="nobody@muster.example",
                    text="Invoice F-2026-78 is overdue.",
                ),
            ]
        )
    await client.aclose()
    sent, rejected = outcomes
    assert sent.status is cc.OutcomeStatus.SENT
    assert sent.receipt is not None
    assert rejected.status is cc.OutcomeStatus.FAILED
    assert isinstance(rejected.error, cc.RecipientRejected)
    assert waits == [1.0]  # the 429 was waited out, then retried
    for outcome in outcomes:
        print(outcome.key, outcome.status, outcome.provider, outcome.error or "")
    return outcomes


if __name__ == "__main__":
    asyncio.run(main())
