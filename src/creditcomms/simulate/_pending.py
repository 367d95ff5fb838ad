"""Customer events waiting for the simulated clock to reach them."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from datetime import datetime

from ._response import ResponseEvent

__all__ = ["PendingEvents"]


class PendingEvents:
    """A time-ordered queue of future events from `ResponseModel`.

    A simulation adds what each message will cause, then, day by day, takes the events that
    are due and records them. Events at the same moment come out in the order they were added.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from creditcomms import Money, PaymentReceived
        >>> pending = PendingEvents()
        >>> pending.add([PaymentReceived(case_id="C-1", at=datetime(2026, 11, 9, tzinfo=UTC),
        ...                              amount=Money("10.00", "EUR"))])
        >>> pending.pop_due(datetime(2026, 11, 8, tzinfo=UTC)), len(pending)
        ([], 1)
        >>> [e.case_id for e in pending.pop_due(datetime(2026, 11, 9, tzinfo=UTC))]
        ['C-1']
    """

    def __init__(self) -> None:
        self._heap: list[tuple[datetime, int, int, ResponseEvent]] = []
        self._order = itertools.count()
        self._epoch: dict[str, int] = {}

    def _live(self, epoch: int, event: ResponseEvent) -> bool:
        return self._epoch.get(event.case_id, 0) == epoch

    def __len__(self) -> int:
        return sum(1 for _, _, epoch, event in self._heap if self._live(epoch, event))

    def add(self, events: Iterable[ResponseEvent], /) -> None:
        """Queue ``events`` (any order)."""
        for event in events:
            epoch = self._epoch.get(event.case_id, 0)
            heapq.heappush(self._heap, (event.at, next(self._order), epoch, event))

    def pop_due(self, until: datetime, /) -> list[ResponseEvent]:
        """Remove and return the events at or before ``until``, oldest first."""
        due: list[ResponseEvent] = []
        while self._heap and self._heap[0][0] <= until:
            _, _, epoch, event = heapq.heappop(self._heap)
            if self._live(epoch, event):
                due.append(event)
        return due

    def cancel(self, case_id: str, /) -> None:
        """Drop the events of ``case_id`` queued so far (it paid in full, say).

        Events added after the call are kept.
        """
        self._epoch[case_id] = self._epoch.get(case_id, 0) + 1
