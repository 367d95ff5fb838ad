"""What the planner needs of a campaign, worked out once when the campaign is built.

Every plan reads the same facts of every step: its trigger split into parts, whether it
expires, its template, its trigger reason, and per channel the parts of the idempotency
key that do not depend on the case. `Campaign` prepares them once (`prepare`), so
planning a case only combines them with the case's own values.
"""

from __future__ import annotations

from datetime import timedelta
from hashlib import sha256
from typing import TYPE_CHECKING

from creditcomms.channels import Channel
from creditcomms.model import Money, Reason

from ._action import Tone
from ._step import Step
from ._triggers import Anchor, Repeat

if TYPE_CHECKING:
    from ._campaign import Campaign

__all__ = ["Lane", "PreparedStep", "key_parts", "prepare"]


def key_parts(
    campaign_id: str, version: int, step_id: str, channel: str, repeat: int
) -> tuple[str, bytes, bytes]:
    """The readable prefix of an idempotency key and its hash input around the case id.

    ``prefix + sha256(head + case_id.encode() + tail).digest()[:10].hex()`` is
    `idempotency_key` for that case id: the same bytes are hashed (UTF-8 encodes a joined
    string piece by piece), and ``digest()[:10].hex()`` is ``hexdigest()[:20]``.
    """
    prefix = f"{campaign_id}@{version}:{step_id}:{channel}:{repeat}:"
    head = f"{campaign_id}\x1f{version}\x1f".encode()
    tail = f"\x1f{step_id}\x1f{channel}\x1f{repeat}".encode()
    return prefix, head, tail


class Lane:
    """One channel of one step: its name, whether it is template-only, its key parts.

    Nothing here depends on the campaign's policy, which the planner reads at each plan.
    """

    __slots__ = (
        "campaign_id",
        "channel",
        "head",
        "name",
        "prefix",
        "step_id",
        "tail",
        "template_only",
        "version",
    )

    def __init__(self, campaign: Campaign, step: Step, channel: Channel) -> None:
        self.channel = channel
        self.name: str = channel.name
        self.template_only = bool(channel.capabilities.template_only)
        self.campaign_id, self.version, self.step_id = campaign.id, campaign.version, step.id
        self.prefix, self.head, self.tail = key_parts(
            campaign.id, campaign.version, step.id, channel.name, 0
        )

    def key(self, unit_key: bytes, repeat: int, /) -> str:
        """The idempotency key of send ``repeat`` of this lane for the unit ``unit_key``.

        ``unit_key`` is the unit's key (the case id, or case and invoice id) in UTF-8.
        """
        if repeat:
            prefix, head, tail = key_parts(
                self.campaign_id, self.version, self.step_id, self.name, repeat
            )
        else:
            prefix, head, tail = self.prefix, self.head, self.tail
        return prefix + sha256(head + unit_key + tail).digest()[:10].hex()


class PreparedStep:
    """One step as the planner reads it, with everything that does not depend on a case."""

    __slots__ = (
        "also",
        "anchor",
        "business",
        "channel",
        "critical",
        "days",
        "expires",
        "fallback",
        "id",
        "max_segments",
        "min_balance",
        "repeat",
        "span",
        "step",
        "template",
        "tone",
        "trigger_reason",
    )

    def __init__(self, campaign: Campaign, step: Step) -> None:
        trigger = step.trigger
        self.step = step
        self.id: str = step.id
        self.anchor: Anchor = trigger.anchor
        self.days: int = trigger.days
        self.business: bool = trigger.business
        self.span = timedelta(days=trigger.days)
        self.min_balance: Money | None = trigger.min_balance
        self.expires: bool = campaign.expires(step)
        self.template: str = campaign.template_of(step)
        self.trigger_reason: Reason = campaign.trigger_reason(step)
        self.critical: bool = step.critical
        self.tone: Tone = step.tone
        self.max_segments: int | None = step.max_segments
        self.repeat: Repeat | None = step.repeat
        self.channel = Lane(campaign, step, step.channel)
        self.also = tuple(Lane(campaign, step, c) for c in step.also)
        self.fallback = tuple(Lane(campaign, step, c) for c in step.fallback)


def prepare(campaign: Campaign, /) -> tuple[PreparedStep, ...]:
    """The campaign's steps, prepared for planning, in order."""
    return tuple(PreparedStep(campaign, step) for step in campaign.steps)
