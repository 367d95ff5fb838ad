"""An independent QR decoder for tests: zxing-cpp reads the codes in a PNG."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image


def decode_png(png: bytes) -> list[bytes]:
    """Decode every QR code in a PNG with zxing-cpp; return the raw bytes of each."""
    image = Image.open(io.BytesIO(png))
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [bytes(code.bytes) for code in found]
