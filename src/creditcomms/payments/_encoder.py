"""A fast QR encoder for byte-mode symbols, versions 1-13, error correction M, fixed mask.

EPC069-12 fixes error correction M and caps the symbol at version 13, so every EPC code fits
this narrow case. A general encoder spends most of its time evaluating all eight masks and
placing modules one by one; here everything that depends only on the version is computed
once (function patterns, block layout, Reed-Solomon tables, where each module comes from),
and a symbol is made with a handful of C-level operations:

* Reed-Solomon: the remainder is linear in the data, so each block's error correction is the
  XOR of one table entry per data codeword (per position, the remainder of every byte
  value); blocks seen recently (one creditor's payloads share their first blocks) are
  looked up instead.
* Interleaving: one strided slice assignment per block.
* Placement: the masked bit stream, written as binary digits, is cut into the symbol's
  columns by a few strided slices per column (a column pair's data bits alternate, so one
  column is every other bit); the slices run on through function patterns, so they break
  only where the data does. The rows are strided slices of the columns, and the function
  patterns are drawn over the result with two integer operations.

Any mask gives a standard-conforming symbol; the fixed mask only skips the optional penalty
evaluation. Larger payloads fall back to segno with its full mask evaluation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

import segno

from creditcomms.errors import QRCodeError

from ._reedsolomon import _rs_tables

__all__ = ["MAX_FAST_VERSION", "Matrix", "encode_matrix"]


MAX_FAST_VERSION = 13
_MASK = 2
"""The fixed mask pattern (``x % 3 == 0``): vertical stripes, cheap and decoder-friendly."""

# Error correction M, per version: (ecc codewords per block, ((blocks, data codewords), ...)).
_BLOCKS: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {
    1: (10, ((1, 16),)),
    2: (16, ((1, 28),)),
    3: (26, ((1, 44),)),
    4: (18, ((2, 32),)),
    5: (24, ((2, 43),)),
    6: (16, ((4, 27),)),
    7: (18, ((4, 31),)),
    8: (22, ((2, 38), (2, 39))),
    9: (22, ((3, 36), (2, 37))),
    10: (26, ((4, 43), (1, 44))),
    11: (30, ((1, 50), (4, 51))),
    12: (22, ((6, 36), (2, 37))),
    13: (22, ((8, 37), (1, 38))),
}
_ALIGNMENT: dict[int, tuple[int, ...]] = {
    1: (),
    2: (6, 18),
    3: (6, 22),
    4: (6, 26),
    5: (6, 30),
    6: (6, 34),
    7: (6, 22, 38),
    8: (6, 24, 42),
    9: (6, 26, 46),
    10: (6, 28, 50),
    11: (6, 30, 54),
    12: (6, 32, 58),
    13: (6, 34, 62),
}


@dataclass(frozen=True, slots=True)
class Matrix:
    """A QR symbol as rows of modules (``1`` dark, ``0`` light), without quiet zone."""

    version: int
    size: int
    modules: bytes
    """``size * size`` bytes, row by row."""

    def rows(self) -> list[bytes]:
        """The symbol's rows, top to bottom."""
        n = self.size
        return [self.modules[i : i + n] for i in range(0, n * n, n)]


def _capacity(version: int) -> int:
    """Data codewords of the version at error correction M."""
    return _CAPACITY[version]


_CAPACITY = {v: sum(count * size for count, size in groups) for v, (_, groups) in _BLOCKS.items()}


def _count_bits(version: int) -> int:
    return 8 if version < 10 else 16


@functools.cache
def _pick_version(length: int) -> int | None:
    for version in range(1, MAX_FAST_VERSION + 1):
        if (_capacity(version) * 8 - 4 - _count_bits(version)) // 8 >= length:
            return version
    return None


