"""Small builders for store tests: cases and actions with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import creditcomms as cc

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
"""The fixed 'now' of the store tests."""


def make_case(case_id: str = "C-1", *, amount: str = "120.00") -> cc.Case:
    """A one-invoice case for ``case_id``."""
    return cc.Case(
        id=case_id,
        debtor=cc.Debtor(id=case_id, name="Erika Mustermann", locale="de_DE"),
        invoices=[
            cc.Invoice(
                id=f"RE-{case_id}",
                amount=cc.Money(amount, "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )


def make_action(
    case_id: str = "C-1",
    step_id: str = "reminder-1",
    *,
    due: timedelta = timedelta(0),
    channel: str = "email",
    variant: str | None = None,
) -> cc.Action:
    """A planned action of campaign ``b2c@1`` due ``due`` after `T0`."""
    return cc.Action(
        case_id=case_id,
        campaign_id="b2c",
        campaign_version=1,
        step_id=step_id,
        channel=channel,
        template="reminder",
        due_at=T0 + due,
        variant=variant,
        idempotency_key=cc.idempotency_key(
            campaign_id="b2c", version=1, case_id=case_id, step_id=step_id, channel=channel
        ),
        reasons=(cc.Reason(code="after_due", detail="3 days after the due date"),),
    )
