"""PNG images of QR symbols: 1-bit greyscale, each module ``scale`` pixels square.

The scanlines: the first pixel row of each module row is stored as is (PNG filter 0) and
the ``scale - 1`` copies below it with filter 2 ("Up"), which are all zero bytes. When
``scale`` is a multiple of 4 a module is a whole number of hex digits (``f`` white, ``0``
black), so the rows come from one ``translate``, one ``struct`` unpack, one join and one
``unhexlify``.

The compressed data: such an image has only four byte values in its first rows (``00``,
``0f``, ``f0``, ``ff``) and the same few bytes between them (the copies), so it is written
as one deflate block with a Huffman code of its own: eight 3-bit codes (those four bytes, the
"Up" filter byte, end of block, and the two copies: "the rest of this row is zeros" and "the
same rows again"). Every byte of a first row is then one octal digit; one ``translate``
turns the rows (and marker bytes standing for the copies between them) into digits, and
``int(digits, 8)`` packs the bits. The result is a standard zlib stream that any decoder
reads, a few per cent larger than what zlib's fastest level makes of unfiltered rows, without a
compressor running. Other scales, or images too wide for the code, are compressed by zlib.
"""

from __future__ import annotations

import binascii
import functools
import struct
import zlib
from dataclasses import dataclass

from ._deflate import Stream, copy_encoding, dynamic_header, pack_bits

__all__ = ["png"]

_PNG_LEVEL = 1
"""zlib level when zlib compresses: the fastest; a QR image is a few hundred bytes at any level."""
_HEX_PIXELS = bytes.maketrans(b"\x00\x01", b"f0")  # light module -> 4 white pixel bits
_PIXEL_BITS: dict[int, str] = {0: "1", 1: "0"}  # dark module -> black pixel bit
_MARK = 0x10
"""Marker bytes ``0x10`` to ``0x17`` stand for the octal digits 0 to 7 between the rows."""


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
    """Hex digits before the first module row: the top margin, the filter byte, the edge."""
    separator: bytes
    """Hex digits between two module rows: edge, padding, copies, filter byte, edge."""
    tail: bytes
    """Hex digits after the last module row: edge, padding, copies, the bottom margin."""
    code: _Code | None
    """The deflate encoding of this shape's images, when it has one."""


@dataclass(frozen=True, slots=True)
class _Code:
    """A deflate block made for one shape: constant bits around octal digits per byte."""

    head: int
    """Block header and top margin, as an integer (first bit lowest)."""
    head_bits: int
    tail: int
    """Copies after the last row, bottom margin, end of block."""
    tail_bits: int
    digits: bytes
    """``translate`` table: row bytes and marker bytes -> octal digits (ASCII)."""
    first: bytes
    """Hex digits before the first module row: its filter byte and the edge."""
    separator: bytes
    """Hex digits between module rows: edge, padding, marker bytes for the copies, filter, edge."""
    last: bytes
    """Hex digits after the last module row: edge and padding."""
    adler: _Adler
    """How to get the scanlines' Adler-32 from the marked rows."""


_BASE = 65521
"""Adler-32's modulus."""


@dataclass(frozen=True, slots=True)
class _Adler:
    """The Adler-32 of an image's scanlines from two checksums of its module rows.

    Adler-32 is ``a = 1 + sum(d)`` and ``b = N + sum((N - i) * d[i])`` (mod 65521) over bytes
    ``d[i]``. The scanlines are the first pixel rows with constant bytes (copies, margins)
    between and around them, so their checksum is the rows' own, moved: by the constant
    part, and by ``sum(r * S_r)`` (``S_r``: the sum of row ``r``) times the length of the
    copies between two rows. The checksums of the rows with and without the marker bytes
    between them (two strides) give that sum, without building the scanlines.
    """

    markers: bytes
    """The marker byte values, deleted to get the rows alone."""
    rows: int
    """Length of the rows alone."""
    marked: int
    """Length of the rows with markers."""
    marked_sum: int
    """``sum((marked - i) * d[i])`` over the marker bytes."""
    per_marker: int
    """Inverse of the marker bytes per gap (mod 65521)."""
    length: int
    """Length of the scanlines."""
    offset: int
    """Bytes before the first module row (top margin)."""
    gap: int
    """Bytes of copies after each module row."""
    constant: tuple[int, int]
    """``sum(d)`` and ``sum((length - i) * d[i])`` over the constant bytes of the scanlines."""

    def checksum(self, marked: bytes) -> int:
        """The Adler-32 of the scanlines whose marked module rows are ``marked``."""
        rows = zlib.adler32(marked.translate(None, self.markers))
        b_marked = zlib.adler32(marked) >> 16
        total = (rows & 0xFFFF) - 1
        weighted = self.rows + self.rows * total - (rows >> 16)  # sum(i * d[i]) over the rows
        spread = (
            self.marked + self.marked * total - weighted + self.marked_sum - b_marked
        ) * self.per_marker  # sum(r * S_r)
        a = (1 + total + self.constant[0]) % _BASE
        b = (
            self.length
            + (self.length - self.offset) * total
            - weighted
            - self.gap * spread
            + self.constant[1]
        ) % _BASE
        return b << 16 | a