def _codewords(data: bytes, version: int) -> bytes:
    capacity = _CAPACITY[version]
    cc = _count_bits(version)
    bits = 4 + cc + 8 * len(data)
    value = ((0b0100 << cc | len(data)) << 8 * len(data)) | int.from_bytes(data, "big")
    terminator = min(4, capacity * 8 - bits)
    value <<= terminator
    bits += terminator
    pad = -bits % 8
    value <<= pad
    bits += pad
    body = value.to_bytes(bits // 8, "big") if bits else b""
    filler = b"\xec\x11" * capacity
    return body + filler[: capacity - len(body)]


class _Template:
    """Function patterns of one version, and where each data bit goes."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.size = size = 17 + 4 * version
        self.dark = bytearray(size * size)
        self.reserved = bytearray(size * size)
        self._finders()
        self._timing_and_alignment()
        self._format_and_version()
        self.order = self._placement_order()

    def set(self, x: int, y: int, dark: int) -> None:
        index = y * self.size + x
        self.dark[index] = dark
        self.reserved[index] = 1

    def _finders(self) -> None:
        n = self.size
        for cx, cy in ((3, 3), (n - 4, 3), (3, n - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < n and 0 <= y < n:
                        ring = max(abs(dx), abs(dy))
                        self.set(x, y, int(ring not in (2, 4)))

    def _timing_and_alignment(self) -> None:
        n = self.size
        for i in range(8, n - 8):
            self.set(6, i, int(i % 2 == 0))
            self.set(i, 6, int(i % 2 == 0))
        centres = _ALIGNMENT[self.version]
        last = len(centres) - 1
        for i, cx in enumerate(centres):
            for j, cy in enumerate(centres):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.set(cx + dx, cy + dy, int(max(abs(dx), abs(dy)) != 1))

    def _format_and_version(self) -> None:
        n = self.size
        data = 0b00 << 3 | _MASK  # error correction M is 00
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        bits = (data << 10 | rem) ^ 0x5412
        bit = [(bits >> i) & 1 for i in range(15)]
        for i in range(6):
            self.set(8, i, bit[i])
        self.set(8, 7, bit[6])
        self.set(8, 8, bit[7])
        self.set(7, 8, bit[8])
        for i in range(9, 15):
            self.set(14 - i, 8, bit[i])
        for i in range(8):
            self.set(n - 1 - i, 8, bit[i])
        for i in range(8, 15):
            self.set(8, n - 15 + i, bit[i])
        self.set(8, n - 8, 1)
        if self.version >= 7:
            rem = self.version
            for _ in range(12):
                rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
            vbits = self.version << 12 | rem
            for i in range(18):
                a, b = n - 11 + i % 3, i // 3
                self.set(a, b, (vbits >> i) & 1)
                self.set(b, a, (vbits >> i) & 1)

    def _placement_order(self) -> list[int]:
        n = self.size
        order: list[int] = []
        right = n - 1
        while right >= 1:
            if right == 6:
                right = 5
            upward = (right + 1) & 2 == 0
            for vert in range(n):
                y = n - 1 - vert if upward else vert
                cells = (y * n + right, y * n + right - 1)
                order.extend(c for c in cells if not self.reserved[c])
            right -= 2
        return order


def _runs(indices: list[int | None], bound: int) -> tuple[slice, ...]:
    """Cover ``indices`` in order with few slices of arithmetic progressions.

    ``None`` is a module whose value does not matter (a function pattern, drawn over the
    result later): a run goes on through it with any index below ``bound``, so the runs
    break only where the data does.
    """
    runs: list[slice] = []
    i, end = 0, len(indices)
    while i < end:
        start = indices[i]
        if start is None:  # nothing to continue from: any bytes will do
            j = i
            while j < end and indices[j] is None:
                j += 1
            runs.append(slice(0, j - i))
            i = j
            continue
        nxt = i + 1
        while nxt < end and indices[nxt] is None:
            nxt += 1
        following = indices[nxt] if nxt < end else None
        step = 1
        if following is not None:
            gap, rest = divmod(following - start, nxt - i)
            step = gap if gap and not rest else 1
        j = i + 1
        while j < end and 0 <= start + step * (j - i) < bound:
            if indices[j] is not None and indices[j] != start + step * (j - i):
                break
            j += 1
        stop = start + step * (j - i)
        runs.append(slice(start, stop if stop >= 0 else None, step))
        i = j
    return tuple(runs)


@dataclass(frozen=True, slots=True)
class _Block:
    """One Reed-Solomon block: its data codewords and where they go in the stream."""

    data: slice
    """The block in the data codewords."""
    tables: tuple[tuple[int, ...], ...]
    """Per data codeword, the error correction (an integer) of each byte value."""
    head: slice
    """Stream positions of the first ``short`` codewords (``short``: the shortest block)."""
    tail: int | None
    """Stream position of the last codeword of a longer block, else None."""
    ecc: slice
    """Stream positions of the error correction codewords."""


@dataclass(frozen=True, slots=True)
class _Layout:
    """Everything about one version that does not depend on the data."""

    size: int
    degree: int
    blocks: tuple[_Block, ...]
    length: int
    """Codewords in the stream: data and error correction."""
    key: bytes
    """The degree as one byte, to key remembered blocks."""
    shift: int
    """Remainder bits after the codeword stream."""
    mask: int
    """The mask bits in placement order, as one integer (first module = highest bit)."""
    bits: str
    """``format`` spec writing the stream as one binary digit per data module."""
    columns: tuple[slice, ...]
    """Slices of the data bits that give the symbol column by column."""
    take_columns: Callable[[bytes], tuple[bytes, ...]]
    """All ``columns`` slices in one call (an ``itemgetter``)."""
    take_rows: Callable[[bytes], tuple[bytes, ...]]
    """The rows out of the columns: one strided slice each (an ``itemgetter``)."""
    keep: int
    """``0x01`` per data module, row by row: ``ASCII digit & keep`` is the module."""
    patterns: int
    """The function patterns, row by row, one byte per module (data modules 0)."""


def _blocks(version: int) -> tuple[_Block, ...]:
    """The blocks of a version; data codewords and then error correction are interleaved."""
    degree, groups = _BLOCKS[version]
    spans = [size for count, size in groups for _ in range(count)]
    k, short, capacity = len(spans), min(spans), sum(spans)
    blocks, start, longer = [], 0, 0
    for i, size in enumerate(spans):
        tail = None
        if size > short:
            tail, longer = k * short + longer, longer + 1
        blocks.append(
            _Block(
                data=slice(start, start + size),
                tables=_rs_tables(degree, size),
                head=slice(i, k * short, k),
                tail=tail,
                ecc=slice(capacity + i, None, k),
            )
        )
        start += size
    return tuple(blocks)


@functools.cache
def _layout(version: int) -> _Layout:
    tpl = _Template(version)
    n = tpl.size
    degree, _ = _BLOCKS[version]
    blocks = _blocks(version)
    length = _CAPACITY[version] + len(blocks) * degree
    count = len(tpl.order)
    mask = 0
    for index in tpl.order:
        mask = mask << 1 | int((index % n) % 3 == 0)
    slot = {flat: i for i, flat in enumerate(tpl.order)}
    by_column = [y * n + x for x in range(n) for y in range(n)]
    columns = _runs([slot.get(flat) for flat in by_column], count)
    return _Layout(
        size=n,
        degree=degree,
        blocks=blocks,
        length=length,
        key=bytes((degree,)),
        shift=count - 8 * length,
        mask=mask,
        bits=f"0{count}b",
        columns=columns,
        take_columns=itemgetter(*columns),
        take_rows=itemgetter(*(slice(y, None, n) for y in range(n))),
        keep=int.from_bytes(bytes(int(flat in slot) for flat in range(n * n)), "big"),
        patterns=int.from_bytes(
            bytes(0 if i in slot else d for i, d in enumerate(tpl.dark)), "big"
        ),
    )


_RECENT_LIMIT = 4096
_recent: dict[bytes, bytes] = {}
"""Error correction of recently seen blocks (with the degree as last byte of the key).

Payment codes of one creditor share their first codewords (name, IBAN, BIC), so whole
blocks repeat from one payload to the next even though no two payloads are equal.
"""


def _stream(words: bytes, lay: _Layout) -> bytearray:
    """Data codewords and their error correction, interleaved block by block."""
    stream = bytearray(lay.length)
    degree = lay.degree
    for block in lay.blocks:
        data = words[block.data]
        if block.tail is None:
            stream[block.head] = data
        else:
            stream[block.head] = data[:-1]
            stream[block.tail] = data[-1]
        key = data + lay.key
        ecc = _recent.get(key)
        if ecc is None:
            value = 0
            for table, byte in zip(block.tables, data, strict=True):
                value ^= table[byte]
            ecc = value.to_bytes(degree, "big")
            if len(_recent) >= _RECENT_LIMIT:
                _recent.clear()
            _recent[key] = ecc
        stream[block.ecc] = ecc
    return stream


def _fast(data: bytes, version: int) -> Matrix:
    lay = _layout(version)
    stream = _stream(_codewords(data, version), lay)
    value = (int.from_bytes(stream, "big") << lay.shift) ^ lay.mask
    bits = format(value, lay.bits).encode("ascii")
    digits = int.from_bytes(b"".join(lay.take_rows(b"".join(lay.take_columns(bits)))), "big")
    modules = (digits & lay.keep | lay.patterns).to_bytes(lay.size * lay.size, "big")
    return Matrix(version, lay.size, modules)


def _general(data: bytes) -> Matrix:
    try:
        qr = segno.make_qr(data, error="m", boost_error=False)
    except segno.DataOverflowError:
        raise QRCodeError(
            f"{len(data)} bytes do not fit in any QR code at error correction M"
        ) from None
    return Matrix(int(qr.version), len(qr.matrix), b"".join(bytes(row) for row in qr.matrix))


@functools.lru_cache(maxsize=2048)
def encode_matrix(data: bytes, /) -> Matrix:
    """Encode ``data`` in byte mode at error correction M in the smallest version.

    Versions 1 to 13 use the fast path; anything larger is encoded by segno.
    """
    version = _pick_version(len(data))
    if version is None:
        return _general(data)
    return _fast(data, version)
