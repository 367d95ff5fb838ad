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
        """Return a 1-bit greyscale PNG, ``scale`` pixels per module.

        The first pixel row of each module row is stored as is (PNG filter 0) and the
        ``scale - 1`` copies below it with filter 2 ("Up": zero bytes), which makes the
        image smaller and quicker to compress than repeated rows.
        """
        n = self.matrix.size
        side = (n + 2 * border) * scale
        if scale % 4 == 0:
            lines = _hex_scanlines(self.matrix, scale, border)
        else:
            shape = _shape(n, scale, border)
            white = [b"\x00" + _pack("1" * side) + shape.margin] if border else []
            edge, pixels = "1" * (border * scale), _scaled_pixels(scale)
            parts = [
                b"\x00" + _pack(edge + row.decode("latin-1").translate(pixels) + edge)
                for row in self.matrix.rows()
            ]
            lines = b"".join([*white, shape.repeat.join(parts), shape.repeat, *white])
        return b"".join(
            (_png_head(side), _chunk(b"IDAT", zlib.compress(lines, _PNG_LEVEL)), _PNG_END)
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


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the scanlines of one symbol size, scale and border share."""

    repeat: bytes
    """The ``scale - 1`` copies of a pixel row: filter 2 (Up), so all zero bytes."""
    margin: bytes
    """The quiet zone below the first white row of a margin: copies of that row."""
    rows: struct.Struct
    """Splits the hex digits of the modules into rows (hex path)."""
    head: bytes
    """Hex digits before the first module row: the top margin, the filter byte, the edge."""
    separator: bytes
    """Hex digits between two module rows: edge, padding, copies, filter byte, edge."""
    tail: bytes
    """Hex digits after the last module row: edge, padding, copies, the bottom margin."""


@functools.cache
def _shape(n: int, scale: int, border: int) -> _Shape:
    pixels = (n + 2 * border) * scale
    row_bytes = -(-pixels // 8)
    copy = b"\x02" + bytes(row_bytes)
    repeat = copy * (scale - 1)
    margin = copy * (border * scale - 1) if border else b""
    digits = scale // 4  # hex digits per module, when scale is a multiple of 4
    edge = b"f" * (border * digits)
    pad = b"0" * (2 * row_bytes - pixels // 4)
    white = (b"00" + b"f" * (pixels // 4) + pad + margin.hex().encode()) if border else b""
    between = repeat.hex().encode()
    return _Shape(
        repeat=repeat,
        margin=margin,
        rows=struct.Struct(f"{n * digits}s" * n),
        head=white + b"00" + edge,
        separator=edge + pad + between + b"00" + edge,
        tail=edge + pad + between + white,
    )


_HEX_PIXELS = bytes.maketrans(b"\x00\x01", b"f0")  # light module -> 4 white pixel bits


@functools.cache
def _hex_modules(digits: int) -> dict[int, str]:
    """Light and dark module as ``digits`` hex digits each, for ``str.translate``."""
    return {0: "f" * digits, 1: "0" * digits}


def _hex_scanlines(matrix: Matrix, scale: int, border: int) -> bytes:
    """The PNG scanlines when each module is a whole number of hex digits (``scale % 4 == 0``).

    A module is ``scale // 4`` hex digits of ``f`` (white) or ``0`` (black). One ``translate``
    turns the modules into hex digits, one ``struct`` unpack cuts them into rows, and one
    join puts the edges, the filter bytes, the copies of each row (the same bytes for every
    row, filter 2) and the margins in between, for a single ``unhexlify``.
    """
    shape = _shape(matrix.size, scale, border)
    if scale == 4:
        hexed = matrix.modules.translate(_HEX_PIXELS)
    else:
        hexed = matrix.modules.decode("latin-1").translate(_hex_modules(scale // 4)).encode()
    body = shape.separator.join(shape.rows.unpack(hexed))
    return binascii.unhexlify(b"".join((shape.head, body, shape.tail)))


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
    crc = zlib.crc32(data, zlib.crc32(tag))
    return b"".join((len(data).to_bytes(4, "big"), tag, data, crc.to_bytes(4, "big")))


@functools.cache
def _png_head(side: int) -> bytes:
    """The PNG signature and header of a ``side`` x ``side`` 1-bit greyscale image."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)


_PNG_END = _chunk(b"IEND", b"")


def make_qr(payload: str, /, *, kind: QRKind | str = QRKind.LINK) -> PaymentQR:
    r"""Encode ``payload`` (UTF-8, byte mode, error correction M) in the smallest version.

    Examples:
        >>> make_qr("BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000").version
        3
    """
    return PaymentQR(QRKind(kind), payload, encode_matrix(payload.encode("utf-8")))
