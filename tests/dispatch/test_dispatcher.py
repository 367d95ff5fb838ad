"""The Dispatcher: retries, rate limits, failover, fallback, idempotency and hooks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from dispatch_fakes import FakeSleep

import creditcomms as cc
from creditcomms.dispatch import DeliveryEventKind as Kind
from creditcomms.dispatch import TokenBucket
from creditcomms.testing import capture_messages, no_backoff
from creditcomms.transports import (
    BaseTransport,
    InMemoryTransport,
    MockTransport,
    TwilioSmsTransport,
)

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
NO_JITTER = cc.RetryPolicy(attempts=4, wait_initial=1, wait_max=30, wait_jitter=0)
MakeSms = Callable[..., cc.SmsMessage]
MakeEmail = Callable[..., cc.EmailMessage]


def _receipt(message: cc.Message, provider: str = "mock") -> cc.Receipt:
    return cc.Receipt(
        provider=provider,
        provider_message_id=f"{provider}-{message.idempotency_key}",
        accepted_at=NOW,
        idempotency_key=message.idempotency_key,
    )


def _failing_then_ok(failures: list[Exception]) -> MockTransport:
    def handler(message: cc.Message) -> cc.Receipt:
        if failures:
            raise failures.pop(0)
        return _receipt(message)

    return MockTransport(handler)


class TestRetries:
    """Transient errors are retried with back-off; permanent ones are not."""

    async def test_backoff_sequence(self, sleep: FakeSleep, make_sms: MakeSms) -> None:
        """Two timeouts then success: waits of 1 s and 2 s, three attempts, events in order."""
        transport = _failing_then_ok(
            [cc.TransientDeliveryError("t1"), cc.TransientDeliveryError("t2")]
        )
        events: list[cc.DeliveryEvent] = []
        dispatcher = cc.Dispatcher(
            {cc.SMS: transport}, retry=NO_JITTER, hooks=[events.append], sleep=sleep
        )
        outcome = await dispatcher.send_one(make_sms())
        assert sleep.waits == [1.0, 2.0]
        assert outcome.attempts == 3
        assert [e.kind for e in events] == [
            Kind.ATTEMPT, Kind.RETRY, Kind.ATTEMPT, Kind.RETRY, Kind.ATTEMPT, Kind.SUCCESS,
        ]  # fmt: skip
        assert events[1].wait == timedelta(seconds=1)

    async def test_jitter_stays_within_bounds(self, sleep: FakeSleep, make_sms: MakeSms) -> None:
        """With jitter the waits lie between the exponential value and value + jitter."""
        transport = _failing_then_ok([cc.TransientDeliveryError("t")] * 3)
        policy = cc.RetryPolicy(attempts=5, wait_initial=1, wait_jitter=0.5)
        await cc.Dispatcher({cc.SMS: transport}, retry=policy, hooks=[], sleep=sleep).send_one(
            make_sms()
        )
        for wait, base in zip(sleep.waits, [1, 2, 4], strict=True):
            assert base <= wait <= base + 0.5

    async def test_rate_limit_waits_retry_after(self, sleep: FakeSleep, make_sms: MakeSms) -> None:
        """An HTTP 429 with Retry-After: 7 from Twilio makes the dispatcher wait exactly 7 s."""
        limited = {"code": 20429, "message": "Too Many Requests"}
        answers = [
            httpx.Response(429, json=limited, headers={"Retry-After": "7"}),
            httpx.Response(201, json={"sid": "SM1", "status": "queued"}),
        ]
        client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: answers.pop(0)))
        twilio = TwilioSmsTransport(
            account_sid="AC1", auth_token="t", sender="+15005550006", client=client
        )
        async with client:
            outcome = await cc.Dispatcher(
                {cc.SMS: twilio}, retry=NO_JITTER, hooks=[], sleep=sleep
            ).send_one(make_sms())
        assert sleep.waits == [7.0]
        assert outcome.receipt is not None
        assert outcome.receipt.provider_message_id == "SM1"

    async def test_retry_after_beyond_timeout_gives_up(
        self, sleep: FakeSleep, make_sms: MakeSms
    ) -> None:
        """A Retry-After longer than the policy's total timeout is not waited for."""
        transport = _failing_then_ok([cc.RateLimited("slow", retry_after=timedelta(minutes=5))])
        policy = cc.RetryPolicy(timeout=timedelta(seconds=60), wait_jitter=0)
        outcome = (
            await cc.Dispatcher({cc.SMS: transport}, retry=policy, hooks=[], sleep=sleep).send(
                [make_sms()]
            )
        )[0]
        assert outcome.status is cc.OutcomeStatus.FAILED
        assert isinstance(outcome.error, cc.RateLimited)
        assert sleep.waits == []

    async def test_permanent_is_not_retried(self, sleep: FakeSleep, make_sms: MakeSms) -> None:
        """A permanent error fails after one attempt."""
        transport = _failing_then_ok([cc.PermanentDeliveryError("bad credentials")])
        dispatcher = cc.Dispatcher({cc.SMS: transport}, retry=NO_JITTER, hooks=[], sleep=sleep)
        with pytest.raises(cc.PermanentDeliveryError):
            await dispatcher.send_one(make_sms())
        assert len(transport.calls) == 1

    async def test_no_backoff_skips_waits(self, make_sms: MakeSms) -> None:
        """Under testing.no_backoff() retries happen without sleeping."""
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        transport = _failing_then_ok([cc.TransientDeliveryError("t")] * 2)
        with no_backoff():
            outcome = await cc.Dispatcher({cc.SMS: transport}, hooks=[], sleep=sleep).send_one(
                make_sms()
            )
        assert outcome.attempts == 3
        assert slept == []


