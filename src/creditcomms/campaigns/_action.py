"""Actions: the planner's output, one planned send of one step on one channel to one case."""

from __future__ import annotations

import enum
from hashlib import sha256
from typing import Annotated

from pydantic import AwareDatetime, Field

from creditcomms.model import Model, Reason
from creditcomms.model._types import ChannelName

__all__ = ["Action", "Tone", "idempotency_key"]


class Tone(enum.StrEnum):
    """How firmly a message speaks. Escalate friendly → neutral → firm; firm stays respectful."""

    FRIENDLY = "friendly"
    NEUTRAL = "neutral"
    FIRM = "firm"


def idempotency_key(
    *, campaign_id: str, version: int, case_id: str, step_id: str, channel: str, repeat: int = 0
) -> str:
    """The stable key of one send: the same inputs always give the same key.

    It contains no personal data: the case id is hashed together with the rest.

    Examples:
        >>> idempotency_key(
        ...     campaign_id="b2c", version=1, case_id="C-1", step_id="reminder-1", channel="sms"
        ... )
        'b2c@1:reminder-1:sms:0:f6c61c1a6f07e206fc20'
    """
    # The first 20 hex digits of SHA-256 over the fields joined by U+001F. Stored journals
    # hold these keys: the derivation must never change. (``digest()[:10].hex()`` is
    # ``hexdigest()[:20]``, without making the other 44 digits.)
    data = "\x1f".join((campaign_id, str(version), case_id, step_id, channel, str(repeat)))
    digest = sha256(data.encode()).digest()[:10].hex()
    return f"{campaign_id}@{version}:{step_id}:{channel}:{repeat}:{digest}"


class Action(Model):
    """One planned send, with the exact time and the reasons that led to it.

    ``fallback`` lists the channels to try, in order, when ``channel`` fails permanently or
    the case has no contact for it.
    """

    case_id: str
    campaign_id: str
    campaign_version: int = Field(ge=1)
    step_id: str
    channel: ChannelName
    fallback: tuple[ChannelName, ...] = ()
    template: str
    """The template id to render (``reminder``, ``final_notice``)."""
    tone: Tone = Tone.NEUTRAL
    due_at: AwareDatetime
    """When to send: the trigger time moved to the next allowed moment."""
    repeat: int = Field(default=0, ge=0)
    idempotency_key: Annotated[str, Field(min_length=1)]
    critical: bool = False
    variant: str | None = None
    """The A/B variant the case was assigned to, when the strategy splits."""
    segment: str | None = None
    max_segments: int | None = Field(default=None, ge=1)
    invoice_ids: tuple[str, ...] = ()
    """The invoices this send covers (all open invoices when grouped per debtor)."""
    reasons: tuple[Reason, ...] = ()
    template_only: bool = False
    """Only a pre-approved template may be sent (WhatsApp outside the 24-hour window)."""
    opt_out_notice: bool = False
    """The message must state how to opt out of this channel (Regulation F for email, SMS)."""
