"""What `Engine.sync` checks and closes around its batches: id clashes and unlisted cases."""

from __future__ import annotations

from datetime import datetime

from creditcomms.errors import FieldProblem, ValidationError
from creditcomms.model import Case, PaymentReceived, Reason
from creditcomms.stores import CaseRecord, CaseStatus, Store

from ._config import near

__all__ = [
    "refuse_id_clash",
    "refuse_unknown_channels",
    "refuse_unknown_invoices",
    "stop_unlisted",
]

_UNLISTED = Reason(
    code="not_in_full_sync",
    detail="the host's full sync no longer lists the case (paid or closed there)",
)


def refuse_id_clash(case: Case, seen: dict[str, int]) -> None:
    """Refuse a second case under an id already synced in this call with other invoices.

    The same case twice is harmless; two cases (say one per currency) that both took the
    debtor's id would overwrite each other, and one would never be reminded.
    """
    mark = hash(tuple(invoice.id for invoice in case.invoices))
    if seen.setdefault(case.id, mark) == mark:
        return
    fix = (
        "two cases with different invoices in one sync share this id; give each case its own"
        " id= (a case id defaults to the debtor id, so a debtor with a case per currency"
        " needs ids such as f'{debtor.id}-EUR')"
    )
    raise ValidationError("sync", [FieldProblem("id", case.id, fix)])


def refuse_unknown_channels(case: Case, known: frozenset[str]) -> None:
    """Refuse consents, preferences and opt-outs that name no channel this engine knows.

    A misspelt consent (``{"emial": False}``) would leave the customer's real choice
    unrecorded: email would go out to someone who said no.
    """
    debtor = case.debtor
    named = (
        ("debtor.consents", debtor.consents),
        ("debtor.preferred_channels", debtor.preferred_channels),
        ("state.opted_out", case.state.opted_out),
    )
    problems = [
        FieldProblem(
            field,
            name,
            f"case {case.id} names no channel this engine knows{near(name, known)}; use one"
            " of the built-in channels or one the dispatcher has a transport for",
        )
        for field, names in named
        for name in names
        if name not in known
    ]
    if problems:
        raise ValidationError("sync", problems)


async def stop_unlisted(store: Store, listed: set[str], /, *, at: datetime) -> int:
    """Stop the active and paused cases a full sync did not list; return how many.

    Their planned actions are cancelled with the reason; an action a live worker holds is
    re-checked before it is sent, as for any stopped case.
    """
    unlisted: list[str] = []
    for status in (CaseStatus.ACTIVE, CaseStatus.PAUSED):
        after: str | None = None
        while page := await store.cases(status=status, after=after, limit=1000):
            unlisted += [record.case_id for record in page if record.case_id not in listed]
            after = page[-1].case_id
    for case_id in unlisted:
        await store.cancel_pending(case_id, at=at, reasons=[_UNLISTED])
        await store.update_case(case_id, at=at, status=CaseStatus.STOPPED, next_action_at=None)
    return len(unlisted)


def refuse_unknown_invoices(event: PaymentReceived, stored: CaseRecord | None) -> None:
    """Refuse a payment for invoices the stored case does not have.

    Applied as it stands, the money would go to the case's other invoices (the oldest
    first), and the invoice it was meant for would still be reminded.
    """
    if stored is None:
        return
    known = {invoice.id for invoice in stored.case.invoices}
    unknown = [invoice_id for invoice_id in event.invoice_ids if invoice_id not in known]
    if unknown:
        fix = (
            f"case {event.case_id} has no invoice {', '.join(map(repr, unknown))}; sync the"
            " invoice first, or leave invoice_ids empty to pay the oldest open invoices"
        )
        raise ValidationError("record", [FieldProblem("invoice_ids", unknown, fix)])
