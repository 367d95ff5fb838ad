"""Realistic, typed use of the public API, checked by ``mypy --strict tests/typing``.

Nothing here runs in the test suite; the point is that a host application written this way
type-checks cleanly, so the library's annotations stay useful (no ``Any`` leaking into the
host's code, no casts needed at the boundaries).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import assert_type

import httpx
import pydantic

import creditcomms as cc
from creditcomms import rules
from creditcomms.channels import embed_inline_images
from creditcomms.letters import LetterBatch, LetterJob, render_letters
from creditcomms.payments import PaymentRequest
from creditcomms.simulate import SimulationResult, demo_strategy, simulate, synthetic_portfolio
from creditcomms.transports import (
    BaseTransport,
    InMemoryTransport,
    Receipt,
    Transport,
    TwilioSmsTransport,
    inbound,
    map_httpx_errors,
)

EVENTS: pydantic.TypeAdapter[cc.Event] = pydantic.TypeAdapter(cc.Event)


def case_from_billing(row: Mapping[str, str]) -> cc.Case:
    """A host's database row turned into a case (loose input is parsed by the models)."""
    debtor = cc.Debtor(
        id=row["customer_id"],
        name=row["name"],
        locale=row.get("locale", "de_DE"),
        timezone=row.get("timezone", "Europe/Berlin"),
        contacts=cc.Contacts(email=row.get("email"), phone=row.get("phone")),
        consents={cc.SMS: row.get("sms_consent") == "yes"},
    )
    invoice = cc.Invoice(
        id=row["invoice_id"],
        amount=cc.Money(row["amount"], row["currency"]),
        issued_on=date.fromisoformat(row["issued_on"]),
        due_on=date.fromisoformat(row["due_on"]),
    )
    return cc.Case(id=f"{debtor.id}/{invoice.id}", debtor=debtor, invoices=[invoice])


def build_strategy() -> cc.Strategy:
    """Segments, an A/B test, a contact policy and a fallback, all typed."""
    policy = cc.ContactPolicy(
        window=cc.SendWindow("08:00", "20:00", weekdays="mon-sat"),
        calendar=cc.Calendar("DE"),
        min_gap=timedelta(days=2),
        caps=[cc.Cap(cc.SMS, 2, days=30)],
    )
    standard = cc.Campaign(
        "standard",
        version=2,
        steps=[
            cc.Step("reminder", cc.after_due(days=3), cc.EMAIL, also=[cc.SMS], template="reminder"),
            cc.Step(
                "final",
                cc.after_previous(days=14),
                cc.LETTER,
                fallback=[cc.EMAIL],
                template="final_notice",
                tone="firm",
            ),
        ],
        policy=policy,
    )
    gentle = cc.Campaign(
        "gentle", steps=[cc.Step("nudge", cc.after_due(days=5), cc.EMAIL, tone="friendly")]
    )
    reliable = cc.Segment("reliable", rules.on_time_ratio() >= 0.9)
    test = cc.Variants(cc.Split({"A": 50, "B": 50}, salt="2026-q4"), {"A": gentle, "B": standard})
    return cc.Strategy([(reliable, test)], default=standard)


def load_from_yaml(text: str) -> cc.Campaign:
    """Campaigns from configuration files."""
    campaign = cc.load_campaign(text, format="yaml")
    assert_type(cc.dump_campaign(campaign, format="json"), str)
    return campaign


class ChatTransport(BaseTransport):
    """A host's own adapter: typed against the protocol."""

    name = "chat"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, message: cc.Message, /) -> Receipt:
        """Post the message; only DeliveryErrors escape."""
        with map_httpx_errors(channel=message.channel, provider=self.name):
            response = await self._client.post("https://chat.example/v1", json={"to": "x"})
            response.raise_for_status()
        return Receipt(
            provider=self.name,
            provider_message_id=str(response.json()["id"]),
            accepted_at=datetime.now(UTC),
            idempotency_key=message.idempotency_key,
        )

    async def aclose(self) -> None:
        """Close the shared client."""
        await self._client.aclose()


def build_engine(store: cc.Store, transports: Mapping[cc.Channel, Transport]) -> cc.Engine:
    """The engine as a host wires it."""
    creditor = cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        payment_page="https://pay.muster.example/{token}",
        link_secret="a-long-random-secret-from-the-vault",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>"},
    )
    dispatcher = cc.Dispatcher(
        transports,
        retry=cc.RetryPolicy(attempts=3, wait_initial=0.5, wait_max=10),
        limits={cc.SMS: cc.Limits(concurrency=5, rate=20, burst=5)},
    )
    return cc.Engine(build_strategy(), cc.TemplateLibrary.builtin(), creditor, dispatcher, store)


