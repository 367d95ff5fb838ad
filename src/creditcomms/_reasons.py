"""Trusted reasons built without validation, shared by the planner and the policies."""

from __future__ import annotations

import functools

from creditcomms.model import Reason
from creditcomms.model._trusted import trusted

__all__ = ["reason"]


@functools.lru_cache(maxsize=8192)
def reason(code: str, detail: str, /) -> Reason:
    """A `Reason` with a constant snake_case code (cached: reasons are frozen and shared)."""
    return trusted(Reason, code=code, detail=detail)