class TestFailoverAndFallback:
    """Provider failover inside a channel and channel fallback across channels."""

    async def test_outage_mid_batch_fails_over_without_loss_or_doubles(
        self, make_sms: MakeSms
    ) -> None:
        """The primary dies after 20 messages; all 100 are sent exactly once overall."""
        accepted: list[str] = []

        def primary_handler(message: cc.Message) -> cc.Receipt:
            if len(accepted) >= 20:
                raise cc.TransientDeliveryError("503 from primary")
            accepted.append(message.idempotency_key)
            return _receipt(message, "primary")

        secondary = InMemoryTransport(name="secondary")
        dispatcher = cc.Dispatcher(
            {cc.SMS: [MockTransport(primary_handler, name="primary"), secondary]},
            retry=cc.RetryPolicy(attempts=3),
            hooks=[],
            limits=cc.Limits(concurrency=5),
        )
        messages = [make_sms(f"k-{i}") for i in range(100)]
        with no_backoff():
            outcomes = await dispatcher.send(messages)
        sent_keys = accepted + [m.idempotency_key for m in secondary.sent]
        assert sorted(sent_keys) == sorted(m.idempotency_key for m in messages)
        assert all(o.status is cc.OutcomeStatus.SENT for o in outcomes)
        assert {o.provider for o in outcomes} == {"primary", "secondary"}
        assert [o.key for o in outcomes] == [m.idempotency_key for m in messages]

    async def test_permanent_error_falls_back_to_next_channel(
        self, make_sms: MakeSms, make_email: MakeEmail
    ) -> None:
        """A rejected number skips a contact-less fallback and sends the email, recorded."""

        def reject(message: cc.Message) -> cc.Receipt:
            raise cc.RecipientRejected("21211 invalid To", channel="sms")

        email_transport = InMemoryTransport()
        events: list[cc.DeliveryEvent] = []
        dispatcher = cc.Dispatcher(
            {cc.SMS: MockTransport(reject), cc.EMAIL: email_transport}, hooks=[events.append]
        )
        rendered: list[str] = []

        def render_email() -> cc.Message:
            rendered.append("email")
            return make_email()

        envelope = cc.Envelope(make_sms(), fallbacks=(lambda: None, render_email))
        outcome = await dispatcher.send_one(envelope)
        assert outcome.channel == "email"
        assert outcome.fallback_from == ("sms",)
        assert outcome.key == "k-sms"
        assert [type(e) for e in outcome.errors] == [
            cc.RecipientRejected,
            cc.PermanentDeliveryError,
        ]
        assert email_transport.sent == [make_email()]
        assert rendered == ["email"]
        assert Kind.FALLBACK in [e.kind for e in events]

    async def test_missing_transport_falls_back(
        self, make_sms: MakeSms, make_email: MakeEmail
    ) -> None:
        """A channel without a transport moves on to the fallback."""
        dispatcher = cc.Dispatcher({cc.EMAIL: InMemoryTransport()}, hooks=[])
        outcome = await dispatcher.send_one(cc.Envelope(make_sms(), fallbacks=(make_email(),)))
        assert (outcome.channel, outcome.fallback_from) == ("email", ("sms",))
        assert outcome.errors[0].provider_status == "no_transport"

    async def test_fallbacks_exhausted(self, make_sms: MakeSms) -> None:
        """With nothing left to try the outcome is failed with the last error; batch goes on."""
        dispatcher = cc.Dispatcher({cc.EMAIL: InMemoryTransport()}, hooks=[])
        outcomes = await dispatcher.send([make_sms("a"), cc.Envelope(make_sms("b"))])
        assert [o.status for o in outcomes] == [cc.OutcomeStatus.FAILED] * 2
        with pytest.raises(cc.PermanentDeliveryError, match="no transport"):
            await dispatcher.send_one(make_sms("c"))

    async def test_transport_bug_does_not_abort_the_batch(self, make_sms: MakeSms) -> None:
        """A transport raising a non-delivery exception fails only its own message."""

        class Broken(InMemoryTransport):
            async def send(self, message: cc.Message, /) -> cc.Receipt:
                if message.idempotency_key == "bad":
                    raise ZeroDivisionError
                return await super().send(message)

        outcomes = await cc.Dispatcher({cc.SMS: Broken()}, hooks=[]).send(
            [make_sms("bad"), make_sms("ok")]
        )
        assert [o.status for o in outcomes] == [cc.OutcomeStatus.FAILED, cc.OutcomeStatus.SENT]


