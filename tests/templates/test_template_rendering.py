"""Rendering cases into each channel's message: contacts, escaping, payment, fees, MIME."""

from __future__ import annotations

import email
import email.policy
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from typing import Any

import pytest

import creditcomms as cc
from creditcomms.errors import MessageTooLongError, MissingContactError


def _render(library: cc.TemplateLibrary, channel: str, case: cc.Case, creditor: cc.Creditor,
            now: datetime, **options: Any) -> cc.Message:  # fmt: skip
    options.setdefault("idempotency_key", f"b2c@1:reminder:{channel}:0:abc")
    return library.render("reminder", channel, case, creditor, at=now, **options)


def _with_debtor(case: cc.Case, **changes: Any) -> cc.Case:
    return case.model_copy(update={"debtor": case.debtor.model_copy(update=changes)})


def test_email_mime_parses_back(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime, payment: Any
) -> None:
    """The rendered email parses with Python's parser into a text and an HTML part."""
    message = _render(library, "email", case, creditor, now, payment=payment)
    assert isinstance(message, cc.EmailMessage)
    parsed = email.message_from_bytes(message.to_mime().as_bytes(), policy=email.policy.default)
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["From"].addresses[0].addr_spec == "billing@muster.example"
    assert parsed["To"].addresses[0].addr_spec == "erika@example.de"
    assert str(parsed["Subject"]) == "Zahlungserinnerung: Rechnung RE-2026-0001"
    plain_part, html_part = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain_part is not None
    assert html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    assert "Guten Tag Erika Mustermann," in text
    assert "123,45\u00a0€" in text
    assert "31. Oktober 2026" in text
    assert payment.link in text
    assert payment.link in html
    assert "RF18539007547034" in text


