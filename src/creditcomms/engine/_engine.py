"""The Engine: sync cases, record events, and run what is due, durably."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from creditcomms.campaigns import Plan, PlanStatus, Strategy, apply_event
from creditcomms.dispatch import Dispatcher
from creditcomms.errors import (
    VersionConflictError,
)
from creditcomms.model import Case, Creditor, Event, PaymentReceived
from creditcomms.stores import (
    CaseRecord,
    CaseSave,
    Store,
)
from creditcomms.stores._common import aware
from creditcomms.templates import TemplateLibrary

from ._batch import BatchRun, plan_stored
from ._config import check_wiring, known_channels
from ._records import case_save, merge
from ._render import Renderer
from ._report import RunReport, SyncReport
from ._sync import (
    refuse_id_clash,
    refuse_unknown_channels,
    refuse_unknown_invoices,
    stop_unlisted,
)
from ._unconfirmed import RECONCILE_WITHIN, check_window, remember

__all__ = ["Engine", "ProgressCallback"]


class ProgressCallback(Protocol):
    """**Protocol:** called as ``progress(done, total)`` after each batch of a run.

    ``total`` is the number of actions claimed so far (a run does not know in advance how
    many it will find due).
    """

    def __call__(self, done: int, total: int, /) -> None: ...


def _default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Engine:
    """Ties the pipeline to a store: plan, render, send and journal, safe under crashes.

    Each claimed action is re-planned against the stored case just before it is sent (paid
    in the meantime: skipped, with the reason in the journal), written as ``attempting``
    before the provider call, and completed under the worker's lease. A crash between the
    provider call and the commit is the only window in which a message can go out twice (a
    lease that runs out while a slow batch is still sending opens the same window: keep
    ``lease`` well above a batch's time); the retry carries the same idempotency key, so it
    is recognisable.

    Args:
        strategy: Chooses the campaign (and variant) per case and plans its steps.
        templates: Renders each action into a message for its channel.
        creditor: Who is owed: signs pay links, receives payments, sends the messages.
        dispatcher: Sends messages through the host's transports.
        store: The durable schedule and journal.
        renderer: How actions become messages (pay links, QR codes, letter PDFs).
        lease: How long a claimed action stays reserved for this worker.
        worker: This worker's name in the journal (``host:pid`` by default).
        batch_size: How many claims are planned, rendered and dispatched together.
        plan_ahead: Store a case's whole remaining sequence after each change, so that
            ``store.pending(case_id)`` shows it; ``False`` stores only the next action, which
            is all the engine needs and is faster (simulations use it).
        check: Check at once that the parts fit together: every step's template exists
            for each of its channels, every channel has a transport, email has a sender
            and pay links a secret. ``False`` skips this (say, an engine that only plans).
        reconcile_within: How long a payment recorded here is applied again on top of
            host syncs that do not confirm it (books that have not booked it yet); after
            it, the host's figures are the truth. See `sync`'s ``balances_as_of``.

    Raises:
        ConfigurationError: With ``check``, every misfit found, each with its fix.
        ValidationError: ``reconcile_within`` is not a positive `timedelta`.
    """

    def __init__(
        self,
        strategy: Strategy,
        templates: TemplateLibrary,
        creditor: Creditor,
        dispatcher: Dispatcher,
        store: Store,
        *,
        renderer: Renderer | None = None,
        lease: timedelta = timedelta(minutes=5),
        worker: str | None = None,
        batch_size: int = 500,
        plan_ahead: bool = True,
        check: bool = True,
        reconcile_within: timedelta = RECONCILE_WITHIN,
    ) -> None:
        self.reconcile_within = check_window(reconcile_within)
        if check:
            check_wiring(strategy, templates, creditor, dispatcher)
        self.strategy = strategy
        self.templates = templates
        self.creditor = creditor
        self.dispatcher = dispatcher
        self.store = store
        self.renderer = renderer or Renderer(templates, creditor)
        self.lease = lease
        self.worker = worker or _default_worker()
        self.batch_size = batch_size
        self.plan_ahead = plan_ahead

    # -- cases and events ------------------------------------------------------------------

    async def sync(
        self,
        cases: Iterable[Case],
        /,
        *,
        at: datetime,
        full: bool = False,
        balances_as_of: datetime | None = None,
    ) -> SyncReport:
        """Upsert the host's cases and plan their next actions; running it twice is harmless.

        Debtor and invoices come from the host. The history creditcomms wrote (messages
        sent) and the state it derived from recorded events are kept; a host case that sets
        state fields of its own (``CaseState(promised_on=...)``) replaces just those fields,
        and opt-outs only add up (lift one with `Store.update_case`).

        A payment recorded through `record` stays applied on top of the host's invoices
        until the host's figures include it, so books that have not booked it yet do not
        bring the debt back: pass ``balances_as_of`` (the time up to which the host's open
        amounts include every payment; ``at`` when they are current) to confirm the
        payments up to it. Without it a payment is applied again until ``reconcile_within``
        has passed since it; a host that booked it without saying so sees it taken off
        twice until then (never below zero).

        With ``full=True`` the cases are everything the host still wants reminded (say, a
        nightly query of customers with open invoices): a stored active or paused case the
        call does not list is stopped and its planned actions cancelled, as its invoices
        were paid or closed in the host's books.

        Raises:
            ValidationError: Two cases with different invoices share an id, or a case's
                consents, preferred channels or opt-outs name a channel the engine does not
                know (a typo such as ``"emial"``); the cases before it are synced. Or ``at``
                or ``balances_as_of`` is naive.
        """
        aware(at, field="at", operation="sync")  # refused before anything is written
        if balances_as_of is not None:
            aware(balances_as_of, field="balances_as_of", operation="sync")
        report = SyncReport()
        batch: dict[str, Case] = {}
        seen: dict[str, int] = {}  # id -> its invoices' fingerprint, to catch id clashes
        known = known_channels(self.strategy, self.dispatcher)
        for case in cases:
            refuse_id_clash(case, seen)
            refuse_unknown_channels(case, known)
            if case.id in batch or len(batch) >= self.batch_size:
                await self._sync_batch(
                    list(batch.values()), at=at, balances_as_of=balances_as_of, report=report
                )
                batch = {}
            batch[case.id] = case
        if batch:
            await self._sync_batch(
                list(batch.values()), at=at, balances_as_of=balances_as_of, report=report
            )
        if full:
            report.dropped = await stop_unlisted(self.store, set(seen), at=at)
        return report

    async def _sync_batch(
        self,
        cases: list[Case],
        *,
        at: datetime,
        balances_as_of: datetime | None,
        report: SyncReport,
    ) -> None:
        """Sync cases with distinct ids: one read, one planning pass, one `Store.save_many`.

        A case whose campaign changed, or that another process stored or changed meanwhile,
        is then synced on its own from a fresh read, as before batching.
        """
        stored = await self.store.get_cases([case.id for case in cases])
        merged = [
            (
                self._merge(case, stored.get(case.id), at=at, balances_as_of=balances_as_of),
                stored.get(case.id),
            )
            for case in cases
        ]
        known = [(record, case) for case, record in merged if record is not None]
        plans = plan_stored(self.strategy, known, at=at, upcoming=self.plan_ahead)
        fresh = [case for case, record in merged if record is None]
        plans.update(
            (case.id, self.strategy.plan(case, at=at, upcoming=self.plan_ahead)) for case in fresh
        )
        saves: list[CaseSave] = []
        alone: set[str] = set()
        for case, record in merged:
            plan = plans[case.id]
            if record is None:
                saves.append(case_save(case, 0, plan))
            elif plan.campaign_id == record.campaign_id:
                saves.append(case_save(case, record.version, plan))
            else:
                alone.add(case.id)  # moved to another campaign: enrolled again, one by one
        alone.update(await self.store.save_many(saves, at=at) if saves else ())
        for (case, record), original in zip(merged, cases, strict=True):
            plan, new = plans[case.id], record is None
            if case.id in alone:
                again = await self.store.get_case(case.id)
                plan = await self._save_case(
                    self._merge(original, again, at=at, balances_as_of=balances_as_of),
                    again,
                    at=at,
                    upcoming=self.plan_ahead,
                )
                new = again is None
            report.cases += 1
            report.enrolled += new
            report.actions_planned += len(plan.actions)
            report.stopped += plan.status in {PlanStatus.STOPPED, PlanStatus.UNASSIGNED}

    def _merge(
        self,
        case: Case,
        stored: CaseRecord | None,
        *,
        at: datetime,
        balances_as_of: datetime | None,
    ) -> Case:
        """The host's ``case`` merged with the stored one (see `merge`)."""
        return merge(
            case,
            stored,
            at=at,
            balances_as_of=balances_as_of,
            reconcile_within=self.reconcile_within,
        )

    async def record(self, event: Event, /) -> Case | None:
        """Journal a host event and apply it: payments stop, disputes pause, promises resume.

        A payment is also remembered on the case until the host's books confirm it, so a
        sync from books that have not booked it yet does not bring the debt back (see
        `sync`).

        Returns the case as it stands afterwards, or ``None`` when the store does not know
        the case (the event is journalled all the same).

        Raises:
            ValidationError: A payment names invoices the stored case does not have (nothing
                is journalled: sync the invoice first, or leave ``invoice_ids`` empty).
        """
        # One read serves the check and the first attempt; a version conflict reads again.
        stored = await self.store.get_case(event.case_id)
        if isinstance(event, PaymentReceived) and event.invoice_ids:
            refuse_unknown_invoices(event, stored)
        await self.store.record_event(event)
        for attempt in range(5):
            if attempt:
                stored = await self.store.get_case(event.case_id)
            if stored is None:
                return None
            case = apply_event(stored.case, event)
            if isinstance(event, PaymentReceived):
                case = remember(stored.case, case, event, window=self.reconcile_within)
            try:
                await self._save_case(case, stored, at=event.at, upcoming=self.plan_ahead)
            except VersionConflictError:
                continue  # a worker updated the case meanwhile: apply to the newer version
            return case
        raise VersionConflictError(f"case {event.case_id} kept changing; record the event again")

    def plan(self, case: Case, /, *, at: datetime) -> Plan:
        """The plan for ``case`` at ``at``, without storing or sending anything.

        It reads the case as given: for a case the engine has run, pass the stored one
        (``(await engine.store.get_case(case_id)).case``), whose history holds what was sent.
        """
        return self.strategy.plan(case, at=at)

    async def _save_case(
        self, case: Case, stored: CaseRecord | None, *, at: datetime, upcoming: bool = True
    ) -> Plan:
        """Plan ``case`` and store it with its next actions (a new case is enrolled).

        Raises `VersionConflictError` when the stored case changed since ``stored`` was read.
        """
        pinned = {stored.campaign_id: stored.campaign_version} if stored else None
        plan = self.strategy.plan(case, at=at, pinned=pinned, upcoming=upcoming)
        if stored is not None and stored.campaign_id == plan.campaign_id:
            # The case, its status and its next actions (or their cancellation): one transaction.
            if await self.store.save_many([case_save(case, stored.version, plan)], at=at):
                raise VersionConflictError(f"case {case.id} changed meanwhile; read it again")
            return plan
        save = case_save(case, 1, plan)
        await self.store.enroll(
            case,
            campaign_id=plan.campaign_id or "",
            campaign_version=plan.campaign_version or 1,
            at=at,
            status=save.status,
            next_action_at=save.next_action_at,
        )
        if save.cancel:
            await self.store.cancel_pending(case.id, at=at, reasons=save.cancel)
        elif save.schedule:
            await self.store.schedule(save.schedule, at=at)
        return plan

    # -- running ---------------------------------------------------------------------------

    async def run_due(
        self, *, at: datetime, limit: int | None = None, progress: ProgressCallback | None = None
    ) -> RunReport:
        """Claim what is due at ``at``, re-check each case, render, send and journal it.

        Works in batches of ``batch_size`` until nothing more is due or ``limit`` actions
        were claimed. Returns what happened, with skip reasons and costs. One call keeps one
        core busy; `run_due_in_processes` runs it in several processes sharing the store.
        """
        at = aware(at, field="at", operation="run_due")
        report = RunReport()
        while limit is None or report.claimed < limit:
            size = (
                self.batch_size if limit is None else min(self.batch_size, limit - report.claimed)
            )
            claims = await self.store.claim_due(
                at, limit=size, lease=self.lease, worker=self.worker
            )
            if not claims:
                break
            report.claimed += len(claims)
            await BatchRun(self, at=at, report=report).run(claims)
            if progress is not None:
                progress(report.claimed, report.claimed)
        return report

    def run_due_sync(self, *, at: datetime, limit: int | None = None) -> RunReport:
        """`run_due` for scripts and notebooks that have no event loop running."""
        return asyncio.run(self.run_due(at=at, limit=limit))
