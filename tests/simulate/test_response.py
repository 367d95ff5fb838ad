"""The response model: seeded, deterministic, and faithful to its configured chances."""

from __future__ import annotations

import collections
from datetime import UTC, date, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.simulate import (
    BehaviourProfile,
    ChannelResponse,
    ProfileBehaviour,
    ResponseEvent,
    ResponseModel,
    ToneEffect,
)

SENT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
OPEN = cc.Money("120.00", "EUR")


def respond(model: ResponseModel, case_id: str, **options: object) -> list[ResponseEvent]:
    """Call ``respond`` with defaults for everything the test does not set."""
    arguments: dict[str, object] = {
        "profile": "forgetful",
        "channel": "email",
        "tone": "neutral",
        "sent_at": SENT,
        "open_amount": OPEN,
    }
    arguments.update(options)
    return model.respond(case_id, **arguments)  # type: ignore[arg-type]


def outcomes(
    model: ResponseModel, count: int = 2000, **options: object
) -> collections.Counter[str]:
    """Count event types over ``count`` different cases."""
    counter: collections.Counter[str] = collections.Counter()
    for number in range(count):
        for event in respond(model, f"C-{number}", **options):
            counter[event.type] += 1
    return counter


class TestDeterminism:
    """The same message gives the same answer, whatever else was simulated before."""

    def test_same_inputs_same_events(self, model: ResponseModel) -> None:
        """Two calls with equal inputs return equal events."""
        first = [respond(model, f"C-{n}", idempotency_key="k") for n in range(200)]
        again = [respond(model, f"C-{n}", idempotency_key="k") for n in range(200)]
        assert first == again

    def test_order_does_not_matter(self, model: ResponseModel) -> None:
        """Answers do not depend on the order of the calls."""
        forward = {n: respond(model, f"C-{n}") for n in range(100)}
        backward = {n: respond(model, f"C-{n}") for n in reversed(range(100))}
        assert forward == backward

    def test_seed_changes_answers(self) -> None:
        """Another seed gives other answers."""
        one = [respond(ResponseModel(seed=1), f"C-{n}") for n in range(200)]
        two = [respond(ResponseModel(seed=2), f"C-{n}") for n in range(200)]
        assert one != two


class TestEvents:
    """Events are typed, later than the send, and consistent with the case."""

    def test_events_follow_the_send_in_time_order(self, model: ResponseModel) -> None:
        """Every event is after ``sent_at`` and the list is sorted."""
        for number in range(500):
            events = respond(model, f"C-{number}", channel="sms", idempotency_key="k")
            assert all(e.at > SENT for e in events)
            assert [e.at for e in events] == sorted(e.at for e in events)
            assert all(e.case_id == f"C-{number}" for e in events)

    def test_payments_never_exceed_the_open_amount(self, model: ResponseModel) -> None:
        """Payments are in the case currency and at most the open amount."""
        for number in range(1000):
            events = respond(model, f"C-{number}", profile="struggling", channel="phone_task")
            for event in events:
                if isinstance(event, cc.PaymentReceived):
                    assert event.amount.currency == "EUR"
                    assert cc.Money("0.01", "EUR") <= event.amount <= OPEN

    def test_delivery_reports_only_with_a_key(self, model: ResponseModel) -> None:
        """Without an idempotency key there are no delivery reports; with one, the first is one."""
        for number in range(300):
            plain = respond(model, f"C-{number}")
            keyed = respond(model, f"C-{number}", idempotency_key="key-1")
            assert not any(isinstance(e, cc.DeliveryStatusChanged) for e in plain)
            assert isinstance(keyed[0], cc.DeliveryStatusChanged)
            assert keyed[0].status in {cc.DeliveryStatus.DELIVERED, cc.DeliveryStatus.BOUNCED}
            assert keyed[0].idempotency_key == "key-1"

    def test_kept_promise_pays_after_promising(self, model: ResponseModel) -> None:
        """A kept promise is paid after it was made and no later than the promised day."""
        checked = 0
        for number in range(2000):
            events = respond(model, f"C-{number}", profile="struggling", channel="phone_task")
            promises = [e for e in events if isinstance(e, cc.PromiseToPay)]
            payments = [e for e in events if isinstance(e, cc.PaymentReceived)]
            if promises and payments:
                checked += 1
                assert promises[0].at < payments[0].at
                assert payments[0].at.date() <= promises[0].promised_on
        assert checked > 20

    def test_opt_out_names_the_channel(self, model: ResponseModel) -> None:
        """An SMS opt-out is for SMS and comes from a STOP reply."""
        opt_outs = [
            e
            for n in range(3000)
            for e in respond(model, f"C-{n}", channel="sms", tone="firm", profile="disputing")
            if isinstance(e, cc.OptOut)
        ]
        assert opt_outs
        assert all(e.channel == "sms" and e.source == "STOP" for e in opt_outs)

    def test_feedback_names_step_and_channel(self, model: ResponseModel) -> None:
        """Feedback carries the step and channel of the message it rates."""
        feedback = [
            e
            for n in range(3000)
            for e in respond(model, f"C-{n}", step_id="reminder-1")
            if isinstance(e, cc.Feedback)
        ]
        assert feedback
        assert all(e.step_id == "reminder-1" and e.channel == "email" for e in feedback)


