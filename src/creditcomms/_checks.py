"""Checks of user input whose static type promises more than the runtime guarantees."""

from __future__ import annotations

from creditcomms.errors import ConfigurationError

__all__ = ["is_text", "whole_number"]


def whole_number(
    value: object,
    /,
    *,
    minimum: int,
    message: str,
    error: type[ConfigurationError] = ConfigurationError,
) -> int:
    """Return ``value`` when it is an ``int`` (not ``bool``) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise error(message)
    return value


def is_text(value: object, /) -> bool:
    """True for a non-empty, non-blank string."""
    return isinstance(value, str) and bool(value.strip())
