"""The store contract: every `Store` implementation passes these tests.

A test module subclasses `StoreContract` and provides two fixtures: ``store`` (a migrated,
empty store) and ``reopen`` (a factory opening another store on the same database, as a
second worker process would).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.stores import (
    LATEST_SCHEMA,
    UNCHANGED,
    ActionStatus,
    CaseSave,
    CaseStatus,
    Claim,
    Completion,
    JournalKind,
    Store,
)

from ._factories import T0, make_action, make_case

LEASE = timedelta(seconds=30)
PAID = cc.Reason(code="paid", detail="the invoice was paid")
BOUNCED = cc.Reason(code="bounced", detail="the mailbox does not exist")

Reopen = Callable[[], Store]


async def _claim_one(store: Store, now: datetime = T0, worker: str = "w1") -> cc.stores.Claim:
    claims = await store.claim_due(now, limit=1, lease=LEASE, worker=worker)
    assert len(claims) == 1
    return claims[0]


class StoreContract:
    """Behaviour every store shares: cases, scheduling, leases, fencing, journal, purge."""

    async def test_is_a_store(self, store: Store) -> None:
        """The implementation satisfies the runtime-checkable protocol."""
        assert isinstance(store, Store)

    async def test_migrate_is_idempotent(self, store: Store) -> None:
        """Migrating an up-to-date store again reports the latest version."""
        assert await store.migrate() == LATEST_SCHEMA

    async def test_enroll_and_read_back(self, store: Store) -> None:
        """An enrolled case comes back with its pin, status and next look."""
        record = await store.enroll(
            make_case(), campaign_id="b2c", campaign_version=2, at=T0, next_action_at=T0
        )
        assert record.version == 1
        stored = await store.get_case("C-1")
        assert stored == record
        assert stored.case == make_case()
        assert (stored.campaign_id, stored.campaign_version) == ("b2c", 2)
        assert stored.next_action_at == T0

    async def test_get_cases_reads_several_at_once(self, store: Store) -> None:
        """get_cases returns the known cases by id, equal to get_case, and skips unknown ids."""
        for case_id in ("C-1", "C-2", "C-3"):
            await store.enroll(make_case(case_id), campaign_id="b2c", campaign_version=1, at=T0)
        found = await store.get_cases(["C-3", "C-1", "C-9", "C-1"])
        assert sorted(found) == ["C-1", "C-3"]
        assert found["C-1"] == await store.get_case("C-1")
        assert await store.get_cases([]) == {}

    async def test_save_many_updates_plans_and_skips_stale(self, store: Store) -> None:
        """save_many writes each case and its actions at once; a stale version is left alone."""
        first = await store.enroll(make_case("C-1"), campaign_id="b2c", campaign_version=1, at=T0)
        await store.enroll(make_case("C-2"), campaign_id="b2c", campaign_version=1, at=T0)
        planned = make_action("C-1", "s1", due=timedelta(days=1))
        later = T0 + timedelta(hours=1)
        saves = [
            CaseSave(
                case=make_case("C-1", amount="80.00"),
                expected_version=first.version,
                status=CaseStatus.ACTIVE,
                next_action_at=planned.due_at,
                schedule=(planned,),
            ),
            CaseSave(case=make_case("C-2"), expected_version=7, status=CaseStatus.STOPPED),
            CaseSave(case=make_case("C-9"), expected_version=1, status=CaseStatus.ACTIVE),
        ]
        assert await store.save_many(saves, at=later) == ["C-2", "C-9"]
        stored = await store.get_case("C-1")
        assert stored is not None
        assert (stored.version, stored.next_action_at) == (2, planned.due_at)
        assert stored.case.invoices[0].amount == cc.Money("80.00", "EUR")
        assert [a.idempotency_key for a in await store.pending("C-1")] == [planned.idempotency_key]
        untouched = await store.get_case("C-2")
        assert untouched is not None
        assert (untouched.version, untouched.status) == (1, CaseStatus.ACTIVE)
        stop = CaseSave(
            case=make_case("C-1", amount="80.00"),
            expected_version=2,
            status=CaseStatus.STOPPED,
            cancel=(cc.Reason(code="paid", detail="paid in full"),),
        )
        assert await store.save_many([stop], at=later) == []
        assert await store.pending("C-1") == []

    async def test_save_many_enrolls_new_cases(self, store: Store) -> None:
        """expected_version=0 inserts a new case with its pin and actions; a known id is kept."""
        await store.enroll(make_case("C-1"), campaign_id="b2c", campaign_version=1, at=T0)
        planned = make_action("C-2", "s1", due=timedelta(days=1))
        stale = make_action("C-1", "s1", due=timedelta(days=1))
        saves = [
            CaseSave(
                case=make_case("C-2"),
                expected_version=0,
                status=CaseStatus.ACTIVE,
                next_action_at=planned.due_at,
                schedule=(planned,),
                campaign_id="b2c",
                campaign_version=2,
            ),
            CaseSave(
                case=make_case("C-1", amount="80.00"),
                expected_version=0,
                status=CaseStatus.ACTIVE,
                schedule=(stale,),
                campaign_id="b2c",
                campaign_version=2,
            ),
        ]
        assert await store.save_many(saves, at=T0) == ["C-1"]
        new = await store.get_case("C-2")
        assert new is not None
        assert (new.campaign_id, new.campaign_version, new.version) == ("b2c", 2, 1)
        assert (new.next_action_at, new.created_at) == (planned.due_at, T0)
        assert [a.idempotency_key for a in await store.pending("C-2")] == [planned.idempotency_key]
        kept = await store.get_case("C-1")
        assert kept is not None
        assert (kept.campaign_version, kept.version) == (1, 1)
        assert kept.case.invoices[0].amount == make_case("C-1").invoices[0].amount
        assert await store.pending("C-1") == []

    def test_new_case_save_needs_its_campaign(self) -> None:
        """A save that enrolls (expected_version=0) must name the campaign and version."""
        with pytest.raises(cc.ValidationError, match="campaign_id"):
            CaseSave(case=make_case(), expected_version=0, status=CaseStatus.ACTIVE)
        with pytest.raises(cc.ValidationError, match="campaign_id"):
            CaseSave(
                case=make_case(), expected_version=0, status=CaseStatus.ACTIVE, campaign_id="b2c"
            )

    async def test_save_many_same_case_twice(self, store: Store) -> None:
        """Two saves of one case apply in order: the second expects the first's version."""
        await store.enroll(make_case("C-1"), campaign_id="b2c", campaign_version=1, at=T0)
        planned = make_action("C-1", "s1", due=timedelta(days=1))
        saves = [
            CaseSave(
                case=make_case("C-1"),
                expected_version=1,
                status=CaseStatus.ACTIVE,
                schedule=(planned,),
            ),
            CaseSave(
                case=make_case("C-1", amount="80.00"),
                expected_version=2,
                status=CaseStatus.STOPPED,
                cancel=(cc.Reason(code="paid", detail="paid in full"),),
            ),
            CaseSave(case=make_case("C-1"), expected_version=2, status=CaseStatus.ACTIVE),
        ]
        assert await store.save_many(saves, at=T0) == ["C-1"]
        stored = await store.get_case("C-1")
        assert stored is not None
        assert (stored.version, stored.status) == (3, CaseStatus.STOPPED)
        assert await store.pending("C-1") == []
        action = await store.get_action(planned.idempotency_key)
        assert action is not None
        assert action.status is ActionStatus.CANCELLED

    async def test_enroll_again_replaces(self, store: Store) -> None:
        """Enrolling a known case replaces its data, bumps the version and keeps created_at."""
        await store.enroll(make_case(), campaign_id="b2c", campaign_version=1, at=T0)
        later = T0 + timedelta(hours=1)
        again = await store.enroll(
            make_case(amount="99.00"), campaign_id="b2c", campaign_version=3, at=later
        )
        assert (again.version, again.created_at, again.updated_at) == (2, T0, later)
        assert again.case.invoices[0].amount == cc.Money("99.00", "EUR")

    async def test_update_case_fields(self, store: Store) -> None:
        """Status and next look change; UNCHANGED keeps and None clears ``next_action_at``."""
        await store.enroll(
            make_case(), campaign_id="b2c", campaign_version=1, at=T0, next_action_at=T0
        )
        paused = await store.update_case("C-1", at=T0, status=CaseStatus.PAUSED)
        assert (paused.status, paused.next_action_at, paused.version) == ("paused", T0, 2)
        cleared = await store.update_case("C-1", at=T0, next_action_at=None, expected_version=2)
        assert cleared.next_action_at is None
        kept = await store.update_case("C-1", at=T0, next_action_at=UNCHANGED)
        assert kept.next_action_at is None
        assert await store.get_case("C-1") == kept

    async def test_update_unknown_case_fails(self, store: Store) -> None:
        """Updating a case that was never enrolled raises CaseNotFoundError."""
        with pytest.raises(cc.errors.CaseNotFoundError, match="C-404"):
            await store.update_case("C-404", at=T0, status=CaseStatus.STOPPED)

    async def test_update_with_stale_version_conflicts(self, store: Store) -> None:
        """An update expecting an older version raises and changes nothing."""
        await store.enroll(make_case(), campaign_id="b2c", campaign_version=1, at=T0)
        await store.update_case("C-1", at=T0, status=CaseStatus.PAUSED)
        with pytest.raises(cc.errors.VersionConflictError):
            await store.update_case("C-1", at=T0, status=CaseStatus.STOPPED, expected_version=1)
        stored = await store.get_case("C-1")
        assert stored is not None
        assert stored.status is CaseStatus.PAUSED

    async def test_cases_filter_and_page(self, store: Store) -> None:
        """Cases list in id order, filtered by status and due time, paged by ``after``."""
        for n in range(5):
            await store.enroll(
                make_case(f"C-{n}"),
                campaign_id="b2c",
                campaign_version=1,
                at=T0,
                next_action_at=T0 + timedelta(days=n),
                status=CaseStatus.STOPPED if n == 4 else CaseStatus.ACTIVE,
            )
        due = await store.cases(status=CaseStatus.ACTIVE, due_by=T0 + timedelta(days=2))
        assert [r.case_id for r in due] == ["C-0", "C-1", "C-2"]
        page = await store.cases(after="C-1", limit=2)
        assert [r.case_id for r in page] == ["C-2", "C-3"]

    async def test_event_is_journaled_with_its_type(self, store: Store) -> None:
        """A recorded event comes back from the history as the same typed event."""
        event = cc.PaymentReceived(case_id="C-1", at=T0, amount=cc.Money("120.00", "EUR"))
        entry = await store.record_event(event)
        history = await store.history("C-1")
        assert history == [entry]
        assert entry.kind is JournalKind.EVENT
        assert isinstance(entry.event, cc.PaymentReceived)
        assert entry.event == event

    async def test_schedule_is_idempotent_by_key(self, store: Store) -> None:
        """The same key is planned once; while planned, its due time follows the new plan."""
        assert await store.schedule([make_action(), make_action("C-2")], at=T0) == 2
        moved = make_action(due=timedelta(hours=2))
        assert await store.schedule([moved], at=T0) == 0
        record = await store.get_action(moved.idempotency_key)
        assert record is not None
        assert (record.status, record.available_at) == (ActionStatus.PLANNED, moved.due_at)
        planned = [e for e in await store.history() if e.kind is JournalKind.PLANNED]
        assert len(planned) == 2

    async def test_unsent_skips_and_cancellations_are_planned_again(self, store: Store) -> None:
        """A key skipped or cancelled before any provider call comes back when planned again."""
        held, stopped = make_action("C-1"), make_action("C-2")
        await store.schedule([held, stopped], at=T0)
        claim = await store.claim_due(T0, limit=1, lease=LEASE, worker="w1")
        await store.skip(claim[0], at=T0, reasons=[PAID])
        await store.cancel_pending("C-2", at=T0, reasons=[PAID])
        later = T0 + timedelta(days=2)
        again = [
            held.model_copy(update={"due_at": later}),
            stopped.model_copy(update={"due_at": later}),
        ]
        assert await store.schedule(again, at=later) == 0  # no new key
        for action in again:
            record = await store.get_action(action.idempotency_key)
            assert record is not None
            assert (record.status, record.available_at) == (ActionStatus.PLANNED, later)
            assert (record.finished_at, record.reasons) == (None, ())
        claims = await store.claim_due(later, limit=5, lease=LEASE, worker="w2")
        assert sorted(c.action.case_id for c in claims) == ["C-1", "C-2"]
        kinds = [e.kind for e in await store.history("C-1")]
        assert kinds == [
            JournalKind.PLANNED,
            JournalKind.CLAIMED,
            JournalKind.SKIPPED,
            JournalKind.PLANNED,
            JournalKind.CLAIMED,
        ]

    async def test_what_may_have_gone_out_is_never_planned_again(self, store: Store) -> None:
        """Sent, failed, and skipped after an attempt began: the key stays finished."""
        keys = {case_id: make_action(case_id) for case_id in ("C-1", "C-2", "C-3")}
        await store.schedule(list(keys.values()), at=T0)
        claims = {
            c.action.case_id: c for c in await store.claim_due(T0, limit=5, lease=LEASE, worker="w")
        }
        await store.complete(claims["C-1"], at=T0)
        await store.fail(claims["C-2"], at=T0, reasons=[BOUNCED])
        await store.mark_attempting(claims["C-3"], at=T0)  # then the worker dies
        taken = await store.claim_due(T0 + LEASE, limit=5, lease=LEASE, worker="w2")
        assert taken[0].uncertain_since == T0
        await store.skip(taken[0], at=T0 + LEASE, reasons=[PAID])
        later = T0 + timedelta(days=2)
        again = [a.model_copy(update={"due_at": later}) for a in keys.values()]
        await store.schedule(again, at=later)
        statuses = [(await store.get_action(a.idempotency_key)) for a in again]
        assert [r.status for r in statuses if r is not None] == [
            ActionStatus.SENT,
            ActionStatus.FAILED,
            ActionStatus.SKIPPED,
        ]
        skipped = statuses[2]
        assert skipped is not None
        assert skipped.attempting_since == T0  # the attempt that may have reached the provider
        assert await store.claim_due(later, limit=5, lease=LEASE, worker="w3") == []

    async def test_claim_only_due_in_order(self, store: Store) -> None:
        """Only due actions are claimed, earliest first, at most ``limit``."""
        await store.schedule(
            [
                make_action("C-1", due=timedelta(minutes=-5)),
                make_action("C-2", due=timedelta(minutes=-10)),
                make_action("C-3", due=timedelta(minutes=-1)),
                make_action("C-4", due=timedelta(minutes=5)),
            ],
            at=T0 - timedelta(hours=1),
        )
        claims = await store.claim_due(T0, limit=2, lease=LEASE, worker="w1")
        assert [c.action.case_id for c in claims] == ["C-2", "C-1"]
        assert all(c.attempt == 1 and c.lease_expires_at == T0 + LEASE for c in claims)
        rest = await store.claim_due(T0, limit=10, lease=LEASE, worker="w2")
        assert [c.action.case_id for c in rest] == ["C-3"]
        assert await store.claim_due(T0, limit=10, lease=LEASE, worker="w3") == []

    async def test_claim_ties_come_in_case_order(self, store: Store) -> None:
        """Actions due at one moment are claimed case by case, a case's actions together."""
        actions = [
            make_action(case_id, step, channel=channel)
            for case_id in ("C-3", "C-1", "C-2")
            for step, channel in (("reminder-1", "email"), ("reminder-1", "sms"))
        ]
        await store.schedule(actions, at=T0 - timedelta(hours=1))
        claims = await store.claim_due(T0, limit=10, lease=LEASE, worker="w1")
        keys = [(c.action.case_id, c.idempotency_key) for c in claims]
        assert keys == sorted(keys)
        assert [case_id for case_id, _ in keys] == ["C-1", "C-1", "C-2", "C-2", "C-3", "C-3"]

    async def test_claim_roundtrips_the_action(self, store: Store) -> None:
        """The claimed action equals the scheduled one, field for field."""
        action = make_action(variant="B")
        await store.schedule([action], at=T0)
        claim = await _claim_one(store)
        assert claim.action == action
        assert (claim.worker, claim.uncertain_since) == ("w1", None)

    async def test_full_life_of_a_sent_action(self, store: Store) -> None:
        """Planned → claimed → attempting → sent, each once in the journal, with the details."""
        await store.schedule([make_action(variant="A")], at=T0)
        claim = await _claim_one(store)
        await store.mark_attempting(claim, at=T0 + timedelta(seconds=1))
        cost = cc.Money("0.08", "EUR")
        await store.complete(
            claim, at=T0 + timedelta(seconds=2), provider_message_id="msg-1", cost=cost
        )
        record = await store.get_action(claim.idempotency_key)
        assert record is not None
        assert record.status is ActionStatus.SENT
        assert (record.provider_message_id, record.cost, record.channel) == ("msg-1", cost, "email")
        assert not record.is_uncertain
        history = await store.history("C-1")
        assert [e.kind for e in history] == ["planned", "claimed", "attempting", "sent"]
        sent = history[-1]
        assert (sent.attempt, sent.worker, sent.variant, sent.cost) == (1, "w1", "A", cost)
        assert (sent.campaign_id, sent.campaign_version, sent.step_id) == ("b2c", 1, "reminder-1")
        for entry in history:  # every entry names the action fully, the claim's included
            assert (entry.case_id, entry.idempotency_key) == ("C-1", claim.idempotency_key)
            assert (entry.campaign_id, entry.campaign_version) == ("b2c", 1)
            assert (entry.step_id, entry.channel, entry.variant) == ("reminder-1", "email", "A")
        assert (history[1].attempt, history[1].worker, history[1].reasons) == (1, "w1", ())
        assert [e.seq for e in history] == sorted(e.seq for e in history)
        assert await store.pending("C-1") == []

    async def test_fallback_channel_is_recorded(self, store: Store) -> None:
        """Completing on another channel records the channel actually used."""
        await store.schedule([make_action(channel="sms")], at=T0)
        claim = await _claim_one(store)
        await store.complete(claim, at=T0, channel="email")
        record = await store.get_action(claim.idempotency_key)
        assert record is not None
        assert record.channel == "email"
        assert record.action.channel == "sms"

    async def test_live_lease_is_not_claimed_twice(self, store: Store) -> None:
        """While a lease runs, nobody else can claim the action."""
        await store.schedule([make_action()], at=T0)
        await _claim_one(store)
        later = T0 + LEASE - timedelta(seconds=1)
        assert await store.claim_due(later, limit=5, lease=LEASE, worker="w2") == []

    async def test_expired_lease_is_taken_over_and_fenced(self, store: Store) -> None:
        """After expiry another worker claims attempt 2; the first worker's finish is refused."""
        await store.schedule([make_action()], at=T0)
        first = await _claim_one(store)
        await store.mark_attempting(first, at=T0)
        second = await _claim_one(store, T0 + LEASE, worker="w2")
        assert (second.attempt, second.uncertain_since) == (2, T0)
        before = await store.history()
        with pytest.raises(cc.LeaseLostError):
            await store.complete(first, at=T0 + LEASE)
        with pytest.raises(cc.LeaseLostError):
            await store.fail(first, at=T0 + LEASE, reasons=[BOUNCED])
        with pytest.raises(cc.LeaseLostError):
            await store.mark_attempting(first, at=T0 + LEASE)
        assert await store.history() == before
        await store.complete(second, at=T0 + LEASE)
        claimed = [e for e in await store.history() if e.kind is JournalKind.CLAIMED]
        assert [e.reasons[0].code for e in claimed[1:]] == ["lease_expired"]

    async def test_expired_lease_cannot_complete(self, store: Store) -> None:
        """A worker whose lease ran out cannot complete, even if nobody took over yet."""
        await store.schedule([make_action()], at=T0)
        claim = await _claim_one(store)
        with pytest.raises(cc.LeaseLostError, match="expired"):
            await store.complete(claim, at=T0 + LEASE)
        record = await store.get_action(claim.idempotency_key)
        assert record is not None
        assert record.status is ActionStatus.CLAIMED

    async def test_extend_lease(self, store: Store) -> None:
        """Extending a live lease moves its expiry; an expired one raises LeaseLostError."""
        await store.schedule([make_action()], at=T0)
        claim = await _claim_one(store)
        extended = await store.extend_lease(claim, at=T0 + timedelta(seconds=20), lease=LEASE)
        assert extended.lease_expires_at == T0 + timedelta(seconds=50)
        assert await store.next_due_at() == T0 + timedelta(seconds=50)
        await store.complete(extended, at=T0 + timedelta(seconds=45))
        with pytest.raises(cc.LeaseLostError):
            await store.extend_lease(extended, at=T0 + timedelta(seconds=46), lease=LEASE)

    async def test_uncertain_attempt_is_recognisable(self, store: Store) -> None:
        """An attempt that crashed after ``attempting`` is visible by key until it finishes."""
        action = make_action()
        await store.schedule([action], at=T0)
        claim = await _claim_one(store)
        await store.mark_attempting(claim, at=T0 + timedelta(seconds=1))
        record = await store.get_action(action.idempotency_key)
        assert record is not None
        assert record.is_uncertain
        assert record.attempting_since == T0 + timedelta(seconds=1)
        assert (record.lease_owner, record.lease_expires_at) == ("w1", T0 + LEASE)

    async def test_fail_with_retry_plans_again(self, store: Store) -> None:
        """A retryable failure puts the action back, due at ``retry_at``; the next try is #2."""
        await store.schedule([make_action()], at=T0)
        claim = await _claim_one(store)
        retry_at = T0 + timedelta(minutes=10)
        await store.fail(claim, at=T0, reasons=[BOUNCED], retry_at=retry_at)
        assert await store.next_due_at() == retry_at
        assert (
            await store.claim_due(T0 + timedelta(minutes=9), limit=1, lease=LEASE, worker="w") == []
        )
        again = await _claim_one(store, retry_at)
        assert again.attempt == 2
        await store.fail(again, at=retry_at, reasons=[BOUNCED])
        record = await store.get_action(again.idempotency_key)
        assert record is not None
        assert (record.status, record.reasons) == (ActionStatus.FAILED, (BOUNCED,))
        kinds = [e.kind for e in await store.history("C-1")]
        assert kinds == ["planned", "claimed", "retry", "claimed", "failed"]

    async def test_skip_needs_reasons(self, store: Store) -> None:
        """Skipping records the reasons; failing or skipping without one is refused."""
        await store.schedule([make_action()], at=T0)
        claim = await _claim_one(store)
        with pytest.raises(cc.ValidationError, match="reasons"):
            await store.skip(claim, at=T0, reasons=[])
        await store.skip(claim, at=T0, reasons=[PAID])
        last = (await store.history("C-1"))[-1]
        assert (last.kind, last.reasons) == (JournalKind.SKIPPED, (PAID,))
        with pytest.raises(cc.LeaseLostError):
            await store.skip(claim, at=T0, reasons=[PAID])

    async def test_cancel_pending_spares_live_claims(self, store: Store) -> None:
        """Cancelling stops planned actions and expired claims, not a claim in flight."""
        await store.schedule(
            [make_action(step_id=s, due=timedelta(minutes=m)) for s, m in [("a", 0), ("b", 1)]],
            at=T0,
        )
        await store.schedule([make_action(step_id="c", due=timedelta(days=7))], at=T0)
        await store.schedule([make_action("C-2")], at=T0)
        in_flight = await _claim_one(store)
        assert await store.cancel_pending("C-1", at=T0, reasons=[PAID]) == 2
        assert [r.action.step_id for r in await store.pending("C-1")] == ["a"]
        await store.complete(in_flight, at=T0)
        assert await store.pending("C-1") == []
        assert len(await store.pending("C-2")) == 1
        cancelled = [e for e in await store.history("C-1") if e.kind is JournalKind.CANCELLED]
        assert [e.reasons for e in cancelled] == [(PAID,), (PAID,)]

    async def test_cancel_takes_expired_claims(self, store: Store) -> None:
        """A claim whose worker died (lease expired) is cancelled too."""
        await store.schedule([make_action()], at=T0)
        await _claim_one(store)
        assert await store.cancel_pending("C-1", at=T0 + LEASE, reasons=[PAID]) == 1
        assert await store.next_due_at() is None

    async def test_next_due_at(self, store: Store) -> None:
        """The earliest claimable time: due times, then lease ends, then nothing."""
        assert await store.next_due_at() is None
        await store.schedule(
            [make_action(due=timedelta(hours=1)), make_action("C-2", due=timedelta(hours=2))],
            at=T0,
        )
        assert await store.next_due_at() == T0 + timedelta(hours=1)
        claim = await _claim_one(store, T0 + timedelta(hours=1))
        assert await store.next_due_at() == T0 + timedelta(hours=1) + LEASE
        await store.complete(claim, at=T0 + timedelta(hours=1))
        assert await store.next_due_at() == T0 + timedelta(hours=2)

    async def test_pending_lists_planned_and_claimed(self, store: Store) -> None:
        """``pending`` shows a case's planned and claimed actions with their status."""
        await store.schedule(
            [make_action(step_id="a"), make_action(step_id="b", due=timedelta(days=1))], at=T0
        )
        await _claim_one(store)
        pending = await store.pending("C-1")
        assert [(r.action.step_id, r.status) for r in pending] == [
            ("a", ActionStatus.CLAIMED),
            ("b", ActionStatus.PLANNED),
        ]
        assert pending[0].attempts == 1
        assert await store.get_action("no-such-key") is None

    async def test_history_filters(self, store: Store) -> None:
        """History is global or per case, and filters by time, position and count."""
        await store.schedule([make_action("C-1"), make_action("C-2")], at=T0)
        later = T0 + timedelta(hours=1)
        await store.record_event(cc.HoldPlaced(case_id="C-2", at=later))
        everything = await store.history()
        assert [e.case_id for e in everything] == ["C-1", "C-2", "C-2"]
        assert [e.case_id for e in await store.history(since=later)] == ["C-2"]
        after_first = await store.history(after_seq=everything[0].seq, limit=1)
        assert after_first == [everything[1]]

    async def test_purge_by_age(self, store: Store) -> None:
        """Old journal rows, finished actions and closed cases go; open work stays."""
        old, new = T0 - timedelta(days=400), T0
        await store.enroll(
            make_case("C-1"),
            campaign_id="b2c",
            campaign_version=1,
            at=old,
            status=CaseStatus.STOPPED,
        )
        await store.enroll(
            make_case("C-2"),
            campaign_id="b2c",
            campaign_version=1,
            at=old,
            status=CaseStatus.STOPPED,
        )
        await store.schedule([make_action("C-1", due=timedelta(days=-400))], at=old)
        await store.schedule([make_action("C-2", due=timedelta(days=1))], at=old)
        claim = await _claim_one(store, old)
        await store.complete(claim, at=old)
        await store.record_event(cc.HoldReleased(case_id="C-2", at=new))
        report = await store.purge(older_than=T0 - timedelta(days=365))
        assert (report.journal_entries, report.actions, report.cases) == (4, 1, 1)
        assert await store.get_case("C-1") is None
        assert await store.get_case("C-2") is not None
        assert len(await store.pending("C-2")) == 1
        assert [e.kind for e in await store.history()] == ["event"]

    async def test_naive_time_is_refused(self, store: Store) -> None:
        """A naive datetime is a ValidationError naming the parameter."""
        with pytest.raises(cc.ValidationError, match="now"):
            await store.claim_due(datetime(2026, 1, 1), limit=1, lease=LEASE, worker="w")  # noqa: DTZ001

    async def test_bad_claim_options_are_refused(self, store: Store) -> None:
        """Zero limits, non-positive leases and blank workers are refused together."""
        with pytest.raises(cc.ValidationError) as info:
            await store.claim_due(T0, limit=0, lease=timedelta(0), worker=" ")
        assert set(info.value.fields) == {"limit", "lease", "worker"}

    async def test_concurrent_claimers_never_overlap(self, store: Store, reopen: Reopen) -> None:
        """Claims from several store instances at once never hand out an action twice."""
        await store.schedule([make_action(f"C-{n}") for n in range(60)], at=T0)
        others = [reopen() for _ in range(3)]
        try:
            batches = await asyncio.gather(
                *(
                    s.claim_due(T0, limit=7, lease=LEASE, worker=f"w{i}")
                    for _ in range(4)
                    for i, s in enumerate([store, *others])
                )
            )
        finally:
            for other in others:
                if other is not store:
                    await other.aclose()
        keys = [c.idempotency_key for batch in batches for c in batch]
        assert len(keys) == len(set(keys)) == 60

    async def test_concurrent_scheduling_plans_once(self, store: Store, reopen: Reopen) -> None:
        """Two stores scheduling the same plan at the same time add each action once."""
        plan = [make_action(f"C-{n}") for n in range(250)]
        other = reopen()
        try:
            counts = await asyncio.gather(store.schedule(plan, at=T0), other.schedule(plan, at=T0))
        finally:
            if other is not store:
                await other.aclose()
        assert sum(counts) == 250
        planned = [e for e in await store.history() if e.kind is JournalKind.PLANNED]
        assert len(planned) == 250

    async def test_batches_attempt_and_finish_together(self, store: Store) -> None:
        """Batch calls mark and finish many claims at once and report lost leases."""
        await store.schedule([make_action(f"C-{n}") for n in range(5)], at=T0)
        claims = await store.claim_due(T0, limit=5, lease=LEASE, worker="w1")
        later = T0 + LEASE
        held = await store.mark_attempting_many(claims, at=T0 + timedelta(seconds=1))
        assert [c.idempotency_key for c in held] == [c.idempotency_key for c in claims]
        outcomes = [
            Completion(claim=claims[0], status=ActionStatus.SENT, at=T0, cost=cc.Money("1", "EUR")),
            Completion(claim=claims[1], status=ActionStatus.FAILED, at=T0, reasons=(BOUNCED,)),
            Completion(
                claim=claims[2],
                status=ActionStatus.FAILED,
                at=T0,
                reasons=(BOUNCED,),
                retry_at=T0 + timedelta(hours=1),
            ),
            Completion(claim=claims[3], status=ActionStatus.SKIPPED, at=T0, reasons=(PAID,)),
            Completion(claim=claims[4], status=ActionStatus.SENT, at=later),
        ]
        lost = await store.finish_many(outcomes)
        assert [c.idempotency_key for c in lost] == [claims[4].idempotency_key]
        taken = await store.claim_due(later, limit=5, lease=LEASE, worker="w2")
        assert [c.idempotency_key for c in taken] == [claims[4].idempotency_key]
        assert await store.mark_attempting_many(claims[4:], at=later) == []
        statuses = [
            (await store.get_action(c.idempotency_key)).status  # type: ignore[union-attr]
            for c in claims
        ]
        assert statuses[:4] == ["sent", "failed", "planned", "skipped"]
        kinds = Counter(e.kind for e in await store.history())
        assert (kinds["attempting"], kinds["sent"], kinds["retry"]) == (5, 1, 1)
        assert await store.finish_many([]) == []
        assert await store.mark_attempting_many([], at=T0) == []

    async def test_batch_outcomes_with_their_own_values_keep_the_fence(self, store: Store) -> None:
        """Sends finished together, each with its message id: a claim taken over is refused."""
        await store.schedule([make_action(f"C-{n}") for n in range(4)], at=T0)
        claims = await store.claim_due(T0, limit=4, lease=LEASE, worker="w1")
        (taken,) = await store.claim_due(T0 + LEASE, limit=1, lease=LEASE, worker="w2")
        outcomes = [
            Completion(
                claim=claim,
                status=ActionStatus.SENT,
                at=T0 + timedelta(seconds=10),
                provider_message_id=f"msg-{n}",
                cost=cc.Money(f"0.0{n + 1}", "EUR"),
            )
            for n, claim in enumerate(claims)
        ]
        lost = await store.finish_many(outcomes)
        assert [c.idempotency_key for c in lost] == [taken.idempotency_key]
        for n, claim in enumerate(claims):
            record = await store.get_action(claim.idempotency_key)
            assert record is not None
            if claim.idempotency_key == taken.idempotency_key:
                assert (record.status, record.provider_message_id) == ("claimed", None)
            else:
                assert (record.status, record.provider_message_id) == ("sent", f"msg-{n}")
                assert record.cost == cc.Money(f"0.0{n + 1}", "EUR")
        sent = [e for e in await store.history() if e.kind is JournalKind.SENT]
        assert len(sent) == 3

    def test_completion_checks_its_fields(self) -> None:
        """A completion refuses a skip without reasons and a retry of a sent action."""
        with pytest.raises(cc.ValidationError, match="reasons"):
            Completion(claim=_A_CLAIM, status=ActionStatus.SKIPPED, at=T0)
        with pytest.raises(cc.ValidationError, match="retry_at"):
            Completion(claim=_A_CLAIM, status=ActionStatus.SENT, at=T0, retry_at=T0)
        with pytest.raises(cc.ValidationError, match="status"):
            Completion(claim=_A_CLAIM, status=ActionStatus.CANCELLED, at=T0, reasons=(PAID,))

    async def test_empty_calls_are_harmless(self, store: Store) -> None:
        """Scheduling nothing, or reading an empty store, returns empty results."""
        assert await store.schedule([], at=T0) == 0
        assert await store.history() == []
        assert await store.cases() == []
        assert await store.claim_due(T0, limit=5, lease=LEASE, worker="w") == []


_A_CLAIM = Claim(
    action=make_action(), lease_id="x", attempt=1, worker="w", lease_expires_at=T0 + LEASE
)
