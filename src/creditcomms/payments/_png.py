"""PNG images of QR symbols: 1-bit greyscale, each module ``scale`` pixels square.

The scanlines: the first pixel row of each module row is stored as is (PNG filter 0) and
the ``scale - 1`` copies below it with filter 2 ("Up"), which are all zero bytes, so zlib's
fastest level has little to do. When ``scale`` is a multiple of 4 a module is a whole number
of hex digits (``f`` white, ``0`` black), so the first pixel rows come from one
``translate``, one ``struct`` unpack, one join and one ``unhexlify``; the copies and the
quiet zone, the same bytes in every image of a size, are joined in as bytes.
"""

from __future__ import annotations

import binascii
import functools
import struct
import zlib
from dataclasses import dataclass

__all__ = ["png"]

_PNG_LEVEL = 1
"""zlib level: the fastest; a QR image is a few hundred bytes at any level."""
_HEX_PIXELS = bytes.maketrans(b"\x00\x01", b"f0")  # light module -> 4 white pixel bits
_PIXEL_BITS: dict[int, str] = {0: "1", 1: "0"}  # dark module -> black pixel bit


@dataclass(frozen=True, slots=True)
class _Shape:
    """What the images of one symbol size, scale and border share."""

    repeat: bytes
    """The ``scale - 1`` copies of a pixel row: filter 2 (Up), so all zero bytes."""
    margin: bytes
    """The quiet zone below the first white row of a margin: copies of that row."""
    rows: struct.Struct
    """Splits the hex digits of the modules into rows (hex path)."""
    head: bytes
    """Hex digits before the first module row: the filter byte, the edge."""
    separator: bytes
    """Hex digits between two module rows: edge, padding, filter byte, edge."""
    tail: bytes
    """Hex digits after the last module row: edge, padding."""
    lines: struct.Struct
    """Splits the first pixel rows (filter byte and pixels) apart (hex path)."""
    white: bytes
    """The top and bottom quiet zone: one white row (filter 0) and its copies."""


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
    white_row = b"00" + b"f" * (pixels // 4) + pad
    white = binascii.unhexlify(white_row) + margin if border else b""
    return _Shape(
        repeat=repeat,
        margin=margin,
        rows=struct.Struct(f"{n * digits}s" * n),
        head=b"00" + edge,
        separator=edge + pad + b"00" + edge,
        tail=edge + pad,
        lines=struct.Struct(f"{1 + row_bytes}s" * n),
        white=white,
    )


@functools.cache
def _hex_modules(digits: int) -> dict[int, str]:
    """Light and dark module as ``digits`` hex digits each, for ``str.translate``."""
    return {0: "f" * digits, 1: "0" * digits}


def _hex_rows(modules: bytes, shape: _Shape, scale: int) -> tuple[bytes, ...]:
    if scale == 4:
        hexed = modules.translate(_HEX_PIXELS)
    else:
        hexed = modules.decode("latin-1").translate(_hex_modules(scale // 4)).encode()
    return shape.rows.unpack(hexed)


def png(modules: bytes, n: int, *, scale: int, border: int) -> bytes:
    """A PNG of the ``n`` x ``n`` modules (one byte each, 1 dark), with a quiet zone."""
    shape = _shape(n, scale, border)
    side = (n + 2 * border) * scale
    if scale % 4:
        white = [b"\x00" + _pack("1" * side) + shape.margin] if border else []
        edge, pixels = "1" * (border * scale), _scaled_pixels(scale)
        parts = [
            b"\x00" + _pack(edge + modules[i : i + n].decode("latin-1").translate(pixels) + edge)
            for i in range(0, n * n, n)
        ]
        lines = b"".join([*white, shape.repeat.join(parts), shape.repeat, *white])
    else:
        rows = _hex_rows(modules, shape, scale)
        first = binascii.unhexlify(b"".join((shape.head, shape.separator.join(rows), shape.tail)))
        copies = shape.repeat.join(shape.lines.unpack(first))
        lines = b"".join((shape.white, copies, shape.repeat, shape.white))
    idat = zlib.compress(lines, _PNG_LEVEL)
    return b"".join((_png_head(side), _chunk(b"IDAT", idat), _PNG_END))


@functools.cache
def _scaled_pixels(scale: int) -> dict[int, str]:
    """``_PIXEL_BITS`` with each module widened to ``scale`` pixels, for one ``translate``."""
    return {key: value * scale for key, value in _PIXEL_BITS.items()}


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
