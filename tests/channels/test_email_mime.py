"""Email MIME output parses back into the expected parts; headers cannot be injected."""

from __future__ import annotations

import email
import email.policy

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc


def _email(**changes: object) -> cc.EmailMessage:
    data: dict[str, object] = {
        "idempotency_key": "b2c@1:reminder:email:0:abc",
        "case_id": "C-1",
        "sender": "Muster GmbH <billing@muster.example>",
        "to": "Erika Müller <erika@example.de>",
        "subject": "Zahlungserinnerung – Rechnung RE-1 über 123,45\u00a0€",
        "text": "Guten Tag Frau Müller,\nbitte zahlen Sie 123,45 €.",
        "html": "<p>Guten Tag Frau Müller</p>",
    }
    data.update(changes)
    return cc.EmailMessage.model_validate(data)


def test_parts_text_first_then_html() -> None:
    """multipart/alternative with text/plain first and text/html last."""
    raw = _email().to_mime().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert str(parsed["Subject"]) == "Zahlungserinnerung – Rechnung RE-1 über 123,45\u00a0€"
    assert "Müller" in parsed.get_body(("plain",)).get_content()
    assert parsed["Message-ID"] == _email().message_id


def test_message_id_is_deterministic() -> None:
    """The same idempotency key gives the same Message-ID on the sender's domain."""
    assert _email().message_id == _email().message_id
    assert _email().message_id.endswith("@muster.example>")
    assert _email(idempotency_key="other").message_id != _email().message_id


def test_attachments_make_mixed() -> None:
    """A PDF attachment wraps the alternative part in multipart/mixed."""
    pdf = cc.Attachment(filename="Mahnung.pdf", data=b"%PDF-1.7 test")
    parsed = email.message_from_bytes(
        _email(attachments=(pdf,)).to_mime().as_bytes(), policy=email.policy.default
    )
    assert parsed.get_content_type() == "multipart/mixed"
    attachment = next(parsed.iter_attachments())
    assert attachment.get_filename() == "Mahnung.pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"


def test_one_click_unsubscribe_headers() -> None:
    """RFC 8058 headers appear only when an https URL is given."""
    parsed = _email(unsubscribe_url="https://muster.example/u/tok").to_mime()
    assert parsed["List-Unsubscribe"] == "<https://muster.example/u/tok>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with pytest.raises(cc.ValidationError):
        _email(unsubscribe_url="http://muster.example/u/tok")


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "Hello\r\nBcc: victim@example.com"},
        {"to": "Erika <erika@example.de>\nBcc: victim@example.com"},
        {"sender": "Evil\r\nX: y <a@b.de>"},
        {"headers": {"X-Campaign": "a\nBcc: victim@example.com"}},
        {"headers": {"Bad Header": "x"}},
    ],
)
def test_header_injection_is_rejected(changes: dict[str, object]) -> None:
    """A CR or LF in any header value is a validation error."""
    with pytest.raises(cc.ValidationError):
        _email(**changes)


def test_mailbox_checks_are_remembered_but_still_refuse() -> None:
    """The cached address check gives the same answer the second time, bad input included."""
    first, second = _email(), _email()
    assert first.sender == second.sender == "Muster GmbH <billing@muster.example>"
    for _ in range(2):
        with pytest.raises(cc.ValidationError):
            _email(to="Erika <not an address>")


@given(
    st.text(alphabet="ab.Z9_%+-@x", min_size=1, max_size=20)
    | st.from_regex(r"[a-z0-9.+_-]{1,8}@[a-z0-9-]{1,6}(\.[a-z]{1,3}){0,2}", fullmatch=True)
)
def test_bare_address_shortcut_matches_header_parsing(value: str) -> None:
    """A plain address skips header parsing, with the same result or refusal as parsing it."""
    from email.utils import getaddresses

    from creditcomms.model import normalize_email
    from creditcomms.model._parties import _BARE_ADDRESS
    from creditcomms.model._parties import normalize_mailbox as _mailbox

    if not _BARE_ADDRESS.fullmatch(value):
        return
    assert getaddresses([value]) == [("", value)]
    try:
        expected = normalize_email(value)
    except ValueError:
        with pytest.raises(ValueError, match="not a valid email address"):
            _mailbox(value)
    else:
        assert _mailbox(value) == expected
