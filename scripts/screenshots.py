"""Generate the documentation's screenshots from the real library.

Every picture shows output of creditcomms itself: the built-in templates rendered for a
sample case, the letter PDF with its payment QR code, and a chart computed from a simulation.
No browser is needed: the email and the SMS are typeset with typst (the same engine and fonts
as the letters), the letter's first page is rasterised with pypdfium2, and the chart is a
matplotlib figure from `creditcomms.analytics`.

    python scripts/screenshots.py            # writes docs/images/*.png
    python scripts/screenshots.py --out DIR  # somewhere else

Needs the ``letters``, ``swiss`` and ``analytics`` extras and pypdfium2.
"""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import creditcomms as cc
from creditcomms.letters import FONT_DIR, render_letter
from creditcomms.payments import PaymentRequest
from creditcomms.simulate import demo_strategy, simulate, synthetic_portfolio

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
MAX_BYTES = 200_000

# The email and the SMS are laid out in typst; the texts arrive as JSON data, never as markup.
EMAIL_LAYOUT = """
#set page(width: 150mm, height: auto, margin: 6mm, fill: rgb("#f3f4f6"))
#set text(font: "Liberation Sans", size: 9pt)
#let d = json(bytes(sys.inputs.data))
#block(fill: white, stroke: 0.5pt + rgb("#d1d5db"), radius: 3pt, inset: 5mm, width: 100%)[
  #grid(columns: (18mm, 1fr), row-gutter: 2mm,
    text(fill: gray)[From], d.sender,
    text(fill: gray)[To], d.to,
    text(fill: gray)[Subject], strong(d.subject),
  )
  #line(length: 100%, stroke: 0.5pt + rgb("#e5e7eb"))
  #for paragraph in d.paragraphs [#paragraph #parbreak()]
  #if d.link != none [
    #box(fill: rgb("#1d4ed8"), radius: 3pt, inset: (x: 4mm, y: 2mm))[
      #text(fill: white, weight: "bold")[#d.button]
    ]
    #v(1mm)
    #text(size: 7pt, fill: gray)[#d.link]
  ]
]
"""

SMS_LAYOUT = """
#set page(width: 75mm, height: auto, margin: 5mm, fill: rgb("#f3f4f6"))
#set text(font: "Liberation Sans", size: 9pt)
#let d = json(bytes(sys.inputs.data))
#align(center, text(size: 8pt, fill: gray)[#d.sender])
#v(2mm)
#block(fill: rgb("#e5e7eb"), radius: 8pt, inset: 3.5mm, width: 90%)[#d.text]
#align(right, text(size: 7pt, fill: gray)[#d.info])
"""


def _typeset_png(layout: str, data: dict[str, object], ppi: int = 144) -> bytes:
    import typst  # noqa: PLC0415 - the letters extra

    output = typst.compile(
        layout.encode(),
        format="png",
        ppi=ppi,
        font_paths=[str(FONT_DIR)],
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps(data)},
    )
    if not isinstance(output, bytes):
        raise TypeError(f"typst returned {type(output).__name__} for a one-page PNG")
    return output