class TestSettledCases:
    """A case that owes nothing neither pays nor promises."""

    def test_no_payment_without_balance(self, model: ResponseModel) -> None:
        """With nothing open, replies contain no payment or promise."""
        zero = cc.Money("0.00", "EUR")
        for number in range(1000):
            events = respond(model, f"C-{number}", profile="reliable", open_amount=zero)
            assert not any(isinstance(e, cc.PaymentReceived | cc.PromiseToPay) for e in events)

    def test_no_unprompted_payment_without_balance(self, model: ResponseModel) -> None:
        """A customer certain to pay unprompted pays only while something is open."""
        eager = ProfileBehaviour(unprompted_before_due=1.0)
        certain = model.model_copy(
            update={"profiles": {**model.profiles, BehaviourProfile.RELIABLE: eager}}
        )
        options = {"profile": "reliable", "on": date(2026, 11, 3), "due_on": date(2026, 11, 9)}
        assert certain.unprompted("C-1", open_amount=OPEN, **options)  # type: ignore[arg-type]
        zero = cc.Money("0.00", "EUR")
        assert not certain.unprompted("C-1", open_amount=zero, **options)  # type: ignore[arg-type]


class TestChances:
    """Configured chances, tones and profiles show up in the answers."""

    def test_certain_payment(self) -> None:
        """With see=1 and pay=1 every message is paid in full."""
        model = ResponseModel(channels={"email": ChannelResponse(see=1.0, pay=1.0)})
        counts = outcomes(model, 300, profile="reliable")
        assert counts == {"payment_received": 300}

    def test_certain_bounce(self) -> None:
        """With bounce=1 nothing but a bounce report follows."""
        model = ResponseModel(channels={"email": ChannelResponse(bounce=1.0, see=1.0, pay=1.0)})
        counts = outcomes(model, 200, idempotency_key="k")
        assert counts == {"delivery_status_changed": 200}

    def test_unseen_messages_change_nothing(self) -> None:
        """With see=0 nothing happens."""
        model = ResponseModel(channels={"letter": ChannelResponse(see=0.0, pay=1.0)})
        assert outcomes(model, 200, channel="letter") == {}

    def test_reliable_pay_more_than_non_responsive(self, model: ResponseModel) -> None:
        """Reliable customers pay an email far more often than non-responsive ones."""
        reliable = outcomes(model, profile="reliable")["payment_received"]
        silent = outcomes(model, profile="non_responsive")["payment_received"]
        assert reliable > 3 * silent

    def test_firm_tone_costs_opt_outs(self, model: ResponseModel) -> None:
        """A firm SMS draws more opt-outs than a friendly one."""
        firm = outcomes(model, 4000, channel="sms", tone="firm")["opt_out"]
        friendly = outcomes(model, 4000, channel="sms", tone="friendly")["opt_out"]
        assert firm > 2 * friendly

    def test_tone_per_channel(self, model: ResponseModel) -> None:
        """A channel's own tone effect replaces the general one on that channel only."""
        calm = model.model_copy(
            update={"tones_by_channel": {"sms": {cc.Tone.FIRM: ToneEffect(opt_out=0.0)}}}
        )
        assert outcomes(calm, 3000, channel="sms", tone="firm")["opt_out"] == 0
        email = outcomes(calm, 3000, channel="email", tone="firm")["opt_out"]
        assert email == outcomes(model, 3000, channel="email", tone="firm")["opt_out"] > 0

    def test_disputing_profile_disputes(self, model: ResponseModel) -> None:
        """Disputing customers open disputes far more often than reliable ones."""
        disputing = outcomes(model, profile="disputing", channel="letter")["dispute_opened"]
        reliable = outcomes(model, profile="reliable", channel="letter")["dispute_opened"]
        assert disputing > 5 * max(reliable, 1)

    def test_unprompted_payments_follow_the_daily_chance(self, model: ResponseModel) -> None:
        """Reliable customers pay about 6% of days before the due date without a reminder."""
        due = date(2026, 11, 30)
        paid = [
            model.unprompted(
                f"C-{n}",
                profile=BehaviourProfile.RELIABLE,
                on=date(2026, 11, 10),
                due_on=due,
                open_amount=OPEN,
                timezone="Europe/Berlin",
            )
            for n in range(5000)
        ]
        share = sum(bool(p) for p in paid) / len(paid)
        assert 0.045 < share < 0.075
        moment = next(p for p in paid if p)[0].at
        assert moment.date() == date(2026, 11, 10)
        assert str(moment.tzinfo) == "Europe/Berlin"


