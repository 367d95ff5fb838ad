"""`load_journal`: analytics from what a real engine run left in a store."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms import rules
from creditcomms.transports import InMemoryTransport, MockTransport

SYNC_AT = datetime(2026, 10, 20, 9, tzinfo=UTC)
RUN_AT = datetime(2026, 11, 3, 12, tzinfo=UTC)


def _case(case_id: str, *, locale: str, email: str, due: date) -> cc.Case:
    return cc.Case(
        id=case_id,
        debtor=cc.Debtor(
            id=case_id,
            name="Erika Mustermann",
            locale=locale,
            timezone="Europe/Berlin",
            contacts=cc.Contacts(email=email),
        ),
        invoices=[
            cc.Invoice(
                id=f"RE-{case_id}",
                amount=cc.Money("120.00", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=due,
            ),
            cc.Invoice(
                id=f"RE-{case_id}-b",
                amount=cc.Money("30.00", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=due + timedelta(days=5),
            ),
        ],
    )


def _refusing(message: cc.Message) -> cc.Receipt:
    if message.recipient == "nobody@example.org":
        raise cc.PermanentDeliveryError("mailbox unknown", channel=message.channel)
    return cc.Receipt(
        provider="mock",
        provider_message_id=f"m-{message.case_id}",
        accepted_at=RUN_AT,
        idempotency_key=message.idempotency_key,
        cost=cc.Money("0.02", "EUR"),
    )


async def _run(store: cc.Store, creditor: cc.Creditor) -> cc.Engine:
    campaign = cc.Campaign(
        "b2c",
        version=1,
        steps=[cc.Step("reminder-1", cc.after_due(days=3), cc.EMAIL, template="reminder")],
    )
    letters = cc.Campaign(
        "letters",
        version=1,
        steps=[cc.Step("letter-1", cc.after_due(days=3), cc.LETTER, template="reminder")],
    )
    strategy = cc.Strategy([(cc.Segment("paper", rules.tag("paper")), letters)], default=campaign)
    dispatcher = cc.Dispatcher(
        transports={cc.EMAIL: MockTransport(_refusing), cc.LETTER: InMemoryTransport()},
        hooks=[],
    )
    engine = cc.Engine(strategy, cc.TemplateLibrary.builtin(), creditor, dispatcher, store)
    paper = _case("C-3", locale="de_DE", email="c3@example.de", due=date(2026, 10, 29))
    paper = paper.model_copy(
        update={
            "debtor": paper.debtor.model_copy(
                update={
                    "tags": frozenset({"paper"}),
                    "contacts": cc.Contacts(
                        address=cc.PostalAddress(
                            name="Erika Mustermann",
                            street="Weg",
                            house_number="2",
                            postcode="10115",
                            city="Berlin",
                            country="DE",
                        )
                    ),
                }
            )
        }
    )
    await engine.sync(
        [
            _case("C-1", locale="de_DE", email="erika@example.de", due=date(2026, 10, 28)),
            _case("C-2", locale="en", email="nobody@example.org", due=date(2026, 10, 30)),
            paper,
        ],
        at=SYNC_AT,
    )
    report = await engine.run_due(at=RUN_AT)
    assert (report.sent, report.failed) == (2, 1)
    return engine


@pytest.fixture(name="store")
async def _store(tmp_path: Path) -> cc.SQLiteStore:
    store = cc.SQLiteStore(tmp_path / "cc.db")
    await store.migrate()
    return store


async def test_sends_events_and_payments_come_from_the_store(
    store: cc.SQLiteStore, creditor: cc.Creditor
) -> None:
    """Every send, report, payment, opt-out and feedback the run left is in the journal."""
    engine = await _run(store, creditor)
    (sent,) = [e for e in await store.history("C-1") if e.kind is cc.stores.JournalKind.SENT]
    later = RUN_AT + timedelta(hours=2)
    for event in (
        cc.DeliveryStatusChanged(
            case_id="C-1", at=later, status="delivered", idempotency_key=sent.idempotency_key
        ),
        cc.DeliveryStatusChanged(
            case_id="C-1", at=later, status="clicked", idempotency_key=sent.idempotency_key
        ),
        cc.PaymentReceived(
            case_id="C-1", at=later, amount=cc.Money("30.00", "EUR"), invoice_ids=("RE-C-1-b",)
        ),
        cc.PaymentReceived(case_id="C-3", at=later, amount=cc.Money("50.00", "EUR")),
        cc.OptOut(case_id="C-2", at=later, channel="email"),
    ):
        await engine.record(event)

    journal = await cc.load_journal(store)

    by_case = {send.case_id: send for send in journal.sends}
    assert set(by_case) == {"C-1", "C-2", "C-3"}
    email = by_case["C-1"]
    assert (email.campaign, email.step, email.channel) == ("b2c", "reminder-1", "email")
    assert (email.status, email.locale, email.tone) == (cc.SendStatus.CLICKED, "de_DE", "neutral")
    assert email.cost == cc.Money("0.02", "EUR")
    assert email.segment is None
    refused = by_case["C-2"]
    assert (refused.status, refused.locale) == (cc.SendStatus.FAILED, "en")  # provider said no
    assert refused.cost == cc.Money.zero("EUR")  # nothing recorded: zero in the case currency
    letter = by_case["C-3"]
    assert (letter.channel, letter.segment, letter.campaign) == ("letter", "paper", "letters")
    assert letter.cost.is_positive  # the letter's own price, as the run recorded it
    paid = {(p.case_id, p.amount, p.due_on) for p in journal.payments}
    assert paid == {
        ("C-1", cc.Money("30.00", "EUR"), date(2026, 11, 2)),  # the invoice it names
        ("C-3", cc.Money("50.00", "EUR"), date(2026, 10, 29)),  # the oldest due date
    }
    assert [(o.case_id, o.channel) for o in journal.opt_outs] == [("C-2", "email")]
    table = cc.compute_kpis(journal, by="channel")
    rows = {row.channel: row for row in table.groups}
    assert (rows["email"].sent, rows["letter"].sent) == (1, 1)
    assert rows["email"].attempts == 2  # the refused one was tried, never sent


@pytest.mark.postgres
async def test_a_postgres_store_reads_the_same(
    postgres_dsn: str, creditor: cc.Creditor, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """PostgreSQL gives the same journal; ``creditcomms report`` reads it by its DSN."""
    from creditcomms.cli import main

    store = cc.PostgresStore(postgres_dsn, schema="journal_pg")
    await store.migrate()
    await _run(store, creditor)
    journal = await cc.load_journal(store)
    await store.aclose()
    assert sorted((s.case_id, s.channel, s.status) for s in journal.sends) == [
        ("C-1", "email", cc.SendStatus.SENT),
        ("C-2", "email", cc.SendStatus.FAILED),
        ("C-3", "letter", cc.SendStatus.SENT),
    ]
    out = tmp_path / "pg.html"
    argv = ["report", postgres_dsn, "--schema", "journal_pg", "--out", str(out)]
    assert await asyncio.to_thread(main, argv) == 0
    assert "3 sends" in capsys.readouterr().out
    assert out.exists()


async def test_campaign_and_since_narrow_it(store: cc.SQLiteStore, creditor: cc.Creditor) -> None:
    """``campaign=`` keeps one campaign's sends; ``since=`` drops older entries."""
    await _run(store, creditor)
    letters = await cc.load_journal(store, campaign="letters")
    assert [send.case_id for send in letters.sends] == ["C-3"]
    assert (await cc.load_journal(store, since=RUN_AT + timedelta(days=1))).sends == ()


