"""Printed letters: A4 per DIN 5008 form B, with the payment QR code or Swiss QR-bill.

Needs the ``letters`` extra (``typst``)::

    letter = render_letter(message, case=case, creditor=creditor, payment=request)
    letter.pdf, letter.page_count

Text reaches the layout as data, never as markup, so names like ``#sys`` or ``*`` print as
they are. The fonts ship with the package, so the PDF is the same on every machine.
"""

from __future__ import annotations

from ._content import LetterLayout
from ._render import FONT_DIR, LetterBatch, LetterJob, count_pages, render_letter, render_letters

__all__ = [
    "FONT_DIR",
    "LetterBatch",
    "LetterJob",
    "LetterLayout",
    "count_pages",
    "render_letter",
    "render_letters",
]
