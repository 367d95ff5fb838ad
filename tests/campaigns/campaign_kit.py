"""Builders shared by the campaign tests: cases, history records, a standard campaign."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import creditcomms as cc

ADDRESS = cc.PostalAddress(
    name="Erika Mustermann",
    street="Heidestraße",
    house_number="17",
    postcode="51147",
    city="Köln",
    country="DE",
)


def make_case(
    *,
    due: date = date(2026, 10, 30),
    amount: str = "100.00",
    timezone: str = "Europe/Berlin",
    consents: dict[str, bool] | None = None,
    contacts: cc.Contacts | None = None,
    state: cc.CaseState | None = None,
    history: Iterable[cc.ContactRecord] = (),
    invoices: Iterable[cc.Invoice] | None = None,
    case_id: str = "C-1",
) -> cc.Case:
    """A consumer case (Europe/Berlin by default) with one open invoice."""
    debtor = cc.Debtor(
        id=case_id,
        name="Erika Mustermann",
        timezone=timezone,
        contacts=contacts
        if contacts is not None
        else cc.Contacts(
            email="erika@example.de",
            phone="+4915112345678",
            whatsapp="+4915112345678",
            address=ADDRESS,
        ),
        consents=consents
        if consents is not None
        else {"sms": True, "whatsapp": True, "voice": True},
    )
    bills = (
        tuple(invoices)
        if invoices is not None
        else (
            cc.Invoice(
                id="I-1",
                amount=cc.Money(amount, "EUR"),
                issued_on=due - timedelta(days=30),
                due_on=due,
            ),
        )
    )
    return cc.Case(
        id=case_id,
        debtor=debtor,
        invoices=bills,
        state=state or cc.CaseState(),
        history=tuple(history),
    )


def sent(action: cc.Action) -> cc.ContactRecord:
    """The history record a host writes after sending ``action``."""
    return cc.ContactRecord(
        at=action.due_at,
        channel=action.channel,
        campaign_id=action.campaign_id,
        step_id=action.step_id,
        idempotency_key=action.idempotency_key,
    )


def record(
    campaign: cc.Campaign,
    step: str,
    at: datetime,
    *,
    channel: str = "email",
    repeat: int = 0,
    case_id: str = "C-1",
) -> cc.ContactRecord:
    """A history record of ``step`` sent at ``at``."""
    return cc.ContactRecord(
        at=at,
        channel=channel,
        campaign_id=campaign.id,
        step_id=step,
        idempotency_key=cc.idempotency_key(
            campaign_id=campaign.id,
            version=campaign.version,
            case_id=case_id,
            step_id=step,
            channel=channel,
            repeat=repeat,
        ),
    )


def standard_policy() -> cc.ContactPolicy:
    """Mon-Fri 08:00-20:00 in the debtor's zone, German holidays, 2-day gap, 2 SMS a week."""
    return cc.ContactPolicy(
        window=cc.SendWindow("08:00", "20:00", weekdays="mon-fri"),
        calendar=cc.Calendar("DE"),
        min_gap=timedelta(days=2),
        caps=[cc.Cap(cc.SMS, 2, days=7), cc.Cap(cc.PHONE_TASK, 7, days=7)],
    )


def six_steps(policy: cc.ContactPolicy | None = None, **options: object) -> cc.Campaign:
    """The six-step campaign of the docs and the benchmark."""
    return cc.Campaign(
        "b2c-standard",
        version=1,
        steps=[
            cc.Step("pre-due", cc.before_due(days=3), cc.EMAIL, tone="friendly"),
            cc.Step("reminder-1", cc.after_due(days=3), cc.EMAIL, also=[cc.SMS]),
            cc.Step("reminder-2", cc.after_previous(days=7), cc.SMS, fallback=[cc.EMAIL]),
            cc.Step("reminder-3", cc.after_previous(days=7), cc.WHATSAPP, fallback=[cc.EMAIL]),
            cc.Step("final", cc.after_due(days=35), cc.LETTER, tone="firm"),
            cc.Step("call", cc.after_due(business_days=30), cc.PHONE_TASK),
        ],
        policy=policy if policy is not None else standard_policy(),
        **options,  # type: ignore[arg-type]
    )


def open_policy() -> cc.ContactPolicy:
    """No window, gap or caps: sends go out exactly at their trigger times."""
    return cc.ContactPolicy(calendar=cc.Calendar.from_dates(()))


def invoices_from(
    specs: list[tuple[int, str, str | None, cc.InvoiceStatus]], at: datetime
) -> tuple[cc.Invoice, ...]:
    """Invoices ``I-0``, ``I-1``... from specs: days overdue at ``at``, amounts, status."""
    made = []
    for number, (days, amount, rest, status) in enumerate(specs):
        due = at.date() - timedelta(days=days)
        total = cc.Money(amount, "EUR")
        left = cc.Money(rest, "EUR") if rest is not None else None
        if left is not None and left > total:
            left = total
        if status is cc.InvoiceStatus.PAID:
            left = cc.Money("0", "EUR")
        made.append(
            cc.Invoice(
                id=f"I-{number}",
                amount=total,
                open_amount=left,
                issued_on=due - timedelta(days=14),
                due_on=due,
                status=status,
            )
        )
    return tuple(made)