async def test_purged_cases_are_left_out(store: cc.SQLiteStore, creditor: cc.Creditor) -> None:
    """A case the store no longer holds cannot be dated: its rows are skipped, not guessed."""
    await _run(store, creditor)
    store._connection().execute("DELETE FROM cc_case WHERE case_id = 'C-1'")
    journal = await cc.load_journal(store)
    assert sorted(send.case_id for send in journal.sends) == ["C-2", "C-3"]


async def test_an_empty_store_gives_an_empty_journal() -> None:
    """A store nothing ran on reads as an empty journal."""
    store = cc.MemoryStore()
    await store.migrate()
    assert await cc.load_journal(store) == cc.Journal()


def test_a_simulation_reads_back_as_its_own_journal() -> None:
    """The store-read sends equal those the simulator collected itself, field for field."""
    import asyncio

    from creditcomms.simulate import demo_strategy, simulate

    store = cc.MemoryStore()
    portfolio = cc.synthetic_portfolio(120, seed=5, start=date(2026, 11, 2))
    result = simulate(demo_strategy(), portfolio, days=12, store=store)
    stored = asyncio.run(cc.load_journal(store))

    def shape(journal: cc.Journal) -> set[tuple[object, ...]]:
        return {
            (s.case_id, s.campaign, s.step, s.channel, s.variant, s.segment, s.locale, s.tone,
             s.status)
            for s in journal.sends
        }  # fmt: skip

    assert shape(stored) == shape(result.journal)
    assert len(stored.sends) > 50
