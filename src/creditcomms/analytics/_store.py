"""A `Journal` for analytics from what a store recorded while the engine ran."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime

from creditcomms.model import (
    Case,
    DeliveryStatusChanged,
    Feedback,
    Money,
    OptOut,
    PaymentReceived,
)
from creditcomms.stores import JournalEntry, JournalKind, Store

from ._builder import JournalBuilder
from ._records import Journal, SendStatus

__all__ = ["load_journal"]

_PAGE = 5000
_CASES_PER_READ = 500


async def load_journal(
    store: Store, /, *, since: datetime | None = None, campaign: str | None = None
) -> Journal:
    """Read a store's journal into a `Journal` for KPIs, attribution and experiments.

    Each message the engine sent becomes a `SendRecord` (on the channel that carried it,
    with its cost, variant, segment and tone from the planned action and the debtor's
    locale); a send the provider refused becomes one with status ``failed``. Delivery
    reports recorded with `Engine.record` (or `Store.record_event`) move a send up the
    ladder sent → delivered → opened/read → clicked, or to ``bounced``; payments become
    `PaymentRecord` rows dated against the due date of the invoices they name (the case's
    oldest due date when they name none); opt-outs and feedback are kept.

    Args:
        store: Any store the engine wrote to (`SQLiteStore`, `PostgresStore`, `MemoryStore`).
        since: Only journal entries at or after this time.
        campaign: Only sends of this campaign id (events of every case are kept; use
            `Journal.only` for a case-level cut).

    A send without a recorded cost counts as zero in its case's currency. Rows of cases
    the store no longer holds (purged after their retention time) are left out, since a
    payment curve needs their due dates.

    Examples:
        >>> import asyncio
        >>> from creditcomms.stores import MemoryStore
        >>> asyncio.run(load_journal(MemoryStore())).sends
        ()
    """
    entries = [entry async for entry in _entries(store, since)]
    cases = await _cases(store, {entry.case_id for entry in entries})
    builder = JournalBuilder()
    for entry in entries:
        case = cases.get(entry.case_id)
        if case is None:
            continue
        if entry.kind is JournalKind.SENT or _refused(entry):
            if campaign is None or entry.campaign_id == campaign:
                await _send(store, builder, entry, case)
        elif entry.kind is JournalKind.EVENT and entry.event is not None:
            event = entry.event
            if isinstance(event, PaymentReceived):
                builder.record(event, due_on=_due_on(case, event.invoice_ids))
            elif isinstance(event, DeliveryStatusChanged | OptOut | Feedback):
                builder.record(event)
    return builder.build()


async def _entries(store: Store, since: datetime | None) -> AsyncIterator[JournalEntry]:
    after: int | None = None
    while page := await store.history(since=since, after_seq=after, limit=_PAGE):
        for entry in page:
            yield entry
        after = page[-1].seq


async def _cases(store: Store, case_ids: Iterable[str]) -> dict[str, Case]:
    wanted = sorted(case_ids)
    found: dict[str, Case] = {}
    for start in range(0, len(wanted), _CASES_PER_READ):
        records = await store.get_cases(wanted[start : start + _CASES_PER_READ])
        found.update((case_id, record.case) for case_id, record in records.items())
    return found


def _refused(entry: JournalEntry) -> bool:
    """A provider refused the message (not a render failure, which never left the engine)."""
    return entry.kind is JournalKind.FAILED and any(
        reason.code == "delivery_failed" for reason in entry.reasons
    )


async def _send(store: Store, builder: JournalBuilder, entry: JournalEntry, case: Case) -> None:
    key = entry.idempotency_key or f"{entry.case_id}:{entry.seq}"
    planned = await store.get_action(key) if entry.idempotency_key else None
    action = planned.action if planned is not None else None
    builder.send(
        key,
        at=entry.at,
        case_id=entry.case_id,
        campaign=entry.campaign_id or "",
        step=entry.step_id or "",
        channel=entry.channel or (action.channel if action else "unknown"),
        cost=entry.cost or Money.zero(case.currency),
        variant=entry.variant,
        segment=action.segment if action else None,
        locale=case.debtor.locale,
        tone=action.tone if action else None,
        status=SendStatus.SENT if entry.kind is JournalKind.SENT else SendStatus.FAILED,
    )


def _due_on(case: Case, invoice_ids: tuple[str, ...]) -> date:
    named = [invoice.due_on for invoice in case.invoices if invoice.id in invoice_ids]
    return min(named) if named else min(invoice.due_on for invoice in case.invoices)
