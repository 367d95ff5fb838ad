"""Reasons: the machine-readable and human explanation attached to every decision."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ._base import Model

__all__ = ["Reason"]


class Reason(Model):
    """Why something was planned, moved, skipped or blocked.

    Examples:
        >>> str(Reason(code="quiet_hours", detail="21:40 Europe/Berlin is outside 08:00-20:00"))
        'quiet_hours: 21:40 Europe/Berlin is outside 08:00-20:00'
    """

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    """A stable snake_case code to match on (``quiet_hours``, ``paid``, ``no_consent``)."""
    detail: str
    """A sentence for people."""

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"
