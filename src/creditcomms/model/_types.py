"""Loose input normalised once at the boundary: currencies, locales, time zones, countries."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from typing import Annotated, Any

import babel
import babel.numbers
from pydantic import BeforeValidator

__all__ = [
    "ChannelName",
    "CountryCode",
    "CurrencyCode",
    "LocaleName",
    "TimeZoneName",
    "channel_name",
    "normalize_country",
    "normalize_currency",
    "normalize_locale",
    "normalize_timezone",
    "zone",
]


def _suggest(value: str, choices: frozenset[str]) -> str:
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(babel.numbers.list_currencies())


def normalize_currency(value: Any) -> str:
    """Return the ISO 4217 code in upper case, or raise ``ValueError`` naming the fix."""
    if not isinstance(value, str):
        raise TypeError("currency must be an ISO 4217 code such as 'EUR'")
    code = value.strip().upper()
    if code not in _currencies():
        raise ValueError(
            f"{value!r} is not an ISO 4217 currency code{_suggest(code, _currencies())}"
            " (use a three-letter code such as 'EUR', 'CHF' or 'GBP')"
        )
    return code


@functools.cache
def _parse_locale(value: str) -> str:
    try:
        return str(babel.Locale.parse(value.replace("-", "_")))
    except (ValueError, babel.UnknownLocaleError):
        raise ValueError(
            f"{value!r} is not a known locale; use a language code with an optional region,"
            " such as 'de', 'de_CH', 'nl_BE' or 'en_GB'"
        ) from None


def normalize_locale(value: Any) -> str:
    """Return the canonical babel name (``de_CH``) of a locale given as text or ``babel.Locale``."""
    if isinstance(value, babel.Locale):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("locale must be a name such as 'de_DE' or a babel.Locale")
    return _parse_locale(value.strip())


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalize_timezone(value: Any) -> str:
    """Return a valid IANA time zone name, or raise naming the closest valid one."""
    if isinstance(value, zoneinfo.ZoneInfo):
        value = value.key
    if not isinstance(value, str) or value not in _timezones():
        shown = value if isinstance(value, str) else type(value).__name__
        hint = _suggest(shown, _timezones()) if isinstance(value, str) else ""
        raise ValueError(
            f"{shown!r} is not an IANA time zone{hint} (use a name such as 'Europe/Berlin')"
        )
    return value


@functools.cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the (cached) ``ZoneInfo`` for a validated IANA name."""
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _countries() -> frozenset[str]:
    territories = babel.Locale("en").territories
    return frozenset(
        k
        for k in territories
        if isinstance(k, str) and len(k) == 2 and k.isalpha() and k not in _NOT_COUNTRIES
    )


_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})


def normalize_country(value: Any) -> str:
    """Return an ISO 3166-1 alpha-2 country code in upper case."""
    if not isinstance(value, str):
        raise TypeError("country must be an ISO 3166-1 alpha-2 code such as 'DE'")
    code = value.strip().upper()
    if code not in _countries():
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (use e.g. 'DE', 'CH', 'NL')"
        )
    return code


_CHANNEL = re.compile(r"[a-z][a-z0-9_]*")


def channel_name(value: Any) -> str:
    """Accept a channel given by name or as a ``Channel`` object; return its name.

    Names are lower-case words (``"sms"``, ``"phone_task"``); a name typed as ``"SMS"`` or
    ``" sms"`` (say, from a webhook's JSON) is read as ``"sms"``, so an opt-out or a consent
    is never stored under a spelling that no channel has.
    """
    name = getattr(value, "name", value)
    if not isinstance(name, str) or not name:
        raise ValueError("channel must be a Channel such as cc.EMAIL or its name such as 'email'")
    if _CHANNEL.fullmatch(name):
        return name
    folded = name.strip().lower()
    if not _CHANNEL.fullmatch(folded):
        raise ValueError(
            f"channel {name!r} is not a channel name: use a Channel such as cc.SMS or a"
            " lower-case name of letters, digits and '_' such as 'sms' or 'phone_task'"
        )
    return folded


CurrencyCode = Annotated[str, BeforeValidator(normalize_currency)]
"""An ISO 4217 currency code, validated against babel's list."""
LocaleName = Annotated[str, BeforeValidator(normalize_locale)]
"""A locale name in babel's canonical form (``de_CH``)."""
TimeZoneName = Annotated[str, BeforeValidator(normalize_timezone)]
"""An IANA time zone name."""
CountryCode = Annotated[str, BeforeValidator(normalize_country)]
"""An ISO 3166-1 alpha-2 country code."""
ChannelName = Annotated[str, BeforeValidator(channel_name)]
"""A channel, given as a ``Channel`` or its name; stored as the name."""
