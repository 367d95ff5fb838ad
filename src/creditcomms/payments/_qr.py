"""A QR symbol with its payload, and its outputs: SVG, PNG and data URIs."""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Literal

from ._encoder import Matrix, encode_matrix

__all__ = ["PaymentQR", "QRKind", "make_qr"]

_ASCII_BITS = bytes.maketrans(b"\x00\x01", b"01")
_PNG_LEVEL = 1
"""zlib level of the PNG data: the fastest; a 1-bit QR image is a few hundred bytes at any level."""
_PIXEL_ROW: dict[int, str] = {0: "1", 1: "0"}  # dark module -> black pixel bit


class QRKind(enum.StrEnum):
    """Which standard a payment QR code follows."""

    EPC = "epc"
    """EPC069-12 SEPA credit transfer ("GiroCode", "Zahlen mit Code")."""
    SWISS = "swiss"
    """Swiss QR-bill (Swiss Payments Code ``SPC``)."""
    LINK = "link"
    """A plain QR code of the pay link, for creditors outside SEPA."""


@dataclass(frozen=True, slots=True)
class PaymentQR:
    """An encoded QR code: what it says (``payload``) and how to draw it.

    Examples:
        >>> qr = make_qr("https://pay.example/abc", kind=QRKind.LINK)
        >>> qr.version, qr.svg().startswith("<svg")
        (2, True)
    """

    kind: QRKind
    payload: str
    """The exact text the code carries (a decoder returns it byte for byte, UTF-8)."""
    matrix: Matrix

    @property
    def version(self) -> int:
        """The QR symbol version (1 to 40; EPC codes stay within 13)."""
        return self.matrix.version

    def svg(self, *, border: int = 4, size: str | None = None, title: str | None = None) -> str:
        """Return a standalone SVG drawing, one path of dark squares over a white square.

        Args:
            border: The quiet zone in modules (the standard asks for 4).
            size: A CSS length for width and height (``"40mm"``); default: one unit per module.
            title: An accessible title (``"EPC QR code for 123.45 EUR"``).
        """
        width = self.matrix.size + 2 * border
        chunks = _chunk_paths()
        parts: list[str] = []
        for y, row in enumerate(self.matrix.rows(), start=border):
            bits = row.translate(_ASCII_BITS)
            bits += b"0" * (-len(bits) % 8)
            packed = int(bits, 2).to_bytes(len(bits) // 8, "big")
            parts.append(f"M{border} {y}")
            parts.extend(chunks[byte] for byte in packed)
        dims = f' width="{size}" height="{size}"' if size else ""
        label = f"<title>{_xml(title)}</title>" if title else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}"{dims}'
            f' shape-rendering="crispEdges">{label}'
            f'<rect width="{width}" height="{width}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(parts)}"/>'
            f"{_swiss_cross(border, self.matrix.size) if self.kind is QRKind.SWISS else ''}</svg>"
        )

    def png(self, *, scale: int = 4, border: int = 4) -> bytes:
        """Return a 1-bit greyscale PNG, ``scale`` pixels per module."""
        n = self.matrix.size
        side = (n + 2 * border) * scale
        if scale % 4 == 0:
            lines = [_hex_scanlines(self.matrix, scale, border)]
        else:
            blank = b"\x00" + _pack("1" * side)
            lines = [blank] * (border * scale)
            edge = "1" * (border * scale)
            for row in self.matrix.rows():
                pixels = row.decode("latin-1").translate(_scaled_pixels(scale))
                line = b"\x00" + _pack(edge + pixels + edge)
                lines.extend([line] * scale)
            lines.extend([blank] * (border * scale))
        header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(lines), _PNG_LEVEL))
            + _chunk(b"IEND", b"")
        )

    def data_uri(self, *, kind: Literal["png", "svg"] = "png", scale: int = 4) -> str:
        """Return a ``data:`` URI for an ``<img src>`` (PNG by default: mail clients show it)."""
        if kind == "svg":
            encoded = base64.b64encode(self.svg().encode("utf-8")).decode("ascii")
            return f"data:image/svg+xml;base64,{encoded}"
        encoded = base64.b64encode(self.png(scale=scale)).decode("ascii")
        return f"data:image/png;base64,{encoded}"


