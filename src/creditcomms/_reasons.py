"""Trusted reasons built without validation, shared by the planner and the policies."""

from __future__ import annotations

import functools

from creditcomms.model import Reason

__all__ = ["reason"]

_new = object.__new__
_set = object.__setattr__
_REASON_FIELDS = frozenset(Reason.model_fields)


@functools.lru_cache(maxsize=8192)
def reason(code: str, detail: str, /) -> Reason:
    """A `Reason` with a constant snake_case code (cached: reasons are frozen and shared)."""
    made = _new(Reason)
    _set(made, "__dict__", {"code": code, "detail": detail})
    _set(made, "__pydantic_fields_set__", _REASON_FIELDS)
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
