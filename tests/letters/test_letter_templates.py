"""Built-in letter templates laid out as PDF: the layout's table and payment block, once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import creditcomms as cc
from creditcomms.letters import render_letter

pytest.importorskip("typst")


@pytest.mark.parametrize("locale", ["de_DE", "nl_NL", "en_GB", "fr_BE"])
def test_builtin_letter_prints_each_part_once(
    locale: str, case: cc.Case, creditor: cc.Creditor, now: datetime, open_pdf: Any
) -> None:
    """The message text, one item table, one payment block and one closing per letter."""
    debtor = case.debtor.model_copy(update={"locale": locale})
    case = case.model_copy(update={"debtor": debtor})
    payment = cc.PaymentRequest.for_case(case, creditor, at=now)
    message = cc.TemplateLibrary.builtin().render(
        "final_notice", cc.LETTER, case, creditor, at=now, idempotency_key="k", payment=payment
    )
    assert isinstance(message, cc.LetterMessage)
    assert message.layout_body is not None
    assert "IBAN" in message.body  # the text-only letter keeps the bank details
    assert "IBAN" not in message.layout_body  # the PDF prints them in its payment block
    laid_out = render_letter(message, case=case, creditor=creditor, payment=payment)
    assert laid_out.pdf is not None
    text = open_pdf(laid_out.pdf).text()
    invoice = case.invoices[0].id
    assert text.count(creditor.iban[:4]) >= 1
    assert text.count(f"{invoice} (") == 0  # no plain-text item list next to the table
    closing = {"de": "Mit freundlichen", "nl": "Met vriendelijke", "en": "Kind regards"}
    word = closing.get(locale[:2])
    if word:
        assert text.count(word) == 1
