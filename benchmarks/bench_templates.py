"""Rendering 10,000 emails (HTML + text) and 10,000 SMS, next to a naive jinja2 + babel baseline.

Both sides render the same template sources (the built-in German, Dutch, English and French
reminder) for the same varied cases (every customer has their own address and number) into the
same validated ``EmailMessage`` / ``SmsMessage`` objects. The baseline is what a first
implementation looks like: a plain ``jinja2.Environment`` whose filters call
``babel.numbers.format_currency`` / ``babel.dates.format_date`` and parse the locale on every
call. A third figure shows the baseline producing strings only, without building messages.
A last figure (no baseline) is what the engine pays per reminder email: ``Renderer.envelope``
with a signed pay link and an EPC QR code, for 1,000 cases whose QR images are already made
(the PNG encoder has its own benchmark in ``bench_payments``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import babel
import babel.dates
import babel.numbers
import jinja2

import creditcomms as cc
from benchmarks._report import compare, measure, single
from creditcomms.campaigns import Action
from creditcomms.engine import Renderer

COUNT = 10_000
ENVELOPES = 1_000
LOCALES = ("de_DE", "nl_NL", "en", "fr_FR")
PHONES = {"de_DE": ("+49151", 8), "nl_NL": ("+3162", 7), "en": ("+447400", 6),
          "fr_FR": ("+3361", 7)}  # fmt: skip
NAMES = ("Erika Mustermann", "Sanne de Vries", "Alex Taylor", "Camille Martin", "Jonas Weber")
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Payment:
    """The attributes of a payment request that templates read."""

    amount: cc.Money
    link: str | None
    reference: str | None = None
    qr_svg: str | None = None
    qr_data_uri: str | None = None


def _cases(count: int) -> list[tuple[cc.Case, Payment]]:
    rng = random.Random(42)
    cases = []
    for number in range(count):
        locale = LOCALES[number % len(LOCALES)]
        amount = cc.Money(Decimal(rng.randint(500, 500_000)).scaleb(-2), "EUR")
        due = date(2026, 9, 1) + timedelta(days=rng.randint(0, 60))
        prefix, digits = PHONES[locale]
        phone = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        debtor = cc.Debtor(
            id=f"C-{number}",
            name=NAMES[number % len(NAMES)],
            locale=locale,
            contacts=cc.Contacts(email=f"customer{number}@example.com", phone=phone),
        )
        invoice = cc.Invoice(
            id=f"INV-{number:06d}", amount=amount, issued_on=due - timedelta(days=30), due_on=due
        )
        case = cc.Case(id=debtor.id, debtor=debtor, invoices=(invoice,))
        cases.append((case, Payment(amount=amount, link=f"https://pay.example/p/{number:08x}")))
    return cases


def _creditor() -> cc.Creditor:
    return cc.Creditor(
        name="Muster GmbH",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        payment_page="https://pay.example/p/{token}",
        senders={"email": "Muster GmbH <billing@muster.example>", "sms": "Muster"},
        email="billing@muster.example",
    )


# ---- the naive baseline ---------------------------------------------------------------------


@jinja2.pass_context
def _naive_money(context: Any, value: cc.Money) -> str:
    locale = babel.Locale.parse(context["locale"])
    return babel.numbers.format_currency(value.amount, value.currency, locale=locale)


@jinja2.pass_context
def _naive_date(context: Any, value: date, style: str = "medium") -> str:
    return babel.dates.format_date(value, style, locale=babel.Locale.parse(context["locale"]))


def _naive_iban(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


@jinja2.pass_context
def _naive_greeting(context: Any) -> str:
    words = {"de": "Guten Tag", "nl": "Beste", "en": "Dear", "fr": "Bonjour"}
    return f"{words[context['locale'][:2]]} {context['debtor'].name},"


@dataclass(frozen=True)
class _Totals:
    open_amount: cc.Money
    fees_amount: cc.Money
    total_due: cc.Money
    invoice_count: int
    oldest_due_on: date
    days_past_due: int


@dataclass(frozen=True)
class _Step:
    campaign_id: str | None
    step_id: str | None
    stage: str


class NaiveRenderer:
    """What a first implementation looks like: plain jinja2, babel called directly."""

    def __init__(self, library: cc.TemplateLibrary) -> None:
        text_env = jinja2.Environment(autoescape=False)  # noqa: S701 - text parts only
        html_env = jinja2.Environment(autoescape=True)
        for env in (text_env, html_env):
            env.filters.update(money=_naive_money, date=_naive_date, iban=_naive_iban)
            env.globals["greeting"] = _naive_greeting
        self.compiled: dict[tuple[str, str, str], jinja2.Template] = {}
        for template in library:
            if template.id == "reminder" and str(template.tone) == "neutral":
                for part, source in template.parts.items():
                    env = html_env if part == "html" else text_env
                    self.compiled[(template.channel, template.locale, part)] = env.from_string(
                        source
                    )

    def render(
        self, channel: str, case: cc.Case, creditor: cc.Creditor, payment: Payment
    ) -> dict[str, str]:
        invoices = case.open_invoices
        today = NOW.date()
        total = case.open_amount
        variables = {
            "debtor": case.debtor, "invoices": invoices, "invoice": invoices[0],
            "totals": _Totals(total, cc.Money.zero(case.currency), total, len(invoices),
                              invoices[0].due_on, (today - invoices[0].due_on).days),
            "creditor": creditor, "payment": payment, "pay_link": payment.link, "fees": (),
            "today": today, "at": NOW, "locale": case.debtor.locale, "tone": "neutral",
            "step": _Step(None, None, "reminder"),
        }  # fmt: skip
        language = case.debtor.locale[:2]
        parts = ("subject", "text", "html") if channel == "email" else ("text",)
        return {p: self.compiled[(channel, language, p)].render(variables) for p in parts}

    def message(self, channel: str, case: cc.Case, creditor: cc.Creditor, payment: Payment,
                key: str) -> cc.Message:  # fmt: skip
        """Render and build the same message creditcomms returns."""
        parts = self.render(channel, case, creditor, payment)
        common = {"idempotency_key": key, "case_id": case.id, "locale": case.debtor.locale,
                  "created_at": NOW}  # fmt: skip
        contacts = case.debtor.contacts
        if channel == "email":
            return cc.EmailMessage(
                **common, sender=creditor.senders["email"], to=contacts.email or "",
                subject=parts["subject"], text=parts["text"], html=parts["html"],
            )  # fmt: skip
        text = cc.normalize_sms_text(parts["text"])
        return cc.SmsMessage(**common, to=contacts.phone or "", text=text, max_segments=3)


def main() -> None:
    """Render emails and SMS with creditcomms and with the naive baseline."""
    library = cc.TemplateLibrary.builtin()
    creditor = _creditor()
    cases = _cases(COUNT)
    naive = NaiveRenderer(library)

    def ours(channel: str) -> None:
        for number, (case, payment) in enumerate(cases):
            library.render("reminder", channel, case, creditor, at=NOW, payment=payment,
                           idempotency_key=f"bench@1:reminder:{channel}:{number}")  # fmt: skip

    def baseline(channel: str) -> None:
        for number, (case, payment) in enumerate(cases):
            naive.message(channel, case, creditor, payment, f"bench@1:reminder:{channel}:{number}")

    def strings_only(channel: str) -> None:
        for case, payment in cases:
            naive.render(channel, case, creditor, payment)

    for channel, title in (("email", "emails (HTML + text)"), ("sms", "SMS")):
        ours(channel)  # warm up: compile on first use, as a long-running worker would
        mine = measure("creditcomms TemplateLibrary.render", COUNT, partial(ours, channel))
        compare(
            f"render {COUNT:,} {title} into messages, 4 languages",
            mine,
            measure("naive jinja2 + babel + message", COUNT, partial(baseline, channel)),
            unit="messages",
        )
        compare(
            f"render {COUNT:,} {title}: messages vs the baseline's bare strings",
            mine,
            measure(
                "naive jinja2 + babel (strings only)",
                COUNT,
                partial(strings_only, channel),
                repeat=1,
            ),
            unit="messages",
        )

    envelopes(cases[:ENVELOPES], library, creditor)


def envelopes(
    cases: list[tuple[cc.Case, Payment]], library: cc.TemplateLibrary, creditor: cc.Creditor
) -> None:
    """Time `Renderer.envelope` per reminder email, QR images made beforehand."""
    signing = cc.Creditor(
        **creditor.model_dump(exclude={"link_secret"}), link_secret="benchmark-secret-0123456789"
    )
    renderer = Renderer(library, signing)
    work = [
        (
            Action(
                case_id=case.id, campaign_id="bench", campaign_version=1, step_id="reminder",
                channel="email", template="reminder", due_at=NOW,
                idempotency_key=f"bench@1:{case.id}:reminder:email",
                invoice_ids=(case.invoices[0].id,),
            ),
            case,
        )
        for case, _ in cases
    ]  # fmt: skip

    def run() -> None:
        for action, case in work:
            renderer.envelope(action, case, at=NOW)

    run()  # warm up: compile, and make each case's QR image once (the encoder caches it)
    figure = measure("Renderer.envelope (email, link, EPC QR)", len(work), run, repeat=5)
    single(
        f"render {len(work):,} reminder envelopes as the engine does, QR images made",
        figure,
        unit="envelopes",
        note=f"{figure.seconds / figure.items * 1e6:.0f} us per envelope",
    )


if __name__ == "__main__":
    main()
