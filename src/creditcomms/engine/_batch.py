"""One batch of a run: re-check each claimed case, render, send, journal and save.

`Engine.run_due` claims a batch of due actions and hands it to a `BatchRun`, which holds
what the whole batch shares (the engine's parts, the run's time and its report): the cases
are read once, planned again, rendered, marked ``attempting``, sent together, finished under
their leases and saved with their next actions, each step one store call for the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from creditcomms.campaigns import Action, Plan, Strategy
from creditcomms.dispatch import Envelope, Outcome
from creditcomms.errors import CreditCommsError, VersionConflictError
from creditcomms.model import Case, ContactRecord, Reason
from creditcomms.model._trusted import trusted
from creditcomms.stores import ActionStatus, CaseRecord, CaseSave, Claim, Completion

from ._records import case_save, contact, fallback_reasons, skip, why_not
from ._report import RunReport

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["BatchRun", "plan_stored"]


@dataclass
class _CaseWork:
    """One case's share of a batch: its fresh plan, what to send and what is settled."""

    record: CaseRecord | None
    plan: Plan | None
    sends: list[tuple[Claim, Action, Envelope]] = field(default_factory=list)
    finished: list[Completion] = field(default_factory=list)


def plan_stored(
    strategy: Strategy, cases: Sequence[tuple[CaseRecord, Case]], /, *, at: datetime, upcoming: bool
) -> dict[str, Plan]:
    """Plan stored cases, each pinned to its campaign version, by case id.

    (`Strategy.plan_many` shares work only between cases with equal invoice ids, which
    real cases never have, so each case is planned on its own.)
    """
    plan = strategy.plan
    return {
        case.id: plan(
            case,
            at=at,
            pinned={record.campaign_id: record.campaign_version},
            upcoming=upcoming,
        )
        for record, case in cases
    }


