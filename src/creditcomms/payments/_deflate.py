"""A tiny deflate (RFC 1951) writer for the constant parts of QR code PNGs.

It builds, once per image shape, a dynamic Huffman block whose literal/length code has eight
symbols of 3 bits each: the four pixel bytes of a 1-bit image with nibble-wide modules
(``00``, ``0f``, ``f0``, ``ff``), the "Up" filter byte ``02``, end of block, a match for the
zeros of a copied row (distance 1) and a match for several copied rows (distance: one row).
Everything here works on lists of bits in stream order and runs only when a shape is first
seen; ``_png`` packs the per-image part.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Encoding", "Stream", "copy_encoding", "dynamic_header", "pack_bits"]

_PIXELS = (0x00, 0x0F, 0xF0, 0xFF)
_UP = 0x02
_END = 256
_CL_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)


def _table(first: int, count: int, base: int, extras: list[int]) -> list[tuple[int, int, int]]:
    rows = []
    for i in range(count):
        rows.append((first + i, base, extras[i]))
        base += 1 << extras[i]
    return rows


_LENGTHS = _table(257, 28, 3, [0] * 8 + [e for e in range(1, 6) for _ in range(4)])
_DISTANCES = _table(0, 30, 1, [max(0, i // 2 - 1) for i in range(30)])


def _symbol(table: list[tuple[int, int, int]], value: int) -> tuple[int, int, int]:
    """(symbol, extra bit count, extra value) of a match length or distance."""
    if table is _LENGTHS and value == 258:
        return 285, 0, 0
    symbol, base, extra = max(row for row in table if row[1] <= value)
    return symbol, extra, value - base


def _canonical(lengths: dict[int, int]) -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes (RFC 1951, 3.2.2): symbol -> (code, length)."""
    count = [0] * 16
    for length in lengths.values():
        count[length] += 1
    code, following = 0, [0] * 16
    for bits in range(1, 16):
        code = (code + count[bits - 1]) << 1 if bits > 1 else 0
        following[bits] = code
    codes = {}
    for symbol in sorted(lengths):
        length = lengths[symbol]
        codes[symbol] = (following[length], length)
        following[length] += 1
    return codes


def _complete(used: set[int], size: int, pool: range) -> dict[int, int]:
    """``used`` plus the first unused symbols of ``pool``: ``size`` symbols of equal length."""
    symbols = set(used)
    for symbol in pool:
        if len(symbols) >= size:
            break
        symbols.add(symbol)
    length = size.bit_length() - 1
    return dict.fromkeys(sorted(symbols), length)


@dataclass(frozen=True, slots=True)
class Encoding:
    """The codes of one shape's block."""

    literals: dict[int, tuple[int, int]]
    distances: dict[int, tuple[int, int]]
    rest: tuple[tuple[int, int, int], tuple[int, int, int]]
    """Match for the zeros of a copied row: length (symbol, extras) and distance 1."""
    rows: tuple[tuple[int, int, int], tuple[int, int, int]] | None
    """Match for ``per_match`` whole copied rows at a distance of one row, if any."""
    per_match: int