class TestCosts:
    """Costs default to the built-in channels' figures."""

    def test_builtin_costs(self, model: ResponseModel) -> None:
        """SMS, letter and phone task cost what the channels say."""
        assert model.cost("sms") == cc.SMS.cost == cc.Money("0.10", "EUR")
        assert model.cost(cc.LETTER) == cc.Money("1.20", "EUR")
        assert model.cost("phone_task") == cc.Money("6.00", "EUR")

    def test_custom_channel_costs_its_own(self, model: ResponseModel) -> None:
        """An unlisted Channel object costs its own price; an unlisted name is an error."""
        fax = cc.Channel(name="fax", contact=cc.ContactKind.PHONE, cost=cc.Money("0.30", "EUR"))
        assert model.cost(fax) == cc.Money("0.30", "EUR")
        with pytest.raises(cc.ConfigurationError, match="no cost for channel 'fax'"):
            model.cost("fax")


class TestBadInput:
    """Mistakes are typed errors that name the field and the fix."""

    def test_unknown_channel(self, model: ResponseModel) -> None:
        """A channel without a ChannelResponse is named."""
        with pytest.raises(cc.ConfigurationError, match="channel 'fax'"):
            respond(model, "C-1", channel="fax")

    def test_naive_time(self, model: ResponseModel) -> None:
        """A naive ``sent_at`` is refused naming the field."""
        with pytest.raises(cc.ValidationError) as caught:
            respond(model, "C-1", sent_at=datetime(2026, 11, 3, 9, 0))  # noqa: DTZ001
        assert caught.value.fields == ("sent_at",)

    def test_unknown_tone(self, model: ResponseModel) -> None:
        """A tone outside friendly/neutral/firm is named."""
        with pytest.raises(cc.ValidationError, match="friendly, neutral, firm"):
            respond(model, "C-1", tone="angry")

    def test_unknown_profile(self, model: ResponseModel) -> None:
        """A profile outside the five is named, in respond and in unprompted."""
        with pytest.raises(cc.ValidationError, match="reliable, forgetful"):
            respond(model, "C-1", profile="lazy")
        with pytest.raises(cc.ValidationError) as caught:
            model.unprompted(
                "C-1",
                profile="lazy",
                on=date(2026, 11, 3),
                due_on=date(2026, 11, 1),
                open_amount=OPEN,
            )
        assert caught.value.fields == ("profile",)

    def test_impossible_chances(self) -> None:
        """Exclusive reactions that add up to more than 1 are refused."""
        with pytest.raises(cc.ValidationError) as caught:
            ChannelResponse(see=1.0, pay=0.8, promise=0.3)
        assert caught.value.fields == ("pay",)

    def test_reversed_delay(self) -> None:
        """A delay range whose maximum is below its minimum is refused."""
        with pytest.raises(cc.ValidationError) as caught:
            ChannelResponse(see=1.0, pay=0.1, act_after=(timedelta(hours=2), timedelta(hours=1)))
        assert caught.value.fields == ("act_after",)

    def test_every_profile_needed(self) -> None:
        """A model must describe every behaviour profile."""
        with pytest.raises(cc.ValidationError, match="every profile"):
            ResponseModel(profiles={})
