"""Payments recorded through the engine survive host syncs whose books have not caught up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms.stores import ActionStatus, CaseStatus
from creditcomms.transports import InMemoryTransport

SYNC_AT = datetime(2026, 10, 20, 9, tzinfo=UTC)
PRE_DUE_AT = datetime(2026, 10, 28, 12, tzinfo=UTC)
PAID_AT = datetime(2026, 10, 30, 15, tzinfo=UTC)
NIGHT = datetime(2026, 10, 31, 2, tzinfo=UTC)  # the host's nightly sync after the payment
REMINDER_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)


@pytest.fixture(name="any_store", params=["memory", "sqlite"])
async def _any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[cc.Store]:
    """A migrated memory store, and a real SQLite file."""
    if request.param == "memory":
        memory = cc.MemoryStore()
        await memory.migrate()
        yield memory
        return
    async with cc.SQLiteStore(tmp_path / "cc.db") as sqlite:
        await sqlite.migrate()
        yield sqlite


def _engine(
    campaign: cc.Campaign,
    creditor: cc.Creditor,
    transport: InMemoryTransport,
    store: cc.Store,
    *,
    reconcile_within: timedelta = timedelta(days=7),
) -> cc.Engine:
    channels = (cc.EMAIL, cc.SMS, cc.LETTER, cc.PHONE_TASK)
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports=dict.fromkeys(channels, transport)),
        store,
        worker="test-worker",
        reconcile_within=reconcile_within,
    )


@pytest.fixture(name="engine")
def _any_engine(
    campaign: cc.Campaign,
    creditor: cc.Creditor,
    transport: InMemoryTransport,
    any_store: cc.Store,
) -> cc.Engine:
    """The engine fixture's wiring on either store, with the default reconciliation window."""
    return _engine(campaign, creditor, transport, any_store)


def _eur(amount: str) -> cc.Money:
    return cc.Money(amount, "EUR")


def _paid(
    case: cc.Case, amount: str, *, at: datetime = PAID_AT, invoice_ids: tuple[str, ...] = ()
) -> cc.PaymentReceived:
    return cc.PaymentReceived(case_id=case.id, at=at, amount=_eur(amount), invoice_ids=invoice_ids)


def _booked(case: cc.Case, open_amount: str) -> cc.Case:
    """The host's case once its books show ``open_amount`` left on the only invoice."""
    (invoice,) = case.invoices
    status = cc.InvoiceStatus.PAID if Decimal(open_amount) == 0 else cc.InvoiceStatus.OPEN
    booked = invoice.model_copy(update={"open_amount": _eur(open_amount), "status": status})
    return case.model_copy(update={"invoices": (booked,)})


async def _stored(engine: cc.Engine, case: cc.Case) -> cc.CaseRecord:
    record = await engine.store.get_case(case.id)
    assert record is not None
    return record


