"""A case's contact history arranged for policy checks: times per channel, conversations."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable
from datetime import UTC, datetime

from creditcomms.model import ContactOutcome, ContactRecord

__all__ = ["ContactLog"]

_NOT_REACHED = frozenset({ContactOutcome.FAILED, ContactOutcome.BOUNCED})


class ContactLog:
    """Contact times (UTC) of one case: all reached contacts, attempts per channel, talks.

    The planner adds the sends it plans with `add`, so later checks in the same plan or
    timeline see them. Built once per plan; cheap for short histories.
    """

    __slots__ = ("attempts", "conversations", "every", "reached")

    def __init__(self, records: Iterable[ContactRecord] = (), /) -> None:
        self.reached: list[datetime] = []
        """Contacts that reached the customer (not failed or bounced), sorted."""
        self.attempts: dict[str, list[datetime]] = {}
        """Every attempt per channel, sorted (what frequency caps count)."""
        self.every: list[datetime] = []
        """Every attempt on any channel, sorted (what a cap on all channels counts)."""
        self.conversations: dict[str, list[datetime]] = {}
        """Person-to-person conversations per channel, sorted."""
        for record in records:
            self.record(record.at.astimezone(UTC), record.channel, record.outcome)

    def record(self, at: datetime, channel: str, outcome: ContactOutcome) -> None:
        """Add one contact at ``at`` (UTC)."""
        insort(self.attempts.setdefault(channel, []), at)
        insort(self.every, at)
        if outcome is ContactOutcome.CONVERSATION:
            insort(self.conversations.setdefault(channel, []), at)
        if outcome not in _NOT_REACHED:
            insort(self.reached, at)

    def add(self, at: datetime, channels: Iterable[str]) -> None:
        """Add a planned send at ``at`` (UTC) on ``channels`` (one contact moment)."""
        for channel in channels:
            insort(self.attempts.setdefault(channel, []), at)
            insort(self.every, at)
        insort(self.reached, at)

    def last_reached(self, before: datetime | None = None) -> datetime | None:
        """The latest reached contact (at or before ``before`` when given)."""
        if before is None:
            return self.reached[-1] if self.reached else None
        index = bisect_right(self.reached, before)
        return self.reached[index - 1] if index else None

    def last_conversation(self, channels: Iterable[str]) -> datetime | None:
        """The latest conversation on any of ``channels``."""
        if not self.conversations:
            return None
        found = [self.conversations[c][-1] for c in channels if c in self.conversations]
        return max(found) if found else None