def _save(image_bytes: bytes, path: Path) -> Path:
    """Store a PNG reduced to a 256-colour palette, which keeps text sharp and files small."""
    from PIL import Image  # noqa: PLC0415 - pillow comes with matplotlib

    image = Image.open(io.BytesIO(image_bytes)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    if path.stat().st_size > MAX_BYTES:
        raise RuntimeError(f"{path} is {path.stat().st_size} bytes, above {MAX_BYTES}")
    return path


def _sample() -> tuple[cc.Case, cc.Creditor, PaymentRequest]:
    creditor = cc.Creditor(
        name="Muster AG",
        address=cc.PostalAddress(
            name="Muster AG",
            street="Bahnhofstrasse",
            house_number="1",
            postcode="8001",
            city="Zürich",
            country="CH",
        ),
        iban="CH44 3199 9123 0008 8901 2",
        email="billing@muster.example",
        payment_page="https://pay.muster.example/{token}",
        link_secret="screenshots-only-secret-0123456789",  # noqa: S106 - fixed: same pictures
        senders={cc.EMAIL: "Muster AG <billing@muster.example>"},
    )
    case = cc.Case(
        debtor=cc.Debtor(
            id="K-2001",
            name="Anna Meier",
            locale="de_CH",
            timezone="Europe/Zurich",
            contacts=cc.Contacts(
                email="anna.meier@example.ch",
                phone="+41 79 123 45 67",
                address=cc.PostalAddress(
                    name="Anna Meier",
                    street="Seestrasse",
                    house_number="12",
                    postcode="6003",
                    city="Luzern",
                    country="CH",
                ),
            ),
            consents={cc.SMS: True},
        ),
        invoices=[
            cc.Invoice(
                id="RE-2026-0042",
                amount=cc.Money("1949.75", "CHF"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )
    return case, creditor, PaymentRequest.for_case(case, creditor, at=AT)


def email_png(out: Path) -> Path:
    """The built-in German reminder email, as the customer's mail client would show it."""
    case, creditor, payment = _sample()
    message = cc.TemplateLibrary.builtin().preview(
        "reminder", "email", locale="de_CH", case=case, creditor=creditor, payment=payment
    )
    if not isinstance(message, cc.EmailMessage):
        raise TypeError(f"expected an email, got {type(message).__name__}")
    paragraphs = [p.strip() for p in message.text.split("\n\n") if p.strip()]
    link = payment.link
    data = {
        "sender": message.sender,
        "to": message.to,
        "subject": message.subject,
        "paragraphs": [p for p in paragraphs if link is None or link not in p],
        "link": link,
        "button": "Jetzt bezahlen",
    }
    return _save(_typeset_png(EMAIL_LAYOUT, data), out / "email.png")


def sms_png(out: Path) -> Path:
    """The built-in firm SMS reminder, with its encoding and segment count."""
    case, creditor, payment = _sample()
    message = cc.TemplateLibrary.builtin().preview(
        "reminder",
        "sms",
        locale="de_CH",
        tone="firm",
        case=case,
        creditor=creditor,
        payment=payment,
    )
    if not isinstance(message, cc.SmsMessage):
        raise TypeError(f"expected an SMS, got {type(message).__name__}")
    data = {
        "sender": creditor.name,
        "text": message.text,
        "info": f"{message.encoding}, {message.segments} segment(s)",
    }
    return _save(_typeset_png(SMS_LAYOUT, data, ppi=192), out / "sms.png")


def letter_png(out: Path) -> Path:
    """Page 1 of the reminder letter: DIN 5008 layout with the Swiss QR-bill payment part."""
    import pypdfium2  # noqa: PLC0415 - a docs tool, not a library dependency

    case, creditor, payment = _sample()
    message = cc.TemplateLibrary.builtin().preview(
        "reminder", "letter", locale="de_CH", case=case, creditor=creditor, payment=payment
    )
    if not isinstance(message, cc.LetterMessage):
        raise TypeError(f"expected a letter, got {type(message).__name__}")
    letter = render_letter(message, case=case, creditor=creditor, payment=payment)
    if letter.pdf is None:
        raise RuntimeError("the letter was not laid out as PDF")
    document = pypdfium2.PdfDocument(letter.pdf)
    try:
        bitmap = document[0].render(scale=1.25)  # 90 dpi: A4 at 744 x 1052 pixels
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    finally:
        document.close()
    return _save(buffer.getvalue(), out / "letter.png")


def chart_png(out: Path) -> Path:
    """Payment curves per A/B variant from a seeded simulation of the demo strategy."""
    import matplotlib  # noqa: PLC0415 - the analytics extra

    matplotlib.use("Agg")
    from matplotlib import pyplot  # noqa: PLC0415

    portfolio = synthetic_portfolio(150, seed=7, start=date(2026, 11, 2))
    result = simulate(demo_strategy(), portfolio, days=30)
    figure = cc.payment_curves(result.journal, by="variant").plot()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    pyplot.close(figure)
    return _save(buffer.getvalue(), out / "report-chart.png")


def main(argv: list[str] | None = None) -> list[Path]:
    """Write every screenshot; returns the paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [email_png(args.out), sms_png(args.out), letter_png(args.out), chart_png(args.out)]
    for path in paths:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    return paths


if __name__ == "__main__":
    main()
