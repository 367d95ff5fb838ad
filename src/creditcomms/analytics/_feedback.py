"""What customers said about the messages: ratings per step and channel."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar

from creditcomms.model import Feedback, Model

from ._records import Journal
from ._tables import Table

__all__ = ["FeedbackRow", "FeedbackSummary", "summarize_feedback"]

_UNKNOWN = "(unknown)"


class FeedbackRow(Model):
    """Ratings of one step on one channel."""

    step: str
    channel: str
    responses: int
    mean_rating: float
    ratings: tuple[int, int, int, int, int]
    """How many ratings of 1, 2, 3, 4 and 5."""
    positive_share: float
    """Share of ratings of 4 or 5."""
    comments: int


class FeedbackSummary(Model, Table):
    """Feedback per (step, channel); a missing step or channel reads ``(unknown)``."""

    groups: tuple[FeedbackRow, ...]

    columns: ClassVar[tuple[str, ...]] = (
        "step", "channel", "responses", "mean_rating", "positive_share", "comments",
    )  # fmt: skip

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (step, channel)."""
        return [row.model_dump(include=set(self.columns)) for row in self.groups]


def summarize_feedback(feedback: Journal | Iterable[Feedback], /) -> FeedbackSummary:
    """Summarise `Feedback` events (from a journal or any iterable) per step and channel."""
    events = feedback.feedback if isinstance(feedback, Journal) else tuple(feedback)
    grouped: dict[tuple[str, str], list[Feedback]] = defaultdict(list)
    for event in events:
        grouped[(event.step_id or _UNKNOWN, event.channel or _UNKNOWN)].append(event)
    rows = []
    for (step, channel), items in sorted(grouped.items()):
        ratings = [e.rating for e in items]
        counts = (
            ratings.count(1),
            ratings.count(2),
            ratings.count(3),
            ratings.count(4),
            ratings.count(5),
        )
        rows.append(
            FeedbackRow(
                step=step,
                channel=channel,
                responses=len(items),
                mean_rating=sum(ratings) / len(ratings),
                ratings=counts,
                positive_share=(counts[3] + counts[4]) / len(ratings),
                comments=sum(1 for e in items if e.comment),
            )
        )
    return FeedbackSummary(groups=tuple(rows))