def test_html_escapes_the_customer_name(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A name like <script> is escaped in HTML, kept verbatim in the text part."""
    evil = _with_debtor(case, name="<script>alert(1)</script> & Co")
    message = _render(library, "email", evil, creditor, now)
    assert isinstance(message, cc.EmailMessage)
    assert "<script>" not in (message.html or "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in (message.html or "")
    assert "<script>alert(1)</script> & Co" in message.text


def test_voice_ssml_escapes_text(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """SSML is well-formed XML even when the name holds XML characters."""
    message = _render(library, "voice", _with_debtor(case, name="Müller & <Söhne>"), creditor, now)
    assert isinstance(message, cc.VoiceMessage)
    root = ET.fromstring(message.ssml)  # noqa: S314 - parsing our own test output
    assert root.tag == "speak"
    assert "Müller & <Söhne>" in "".join(root.itertext())
    assert message.language == "de-DE"


def test_without_payment_there_is_no_pay_button(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """With payment=None the email shows bank details and no button; SMS shows the IBAN."""
    message = _render(library, "email", case, creditor, now)
    assert isinstance(message, cc.EmailMessage)
    assert "Jetzt bezahlen" not in (message.html or "")
    assert "DE89 3704 0044 0532 0130 00" in message.text
    assert "Verwendungszweck: RE-2026-0001" in message.text
    sms = _render(library, "sms", case, creditor, now)
    assert isinstance(sms, cc.SmsMessage)
    assert "IBAN DE89" in sms.text


def test_sms_is_normalised_to_gsm7(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime, payment: Any
) -> None:
    """Babel's no-break space does not switch the SMS to UCS-2; the sender id is used."""
    message = _render(library, "sms", case, creditor, now, payment=payment)
    assert isinstance(message, cc.SmsMessage)
    assert "123,45 €" in message.text
    assert message.encoding is cc.SmsEncoding.GSM7
    assert message.sender == "MUSTER"
    assert message.segments == 2
    assert message.max_segments == 3


def test_segment_cap_is_enforced_before_sending(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime, payment: Any
) -> None:
    """A step's max_segments below the rendered length raises MessageTooLongError."""
    with pytest.raises(MessageTooLongError, match=r"2 GSM-7 segments.*cap of 1"):
        _render(library, "sms", case, creditor, now, payment=payment, max_segments=1)


def test_missing_contact_is_a_clear_error(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A case without a WhatsApp-capable number cannot get a WhatsApp message."""
    no_phone = _with_debtor(case, contacts=cc.Contacts(email="erika@example.de"))
    for channel in ("whatsapp", "sms", "push", "portal", "letter"):
        with pytest.raises(MissingContactError) as caught:
            _render(library, channel, no_phone, creditor, now)
        assert caught.value.channel == channel
        assert caught.value.case_id == case.id


def test_every_channel_builds_its_message_type(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime, payment: Any
) -> None:
    """Each built-in channel yields its own message type with the shared envelope fields."""
    full = _with_debtor(
        case,
        contacts=case.debtor.contacts.model_copy(
            update={"push_tokens": ("device-1",), "portal_user_id": "u-1"}
        ),
    )
    expected: dict[str, type[cc.Message]] = {
        "email": cc.EmailMessage, "sms": cc.SmsMessage, "letter": cc.LetterMessage,
        "whatsapp": cc.WhatsAppMessage, "push": cc.PushMessage, "voice": cc.VoiceMessage,
        "phone_task": cc.PhoneTask, "portal": cc.PortalMessage,
    }  # fmt: skip
    for channel, kind in expected.items():
        message = _render(library, channel, full, creditor, now, payment=payment,
                          campaign_id="b2c", step_id="reminder-1")  # fmt: skip
        assert type(message) is kind
        assert (message.case_id, message.campaign_id, message.step_id) == (
            case.id,
            "b2c",
            "reminder-1",
        )
        assert message.created_at == now
        assert message.cost == cc.channels.BUILTIN_CHANNELS[channel].cost
        assert "<div" in message._repr_html_()


def test_whatsapp_button_carries_the_pay_token(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime, payment: Any
) -> None:
    """The URL button parameter is the token part of the pay link; parameters are filled."""
    message = _render(library, "whatsapp", case, creditor, now, payment=payment)
    assert isinstance(message, cc.WhatsAppMessage)
    assert message.buttons == (cc.WhatsAppButton(kind="url", parameter="tok_3fA9zQ"),)
    assert message.parameters == ("Erika Mustermann", "RE-2026-0001", "123,45\u00a0€", "31.10.2026")
    assert message.template_name == "creditcomms_reminder_neutral"
    assert message.language == "de"


def test_phone_task_lists_open_items(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A phone task names whom to call, why, and each open invoice with days past due."""
    message = _render(library, "phone_task", case, creditor, now)
    assert isinstance(message, cc.PhoneTask)
    assert message.phone == "+4915112345678"
    assert message.open_items[0].days_past_due == 22
    assert "22 Tage überfällig" in message.reason
    assert len(message.talking_points) == 4


def test_fees_are_listed_and_added(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """Fee lines show in the details and raise the amount due."""
    fees = [
        ("Verzugszinsen", cc.Money("1.20", "EUR")),
        cc.FeeLine(label="Mahngebühr", amount=cc.Money("5.00", "EUR")),
    ]
    message = _render(library, "letter", case, creditor, now, fees=fees)
    assert isinstance(message, cc.LetterMessage)
    assert "- Mahngebühr: 5,00\u00a0€" in message.body
    assert "Zu zahlen: 129,65\u00a0€" in message.body
    assert message.recipient_address.city == "Köln"
    assert message.letter_date == date(2026, 11, 22)


def test_b2b_greeting_uses_the_contact_person(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A business is greeted through its contact person, or collectively without one."""
    b2b = _with_debtor(
        case, kind=cc.CustomerKind.B2B, name="Beispiel AG", contact_person="Herr Dr. Weber"
    )
    message = _render(library, "email", b2b, creditor, now)
    assert isinstance(message, cc.EmailMessage)
    assert message.text.startswith("Guten Tag Herr Dr. Weber,")
    anonymous = _with_debtor(case, kind=cc.CustomerKind.B2B, name="Beispiel AG")
    message = _render(library, "letter", anonymous, creditor, now)
    assert isinstance(message, cc.LetterMessage)
    assert message.body.startswith("Sehr geehrte Damen und Herren,")


def test_render_action(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """A planned Action renders with its template, channel, tone, ids and due time."""
    action = cc.Action(
        case_id=case.id, campaign_id="b2c", campaign_version=1, step_id="final",
        channel=cc.EMAIL, template="final_notice", tone=cc.Tone.FIRM, due_at=now,
        idempotency_key="b2c@1:final:email:0:abc", variant="B",
    )  # fmt: skip
    message = library.render_action(action, case, creditor)
    assert isinstance(message, cc.EmailMessage)
    assert message.subject.startswith("Letzte Mahnung vor Übergabe an Inkasso")
    assert message.meta["variant"] == "B"
    assert message.meta["tone"] == "firm"
    other = case.model_copy(update={"id": "C-2"})
    with pytest.raises(cc.ConfigurationError, match="planned for"):
        library.render_action(action, other, creditor)


def test_naive_time_is_refused(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor
) -> None:
    """A render time without a time zone is a validation error."""
    with pytest.raises(cc.ValidationError, match="timezone-aware"):
        _render(library, "sms", case, creditor, datetime(2026, 11, 22, 9, 0))  # noqa: DTZ001


def test_email_preview_frames_the_html(library: cc.TemplateLibrary) -> None:
    """The notebook preview puts the email HTML into an escaped, sandboxed srcdoc."""
    message = library.preview("pre_due", "email", locale="fr", tone="friendly")
    shown = message._repr_html_()
    assert '<iframe sandbox="" srcdoc="&lt;!DOCTYPE html&gt;' in shown
    sms = library.preview("pre_due", "sms", locale="fr")
    assert (
        "GSM-7 · 2 segment(s)" in sms._repr_html_() or "GSM-7 · 1 segment(s)" in sms._repr_html_()
    )


def test_unknown_channel_name(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor
) -> None:
    """A channel name that is not built in asks for the Channel object."""
    with pytest.raises(cc.ConfigurationError, match="pass your Channel object"):
        library.render("reminder", "fax", case, creditor, at=datetime.now(UTC), idempotency_key="k")


def test_custom_channel_renders_parts(case: cc.Case, creditor: cc.Creditor, now: datetime) -> None:
    """A user-defined channel gets its rendered parts; render() asks for a message builder."""
    fax = cc.Channel(name="fax", contact=cc.ContactKind.PHONE)
    library = cc.TemplateLibrary(
        [cc.Template(id="reminder", channel="fax", locale="de", parts={"page": "{{ invoice.id }}"})]
    )
    resolution = library.resolve("reminder", fax, locale="de_DE")
    context = cc.RenderContext.build(
        case, creditor, at=now, tone=cc.Tone.NEUTRAL, locale="de_DE", stage="reminder"
    )
    assert library.render_parts(resolution, context) == {"page": "RE-2026-0001"}
    with pytest.raises(cc.ConfigurationError, match="no built-in message type"):
        library.render("reminder", fax, case, creditor, at=now, idempotency_key="k")


def test_email_envelope_overrides(
    library: cc.TemplateLibrary, case: cc.Case, creditor: cc.Creditor, now: datetime
) -> None:
    """Sender, Reply-To and a one-click unsubscribe URL can be set per render."""
    message = _render(
        library, "email", case, creditor, now,
        sender="Mahnwesen <mahnung@muster.example>", reply_to="team@muster.example",
        unsubscribe_url="https://muster.example/u/abc",
    )  # fmt: skip
    mime = message.to_mime() if isinstance(message, cc.EmailMessage) else None
    assert mime is not None
    assert mime["From"] == "Mahnwesen <mahnung@muster.example>"
    assert mime["Reply-To"] == "team@muster.example"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
