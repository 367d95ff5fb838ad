"""An independent QR decoder for tests (zxing-cpp), and the inline images of a MIME email."""

from __future__ import annotations

import email
import email.policy
import io

import zxingcpp
from PIL import Image


def decode_png(png: bytes) -> list[bytes]:
    """Decode every QR code in a PNG with zxing-cpp; return the raw bytes of each."""
    image = Image.open(io.BytesIO(png))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [bytes(code.bytes) for code in found]


def related_images(raw: bytes) -> dict[str, bytes]:
    """The images inside ``multipart/related`` parts of a MIME message, by Content-ID.

    Only inline parts count, and the related part must hold the HTML it belongs to: that is
    what makes mail clients show ``<img src="cid:...">``.
    """
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    found: dict[str, bytes] = {}
    for part in parsed.walk():
        if part.get_content_type() != "multipart/related":
            continue
        children = list(part.iter_parts())
        assert children[0].get_content_type() == "text/html"
        for child in children[1:]:
            assert child.get_content_disposition() == "inline"
            content_id = str(child["Content-ID"])
            assert content_id.startswith("<")
            assert content_id.endswith(">")
            found[content_id[1:-1]] = child.get_content()
    return found
