"""The mutable state of one action inside `MemoryStore`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from creditcomms.campaigns import Action
from creditcomms.model import Money, Reason

from ._records import ActionRecord, ActionStatus

__all__ = ["ActionRow"]


@dataclass
class ActionRow:
    """The mutable state of one action inside the memory store."""

    action: Action
    status: ActionStatus
    available_at: datetime
    updated_at: datetime
    attempts: int = 0
    lease_id: str | None = None
    lease_owner: str | None = None
    attempting_since: datetime | None = None
    finished_at: datetime | None = None
    channel: str | None = None
    provider_message_id: str | None = None
    cost: Money | None = None
    reasons: tuple[Reason, ...] = ()

    def record(self) -> ActionRecord:
        """A frozen snapshot of the row."""
        claimed = self.status is ActionStatus.CLAIMED
        return ActionRecord(
            action=self.action,
            status=self.status,
            attempts=self.attempts,
            available_at=self.available_at,
            lease_owner=self.lease_owner if claimed else None,
            lease_expires_at=self.available_at if claimed else None,
            attempting_since=self.attempting_since,
            finished_at=self.finished_at,
            channel=self.channel,
            provider_message_id=self.provider_message_id,
            cost=self.cost,
            reasons=self.reasons,
        )
