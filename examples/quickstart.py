"""Quickstart: one case, one campaign, one run of the engine; then bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import creditcomms as cc
from creditcomms.transports import InMemoryTransport


def build_engine(outbox: InMemoryTransport) -> cc.Engine:
    """An engine with a two-step campaign, the built-in templates and a memory store."""
    creditor = cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="change-me-to-a-long-secret",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )
    campaign = cc.Campaign(
        "b2c",
        version=1,
        steps=[
            cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, also=[cc.SMS], template="reminder"),
            cc.Step("final", cc.after_due(days=21), cc.LETTER, fallback=[cc.EMAIL], tone="firm"),
        ],
        policy=cc.ContactPolicy(window=cc.SendWindow("08:00", "20:00"), min_gap=timedelta(days=2)),
    )
    dispatcher = cc.Dispatcher(transports=dict.fromkeys(cc.BUILTIN_CHANNELS, outbox))
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        dispatcher,
        cc.MemoryStore(),
    )


async def main() -> None:
    """Sync a case, run what is due, and show what went out."""
    case = cc.Case(
        debtor=cc.Debtor(
            id="C-1001",
            name="Erika Mustermann",
            locale="de_DE",
            timezone="Europe/Berlin",
            contacts=cc.Contacts(email="erika@example.de", phone="+49 151 12345678"),
            consents={cc.SMS: True},
        ),
        invoices=[
            cc.Invoice(
                id="RE-2026-0001",
                amount=cc.Money("123.45", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )
    outbox = InMemoryTransport()
    engine = build_engine(outbox)
    await engine.store.migrate()
    await engine.sync([case], at=datetime(2026, 10, 20, tzinfo=UTC))
    report = await engine.run_due(at=datetime(2026, 11, 3, 12, tzinfo=UTC))
    print(report.summary())
    for message in outbox.sent:
        print(f"{message.channel}: {message.recipient}")
    try:
        cc.Debtor(id="C-1002", name="Jan", timezone="Europe/Amsterdm")
    except cc.ValidationError as error:
        print(error)


if __name__ == "__main__":
    asyncio.run(main())