class TestIdempotency:
    """A key is never sent twice by one dispatcher."""

    async def test_same_key_in_one_batch_and_later(self, make_sms: MakeSms) -> None:
        """Concurrent and later duplicates get the first receipt; the provider sees one send."""
        transport = InMemoryTransport()
        dispatcher = cc.Dispatcher({cc.SMS: transport}, hooks=[])
        first, second = await dispatcher.send([make_sms(), make_sms()])
        (third,) = await dispatcher.send([make_sms()])
        assert len(transport.sent) == 1
        assert first.status is cc.OutcomeStatus.SENT
        assert second.status is third.status is cc.OutcomeStatus.DUPLICATE
        assert second.receipt == first.receipt == third.receipt
        assert dispatcher.sent("k-sms") == first

    async def test_repeat_after_fallback_is_a_duplicate(
        self, make_sms: MakeSms, make_email: MakeEmail
    ) -> None:
        """An item delivered by its fallback is not retried on the failed channel again."""

        def reject(message: cc.Message) -> cc.Receipt:
            raise cc.RecipientRejected("invalid number", channel="sms")

        sms_transport = MockTransport(reject)
        dispatcher = cc.Dispatcher({cc.SMS: sms_transport, cc.EMAIL: InMemoryTransport()}, hooks=[])
        envelope = cc.Envelope(make_sms(), fallbacks=(make_email(),))
        first = await dispatcher.send_one(envelope)
        again = await dispatcher.send_one(envelope)
        assert again.status is cc.OutcomeStatus.DUPLICATE
        assert again.receipt == first.receipt
        assert again.channel == "email"
        assert len(sms_transport.calls) == 1

    async def test_failed_key_may_be_tried_again(self, make_sms: MakeSms) -> None:
        """Only accepted keys are remembered: a failed send can be retried later."""
        transport = _failing_then_ok([cc.PermanentDeliveryError("down")])
        dispatcher = cc.Dispatcher({cc.SMS: transport}, hooks=[])
        assert (await dispatcher.send([make_sms()]))[0].status is cc.OutcomeStatus.FAILED
        assert (await dispatcher.send([make_sms()]))[0].status is cc.OutcomeStatus.SENT

    async def test_waiters_on_a_failing_key_take_turns(self, make_sms: MakeSms) -> None:
        """Same-key items wait for the send in flight; after a failure the next one sends."""
        release = asyncio.Event()
        calls: list[str] = []

        async def slow_then_ok(message: cc.Message) -> cc.Receipt:
            calls.append(message.idempotency_key)
            await release.wait()
            if len(calls) == 1:
                raise cc.PermanentDeliveryError("first one refused")
            return _receipt(message)

        class Slow(BaseTransport):
            async def send(self, message: cc.Message, /) -> cc.Receipt:
                return await slow_then_ok(message)

        dispatcher = cc.Dispatcher({cc.SMS: Slow()}, hooks=[])
        batch = asyncio.create_task(dispatcher.send([make_sms(), make_sms(), make_sms()]))
        for _ in range(5):
            await asyncio.sleep(0)
        assert calls == ["k-sms"]  # the other two wait for the first
        release.set()
        first, second, third = await batch
        assert calls == ["k-sms", "k-sms"]
        assert first.status is cc.OutcomeStatus.FAILED
        assert second.status is cc.OutcomeStatus.SENT
        assert third.status is cc.OutcomeStatus.DUPLICATE
        assert third.receipt == second.receipt


