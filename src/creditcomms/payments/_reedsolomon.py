"""Reed-Solomon error correction over GF(256) for QR codes (primitive polynomial 0x11D).

Two ways to the same remainder: ``_ecc`` divides one codeword at a time (a shift register
over big integers, the reference), and ``_rs_tables`` turns the division into table
look-ups: the remainder is linear over GF(2), so a block's error correction is the XOR of
one precomputed entry per codeword.
"""

from __future__ import annotations

import functools

__all__: list[str] = []


def _gf_tables() -> tuple[list[int], list[int]]:
    exp = [0] * 512
    log = [0] * 256
    value = 1
    for i in range(255):
        exp[i] = value
        log[value] = i
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


@functools.cache
def _rs_rows(degree: int) -> tuple[int, ...]:
    """For each lead factor, the generator polynomial times it, packed as one integer."""
    gen = [1]
    for i in range(degree):  # multiply by (x - a^i)
        nxt = [0] * (len(gen) + 1)
        for j, coef in enumerate(gen):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        gen = nxt
    tail = gen[1:]
    rows = [0]
    for factor in range(1, 256):
        lf = _LOG[factor]
        products = bytes(_EXP[lf + _LOG[g]] if g else 0 for g in tail)
        rows.append(int.from_bytes(products, "big"))
    return tuple(rows)


def _ecc(block: bytes, degree: int) -> bytes:
    rows = _rs_rows(degree)
    keep = (1 << (8 * degree)) - 1
    top = 8 * (degree - 1)
    rem = 0
    for byte in block:
        rem = ((rem << 8) & keep) ^ rows[byte ^ (rem >> top)]
    return rem.to_bytes(degree, "big")


@functools.cache
def _rs_tables(degree: int, length: int) -> tuple[tuple[int, ...], ...]:
    """Per position of a ``length``-codeword block, the remainder (an integer) of each byte.

    The remainder is linear over GF(2): a block's error correction is the XOR of the entries
    of its codewords. A byte at the last position leaves ``_rs_rows(degree)[byte]``; one
    position earlier, that remainder goes through one more (zero) step of the division.
    """
    rows = _rs_rows(degree)
    keep = (1 << (8 * degree)) - 1
    top = 8 * (degree - 1)
    tables = [rows]
    for _ in range(length - 1):
        tables.append(tuple([((rem << 8) & keep) ^ rows[rem >> top] for rem in tables[-1]]))
    return tuple(reversed(tables))
