"""Contact policies: gaps, caps, conversations, consent, and the Regulation F preset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import creditcomms as cc
from creditcomms.policies import ContactLog

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _case(**debtor: object) -> cc.Case:
    fields: dict[str, object] = {
        "id": "C-1",
        "name": "Erika",
        "timezone": "Europe/Berlin",
        "contacts": cc.Contacts(email="e@example.de", phone="+4915112345678"),
    }
    fields.update(debtor)
    return cc.Case(
        debtor=cc.Debtor(**fields),
        invoices=[
            cc.Invoice(
                id="I-1",
                amount=cc.Money("10", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 11, 1),
            )
        ],
    )


def _log(*entries: tuple[datetime, str, cc.ContactOutcome]) -> ContactLog:
    log = ContactLog()
    for at, channel, outcome in entries:
        log.record(at, channel, outcome)
    return log


def test_min_gap_moves_the_send() -> None:
    """A send within the minimum gap of the last contact waits until the gap has passed."""
    policy = cc.ContactPolicy(min_gap=timedelta(days=3))
    log = _log((T0 - timedelta(days=1), "email", cc.ContactOutcome.SENT))
    slot = policy.slot(_case(), log, T0, ("sms",), BERLIN)
    assert slot.at == T0 + timedelta(days=2)
    assert [r.code for r in slot.reasons] == ["min_gap"]


def test_failed_contacts_do_not_count_for_the_gap() -> None:
    """A bounced email did not reach anyone, so it does not hold back the next contact."""
    policy = cc.ContactPolicy(min_gap=timedelta(days=3))
    log = _log((T0 - timedelta(days=1), "email", cc.ContactOutcome.BOUNCED))
    assert policy.slot(_case(), log, T0, ("sms",), BERLIN).at == T0


def test_critical_sends_may_skip_the_gap_but_not_the_window() -> None:
    """A critical step ignores the minimum gap yet still waits for the send window."""
    policy = cc.ContactPolicy(min_gap=timedelta(days=3), window=cc.SendWindow("08:00", "20:00"))
    log = _log((T0 - timedelta(days=1), "email", cc.ContactOutcome.SENT))
    night = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    slot = policy.slot(_case(), log, night, ("sms",), BERLIN, critical=True)
    assert slot.at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert [r.code for r in slot.reasons] == ["quiet_hours"]


def test_quiet_hours_name_each_debtors_own_zone() -> None:
    """Two debtors in two zones held at the same instant each read their own wall time."""
    policy = cc.ContactPolicy(window=cc.SendWindow("08:00", "20:00"))
    early = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 05:00 in Berlin, 23:00 in New York
    berlin = policy.slot(_case(), _log(), early, ("sms",), BERLIN)
    york = policy.slot(_case(), _log(), early, ("sms",), ZoneInfo("America/New_York"))
    assert berlin.reasons[0].detail.startswith("Tue 05:00 Europe/Berlin is outside")
    assert york.reasons[0].detail.startswith("Mon 23:00 America/New_York is outside")


def test_rolling_cap_waits_for_the_oldest_attempt_to_leave_the_window() -> None:
    """With 2 SMS allowed per 7 days and 2 sent, the next waits until the first is 7 days old."""
    policy = cc.ContactPolicy(caps=[cc.Cap(cc.SMS, 2, days=7)])
    first, second = T0 - timedelta(days=5), T0 - timedelta(days=1)
    log = _log((first, "sms", cc.ContactOutcome.SENT), (second, "sms", cc.ContactOutcome.FAILED))
    slot = policy.slot(_case(), log, T0, ("sms",), BERLIN)
    assert slot.at == first + timedelta(days=7)
    assert [r.code for r in slot.reasons] == ["frequency_cap"]
    assert policy.slot(_case(), log, T0, ("email",), BERLIN).at == T0


def test_cap_over_all_channels() -> None:
    """``Cap(None, ...)`` counts every channel together."""
    policy = cc.ContactPolicy(caps=[cc.Cap(None, 1, hours=12)])
    log = _log((T0 - timedelta(hours=1), "email", cc.ContactOutcome.SENT))
    assert policy.slot(_case(), log, T0, ("letter",), BERLIN).at == T0 + timedelta(hours=11)


def test_no_call_after_a_conversation() -> None:
    """Regulation F: no call within 7 days after a conversation; email is not a call."""
    policy = cc.ContactPolicy.regulation_f()
    talk = T0 - timedelta(days=2)
    log = _log((talk, "phone_task", cc.ContactOutcome.CONVERSATION))
    slot = policy.slot(_case(), log, T0, ("phone_task",), BERLIN)
    assert slot.at == talk + timedelta(days=7)
    assert "after_conversation" in [r.code for r in slot.reasons]
    assert policy.slot(_case(), log, T0, ("email",), BERLIN).at == T0


def test_regulation_f_preset() -> None:
    """08:00-21:00 every day, 7 calls in 7 days, opt-out notice on email and SMS."""
    policy = cc.ContactPolicy.regulation_f()
    assert policy.window is not None
    assert policy.window.describe() == "08:00-21:00 every day"
    assert [(c.channel, c.limit, c.period.days) for c in policy.caps] == [
        ("phone_task", 7, 7),
        ("voice", 7, 7),
    ]
    assert policy.opt_out_notice == {"email", "sms"}
    calls = [(T0 - timedelta(hours=h), "phone_task", cc.ContactOutcome.SENT) for h in range(1, 8)]
    slot = policy.slot(_case(), _log(*calls), T0, ("phone_task",), BERLIN)
    assert slot.at >= T0 - timedelta(hours=7) + timedelta(days=7)


@pytest.mark.parametrize(
    ("debtor", "channel", "code"),
    [
        ({}, cc.LETTER, "no_contact"),
        ({}, cc.SMS, "no_consent"),
        ({"consents": {"sms": False}}, cc.SMS, "consent_refused"),
        ({"consents": {"email": False}}, cc.EMAIL, "consent_refused"),
        ({"consents": {"sms": True}}, cc.SMS, None),
        ({}, cc.EMAIL, None),
    ],
)
def test_refusals(debtor: dict[str, object], channel: cc.Channel, code: str | None) -> None:
    """Missing contacts, missing or refused consent block a channel; the rest pass."""
    found = cc.ContactPolicy().refusal(_case(**debtor), channel)
    assert (found.code if found else None) == code


def test_opt_out_blocks_the_channel() -> None:
    """An opted-out channel is refused whatever the consent says."""
    case = _case(consents={"sms": True})
    case = case.model_copy(update={"state": cc.CaseState(opted_out=frozenset({"sms"}))})
    refusal = cc.ContactPolicy().refusal(case, cc.SMS)
    assert refusal is not None
    assert refusal.code == "opted_out"


def test_consent_check_can_be_turned_off() -> None:
    """``require_consent=False`` lets consent-requiring channels through when none is recorded."""
    assert cc.ContactPolicy(require_consent=False).refusal(_case(), cc.SMS) is None


def test_calendars_per_country() -> None:
    """A debtor in Austria gets the Austrian calendar, others the default."""
    at_calendar, de_calendar = cc.Calendar("AT"), cc.Calendar("DE")
    policy = cc.ContactPolicy(calendar=de_calendar, calendars={"AT": at_calendar})
    austrian = _case(
        contacts=cc.Contacts(
            address=cc.PostalAddress(name="A", postcode="1010", city="Wien", country="AT")
        )
    )
    assert policy.calendar_for(austrian) is at_calendar
    assert policy.calendar_for(_case()) is de_calendar


@pytest.mark.parametrize(
    "make",
    [
        lambda: cc.Cap(cc.SMS, 0, days=1),
        lambda: cc.Cap(cc.SMS, 1),
        lambda: cc.ContactPolicy(min_gap=timedelta(days=-1)),
    ],
)
def test_bad_policy_values_are_refused(make: object) -> None:
    """Caps need a positive limit and period; the gap cannot be negative."""
    with pytest.raises(cc.ConfigurationError):
        make()  # type: ignore[operator]
