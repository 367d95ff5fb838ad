"""SMS encoding: GSM 03.38 / UCS-2 detection, exact segment counting, safe normalisation.

The two GSM tables are fixed by 3GPP TS 23.038. Extension characters take two septets and
are never split across segments; in UCS-2, characters outside the BMP (emoji) take two
UTF-16 units and are never split either.
"""

from __future__ import annotations

import enum
import functools
import unicodedata
from typing import NamedTuple

__all__ = ["SmsEncoding", "SmsInfo", "measure_sms", "normalize_sms_text"]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

# Characters that locale formatting and typography put into text and that have a GSM-7
# equivalent. Without this, one babel no-break space switches the whole SMS to UCS-2 and
# more than doubles its cost.
_REPLACEMENTS = str.maketrans(
    {
        "\u00a0": " ",  # no-break space (de_DE "12,50 €")
        "\u202f": " ",  # narrow no-break space (fr grouping)
        "\u2009": " ",  # thin space
        "\u2007": " ",  # figure space
        "\u2019": "'",  # right single quotation mark (de_CH grouping 1’234)
        "\u2018": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u2026": "...",
    }
)


class SmsEncoding(enum.StrEnum):
    """The alphabet an SMS is sent in."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


class SmsInfo(NamedTuple):
    """Encoding, segment count and length in units of one SMS text."""

    encoding: SmsEncoding
    segments: int
    units: int
    """Septets for GSM-7, UTF-16 code units for UCS-2."""


def normalize_sms_text(text: str, /) -> str:
    """Write ``text`` in GSM-7 where it can be, so the SMS costs what it should.

    Typographic characters (no-break spaces, curly quotes, dashes) become their GSM-7
    equals. Letters outside GSM-7 that have a GSM-7 base letter (``ş``, ``ł``, ``á``, ``ı``)
    are written with that letter, but only when that puts the whole text in GSM-7, where
    a segment holds 160 characters instead of 70: a text with other characters (Cyrillic,
    Greek, emoji) is sent in UCS-2 anyway and keeps every name as written.

    Examples:
        >>> normalize_sms_text("Guten Tag Ayşe Yılmaz, 12,50\u00a0€")
        'Guten Tag Ayse Yilmaz, 12,50 €'
        >>> normalize_sms_text("Здравствуйте, Ayşe")
        'Здравствуйте, Ayşe'
    """
    text = text.translate(_REPLACEMENTS)
    if _is_gsm(text):
        return text
    folded = [_gsm_spelling(char) for char in text]
    if any(part is None for part in folded):
        return text
    return "".join(part for part in folded if part is not None)


def _is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


# Letters that Unicode does not decompose into a base letter and a mark.
_FOLDS = {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "œ": "oe",
          "Œ": "OE", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ĸ": "k", "ſ": "s"}  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _gsm_spelling(char: str) -> str | None:
    """``char`` in GSM-7: itself, its base letter without marks, or None when it has none."""
    if char in GSM_BASIC or char in GSM_EXTENSION:
        return char
    if char in _FOLDS:
        return _FOLDS[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(c in GSM_BASIC for c in base) else None


@functools.lru_cache(maxsize=65536)
def measure_sms(text: str, /) -> SmsInfo:
    """Return the encoding and exact segment count of ``text`` as it would be sent.

    Examples:
        >>> measure_sms("€" * 80)
        SmsInfo(encoding=<SmsEncoding.GSM7: 'GSM-7'>, segments=1, units=160)
    """
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        units = [2 if c in GSM_EXTENSION else 1 for c in text]
        encoding, single, multi = SmsEncoding.GSM7, 160, 153
    else:
        units = [2 if ord(c) > 0xFFFF else 1 for c in text]
        encoding, single, multi = SmsEncoding.UCS2, 70, 67
    total = sum(units)
    if total <= single:
        return SmsInfo(encoding, 1 if text else 0, total)
    segments, current = 1, 0
    for unit in units:  # greedy; a two-unit character never straddles segments
        if current + unit > multi:
            segments, current = segments + 1, 0
        current += unit
    return SmsInfo(encoding, segments, total)