def copy_encoding(row_bytes: int, copies: int) -> Encoding | None:
    """A code for rows of ``row_bytes`` followed by ``copies`` "Up" rows, with 3-bit digits.

    The bits of ``copies`` copied rows must be a whole number of octal digits: the number of
    rows one match copies and the length of the distance codes are chosen so that they are.
    """
    if not 4 <= row_bytes <= 259:
        return None
    rest = (_symbol(_LENGTHS, row_bytes - 1), _symbol(_DISTANCES, 1))
    for per_match in range(min(copies - 1, 258 // (row_bytes + 1)), -1, -1):
        rows = None
        if per_match:
            length = _symbol(_LENGTHS, per_match * (row_bytes + 1))
            rows = (length, _symbol(_DISTANCES, row_bytes + 1))
        used = {*_PIXELS, _UP, _END, rest[0][0]} | ({rows[0][0]} if rows else set())
        literals = _canonical(_complete(used, 8, range(286)))
        for length_bits in (1, 2, 3):
            far = {rows[1][0]} if rows else set()
            distances = _canonical(_complete({0} | far, 1 << length_bits, range(30)))
            encoding = Encoding(literals, distances, rest, rows, per_match)
            if len(Stream(encoding).copies(copies)) % 3 == 0:
                return encoding
    return None


class Stream:
    """Bits (in stream order) of literals, copied rows and end of block in one encoding."""

    def __init__(self, encoding: Encoding) -> None:
        self.encoding = encoding

    def _code(self, codes: dict[int, tuple[int, int]], symbol: int) -> list[int]:
        code, length = codes[symbol]
        return [(code >> (length - 1 - i)) & 1 for i in range(length)]

    def _match(self, match: tuple[tuple[int, int, int], tuple[int, int, int]]) -> list[int]:
        (length, length_extra, length_value), (distance, distance_extra, distance_value) = match
        return (
            self._code(self.encoding.literals, length)
            + _bits(length_value, length_extra)
            + self._code(self.encoding.distances, distance)
            + _bits(distance_value, distance_extra)
        )

    def literals(self, data: bytes) -> list[int]:
        """Each byte as a literal."""
        return [bit for byte in data for bit in self._code(self.encoding.literals, byte)]

    def copies(self, count: int) -> list[int]:
        """``count`` "Up" rows (filter byte 2, zeros) after any row."""
        if not count:
            return []
        one = self.literals(bytes((_UP, 0))) + self._match(self.encoding.rest)
        bits, left = list(one), count - 1
        if self.encoding.rows is not None:
            whole, left = divmod(left, self.encoding.per_match)
            bits += self._match(self.encoding.rows) * whole
        return bits + one * left

    def end(self) -> list[int]:
        """The end-of-block code."""
        return self._code(self.encoding.literals, _END)

    def digit(self, byte: int) -> int:
        """The octal digit of a literal's 3-bit code, first bit lowest."""
        return _digits(self._code(self.encoding.literals, byte))[0]

    def digits(self, bits: list[int]) -> list[int]:
        """Bits (a multiple of 3) as octal digits, first bit lowest in each."""
        return _digits(bits)


def _bits(value: int, count: int) -> list[int]:
    return [(value >> i) & 1 for i in range(count)]


def _digits(bits: list[int]) -> list[int]:
    return [bits[i] | bits[i + 1] << 1 | bits[i + 2] << 2 for i in range(0, len(bits), 3)]


def dynamic_header(encoding: Encoding) -> list[int]:
    """Final-block flag, type 2 and the two code tables, encoded with a code-length code."""
    lit_count = max(encoding.literals) + 1
    dist_count = max(encoding.distances) + 1
    lengths = [encoding.literals.get(s, (0, 0))[1] for s in range(lit_count)]
    lengths += [encoding.distances.get(s, (0, 0))[1] for s in range(dist_count)]
    symbols: list[tuple[int, int, int]] = []  # (code-length symbol, extra bits, extra value)
    i = 0
    while i < len(lengths):
        run = 1
        while i + run < len(lengths) and lengths[i + run] == 0 == lengths[i] and run < 138:
            run += 1
        if run >= 11:
            symbols.append((18, 7, run - 11))
        elif run >= 3:
            symbols.append((17, 3, run - 3))
        else:
            run = 1
            symbols.append((lengths[i], 0, 0))
        i += run
    used = {s for s, _, _ in symbols}
    size = 1 << max(1, (len(used) - 1).bit_length())
    cl_codes = _canonical(_complete(used, size, range(19)))
    cl_count = max(4, max(k for k, s in enumerate(_CL_ORDER) if s in cl_codes) + 1)
    bits = [1, 0, 1]  # final block; type 2 (dynamic), low bit first
    bits += _bits(lit_count - 257, 5) + _bits(dist_count - 1, 5) + _bits(cl_count - 4, 4)
    for symbol in _CL_ORDER[:cl_count]:
        bits += _bits(cl_codes.get(symbol, (0, 0))[1], 3)
    for symbol, extra, value in symbols:
        code, length = cl_codes[symbol]
        bits += [(code >> (length - 1 - k)) & 1 for k in range(length)] + _bits(value, extra)
    return bits


def pack_bits(bits: list[int]) -> int:
    """Bits in stream order as an integer, the first bit lowest."""
    return int("".join(map(str, reversed(bits))) or "0", 2)
