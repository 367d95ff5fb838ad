"""Process-wide test switches behind `creditcomms.testing` (back-off off, message capture)."""

from __future__ import annotations

from creditcomms.channels import Message

__all__ = ["Switches", "switches"]


class Switches:
    """Mutable test state: consulted by every dispatcher at send time."""

    def __init__(self) -> None:
        self.no_backoff = 0
        self.captures: list[list[Message]] = []


switches = Switches()
"""The one instance; only `creditcomms.testing` changes it, always through context managers."""
