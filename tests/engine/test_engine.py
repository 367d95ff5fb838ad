"""The engine: sync, record, run_due; re-checks before sending; nothing lost, nothing doubled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

import creditcomms as cc
from creditcomms.stores import ActionStatus, CaseStatus, JournalKind
from creditcomms.transports import InMemoryTransport, MockTransport

SYNC_AT = datetime(2026, 10, 20, 9, tzinfo=UTC)
PRE_DUE_AT = datetime(2026, 10, 28, 12, tzinfo=UTC)
REMINDER_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)
SECOND_AT = datetime(2026, 11, 10, 12, tzinfo=UTC)


async def _keys(store: cc.MemoryStore, case_id: str) -> list[str]:
    return [a.idempotency_key for a in await store.pending(case_id)]


class TestSync:
    """Syncing cases enrolls them and plans their actions, idempotently."""

    async def test_sync_plans_and_is_idempotent(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A second sync of the same case plans nothing new."""
        first = await engine.sync([case], at=SYNC_AT)
        pending = await _keys(store, case.id)
        second = await engine.sync([case], at=SYNC_AT)
        assert first.enrolled == 1
        assert second.enrolled == 0
        assert pending
        assert await _keys(store, case.id) == pending

    async def test_a_misspelt_consent_is_refused_before_anything_is_stored(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A consent, preference or opt-out for no known channel names the case and the fix."""
        debtor = case.debtor.model_copy(update={"consents": {"emial": False}})
        typo = case.model_copy(update={"debtor": debtor})
        with pytest.raises(cc.ValidationError, match=r"consents.*'emial'.*did you mean 'email'"):
            await engine.sync([typo], at=SYNC_AT)
        assert await store.get_case(case.id) is None
        opted = case.model_copy(update={"state": cc.CaseState(opted_out=frozenset({"whatsap"}))})
        with pytest.raises(cc.ValidationError, match="did you mean 'whatsapp'"):
            await engine.sync([opted], at=SYNC_AT)
        fine = case.model_copy(
            update={"debtor": case.debtor.model_copy(update={"consents": {"phone_task": True}})}
        )
        assert (await engine.sync([fine], at=SYNC_AT)).enrolled == 1

    async def test_sync_keeps_history_written_by_the_engine(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """Re-syncing the host's case (without history) keeps the messages already sent."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        await engine.sync([case], at=PRE_DUE_AT + timedelta(hours=1))
        stored = await store.get_case(case.id)
        assert stored is not None
        assert [r.step_id for r in stored.case.history] == ["pre-due"]

    async def test_sync_keeps_opt_outs_and_events_the_host_does_not_set(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A host case that sets only its own state fields keeps opt-outs and disputes."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(cc.OptOut(case_id=case.id, at=SYNC_AT, channel="SMS"))
        await engine.record(cc.DisputeOpened(case_id=case.id, at=SYNC_AT, reason="wrong amount"))
        promised = cc.CaseState(promised_on=PRE_DUE_AT.date() + timedelta(days=20))
        await engine.sync([case.model_copy(update={"state": promised})], at=PRE_DUE_AT)
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.case.state.opted_out == {"sms"}
        assert stored.case.state.disputed
        assert stored.case.state.promised_on == promised.promised_on

    async def test_a_host_state_cannot_drop_an_opt_out(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """Opt-outs only add up through sync; the fields the host sets still win."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(cc.OptOut(case_id=case.id, at=SYNC_AT, channel=cc.SMS))
        own = cc.CaseState(opted_out=frozenset({"whatsapp"}), disputed=False)
        await engine.sync([case.model_copy(update={"state": own})], at=PRE_DUE_AT)
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.case.state.opted_out == {"sms", "whatsapp"}

    async def test_a_full_sync_stops_the_cases_it_no_longer_lists(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A case missing from a full sync is stopped, its reminders cancelled; not otherwise."""
        other = case.model_copy(update={"id": f"{case.id}-B"})
        await engine.sync([case, other], at=SYNC_AT)
        partial = await engine.sync([case], at=SYNC_AT)
        assert partial.dropped == 0
        assert await store.pending(other.id)
        report = await engine.sync([case], at=SYNC_AT, full=True)
        assert (report.cases, report.dropped) == (1, 1)
        stopped = await store.get_case(other.id)
        assert stopped is not None
        assert stopped.status is CaseStatus.STOPPED
        assert await store.pending(other.id) == []
        assert await store.pending(case.id)
        sent = await engine.run_due(at=PRE_DUE_AT)
        assert sent.sent == 1  # only the listed case's pre-due email

    async def test_two_cases_sharing_an_id_are_refused(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """Two cases with other invoices under one id (one per currency) name the fix."""
        (invoice,) = case.invoices[:1]
        francs = invoice.model_copy(
            update={"id": "RE-CHF", "amount": cc.Money("80.00", "CHF"), "open_amount": None}
        )
        other = case.model_copy(update={"invoices": (francs,)})
        with pytest.raises(cc.ValidationError, match=r"share this id.*own id=") as info:
            await engine.sync([case, case, other], at=SYNC_AT)
        assert info.value.problems[0].field == "id"
        renamed = other.model_copy(update={"id": f"{case.id}-CHF"})
        report = await engine.sync([case, renamed], at=SYNC_AT)
        assert report.cases == 2
        assert await store.get_case(renamed.id) is not None

    async def test_sync_in_batches_matches_one_by_one(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """Batched sync (new, known and repeated ids) stores what syncing one by one would."""
        engine.batch_size = 2
        others = [case.model_copy(update={"id": f"{case.id}-{n}"}) for n in range(3)]
        await engine.sync([others[0]], at=SYNC_AT)
        changed = others[0].model_copy(update={"invoices": case.invoices[:1]})
        report = await engine.sync([changed, others[1], others[1], others[2]], at=SYNC_AT)
        assert (report.cases, report.enrolled) == (4, 2)
        single = cc.MemoryStore()
        alone = cc.Engine(
            engine.strategy, engine.templates, engine.creditor, engine.dispatcher, single
        )
        for item in [others[0], changed, others[1], others[1], others[2]]:
            await alone.sync([item], at=SYNC_AT)
        for other in others:
            batched, one_by_one = await store.get_case(other.id), await single.get_case(other.id)
            assert batched is not None
            assert one_by_one is not None
            assert batched.case == one_by_one.case
            assert (batched.version, batched.status, batched.next_action_at) == (
                one_by_one.version,
                one_by_one.status,
                one_by_one.next_action_at,
            )
            assert await _keys(store, other.id) == await _keys(single, other.id)

    async def test_sync_resyncs_a_case_stored_meanwhile(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A case another process enrolls between the read and the write is synced again."""
        read = store.get_cases

        async def racing_read(case_ids: list[str]) -> dict[str, cc.CaseRecord]:
            found = await read(case_ids)
            await store.enroll(case, campaign_id="b2c", campaign_version=1, at=SYNC_AT)
            return found

        store.get_cases = racing_read  # type: ignore[method-assign]
        report = await engine.sync([case], at=SYNC_AT)
        assert (report.cases, report.enrolled) == (1, 0)
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.version == 2  # the other process's enrollment, then this sync's update
        assert await _keys(store, case.id)


class TestRunDue:
    """Running due work sends each step once, in order, and journals it."""

    async def test_sends_each_step_once(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """Each due step is sent exactly once, even when run_due is called again."""
        await engine.sync([case], at=SYNC_AT)
        report = await engine.run_due(at=PRE_DUE_AT)
        again = await engine.run_due(at=PRE_DUE_AT)
        assert (report.claimed, report.sent) == (1, 1)
        assert again.claimed == 0
        await engine.run_due(at=REMINDER_AT)
        await engine.run_due(at=SECOND_AT)
        steps = [m.step_id for m in transport.sent]
        assert steps == ["pre-due", "reminder-1", "reminder-2"]
        assert len({m.idempotency_key for m in transport.sent}) == 3
        journal = await store.history(case.id)
        assert [e.step_id for e in journal if e.kind is JournalKind.SENT] == steps

    async def test_messages_carry_pay_link_and_labels(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """The email has the signed pay link, and meta tags the tone for analytics."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        (message,) = transport.sent
        assert isinstance(message, cc.EmailMessage)
        assert "https://pay.muster.example/" in message.text
        assert message.meta["tone"] == "friendly"
        assert message.cost == cc.EMAIL.cost

    async def test_missing_contact_falls_back(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """Without a phone number the planner sends the SMS step by its email fallback."""
        contacts = case.debtor.contacts.model_copy(update={"phone": None})
        no_phone = case.model_copy(
            update={"debtor": case.debtor.model_copy(update={"contacts": contacts})}
        )
        await engine.sync([no_phone], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        await engine.run_due(at=REMINDER_AT)
        await engine.run_due(at=SECOND_AT)
        assert transport.sent[-1].channel == "email"
        assert transport.sent[-1].step_id == "reminder-2"
        sent = [e for e in await store.history(case.id) if e.kind is JournalKind.SENT]
        assert sent[-1].channel == "email"

    async def test_a_fallback_journals_the_real_reason(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """An SMS over its cap goes out by email, journalled as too long, not as no contact."""
        long_name = "Анастасия Кузнецова-Черных " * 3  # no GSM-7 spelling: UCS-2, 67 a segment
        named = case.model_copy(
            update={"debtor": case.debtor.model_copy(update={"name": long_name.strip()})}
        )
        await engine.sync([named], at=SYNC_AT)
        for moment in (PRE_DUE_AT, REMINDER_AT, SECOND_AT):
            await engine.run_due(at=moment)
        assert transport.sent[-1].channel == "email"
        sent = [e for e in await store.history(case.id) if e.kind is JournalKind.SENT]
        codes = [reason.code for reason in sent[-1].reasons]
        assert codes == ["fallback", "message_too_long"]
        assert sent[-1].reasons[1].detail.startswith("sms: ")


async def test_permanent_failure_falls_back_at_send_time(
    campaign: cc.Campaign, creditor: cc.Creditor, store: cc.MemoryStore, case: cc.Case
) -> None:
    """An SMS the provider rejects for good is sent by the step's fallback channel."""

    def reject(message: cc.Message) -> cc.Receipt:
        raise cc.RecipientRejected("number unreachable", channel=message.channel)

    email = InMemoryTransport()
    dispatcher = cc.Dispatcher(transports={cc.SMS: MockTransport(reject), cc.EMAIL: email})
    engine = cc.Engine(
        cc.Strategy([], default=campaign), cc.TemplateLibrary.builtin(), creditor, dispatcher, store
    )
    await engine.sync([case], at=SYNC_AT)
    await engine.run_due(at=PRE_DUE_AT)
    await engine.run_due(at=REMINDER_AT)
    report = await engine.run_due(at=SECOND_AT)
    assert (report.sent, report.fallbacks) == (1, 1)
    assert email.sent[-1].step_id == "reminder-2"
    sent = [e for e in await store.history(case.id) if e.kind is JournalKind.SENT]
    assert sent[-1].channel == "email"
    assert sent[-1].reasons[0].code == "fallback"


async def test_the_cost_a_provider_reports_is_journalled(
    campaign: cc.Campaign, creditor: cc.Creditor, store: cc.MemoryStore, case: cc.Case
) -> None:
    """A receipt's cost, not the message's own, reaches the journal and the run report."""

    def priced(message: cc.Message) -> cc.Receipt:
        return cc.Receipt(
            provider="priced",
            provider_message_id="p-1",
            accepted_at=PRE_DUE_AT,
            idempotency_key=message.idempotency_key,
            cost=cc.Money("0.07", "EUR"),
        )

    dispatcher = cc.Dispatcher(
        transports={cc.EMAIL: MockTransport(priced), cc.SMS: InMemoryTransport()}, hooks=[]
    )
    engine = cc.Engine(
        cc.Strategy([], default=campaign), cc.TemplateLibrary.builtin(), creditor, dispatcher, store
    )
    await engine.sync([case], at=SYNC_AT)
    report = await engine.run_due(at=PRE_DUE_AT)
    assert report.costs == {"EUR": cc.Money("0.07", "EUR")}
    (sent,) = [e for e in await store.history(case.id) if e.kind is JournalKind.SENT]
    assert sent.cost == cc.Money("0.07", "EUR")


class TestRecheck:
    """The case is re-checked just before sending; payments and disputes stop or pause it."""

    async def test_payment_stops_the_sequence(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """A full payment cancels what was planned; nothing more goes out."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        paid = cc.PaymentReceived(
            case_id=case.id, at=PRE_DUE_AT + timedelta(days=1), amount=case.open_amount
        )
        after = await engine.record(paid)
        assert after is not None
        assert after.is_paid
        assert await store.pending(case.id) == []
        report = await engine.run_due(at=SECOND_AT)
        assert report.sent == 0
        assert [m.step_id for m in transport.sent] == ["pre-due"]

    async def test_payment_between_claim_and_send_is_skipped(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """An action claimed before a payment is skipped at send time, with the reason."""
        await engine.sync([case], at=SYNC_AT)
        # Another worker claims the action, then crashes before sending.
        (claim,) = await store.claim_due(
            PRE_DUE_AT, limit=10, lease=timedelta(minutes=1), worker="crashed"
        )
        stored = await store.get_case(case.id)
        assert stored is not None
        paid_case = stored.case.model_copy(
            update={
                "invoices": tuple(
                    i.model_copy(
                        update={
                            "open_amount": cc.Money.zero("EUR"),
                            "status": cc.InvoiceStatus.PAID,
                        }
                    )
                    for i in stored.case.invoices
                )
            }
        )
        await store.update_case(case.id, at=PRE_DUE_AT, case=paid_case)
        report = await engine.run_due(at=PRE_DUE_AT + timedelta(minutes=5))
        assert report.sent == 0
        assert sum(report.skipped.values()) == 1
        action = await store.get_action(claim.idempotency_key)
        assert action is not None
        assert action.status is ActionStatus.SKIPPED
        assert action.reasons

    async def test_a_payment_for_an_unknown_invoice_is_refused(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """Naming an invoice the case lacks is refused before anything is journalled."""
        await engine.sync([case], at=SYNC_AT)
        paid = cc.PaymentReceived(
            case_id=case.id, at=PRE_DUE_AT, amount=case.open_amount, invoice_ids=("RE-9",)
        )
        with pytest.raises(cc.ValidationError, match=r"invoice_ids = .*no invoice 'RE-9'"):
            await engine.record(paid)
        assert [e for e in await store.history(case.id) if e.kind is JournalKind.EVENT] == []
        right = paid.model_copy(update={"invoice_ids": (case.invoices[0].id,)})
        after = await engine.record(right)
        assert after is not None
        assert after.is_paid

    async def test_dispute_pauses_and_resolution_resumes(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """No reminder goes out while a dispute is open; it resumes once the claim is upheld."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(cc.DisputeOpened(case_id=case.id, at=SYNC_AT, reason="wrong amount"))
        paused = await engine.run_due(at=PRE_DUE_AT)
        assert paused.sent == 0
        await engine.record(cc.DisputeResolved(case_id=case.id, at=REMINDER_AT, upheld=True))
        await engine.run_due(at=REMINDER_AT + timedelta(hours=1))
        assert [m.step_id for m in transport.sent] == ["reminder-1"]

    async def test_a_reminder_held_back_by_a_dispute_goes_out_after_it(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """A step that fell due during the dispute is skipped then, and sent once it ends."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        await engine.record(cc.DisputeOpened(case_id=case.id, at=PRE_DUE_AT, reason="amount"))
        during = await engine.run_due(at=REMINDER_AT + timedelta(hours=1))
        assert (during.sent, sum(during.skipped.values())) == (0, 1)
        resolved_at = REMINDER_AT + timedelta(days=1)
        await engine.record(cc.DisputeResolved(case_id=case.id, at=resolved_at, upheld=True))
        after = await engine.run_due(at=resolved_at + timedelta(hours=1))
        assert after.sent == 1
        await engine.run_due(at=resolved_at + timedelta(days=8))
        assert [m.step_id for m in transport.sent] == ["pre-due", "reminder-1", "reminder-2"]

    async def test_broken_promise_resumes_the_sequence(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """A promise holds the next step until its date has passed unpaid; then it goes out."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        promise_at = PRE_DUE_AT + timedelta(days=1)
        promised_on = REMINDER_AT.date() + timedelta(days=7)
        await engine.record(
            cc.PromiseToPay(case_id=case.id, at=promise_at, promised_on=promised_on)
        )
        held = (await store.pending(case.id))[0]  # earliest first
        assert held.action.step_id == "reminder-1"
        assert held.action.due_at.date() > promised_on
        during = await engine.run_due(at=REMINDER_AT + timedelta(days=3))
        assert during.sent == 0
        await engine.run_due(at=held.action.due_at + timedelta(hours=1))
        assert [m.step_id for m in transport.sent] == ["pre-due", "reminder-1"]


class TestCrashSafety:
    """An attempt that may have reached the provider is retried with the same key."""

    async def test_uncertain_attempt_is_resent_with_the_same_key(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """A worker that died after 'attempting' leaves a trace; the retry reuses the key."""
        await engine.sync([case], at=SYNC_AT)
        (claim,) = await store.claim_due(
            PRE_DUE_AT, limit=10, lease=timedelta(minutes=1), worker="crashed"
        )
        await store.mark_attempting(claim, at=PRE_DUE_AT, channel="email")
        later = PRE_DUE_AT + timedelta(minutes=2)
        report = await engine.run_due(at=later)
        assert (report.sent, report.uncertain) == (1, 1)
        assert transport.sent[0].idempotency_key == claim.idempotency_key
        with pytest.raises(cc.LeaseLostError):
            await store.complete(claim, at=later, channel="email")

    async def test_render_failure_is_journalled(
        self, creditor: cc.Creditor, case: cc.Case, store: cc.MemoryStore
    ) -> None:
        """A step whose template does not exist fails with the reason, nothing is sent.

        The engine refuses such a step when it is built; with ``check=False`` (or a template
        library changed afterwards) the run journals the failure instead.
        """
        campaign = cc.Campaign(
            "broken",
            version=1,
            steps=[cc.Step("odd", cc.before_due(days=3), cc.EMAIL, template="no_such_template")],
        )
        transport = InMemoryTransport()
        parts = (
            cc.Strategy([], default=campaign),
            cc.TemplateLibrary.builtin(),
            creditor,
            cc.Dispatcher(transports={cc.EMAIL: transport}),
            store,
        )
        with pytest.raises(cc.ConfigurationError, match="step 'odd': no template"):
            cc.Engine(*parts)
        engine = cc.Engine(*parts, check=False)
        await engine.sync([case], at=SYNC_AT)
        report = await engine.run_due(at=PRE_DUE_AT)
        assert (report.failed, report.sent) == (1, 0)
        assert report.failures[0].code == "render_failed"
        assert "no_such_template" in report.failures[0].detail
        assert transport.sent == []


async def test_run_due_refuses_a_naive_time(engine: cc.Engine) -> None:
    """A naive ``at`` is refused by run_due itself, naming the call and the fix."""
    with pytest.raises(cc.ValidationError, match=r"in run_due:\s+at = .*timezone-aware"):
        await engine.run_due(at=datetime(2026, 11, 3, 12))  # noqa: DTZ001 - the mistake


def test_fallbacks_of_two_invoices_have_their_own_keys(
    creditor: cc.Creditor, case: cc.Case
) -> None:
    """Per invoice, each fallback message has its own key: never taken for a duplicate."""
    second = case.invoices[0].model_copy(update={"id": "RE-2026-0002"})
    both = case.model_copy(update={"invoices": (*case.invoices, second)})
    campaign = cc.Campaign(
        "per-invoice",
        steps=[cc.Step("r", cc.after_due(days=3), cc.SMS, fallback=[cc.EMAIL, cc.LETTER])],
        grouping="invoice",
    )
    plan = campaign.plan(both, at=REMINDER_AT, upcoming=False)
    renderer = cc.Renderer(cc.TemplateLibrary.builtin(), creditor, letters=False)
    keys = []
    for action in plan.due:
        envelope = renderer.envelope(action, both, at=REMINDER_AT)
        keys.append(envelope.key)
        for fallback in envelope.fallbacks:
            message = fallback() if callable(fallback) else fallback
            assert message is not None
            keys.append(message.idempotency_key)
    assert len(plan.due) == 2
    assert len(keys) == len(set(keys)) == 6


class TestDunningCycles:
    """A customer who paid and falls behind again gets the sequence from its first step."""

    @staticmethod
    def _invoice(case: cc.Case, invoice_id: str, due_on: date) -> cc.Invoice:
        return case.invoices[0].model_copy(
            update={"id": invoice_id, "issued_on": due_on - timedelta(days=30), "due_on": due_on}
        )

    async def test_a_new_invoice_after_payment_starts_a_new_cycle(
        self,
        engine: cc.Engine,
        store: cc.MemoryStore,
        case: cc.Case,
        transport: InMemoryTransport,
    ) -> None:
        """October paid after two reminders; November's invoice gets the pre-due email again."""
        await engine.sync([case], at=SYNC_AT)
        for moment in (PRE_DUE_AT, REMINDER_AT):
            await engine.run_due(at=moment)
        await engine.record(
            cc.PaymentReceived(case_id=case.id, at=SECOND_AT, amount=case.open_amount)
        )
        november = case.model_copy(
            update={"invoices": (self._invoice(case, "RE-2026-0002", date(2026, 12, 31)),)}
        )
        report = await engine.sync([november], at=datetime(2026, 12, 1, 9, tzinfo=UTC))
        assert report.actions_planned > 0
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.case.state.cycle == 1
        await engine.run_due(at=datetime(2026, 12, 28, 12, tzinfo=UTC))
        await engine.run_due(at=datetime(2027, 1, 3, 12, tzinfo=UTC))
        steps = [m.step_id for m in transport.sent]
        assert steps == ["pre-due", "reminder-1", "pre-due", "reminder-1"]
        keys = [m.idempotency_key for m in transport.sent]
        assert len(set(keys)) == 4
        assert "RE-2026-0002" in transport.sent[-1].text  # type: ignore[attr-defined]

    async def test_an_invoice_the_case_knew_keeps_the_cycle(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """An invoice the case knew (stale after payment, or left open) keeps the cycle."""
        older = self._invoice(case, "RE-2026-0000", date(2026, 10, 15))
        both = case.model_copy(update={"invoices": (older, *case.invoices)})
        await engine.sync([both], at=SYNC_AT)
        await engine.run_due(at=REMINDER_AT)
        await engine.sync([case], at=SECOND_AT)  # RE-2026-0000 paid: only the newer one left
        await engine.record(
            cc.PaymentReceived(case_id=case.id, at=SECOND_AT, amount=case.open_amount)
        )
        await engine.sync([case], at=SECOND_AT + timedelta(hours=1))  # stale: still "open"
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.case.state.cycle == 0

    async def test_the_cycle_never_goes_back(
        self, engine: cc.Engine, store: cc.MemoryStore, case: cc.Case
    ) -> None:
        """A host state that says cycle 0 cannot bring back keys a later cycle replaced."""
        await engine.sync([case], at=SYNC_AT)
        moved = case.model_copy(
            update={"invoices": (self._invoice(case, "RE-2026-0009", date(2026, 12, 31)),)}
        )
        await engine.sync([moved], at=PRE_DUE_AT)
        own = moved.model_copy(update={"state": cc.CaseState(cycle=0, on_hold=False)})
        await engine.sync([own], at=PRE_DUE_AT + timedelta(hours=1))
        stored = await store.get_case(case.id)
        assert stored is not None
        assert stored.case.state.cycle == 1


async def test_a_hard_bounce_sends_the_next_step_by_its_fallback(
    creditor: cc.Creditor, store: cc.MemoryStore, case: cc.Case, transport: InMemoryTransport
) -> None:
    """After a bounce the next email step goes out by SMS, until the host syncs a new address."""
    campaign = cc.Campaign(
        "bounce",
        steps=[
            cc.Step("first", cc.after_due(days=3), cc.EMAIL),
            cc.Step("second", cc.after_previous(days=7), cc.EMAIL, fallback=[cc.SMS]),
        ],
        policy=cc.ContactPolicy(window=cc.SendWindow("08:00", "20:00")),
    )
    engine = cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports={cc.EMAIL: transport, cc.SMS: transport}),
        store,
    )
    await engine.sync([case], at=SYNC_AT)
    await engine.run_due(at=REMINDER_AT)
    (first,) = transport.sent
    bounce = cc.DeliveryStatusChanged(
        case_id=case.id, at=REMINDER_AT, status="bounced", idempotency_key=first.idempotency_key
    )
    after = await engine.record(bounce)
    assert after is not None
    assert after.state.bounced == {f"email:{case.debtor.contacts.email}"}
    await engine.run_due(at=SECOND_AT + timedelta(days=1))
    assert [m.channel for m in transport.sent] == ["email", "sms"]
    moved = case.debtor.contacts.model_copy(update={"email": "erika.neu@example.de"})
    fixed = after.model_copy(update={"debtor": after.debtor.model_copy(update={"contacts": moved})})
    assert campaign.policy is not None
    assert campaign.policy.refusal(fixed, cc.EMAIL) is None
    assert campaign.policy.refusal(after, cc.EMAIL) is not None


async def test_a_claim_taken_over_mid_batch_is_not_sent(
    campaign: cc.Campaign, creditor: cc.Creditor, case: cc.Case, transport: InMemoryTransport
) -> None:
    """Of one batch (one lease id), only the claims still held go out; a lost one does not."""

    class LosesOne(cc.MemoryStore):
        async def mark_attempting_many(
            self, claims: Sequence[cc.stores.Claim], /, *, at: datetime
        ) -> list[cc.stores.Claim]:
            held = await super().mark_attempting_many(claims, at=at)
            return [c for c in held if c.action.case_id != "C-2"]  # taken over meanwhile

    store = LosesOne()
    await store.migrate()
    channels = (cc.EMAIL, cc.SMS)
    engine = cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports=dict.fromkeys(channels, transport), hooks=[]),
        store,
    )
    cases = [case.model_copy(update={"id": case_id}) for case_id in ("C-1", "C-2")]
    await engine.sync(cases, at=SYNC_AT)
    await engine.run_due(at=PRE_DUE_AT)
    assert [m.case_id for m in transport.sent] == ["C-1"]