async def nightly(engine: cc.Engine, rows: Iterable[Mapping[str, str]], now: datetime) -> int:
    """Sync, send what is due, and report how many went out."""
    await engine.store.migrate()
    synced = await engine.sync([case_from_billing(r) for r in rows], at=now)
    assert_type(synced, cc.SyncReport)
    report = await engine.run_due(at=now, limit=1000)
    assert_type(report, cc.RunReport)
    print(report.summary())
    return report.sent


async def on_webhook(engine: cc.Engine, body: bytes) -> cc.Case | None:
    """A JSON event from the host's own services, parsed into the right event class."""
    event = EVENTS.validate_json(body)
    if isinstance(event, cc.PaymentReceived):
        assert_type(event.amount, cc.Money)
    return await engine.record(event)


async def on_twilio_status(
    engine: cc.Engine, url: str, form: Mapping[str, str], signature: str | None, token: str
) -> bool:
    """A verified delivery report; interim states are ignored."""
    inbound.verify_twilio_signature(url, form, signature, auth_token=token)
    event = inbound.twilio_status_event(form, at=datetime.now(UTC), url=url)
    if event is None:
        return False
    assert_type(event.status, cc.DeliveryStatus)
    await engine.record(event)
    return True


def explain(strategy: cc.Strategy, case: cc.Case, at: datetime) -> list[str]:
    """What a case will receive, as lines for a support agent."""
    plan = strategy.plan(case, at=at)
    lines = [f"{a.step_id} via {a.channel} at {a.due_at:%Y-%m-%d %H:%M}" for a in plan.actions]
    return [plan.explain(), *lines]


def payments_and_letters(case: cc.Case, creditor: cc.Creditor, at: datetime) -> LetterBatch:
    """A payment request and a print run of one letter."""
    payment = PaymentRequest.for_case(case, creditor, at=at)
    link: str | None = payment.link
    message = cc.TemplateLibrary.builtin().preview(
        "final_notice", "letter", locale="de_DE", case=case, creditor=creditor, payment=payment
    )
    if not isinstance(message, cc.LetterMessage) or link is None:
        raise TypeError("a letter with a pay link was expected")
    jobs: Sequence[LetterJob] = [
        LetterJob(message=message, case=case, creditor=creditor, payment=payment)
    ]
    return render_letters(jobs, combine=True)


def email_with_qr_code(case: cc.Case, creditor: cc.Creditor, at: datetime) -> bytes:
    """The reminder email with its inline QR code, as MIME bytes, and its offline HTML."""
    payment = PaymentRequest.for_case(case, creditor, at=at)
    src: str | None = payment.qr_src
    png: bytes | None = payment.qr_png
    message = cc.TemplateLibrary.builtin().preview(
        "reminder", "email", locale="de_DE", case=case, creditor=creditor, payment=payment
    )
    if not isinstance(message, cc.EmailMessage) or src is None or png is None:
        raise TypeError("an email with a QR code was expected")
    images: tuple[cc.Attachment, ...] = tuple(a for a in message.attachments if a.inline)
    content_ids: list[str | None] = [a.content_id for a in images]
    offline: str | None = message.html_with_data_uris()
    shown: str = embed_inline_images(message.html or "", images)
    if not content_ids or offline != shown:
        raise TypeError("the QR code was expected inline")
    return message.to_mime().as_bytes()


def analyse(days: int = 30) -> cc.Experiment:
    """A notebook's simulation, read as an experiment."""
    portfolio = synthetic_portfolio(200, seed=3, start=date(2026, 11, 2))
    result: SimulationResult = simulate(demo_strategy(), portfolio, days=days)
    table: cc.KpiTable = result.kpis(by=("variant",), rates={"CHF": Decimal("1.06")})
    rows = table.rows()
    paid = sum(int(row["paid_cases"] or 0) for row in rows)
    print(paid, cc.wilson_interval(paid, max(len(portfolio), 1)))
    return table.compare(control="friendly")


def fees_for(case: cc.Case, on: date) -> cc.Money:
    """What a reminder may charge, with its legal basis."""
    fees = cc.FeeCalculator().fees(case, on=on)
    for item in fees.items:
        print(item.kind, item.amount, item.basis.detail)
    return fees.total


async def main() -> None:
    """Wire it all together with test transports."""
    outbox = InMemoryTransport()
    twilio = TwilioSmsTransport(account_sid="AC1", auth_token="t", sender="+15005550006")
    transports: dict[cc.Channel, Transport] = {cc.EMAIL: outbox, cc.SMS: twilio}
    engine = build_engine(cc.SQLiteStore("creditcomms.db"), transports)
    sent = await nightly(engine, [], datetime.now(UTC))
    assert_type(sent, int)
    messages: list[cc.Message] = list(outbox.sent)
    print(len(messages))
    await engine.dispatcher.aclose()
    await engine.store.aclose()


if __name__ == "__main__":
    asyncio.run(main())
