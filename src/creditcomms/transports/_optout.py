"""Opt-out keywords in inbound replies (English, German, Dutch, French)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["OPT_OUT_KEYWORDS", "opt_out_keyword"]

OPT_OUT_KEYWORDS: frozenset[str] = frozenset(
    {
        # English (the CTIA / Twilio standard set)
        "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke",
        "opt out", "optout", "opt-out",
        # German
        "stopp", "abmelden", "abbestellen", "austragen", "beenden", "kundigen", "widerrufen",
        "abmeldung",
        # Dutch
        "afmelden", "uitschrijven", "stoppen", "opzeggen", "afmelding",
        # French
        "arret", "arreter", "desabonner", "desinscrire", "desinscription", "annuler", "fin",
        "stop sms",
    }
)  # fmt: skip
"""Replies that mean "stop contacting me", written without accents and in lower case."""

_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")


def _normalise(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain)


def opt_out_keyword(text: str) -> str | None:
    """The opt-out keyword ``text`` consists of, or None.

    A reply counts when it is a keyword alone or starts with one and has at most three words
    ("STOP", "Stop please", "ABMELDEN!"), so a sentence that merely begins with "end" is not
    taken as an opt-out. Case, accents and punctuation are ignored.

    Examples:
        >>> opt_out_keyword("Arrêt"), opt_out_keyword("End of month I pay")
        ('arret', None)
    """
    words = _normalise(text)
    if not words or len(words) > 3:
        return None
    for size in (2, 1):
        candidate = " ".join(words[:size])
        if len(words) >= size and candidate in OPT_OUT_KEYWORDS:
            return candidate
    return None