class TestStaleSync:
    """The host's books lag behind a payment recorded through the engine."""

    async def test_a_full_payment_is_not_undone_by_a_stale_sync(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """The customer paid in full; the night's sync still shows the invoice open."""
        await engine.sync([case], at=SYNC_AT)
        await engine.run_due(at=PRE_DUE_AT)
        await engine.record(_paid(case, "123.45"))
        report = await engine.sync([case], at=NIGHT)  # the ERP has not booked it yet
        stored = await _stored(engine, case)
        assert stored.case.is_paid
        assert stored.status is CaseStatus.STOPPED
        assert report.stopped == 1
        assert await engine.store.pending(case.id) == []
        assert (await engine.run_due(at=REMINDER_AT)).sent == 0
        assert [m.step_id for m in transport.sent] == ["pre-due"]

    async def test_a_partial_payment_leaves_the_remainder_to_remind(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """100.00 of 123.45 paid: the next reminder asks for 23.45, not for the whole."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00", invoice_ids=("RE-2026-0001",)))
        await engine.sync([case], at=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("23.45")
        (remembered,) = stored.case.state.unconfirmed_payments
        assert remembered == cc.RecordedPayment(
            at=PAID_AT, amount=_eur("100.00"), invoice_ids=("RE-2026-0001",)
        )
        await engine.run_due(at=REMINDER_AT)
        (reminder,) = transport.sent
        assert reminder.step_id == "reminder-1"
        text = reminder.text  # type: ignore[attr-defined]
        assert "der Betrag von 23,45\xa0€ für Ihre Rechnung RE-2026-0001" in text
        assert "123,45" not in text

    async def test_several_payments_apply_oldest_first(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """Two instalments recorded before the books caught up both stay applied."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "20.00", at=PAID_AT - timedelta(days=1)))
        await engine.record(_paid(case, "3.45"))
        await engine.sync([case], at=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("100.00")
        assert [p.amount for p in stored.case.state.unconfirmed_payments] == [
            _eur("20.00"),
            _eur("3.45"),
        ]

    async def test_a_claimed_action_is_skipped_after_a_stale_sync(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """A worker claimed the pre-due email and crashed; the stale sync cannot revive it."""
        await engine.sync([case], at=SYNC_AT)
        (claim,) = await engine.store.claim_due(
            PRE_DUE_AT, limit=10, lease=timedelta(minutes=1), worker="crashed"
        )
        await engine.record(_paid(case, "123.45", at=PRE_DUE_AT))
        await engine.sync([case], at=PRE_DUE_AT + timedelta(seconds=30))  # still leased
        report = await engine.run_due(at=PRE_DUE_AT + timedelta(minutes=5))
        assert report.sent == 0
        assert report.skipped["paid"] == 1
        action = await engine.store.get_action(claim.idempotency_key)
        assert action is not None
        assert action.status is ActionStatus.SKIPPED
        assert [r.code for r in action.reasons] == ["paid"]
        assert transport.sent == []

    async def test_host_state_fields_keep_the_remembered_payments(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """A host case that sets state fields (even this one) cannot wipe the memory."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        promised = cc.CaseState(promised_on=date(2026, 11, 20), unconfirmed_payments=())
        await engine.sync([case.model_copy(update={"state": promised})], at=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.state.promised_on == date(2026, 11, 20)
        assert len(stored.case.state.unconfirmed_payments) == 1
        assert stored.case.open_amount == _eur("23.45")

    async def test_a_payment_that_changed_nothing_is_not_remembered(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """A payment for a case already paid here has nothing to re-apply."""
        await engine.sync([_booked(case, "0")], at=SYNC_AT)
        after = await engine.record(_paid(case, "123.45"))
        assert after is not None
        assert after.state.unconfirmed_payments == ()

    async def test_an_overpayment_remembers_what_it_paid(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """150.00 against 123.45 open: the engine's books took 123.45 off, and remember that."""
        await engine.sync([case], at=SYNC_AT)
        after = await engine.record(_paid(case, "150.00"))
        assert after is not None
        assert [p.amount for p in after.state.unconfirmed_payments] == [_eur("123.45")]


class TestConfirmation:
    """A remembered payment is dropped once the host's figures include it."""

    async def test_balances_as_of_confirms_the_payment(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """The ERP booked the 100.00 and says so: its 23.45 is the truth, applied once."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        await engine.sync([_booked(case, "23.45")], at=NIGHT, balances_as_of=PAID_AT)
        stored = await _stored(engine, case)
        assert stored.case.state.unconfirmed_payments == ()
        assert stored.case.open_amount == _eur("23.45")
        assert stored.status is CaseStatus.ACTIVE

    async def test_balances_as_of_before_the_payment_keeps_it(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """Books reconciled up to the day before the payment do not include it yet."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "123.45"))
        await engine.sync([case], at=NIGHT, balances_as_of=PAID_AT - timedelta(days=1))
        stored = await _stored(engine, case)
        assert stored.case.is_paid
        assert len(stored.case.state.unconfirmed_payments) == 1

    async def test_a_reversed_payment_is_dropped_by_balances_as_of_now(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """The payment bounced: a sync with balances_as_of=now brings the debt back."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        await engine.sync([case], at=NIGHT, balances_as_of=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.state.unconfirmed_payments == ()
        assert stored.case.open_amount == _eur("123.45")
        await engine.run_due(at=REMINDER_AT)
        (reminder,) = transport.sent
        assert "der Betrag von 123,45\xa0€" in reminder.text  # type: ignore[attr-defined]

    async def test_a_reversed_full_payment_reopens_the_case(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """A reversal of a payment that closed the case reopens it; its reminder goes out."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "123.45"))
        await engine.sync([case], at=NIGHT, balances_as_of=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("123.45")
        assert stored.status is CaseStatus.ACTIVE
        plan = engine.plan(stored.case, at=REMINDER_AT)
        assert [a.step_id for a in plan.due] == ["reminder-1"]
        await engine.run_due(at=REMINDER_AT)  # the cancelled reminder is planned again
        (reminder,) = transport.sent
        assert reminder.step_id == "reminder-1"
        assert "der Betrag von 123,45\xa0€" in reminder.text  # type: ignore[attr-defined]

    async def test_the_window_ends_and_the_books_are_the_truth(
        self, engine: cc.Engine, case: cc.Case, transport: InMemoryTransport
    ) -> None:
        """Within seven days the payment holds; a sync after them takes the host's figures."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        await engine.sync([case], at=PAID_AT + timedelta(days=7) - timedelta(seconds=1))
        assert (await _stored(engine, case)).case.open_amount == _eur("23.45")
        await engine.sync([case], at=PAID_AT + timedelta(days=7))
        stored = await _stored(engine, case)
        assert stored.case.state.unconfirmed_payments == ()
        assert stored.case.open_amount == _eur("123.45")
        await engine.run_due(at=PAID_AT + timedelta(days=7, hours=1))
        (reminder,) = transport.sent
        assert reminder.step_id == "reminder-1"
        assert "der Betrag von 123,45\xa0€" in reminder.text  # type: ignore[attr-defined]

    async def test_a_full_payment_past_the_window_reopens_the_case(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """Still open in the books a week after it was paid: the books win."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "123.45"))
        await engine.sync([case], at=PAID_AT + timedelta(days=7) - timedelta(seconds=1))
        assert (await _stored(engine, case)).status is CaseStatus.STOPPED
        await engine.sync([case], at=PAID_AT + timedelta(days=7))
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("123.45")
        assert stored.status is CaseStatus.ACTIVE

    async def test_a_shorter_window(
        self,
        campaign: cc.Campaign,
        creditor: cc.Creditor,
        transport: InMemoryTransport,
        any_store: cc.Store,
        case: cc.Case,
    ) -> None:
        """``reconcile_within`` sets the window: one day here."""
        engine = _engine(
            campaign, creditor, transport, any_store, reconcile_within=timedelta(days=1)
        )
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "123.45"))
        await engine.sync([case], at=PAID_AT + timedelta(hours=23))
        assert (await _stored(engine, case)).case.is_paid
        await engine.sync([case], at=PAID_AT + timedelta(days=1))
        assert not (await _stored(engine, case)).case.is_paid

    async def test_recording_drops_payments_whose_window_ended(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """A case the host never syncs again does not pile up remembered payments."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "10.00"))
        after = await engine.record(_paid(case, "20.00", at=PAID_AT + timedelta(days=8)))
        assert after is not None
        assert [p.amount for p in after.state.unconfirmed_payments] == [_eur("20.00")]
        assert after.open_amount == _eur("93.45")

    async def test_a_host_that_booked_it_silently_sees_it_twice_until_the_window_ends(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """Booked but not said: applied on top of the booking, never below zero, then dropped.

        100.00 paid of 123.45: the host's 23.45 less the remembered 100.00 is 0, not -76.55;
        the case is stopped as paid until the window ends (or balances_as_of confirms it).
        """
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        await engine.sync([_booked(case, "23.45")], at=NIGHT)
        stored = await _stored(engine, case)
        (invoice,) = stored.case.invoices
        assert invoice.balance == _eur("0")
        assert invoice.status is cc.InvoiceStatus.PAID
        assert stored.status is CaseStatus.STOPPED
        await engine.sync([_booked(case, "23.45")], at=PAID_AT + timedelta(days=7))
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("23.45")
        assert stored.status is CaseStatus.ACTIVE


class TestInvoicesChange:
    """The host's invoices differ from those the payment was recorded against."""

    @staticmethod
    def _invoice(case: cc.Case, invoice_id: str, due_on: date, amount: str) -> cc.Invoice:
        return case.invoices[0].model_copy(
            update={
                "id": invoice_id,
                "issued_on": due_on - timedelta(days=30),
                "due_on": due_on,
                "amount": _eur(amount),
                "open_amount": None,
            }
        )

    async def test_named_invoices_first_then_the_oldest(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """A payment for the newer invoice re-applies to it, not to the older one."""
        older = self._invoice(case, "RE-0", date(2026, 10, 15), "50.00")
        both = case.model_copy(update={"invoices": (older, *case.invoices)})
        await engine.sync([both], at=SYNC_AT)
        await engine.record(_paid(case, "123.45", invoice_ids=("RE-2026-0001",)))
        await engine.sync([both], at=NIGHT)
        stored = await _stored(engine, case)
        balances = {i.id: i.balance for i in stored.case.invoices}
        assert balances == {"RE-0": _eur("50.00"), "RE-2026-0001": _eur("0")}

    async def test_a_payment_for_an_invoice_the_host_dropped_pays_what_remains(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """Within the window, the money goes to the remaining open invoices, oldest first."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "123.45"))
        december = self._invoice(case, "RE-2026-0002", date(2026, 12, 31), "200.00")
        await engine.sync([case.model_copy(update={"invoices": (december,)})], at=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.open_amount == _eur("76.55")
        assert stored.case.state.cycle == 1  # only new invoices: a new cycle, as before

    async def test_a_payment_in_another_currency_is_dropped(
        self, engine: cc.Engine, case: cc.Case
    ) -> None:
        """The host restated the case in francs: a euro payment cannot apply and is let go."""
        await engine.sync([case], at=SYNC_AT)
        await engine.record(_paid(case, "100.00"))
        francs = case.invoices[0].model_copy(
            update={"amount": cc.Money("123.45", "CHF"), "open_amount": None}
        )
        await engine.sync([case.model_copy(update={"invoices": (francs,)})], at=NIGHT)
        stored = await _stored(engine, case)
        assert stored.case.state.unconfirmed_payments == ()
        assert stored.case.open_amount == cc.Money("123.45", "CHF")


class TestOptions:
    """The new options refuse values that cannot work, naming the fix."""

    @pytest.mark.parametrize("window", [timedelta(0), timedelta(days=-1), 7])
    def test_reconcile_within_must_be_a_positive_timedelta(
        self,
        campaign: cc.Campaign,
        creditor: cc.Creditor,
        transport: InMemoryTransport,
        window: object,
    ) -> None:
        """Zero, negative or not a timedelta: a ValidationError naming the option."""
        with pytest.raises(cc.ValidationError, match=r"reconcile_within = .*timedelta\(days=7\)"):
            _engine(campaign, creditor, transport, cc.MemoryStore(), reconcile_within=window)  # type: ignore[arg-type]

    async def test_balances_as_of_must_be_aware(self, engine: cc.Engine, case: cc.Case) -> None:
        """A naive datetime is refused before anything is synced."""
        with pytest.raises(cc.ValidationError, match=r"balances_as_of = .*timezone-aware"):
            await engine.sync([case], at=SYNC_AT, balances_as_of=datetime(2026, 10, 30))  # noqa: DTZ001
        assert await engine.store.get_case(case.id) is None

    async def test_a_naive_sync_time_is_refused(self, engine: cc.Engine, case: cc.Case) -> None:
        """``at`` is checked up front as well, naming the call."""
        with pytest.raises(cc.ValidationError, match=r"in sync:\s+at = .*timezone-aware"):
            await engine.sync([case], at=datetime(2026, 10, 30))  # noqa: DTZ001

    def test_the_default_window_is_a_week(self, engine: cc.Engine) -> None:
        """Bank statements are booked within days; a week is the default."""
        default = cc.Engine(
            engine.strategy,
            engine.templates,
            engine.creditor,
            engine.dispatcher,
            engine.store,
        )
        assert default.reconcile_within == timedelta(days=7)
