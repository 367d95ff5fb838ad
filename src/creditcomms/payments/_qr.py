"""A QR symbol with its payload, and its outputs: SVG, PNG and data URIs."""

from __future__ import annotations

import base64
import enum
import functools
import re
from dataclasses import dataclass
from typing import Literal

from ._encoder import Matrix, encode_matrix
from ._png import png

__all__ = ["PaymentQR", "QRKind", "make_qr"]

_ASCII_BITS = bytes.maketrans(b"\x00\x01", b"01")


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
        """Return a 1-bit greyscale PNG, ``scale`` pixels per module.

        The first pixel row of each module row is stored as is (PNG filter 0) and the
        ``scale - 1`` copies below it with filter 2 ("Up": zero bytes).
        """
        return png(self.matrix.modules, self.matrix.size, scale=scale, border=border)

    def data_uri(self, *, kind: Literal["png", "svg"] = "png", scale: int = 4) -> str:
        """Return a ``data:`` URI for an ``<img src>`` (PNG by default: mail clients show it)."""
        if kind == "svg":
            encoded = base64.b64encode(self.svg().encode("utf-8")).decode("ascii")
            return f"data:image/svg+xml;base64,{encoded}"
        encoded = base64.b64encode(self.png(scale=scale)).decode("ascii")
        return f"data:image/png;base64,{encoded}"


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


def make_qr(payload: str, /, *, kind: QRKind | str = QRKind.LINK) -> PaymentQR:
    r"""Encode ``payload`` (UTF-8, byte mode, error correction M) in the smallest version.

    Examples:
        >>> make_qr("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000").version
        3
    """
    return PaymentQR(QRKind(kind), payload, encode_matrix(payload.encode("utf-8")))