@functools.cache
def _scaled_pixels(scale: int) -> dict[int, str]:
    """``_PIXEL_ROW`` with each module widened to ``scale`` pixels, for one ``translate``."""
    return {key: value * scale for key, value in _PIXEL_ROW.items()}


_HEX_PIXELS = bytes.maketrans(b"\x00\x01", b"f0")  # light module -> 4 white pixel bits


def _hex_scanlines(matrix: Matrix, scale: int, border: int) -> bytes:
    """The PNG scanlines (filter byte 0 each) when each module is a whole number of hex digits.

    With ``scale`` a multiple of 4, a module is ``scale // 4`` hex digits of ``f`` (white) or
    ``0`` (black), so the image is one ``translate`` of the modules, a join of hex rows and
    one ``unhexlify``, instead of a bit string parsed as an integer per row. The bytes equal
    the general path's, padding bits included.
    """
    digits = scale // 4
    n = matrix.size
    width = (n + 2 * border) * digits
    pad = b"0" if width % 2 else b""
    edge = b"f" * (border * digits)
    blank = b"00" + b"f" * width + pad
    hexed = matrix.modules.translate(_HEX_PIXELS)
    if digits > 1:
        hexed = b"".join(bytes((c,)) * digits for c in hexed)
    step = n * digits
    rows = [
        (b"00" + edge + hexed[start : start + step] + edge + pad) * scale
        for start in range(0, len(hexed), step)
    ]
    margin = blank * (border * scale)
    return binascii.unhexlify(b"".join((margin, *rows, margin)))


@functools.cache
def _chunk_paths() -> tuple[str, ...]:
    """For each byte (8 modules, first = highest bit), a relative path drawing its dark runs.

    Each piece starts at the chunk's left edge and leaves the pen at its right edge; after a
    closed run ``z`` returns the pen to the run's start. Joining the pieces of a row draws it
    with one table look-up per 8 modules instead of one formatted string per run.
    """
    table: list[str] = []
    for value in range(256):
        pen, parts = 0, []
        for run in re.finditer("1+", format(value, "08b")):
            start, end = run.span()
            if start > pen:
                parts.append(f"m{start - pen} 0")
            parts.append(f"h{end - start}v1h-{end - start}z")
            pen = start
        parts.append(f"m{8 - pen} 0")
        table.append("".join(parts))
    return tuple(table)


def _swiss_cross(border: int, size: int) -> str:
    """The Swiss cross of a QR-bill: 7 mm of the 46 mm symbol, on a thin white margin."""
    centre = border + size / 2
    unit = size / 46  # one millimetre at the printed size

    def square(side: float, fill: str) -> str:
        corner = centre - side / 2
        return f'<rect x="{corner:.3f}" y="{corner:.3f}" width="{side:.3f}" height="{side:.3f}"' + (
            f' fill="{fill}"/>'
        )

    long, short = 3.9 * unit, 1.17 * unit
    bar = (
        f'<rect x="{centre - short / 2:.3f}" y="{centre - long / 2:.3f}" width="{short:.3f}"'
        f' height="{long:.3f}" fill="#fff"/>'
        f'<rect x="{centre - long / 2:.3f}" y="{centre - short / 2:.3f}" width="{long:.3f}"'
        f' height="{short:.3f}" fill="#fff"/>'
    )
    return square(8 * unit, "#fff") + square(7 * unit, "#000") + bar


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pack(bits: str) -> bytes:
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def _chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def make_qr(payload: str, /, *, kind: QRKind | str = QRKind.LINK) -> PaymentQR:
    r"""Encode ``payload`` (UTF-8, byte mode, error correction M) in the smallest version.

    Examples:
        >>> make_qr("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000").version
        3
    """
    return PaymentQR(QRKind(kind), payload, encode_matrix(payload.encode("utf-8")))
