"""Every built-in template rendered for a fixed set of cases, digested for a snapshot.

``snapshots/builtin_renders.json`` holds the digests the library produced before rendering was
made faster (issue 7); `test_render_snapshot.py` checks that it still produces the same bytes.
Run ``python tests/templates/snapshot_kit.py`` to rewrite the file after an intended change
to a pack or a message type.

The payment requests are real ``PaymentRequest`` objects (EPC, Swiss and link QR codes, fees,
several invoices); only their QR images are pinned to a stand-in text, so the snapshot pins
the templates and the message builders, not the QR encoder.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import creditcomms as cc
from creditcomms.campaigns import Action
from creditcomms.dispatch import Envelope
from creditcomms.engine import Renderer
from creditcomms.payments import FeeLine, PaymentRequest

SNAPSHOT = Path(__file__).parent / "snapshots" / "builtin_renders.json"
AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _address(name: str, country: str) -> cc.PostalAddress:
    return cc.PostalAddress(
        name=name, street="Hauptstraße", house_number="5", postcode="10115", city="Berlin",
        country=country,
    )  # fmt: skip


def _contacts(name: str, country: str, phone: str) -> cc.Contacts:
    return cc.Contacts(
        email="kunde@example.com", phone=phone, whatsapp=phone, push_tokens=("tok-1",),
        portal_user_id="portal-7", address=_address(name, country),
    )  # fmt: skip


def _invoice(number: str, amount: str, currency: str, due: date, **extra: object) -> cc.Invoice:
    return cc.Invoice(
        id=number, amount=cc.Money(amount, currency), issued_on=due - timedelta(days=30),
        due_on=due, **extra,
    )  # fmt: skip


def cases(language: str) -> list[tuple[str, cc.Case]]:
    """Named cases for ``language``: consumer, business, several invoices, odd characters."""
    region = {"de": "de_AT", "nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}[language]
    swiss = {"de": "de_CH", "nl": "nl", "en": "en_IE", "fr": "fr_CH"}[language]
    plain = cc.Debtor(
        id="D-1", name="Erika Mustermann", locale=language,
        contacts=_contacts("Erika Mustermann", "DE", "+4915112345678"),
    )  # fmt: skip
    business = cc.Debtor(
        id="D-2", name="Müller & Söhne <GmbH>", kind=cc.CustomerKind.B2B, locale=region,
        timezone="America/New_York", contact_person="Dr. \"Jo\" O'Neil",
        contacts=_contacts("Müller & Söhne", "AT", "+43664123456"),
    )  # fmt: skip
    faceless = cc.Debtor(
        id="D-3", name="ACME B.V.", kind=cc.CustomerKind.B2B, locale=swiss,
        contacts=_contacts("ACME B.V.", "CH", "+41791234567"),
    )  # fmt: skip
    greeted = cc.Debtor(
        id="D-4", name="Kim Lee", locale=language, salutation="Liebe Kim,",
        timezone="Asia/Tokyo", contacts=_contacts("Kim Lee", "NL", "+31612345678"),
    )  # fmt: skip
    due = date(2026, 10, 31)
    return [
        ("single", cc.Case(id="C-1", debtor=plain, invoices=(
            _invoice("2026-10-0815", "249.90", "EUR", due, description="Abo <Oktober>"),
        ))),
        ("several", cc.Case(id="C-2", debtor=business, invoices=(
            _invoice("RE-1", "1234567.89", "EUR", due),
            _invoice("RE-2", "0.05", "EUR", due - timedelta(days=40), reference="RF18539007547034"),
            _invoice("RE-3", "99.00", "EUR", due, open_amount=cc.Money("12.34", "EUR")),
        ))),
        ("swiss", cc.Case(id="C-3", debtor=faceless, invoices=(
            _invoice("CH-9", "1000.00", "CHF", date(2026, 11, 25)),
        ))),
        ("greeted", cc.Case(id="C-4", debtor=greeted, invoices=(
            _invoice("INV-7", "10.00", "EUR", date(2026, 11, 20)),
            _invoice("INV-8", "20.00", "EUR", date(2026, 11, 20), status=cc.InvoiceStatus.PAID,
                     open_amount=cc.Money.zero("EUR")),
        ))),
        ("paid", cc.Case(id="C-5", debtor=plain, invoices=(
            _invoice("P-1", "50.00", "EUR", due, status=cc.InvoiceStatus.PAID,
                     open_amount=cc.Money.zero("EUR")),
        ))),
    ]  # fmt: skip


def creditors() -> dict[str, cc.Creditor]:
    """A creditor with a payment page (signed links) and one that only takes transfers."""
    return {
        "linked": cc.Creditor(
            name="Muster & Co. <Zahlungen>", iban="DE89370400440532013000", bic="COBADEFFXXX",
            payment_page="https://pay.muster.example/p/{token}?src=mail&x=<1>",
            link_secret="snapshot-secret-0123456789",
            senders={"email": "Muster <billing@muster.example>", "sms": "Muster"},
            email="billing@muster.example", phone="+4922112345678",
            website="https://muster.example", address=_address("Muster & Co.", "DE"),
        ),
        "transfer": cc.Creditor(
            name="Plain AG", iban="CH9300762011623852957", email="billing@plain.example",
            address=_address("Plain AG", "CH"),
        ),
    }  # fmt: skip


def _payment(case: cc.Case, creditor: cc.Creditor, fees: tuple[FeeLine, ...]) -> object:
    if not case.open_invoices:
        return None
    try:
        request = PaymentRequest.for_case(case, creditor, at=AT, fees=fees)
    except cc.CreditCommsError:
        return None
    # Pin the images: this snapshot is about the texts around them, not the QR encoder.
    request.__dict__["qr_data_uri"] = f"data:image/png;base64,QR-{request.qr_payload!r}"
    request.__dict__["qr_svg"] = f"<svg><title>{request.qr_payload!r}</title></svg>"
    request.__dict__["qr_png"] = f"PNG-{request.qr_payload!r}".encode()
    return request


def _dump(message: cc.Message | str) -> str:
    return message if isinstance(message, str) else message.model_dump_json()


def renders(library: cc.TemplateLibrary) -> Iterator[tuple[str, str]]:
    """``(label, rendered dump)`` for every built-in template, case and creditor."""
    fees = (FeeLine(label="Mahngebühr", amount=cc.Money("5.00", "EUR")),)
    for template in sorted(library, key=lambda t: t.key):
        label = "/".join(template.key)
        for language_case in cases(template.locale[:2]):
            name, case = language_case
            for who, creditor in creditors().items():
                charged = fees if name == "several" else ()
                payment = _payment(case, creditor, charged)
                try:
                    message = library.render(
                        template.id, template.channel, case, creditor, at=AT,
                        idempotency_key=f"k:{label}:{name}", tone=template.tone,
                        locale=None if name != "single" else template.locale,
                        payment=payment, fees=charged,  # type: ignore[arg-type]
                        campaign_id="camp", step_id="s1",
                    )  # fmt: skip
                except cc.CreditCommsError as exc:
                    yield f"{label}|{name}|{who}", f"error {type(exc).__name__}: {exc}"
                    continue
                yield f"{label}|{name}|{who}", _dump(message)


def envelopes(library: cc.TemplateLibrary) -> Iterator[tuple[str, str]]:
    """``(label, dump)`` of `Renderer.envelope` for planned actions, with fallbacks."""
    for language in ("de", "nl", "en", "fr"):
        for name, case in cases(language):
            for who, creditor in creditors().items():
                renderer = Renderer(library, creditor, letters=False)
                for channel, tone in (
                    ("email", "neutral"),
                    ("sms", "firm"),
                    ("letter", "friendly"),
                ):
                    action = Action(
                        case_id=case.id, campaign_id="camp", campaign_version=1, step_id="s1",
                        channel=channel, template="reminder", tone=cc.Tone(tone), due_at=AT,
                        idempotency_key=f"k:{channel}", fallback=("sms",),
                        variant="B" if channel == "sms" else None, segment="vip",
                    )  # fmt: skip
                    label = f"envelope/{language}/{name}/{who}/{channel}"
                    try:
                        envelope = renderer.envelope(action, case, at=AT)
                    except cc.CreditCommsError as exc:
                        yield label, f"error {type(exc).__name__}: {exc}"
                        continue
                    for number, message in enumerate(_messages(envelope)):
                        yield f"{label}/{number}", _dump(_without_images(message))


def _messages(envelope: Envelope) -> Iterator[cc.Message | str]:
    yield envelope.message
    for fallback in envelope.fallbacks:
        try:
            yield fallback() if callable(fallback) else fallback
        except cc.CreditCommsError as exc:
            yield f"error {type(exc).__name__}: {exc}"


def _without_images(message: cc.Message | str) -> cc.Message | str:
    """The message with its inline images' bytes (from the QR encoder) replaced by a stand-in."""
    if not isinstance(message, cc.EmailMessage) or not message.attachments:
        return message
    images = tuple(
        a.model_copy(update={"data": b"QR"}) if a.inline else a for a in message.attachments
    )
    return message.model_copy(update={"attachments": images})


def digests() -> dict[str, str]:
    """The snapshot: one SHA-256 per template (all its renders) and per envelope label."""
    library = cc.TemplateLibrary.builtin()
    grouped: dict[str, hashlib._Hash] = {}
    for label, text in [*renders(library), *envelopes(library)]:
        key = label.split("|", 1)[0]
        grouped.setdefault(key, hashlib.sha256()).update(f"{label}\n{text}\n".encode())
    return {key: digest.hexdigest() for key, digest in sorted(grouped.items())}


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(json.dumps(digests(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(json.loads(SNAPSHOT.read_text(encoding='utf-8')))} keys)")
    sys.exit(0)
