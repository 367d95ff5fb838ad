"""Inline images: the Attachment's content id, the multipart/related MIME layout, previews."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage as Parsed

import pytest
from pydantic import TypeAdapter

import creditcomms as cc
from creditcomms.channels import embed_inline_images
from creditcomms.channels._attachments import inline_image

PNG = b"\x89PNG\r\n\x1a\n-not-really-a-picture-\x00\xff"


def _image(content_id: str = "qr@muster.example", **changes: object) -> cc.Attachment:
    data: dict[str, object] = {
        "filename": "qr.png",
        "content_type": "image/png",
        "data": PNG,
        "content_id": content_id,
        "inline": True,
    }
    data.update(changes)
    return cc.Attachment.model_validate(data)


def _email(*attachments: cc.Attachment, **changes: object) -> cc.EmailMessage:
    data: dict[str, object] = {
        "idempotency_key": "b2c@1:reminder:email:0:abc",
        "case_id": "C-1",
        "sender": "Muster GmbH <billing@muster.example>",
        "to": "erika@example.de",
        "subject": "Zahlungserinnerung",
        "text": "Bitte zahlen Sie 123,45 €.",
        "html": '<p>Bitte zahlen.</p><img src="cid:qr@muster.example" alt="QR">',
        "attachments": attachments,
    }
    data.update(changes)
    return cc.EmailMessage.model_validate(data)


def _parsed(message: cc.EmailMessage) -> Parsed:
    parsed = email.message_from_bytes(message.to_mime().as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, Parsed)
    return parsed


def _tree(part: Parsed) -> object:
    """The MIME structure as nested (content type, children) tuples."""
    if part.is_multipart():
        return (part.get_content_type(), [_tree(p) for p in part.iter_parts()])  # type: ignore[arg-type]
    return part.get_content_type()


@pytest.mark.parametrize(
    "content_id", ["qr@muster.example", "logo", "payment-qr-0a1b@creditcomms", "a.b+c@d_e"]
)
def test_good_content_ids(content_id: str) -> None:
    """RFC 2392 ids and plain tokens are accepted as they are."""
    assert _image(content_id).content_id == content_id
    assert _image(content_id).cid_url == f"cid:{content_id}"


@pytest.mark.parametrize(
    "content_id",
    ["<qr@muster.example>", "qr @muster.example", "qr\n@x", "a@b@c", "@x", "x@", "", "a" * 251],
)
def test_bad_content_id_names_the_field_and_the_fix(content_id: str) -> None:
    """Angle brackets, whitespace, a second '@' or an empty side are refused with the fix."""
    with pytest.raises(cc.ValidationError) as caught:
        _image(content_id)
    (problem,) = caught.value.problems
    assert problem.field == "content_id"
    assert "RFC 2392" in problem.message
    assert "angle brackets" in problem.message


def test_inline_needs_a_content_id() -> None:
    """An inline attachment without a content id cannot be shown; the error says what to set."""
    with pytest.raises(cc.ValidationError) as caught:
        cc.Attachment(filename="qr.png", content_type="image/png", data=PNG, inline=True)
    (problem,) = caught.value.problems
    assert problem.field == "content_id"
    assert "inline=False" in problem.message


def test_email_refuses_duplicate_ids_and_inline_without_html() -> None:
    """Each content id names one file, and inline images need an HTML part to sit in."""
    with pytest.raises(cc.ValidationError, match="share a content_id") as caught:
        _email(_image(), _image(filename="other.png"))
    assert caught.value.problems[0].field == "attachments"
    with pytest.raises(cc.ValidationError, match="set html") as caught:
        _email(_image(), html=None)
    assert caught.value.problems[0].field == "attachments"


def test_inline_image_makes_related_inside_alternative() -> None:
    """multipart/alternative(text/plain, multipart/related(text/html, image/png))."""
    parsed = _parsed(_email(_image()))
    assert _tree(parsed) == (
        "multipart/alternative",
        ["text/plain", ("multipart/related", ["text/html", "image/png"])],
    )
    related = parsed.get_payload()[1]  # type: ignore[index]
    assert related.get_param("type") == "text/html"
    html, image = related.iter_parts()
    assert 'src="cid:qr@muster.example"' in html.get_content()
    assert image["Content-ID"] == "<qr@muster.example>"
    assert image.get_content_disposition() == "inline"
    assert image.get_filename() == "qr.png"
    assert image.get_content() == PNG
    assert parsed.get_body(("html",)) is not None
    assert "123,45" in parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_inline_image_and_pdf_make_mixed() -> None:
    """A regular attachment wraps the alternative part in multipart/mixed, after it."""
    pdf = cc.Attachment(filename="Mahnung.pdf", data=b"%PDF-1.7 test")
    parsed = _parsed(_email(pdf, _image()))
    assert _tree(parsed) == (
        "multipart/mixed",
        [
            ("multipart/alternative", [
                "text/plain", ("multipart/related", ["text/html", "image/png"]),
            ]),
            "application/pdf",
        ],
    )  # fmt: skip
    (download,) = parsed.iter_attachments()
    assert download.get_filename() == "Mahnung.pdf"
    assert download.get_content_disposition() == "attachment"


def test_regular_attachment_keeps_its_content_id() -> None:
    """A download with a content id carries the Content-ID header too, outside related."""
    report = cc.Attachment(filename="r.pdf", data=b"%PDF", content_id="report@muster.example")
    parsed = _parsed(_email(report, html="<p>x</p>"))
    assert _tree(parsed) == ("multipart/mixed", [
        ("multipart/alternative", ["text/plain", "text/html"]), "application/pdf",
    ])  # fmt: skip
    (download,) = parsed.iter_attachments()
    assert download["Content-ID"] == "<report@muster.example>"


def test_html_with_data_uris_for_previews() -> None:
    """Offline HTML gets the image as a data: URI; the email itself keeps the cid: URL."""
    message = _email(_image())
    shown = message.html_with_data_uris()
    assert shown is not None
    assert "cid:" not in shown
    assert _image().data_uri in shown
    assert message.html is not None
    assert "cid:qr@muster.example" in message.html
    assert _email(html=None).html_with_data_uris() is None


def test_embed_leaves_unknown_and_longer_ids_alone() -> None:
    """Only exact content ids are swapped; a prefix of another id is not mistaken for it."""
    html = "<img src='cid:qr@muster.example.org'><img src=CID:qr@muster.example>"
    shown = embed_inline_images(html, [_image()])
    assert "cid:qr@muster.example.org" in shown
    assert "CID:qr@muster.example>" not in shown
    assert shown.endswith(f"src={_image().data_uri}>")
    assert embed_inline_images("<p>no images</p>", [_image()]) == "<p>no images</p>"


def test_notebook_preview_shows_the_image() -> None:
    """The sandboxed preview frame holds the image as a data: URI, not an unresolvable cid:."""
    preview = _email(_image())._repr_html_()
    assert "cid:qr@muster.example" not in preview
    assert _image().data_uri in preview


def test_json_round_trip_keeps_the_image() -> None:
    """Binary image data survives JSON (base64) and comes back as the same message."""
    message = _email(_image())
    dumped = message.model_dump_json()
    assert _image().data_uri.split(",", 1)[1] in dumped
    back = TypeAdapter(cc.AnyMessage).validate_json(dumped)
    assert back == message


def test_inline_image_equals_the_validated_attachment() -> None:
    """The builders' fast constructor gives the validated object, and refuses the same ids."""
    fast = inline_image(PNG, "qr@muster.example", filename="qr.png", content_type="image/png")
    assert fast == _image()
    assert fast.model_fields_set == _image().model_fields_set
    assert fast.model_dump_json() == _image().model_dump_json()
    with pytest.raises(cc.ValidationError) as caught:
        inline_image(PNG, "<qr@x>", filename="qr.png", content_type="image/png")
    assert caught.value.problems[0].field == "content_id"
