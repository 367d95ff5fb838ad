"""PDF rendering with typst (extra ``letters``): one letter, or a print run of many.

Fonts come from the package (Liberation Sans, SIL OFL 1.1) and system fonts are ignored, so
a letter renders the same on every machine.
"""

from __future__ import annotations

import functools
import importlib
import json
import multiprocessing
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from creditcomms.channels import LetterMessage
from creditcomms.errors import MissingExtraError, TemplateError
from creditcomms.model import Case, Creditor, Model
from creditcomms.payments import FeeLine, PaymentRequest

from ._content import LetterLayout, letter_data

__all__ = [
    "FONT_DIR",
    "LetterBatch",
    "LetterJob",
    "count_pages",
    "render_letter",
    "render_letters",
]

_HERE = Path(__file__).resolve().parent
FONT_DIR = _HERE / "fonts"
"""The fonts every letter is set in (Liberation Sans regular and bold, SIL OFL 1.1)."""
_TEMPLATE = _HERE / "letter.typ"
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


class LetterJob(Model):
    """One letter of a print run: the message and what its layout needs."""

    message: LetterMessage
    case: Case
    creditor: Creditor
    payment: PaymentRequest | None = None
    fees: tuple[FeeLine, ...] | None = None
    """Fee and interest lines; default: the payment request's fees."""
    layout: LetterLayout = LetterLayout.AUTO
    closing: str | None = "auto"
    """The closing line; ``"auto"``: the locale's (``Mit freundlichen Grüßen``); None: none."""


@dataclass(frozen=True, slots=True)
class LetterBatch:
    """A rendered print run: every letter with its PDF and page count, and the combined PDF."""

    letters: tuple[LetterMessage, ...]
    pdf: bytes | None
    """All letters in one PDF (each starting on a new page), or None when not combined."""
    first_pages: tuple[int, ...]
    """The 1-based page of the combined PDF on which each letter starts."""

    @property
    def page_count(self) -> int:
        """Pages in the whole run."""
        return sum(m.page_count or 0 for m in self.letters)


@functools.cache
def _compiler() -> Any:
    try:
        typst = importlib.import_module("typst")
    except ImportError:
        raise MissingExtraError("PDF letters", "letters", "typst") from None
    return typst.Compiler(
        input=str(_TEMPLATE), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
    )


def _compile(letters: list[dict[str, Any]]) -> bytes:
    document = json.dumps({"letters": letters}, ensure_ascii=False)
    try:
        pdf = _compiler().compile(
            format="pdf",
            sys_inputs={"data": document},
            # The letter date, not the clock: the same letter gives the same bytes.
            timestamp=max(letter["timestamp"] for letter in letters),
        )
    except RuntimeError as exc:  # typst.TypstError
        raise TemplateError(f"the letter layout failed to render: {exc}") from None
    return bytes(pdf)


def count_pages(pdf: bytes, /) -> int:
    """Count the pages of a PDF written by typst (page objects are not compressed)."""
    return len(_PAGE.findall(pdf))


def _data(job: LetterJob) -> dict[str, Any]:
    return letter_data(
        job.message,
        job.case,
        job.creditor,
        job.payment,
        fees=job.fees,
        layout=job.layout,
        closing=job.closing,
    )


def _finished(
    message: LetterMessage, data: dict[str, Any], pdf: bytes, pages: int
) -> LetterMessage:
    # Print services (Pingen's address_position, Lob's address_placement) need to know where
    # the address sits; the layout is recorded for the outbox.
    layout = LetterLayout.SWISS if data["layout"] == "swiss" else LetterLayout.DIN_5008
    meta = {**message.meta, "address_position": "left", "layout": layout.value}
    return message.model_copy(update={"pdf": pdf, "page_count": pages, "meta": meta})


def _render_one(data: dict[str, Any]) -> tuple[bytes, int]:
    pdf = _compile([data])
    return pdf, count_pages(pdf)


def render_letter(
    message: LetterMessage,
    /,
    *,
    case: Case,
    creditor: Creditor,
    payment: PaymentRequest | None = None,
    fees: Sequence[FeeLine] | None = None,
    layout: LetterLayout | Literal["auto", "din5008", "swiss"] = LetterLayout.AUTO,
    closing: str | None = "auto",
) -> LetterMessage:
    """Lay out ``message`` as an A4 letter and return it with ``pdf`` and ``page_count`` set.

    Args:
        message: The letter's recipient, subject and body (from the letter templates).
        case: The case: customer number and the open items table.
        creditor: The sender: letterhead, return address and footer with bank details.
        payment: The payment request: its invoices fill the table; its QR code (EPC or link)
            and reference go into the payment block, or its Swiss QR-bill to the page foot.
        fees: Fee and interest lines for the table; default: the payment request's fees.
        layout: ``"auto"``, ``"din5008"`` or ``"swiss"`` (see `LetterLayout`).
        closing: The closing line; ``"auto"`` for the locale's, None when the body has one.

    Raises:
        MissingExtraError: the ``letters`` extra (``typst``) is not installed.
        PaymentDataError: the payment request does not match the case or the fees.
    """
    job = LetterJob(
        message=message, case=case, creditor=creditor, payment=payment,
        fees=None if fees is None else tuple(fees), layout=LetterLayout(layout), closing=closing,
    )  # fmt: skip
    data = _data(job)
    pdf, pages = _render_one(data)
    return _finished(message, data, pdf, pages)


def render_letters(
    jobs: Sequence[LetterJob], /, *, combine: bool = True, processes: int = 1
) -> LetterBatch:
    """Render a print run: every letter on its own, and optionally all in one PDF.

    Args:
        jobs: The letters.
        combine: Also produce one PDF with every letter, each starting on a new page.
        processes: Worker processes for the single letters (``1`` renders in this process).

    Returns:
        The letters with ``pdf`` and ``page_count`` set, the combined PDF and where each
        letter starts in it.
    """
    data = [_data(job) for job in jobs]
    if processes > 1 and len(data) > 1:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            results = pool.map(_render_one, data)
    else:
        results = [_render_one(d) for d in data]
    letters = tuple(
        _finished(job.message, item, pdf, pages)
        for job, item, (pdf, pages) in zip(jobs, data, results, strict=True)
    )
    starts: list[int] = []
    page = 1
    for _, pages in results:
        starts.append(page)
        page += pages
    combined = _combined(data, page - 1) if combine and data else None
    return LetterBatch(letters=letters, pdf=combined, first_pages=tuple(starts))


def _combined(data: list[dict[str, Any]], expected: int) -> bytes:
    pdf = _compile(data)
    if count_pages(pdf) != expected:
        raise TemplateError(
            f"the combined print file has {count_pages(pdf)} pages but the letters have"
            f" {expected}; the layout let one letter run into the next"
        )
    return pdf