def _weighted(data: bytes) -> tuple[int, int]:
    """``sum(d)`` and ``sum((len - i) * d[i])``, mod 65521."""
    size = len(data)
    return sum(data) % _BASE, sum((size - i) * d for i, d in enumerate(data)) % _BASE


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
    white = white_row + margin.hex().encode() if border else b""
    between = repeat.hex().encode()
    return _Shape(
        repeat=repeat,
        margin=margin,
        rows=struct.Struct(f"{n * digits}s" * n),
        head=white + b"00" + edge,
        separator=edge + pad + between + b"00" + edge,
        tail=edge + pad + between + white,
        code=_code(
            n,
            row_bytes,
            scale,
            border,
            white=binascii.unhexlify(white_row),
            edge=edge,
            pad=pad,
        )
        if digits
        else None,
    )


def _code(
    n: int, row_bytes: int, scale: int, border: int, *, white: bytes, edge: bytes, pad: bytes
) -> _Code | None:
    """The deflate encoding of a shape, or None when its copies do not fit the 3-bit code."""
    encoding = copy_encoding(row_bytes, scale - 1)
    if encoding is None:
        return None
    stream = Stream(encoding)
    margin = white + (b"\x02" + bytes(row_bytes)) * (border * scale - 1) if border else b""
    head = dynamic_header(encoding)
    if border:
        head += stream.literals(white) + stream.copies(border * scale - 1)
    tail = stream.copies(scale - 1)
    if border:
        tail += stream.literals(white) + stream.copies(border * scale - 1)
    tail += stream.end()
    between = stream.copies(scale - 1)
    marks = bytes(_MARK + digit for digit in stream.digits(between))
    table = bytearray(range(256))
    for value in (0x00, 0x0F, 0xF0, 0xFF):
        table[value] = ord("0") + stream.digit(value)
    for digit in range(8):
        table[_MARK + digit] = ord("0") + digit
    return _Code(
        head=pack_bits(head),
        head_bits=len(head),
        tail=pack_bits(tail),
        tail_bits=len(tail),
        digits=bytes(table),
        first=b"00" + edge,
        separator=edge + pad + marks.hex().encode() + b"00" + edge,
        last=edge + pad,
        adler=_adler(n, row_bytes, scale, margin=margin, marks=marks),
    )


def _adler(n: int, row_bytes: int, scale: int, *, margin: bytes, marks: bytes) -> _Adler:
    row = bytes(row_bytes + 1)
    copies = (b"\x02" + bytes(row_bytes)) * (scale - 1)
    scanlines = margin + (row + copies) * n + margin
    marked = row + (marks + row) * (n - 1)
    return _Adler(
        markers=bytes(range(_MARK, _MARK + 8)),
        rows=n * len(row),
        marked=len(marked),
        marked_sum=_weighted(marked)[1],
        per_marker=pow(len(marks), -1, _BASE),
        length=len(scanlines),
        offset=len(margin),
        gap=len(copies),
        constant=_weighted(scanlines),
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


def _deflate(rows: tuple[bytes, ...], code: _Code) -> bytes:
    """The zlib stream of the scanlines whose module rows (hex digits) are ``rows``."""
    marked = binascii.unhexlify(b"".join((code.first, code.separator.join(rows), code.last)))
    body = int(marked.translate(code.digits)[::-1], 8)
    shift = code.head_bits + 3 * len(marked)
    value = code.head | body << code.head_bits | code.tail << shift
    data = value.to_bytes((shift + code.tail_bits + 7) // 8, "little")
    return b"".join((b"\x78\x01", data, code.adler.checksum(marked).to_bytes(4, "big")))


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
        idat = zlib.compress(lines, _PNG_LEVEL)
    elif shape.code is not None:
        idat = _deflate(_hex_rows(modules, shape, scale), shape.code)
    else:
        rows = _hex_rows(modules, shape, scale)
        lines = binascii.unhexlify(b"".join((shape.head, shape.separator.join(rows), shape.tail)))
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