class BatchRun:
    """The claims of one batch at one time, worked through together (see the module)."""

    def __init__(self, engine: Engine, *, at: datetime, report: RunReport) -> None:
        self.engine = engine
        self.at = at
        self.report = report

    async def run(self, claims: Sequence[Claim], /) -> None:
        """Re-check, render, send, journal and save one batch of claims."""
        at = self.at
        groups: dict[str, list[Claim]] = {}
        for claim in claims:
            groups.setdefault(claim.action.case_id, []).append(claim)
        stored = await self.engine.store.get_cases(list(groups))
        # Only what is due and the next action matter here; the rest is planned after sending.
        plans = plan_stored(
            self.engine.strategy,
            [(record, record.case) for record in stored.values()],
            at=at,
            upcoming=False,
        )
        work = [
            self._triage(case_id, stored.get(case_id), plans, group)
            for case_id, group in groups.items()
        ]
        finished = [completion for item in work for completion in item.finished]
        sends = [send for item in work for send in item.sends]
        # Only the claims still held go out. A batch shares one lease id, so a claim another
        # worker took over is told apart by its key, not by the lease.
        store = self.engine.store
        marked = await store.mark_attempting_many([s[0] for s in sends], at=at) if sends else []
        held = {claim.idempotency_key for claim in marked}
        live = [send for send in sends if send[0].idempotency_key in held]
        outcomes = await self.engine.dispatcher.send([envelope for _, _, envelope in live])
        records: dict[str, list[ContactRecord]] = {}
        for (claim, action, envelope), outcome in zip(live, outcomes, strict=True):
            finished.append(self._finish(claim, action, envelope, outcome))
            if outcome.ok:
                records.setdefault(action.case_id, []).append(contact(action, outcome, at))
        if finished:
            # Claims lost meanwhile are left out: their new owner decides.
            await self.engine.store.finish_many(finished)
        await self._save_all(work, records)

    async def _save_all(
        self, work: list[_CaseWork], records: dict[str, list[ContactRecord]]
    ) -> None:
        """Write every touched case and its next actions in one store call (then stragglers)."""
        at = self.at
        saves: list[CaseSave] = []
        alone: set[int] = set()  # ids of the work items saved one by one
        touched: list[tuple[CaseRecord, Case]] = []
        items: list[_CaseWork] = []
        for item in work:
            stored = item.record
            if stored is None or (not item.sends and not item.finished):
                continue
            sent = records.get(stored.case_id)
            case = (
                stored.case.model_copy(update={"history": (*stored.case.history, *sent)})
                if sent
                else stored.case
            )
            touched.append((stored, case))
            items.append(item)
        plans = plan_stored(self.engine.strategy, touched, at=at, upcoming=False)
        for item, (stored, case) in zip(items, touched, strict=True):
            plan = plans[stored.case_id]
            if plan.campaign_id != stored.campaign_id:
                alone.add(id(item))  # moved to another campaign: enrolled again, one by one
                continue
            saves.append(case_save(case, stored.version, plan))
        untouched = set(await self.engine.store.save_many(saves, at=at)) if saves else set()
        for item in work:
            if item.record is not None and (id(item) in alone or item.record.case_id in untouched):
                await self._after_sends(item, records.get(item.record.case_id, []))

    def _triage(
        self, case_id: str, stored: CaseRecord | None, plans: dict[str, Plan], claims: list[Claim]
    ) -> _CaseWork:
        at, report = self.at, self.report
        if stored is None:
            gone = Reason(code="unknown_case", detail=f"case {case_id} is not in the store")
            item = _CaseWork(None, None)
            for claim in claims:
                item.finished.append(skip(claim, [gone], at=at, report=report))
            return item
        plan = plans[case_id]
        item = _CaseWork(stored, plan)
        due = {a.idempotency_key: a for a in plan.due}
        later = {a.idempotency_key: a for a in plan.upcoming}
        for claim in claims:
            key = claim.idempotency_key
            report.uncertain += claim.uncertain_since is not None
            if key in due:
                self._prepare(item, claim, due[key])
            elif key in later:
                report.rescheduled += 1
                moved = later[key]
                reason = Reason(code="moved", detail=f"now due at {moved.due_at.isoformat()}")
                item.finished.append(
                    Completion(
                        claim=claim,
                        status=ActionStatus.FAILED,
                        at=at,
                        reasons=(reason,),
                        retry_at=moved.due_at,
                    )
                )
            else:
                item.finished.append(skip(claim, why_not(plan, claim.action), at=at, report=report))
        return item

    def _prepare(self, item: _CaseWork, claim: Claim, action: Action) -> None:
        at, report = self.at, self.report
        assert item.record is not None  # noqa: S101 - only called for a stored case
        try:
            envelope = self.engine.renderer.envelope(action, item.record.case, at=at)
        except CreditCommsError as error:
            reason = Reason(code="render_failed", detail=str(error).splitlines()[0])
            report.failed += 1
            report.failures.append(reason)
            item.finished.append(
                Completion(claim=claim, status=ActionStatus.FAILED, at=at, reasons=(reason,))
            )
            return
        item.sends.append((claim, action, envelope))

    def _finish(
        self, claim: Claim, action: Action, envelope: Envelope, outcome: Outcome
    ) -> Completion:
        at, report = self.at, self.report
        if not outcome.ok:
            reason = Reason(code="delivery_failed", detail=str(outcome.error))
            report.failed += 1
            report.failures.append(reason)
            return Completion(claim=claim, status=ActionStatus.FAILED, at=at, reasons=(reason,))
        message = outcome.message
        receipt = outcome.receipt
        # What the provider says it charged, when it says so; else the message's own price.
        cost = receipt.cost if receipt is not None and receipt.cost is not None else message.cost
        report.sent += 1
        report.sent_by_channel[message.channel] += 1
        report.add_cost(cost)
        reasons = fallback_reasons(action, outcome, envelope.passed_over)
        report.fallbacks += bool(reasons)
        # Built from a claim, an outcome and a time the engine already holds: no re-validation.
        return trusted(
            Completion,
            claim=claim,
            status=ActionStatus.SENT,
            at=at,
            channel=message.channel,
            provider_message_id=receipt.provider_message_id if receipt else None,
            cost=cost,
            reasons=tuple(reasons),
        )

    async def _after_sends(self, item: _CaseWork, records: list[ContactRecord]) -> None:
        at = self.at
        stored = item.record
        if stored is None or (not records and not item.finished):
            return
        for _ in range(5):
            case = stored.case.model_copy(update={"history": (*stored.case.history, *records)})
            try:
                await self.engine._save_case(case, stored, at=at, upcoming=False)
                return
            except VersionConflictError:
                fresh = await self.engine.store.get_case(stored.case_id)
                if fresh is None:
                    return
                stored = fresh
        raise VersionConflictError(f"case {stored.case_id} kept changing while recording sends")