class TestLimits:
    """Concurrency and rate limits per transport."""

    async def test_concurrency_limit(self, make_sms: MakeSms) -> None:
        """No more than `concurrency` sends are in flight on one transport."""
        in_flight = 0
        peak = 0

        async def slow(message: cc.Message) -> cc.Receipt:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.001)
            in_flight -= 1
            return _receipt(message)

        dispatcher = cc.Dispatcher(
            {cc.SMS: MockTransport(slow)}, hooks=[], limits=cc.Limits(concurrency=3)
        )
        await dispatcher.send([make_sms(f"k{i}") for i in range(20)])
        assert peak == 3

    async def test_token_bucket(self, sleep: FakeSleep, make_sms: MakeSms) -> None:
        """At 10 messages/s with burst 2, the third to fifth sends wait 0.1 s each."""
        dispatcher = cc.Dispatcher(
            {cc.SMS: InMemoryTransport()},
            hooks=[],
            limits={cc.SMS: cc.Limits(rate=10, burst=2)},
            sleep=sleep,
            clock=sleep.clock,
        )
        await dispatcher.send([make_sms(f"k{i}") for i in range(5)])
        assert sleep.waits == [0.1, 0.1, 0.1]

    async def test_token_bucket_late_caller_queues_behind_waiters(self) -> None:
        """A caller arriving when tokens are back still waits behind those already waiting."""
        now = [0.0]
        waits: list[float] = []
        gate = asyncio.get_running_loop().create_future()

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await (gate if len(waits) == 1 else asyncio.sleep(0))
            now[0] += seconds

        bucket = TokenBucket(1, 1, clock=lambda: now[0], sleep=sleep)
        order: list[str] = []

        async def take(name: str) -> None:
            await bucket.acquire()
            order.append(name)

        await take("a")  # the full bucket's token, at once
        queued = [asyncio.create_task(take(name)) for name in "bc"]
        await asyncio.sleep(0)  # b sleeps for a token, c waits behind it
        now[0] += 5  # enough time for a token, which b and c are owed first
        late = asyncio.create_task(take("d"))
        await asyncio.sleep(0)
        gate.set_result(None)
        await asyncio.gather(*queued, late)
        assert order == ["a", "b", "c", "d"]
        assert waits == [1.0, 1.0, 1.0]


class TestApi:
    """Input checks, sync entry point, capture and hooks."""

    async def test_bad_items_are_refused_before_sending(self, make_sms: MakeSms) -> None:
        """A non-message item raises ValidationError naming its index; nothing is sent."""
        transport = InMemoryTransport()
        with pytest.raises(cc.ValidationError, match=r"items\[1\]"):
            await cc.Dispatcher({cc.SMS: transport}, hooks=[]).send([make_sms(), "hello"])  # type: ignore[list-item]
        assert transport.sent == []

    def test_send_sync(self, make_sms: MakeSms) -> None:
        """send_sync runs a batch from plain code, twice in a row."""
        dispatcher = cc.Dispatcher(
            {cc.SMS: InMemoryTransport()}, hooks=[], limits=cc.Limits(rate=1000)
        )
        assert dispatcher.send_sync([make_sms("a")])[0].ok
        assert dispatcher.send_sync([make_sms("b")])[0].ok

    async def test_send_sync_inside_a_loop_is_refused(self, make_sms: MakeSms) -> None:
        """Inside a running loop send_sync explains to use await."""
        with pytest.raises(cc.ConfigurationError, match="await"):
            cc.Dispatcher({cc.SMS: InMemoryTransport()}).send_sync([make_sms()])

    async def test_capture_messages(self, make_sms: MakeSms, make_email: MakeEmail) -> None:
        """capture_messages() records messages, even for channels without a transport."""
        transport = InMemoryTransport()
        with capture_messages() as captured:
            outcomes = await cc.Dispatcher({cc.SMS: transport}, hooks=[]).send(
                [make_sms(), make_email()]
            )
        assert captured == [make_sms(), make_email()]
        assert transport.sent == []
        assert all(o.ok for o in outcomes)

    async def test_failing_hook_is_contained(
        self, make_sms: MakeSms, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A hook that raises is logged, and sending carries on."""

        def bad_hook(event: cc.DeliveryEvent) -> None:
            raise RuntimeError("hook bug")

        outcome = await cc.Dispatcher({cc.SMS: InMemoryTransport()}, hooks=[bad_hook]).send_one(
            make_sms()
        )
        assert outcome.ok
        assert "hook bug" in caplog.text

    async def test_bad_wiring(self) -> None:
        """An empty provider list is a configuration error."""
        with pytest.raises(cc.ConfigurationError, match="non-empty"):
            cc.Dispatcher({cc.SMS: []})

    async def test_async_with_closes_transports_once(self, make_sms: MakeSms) -> None:
        """Leaving the block closes each transport (shared ones once)."""
        shared = InMemoryTransport()
        async with cc.Dispatcher({cc.SMS: shared, cc.WHATSAPP: shared}, hooks=[]) as dispatcher:
            await dispatcher.send_one(make_sms())
        assert shared.closed
