"""Channels: what a kind of message can carry, what contact it needs, and what it costs."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import Field

from creditcomms.model import Debtor, Model, Money, PostalAddress

__all__ = [
    "BUILTIN_CHANNELS",
    "EMAIL",
    "LETTER",
    "PHONE_TASK",
    "PORTAL",
    "PUSH",
    "SMS",
    "VOICE",
    "WHATSAPP",
    "Capabilities",
    "Channel",
    "ContactKind",
]


class ContactKind(enum.StrEnum):
    """Which of a debtor's contacts a channel needs."""

    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    PUSH_TOKEN = "push_token"  # noqa: S105 - a contact kind, not a secret
    PORTAL_USER = "portal_user"
    ADDRESS = "address"
    NONE = "none"


class Capabilities(Model):
    """What a channel's messages can carry; templates and planners check against it."""

    html: bool = False
    links: bool = False
    qr: bool = False
    attachments: bool = False
    max_chars: int | None = None
    """Hard limit on the text length, when the channel has one."""
    max_segments: int | None = None
    """Default cap on SMS segments (a step may set a lower one)."""
    template_only: bool = False
    """Only pre-approved templates may be sent (WhatsApp outside the 24-hour window)."""
    two_way: bool = False
    """The customer can answer on the same channel."""


class Channel(Model):
    """A kind of message: its capabilities, the contact it needs, its cost and consent rule.

    Channels compare and hash by ``name``, so a copy with another cost is the same channel:

    Examples:
        >>> cheaper = SMS.with_cost(Money("0.07", "EUR"))
        >>> cheaper == SMS, cheaper.cost
        (True, Money('0.07', 'EUR'))
    """

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
    contact: ContactKind
    capabilities: Capabilities = Capabilities()
    cost: Money = Money("0.00", "EUR")
    """Default cost per contact; override with `with_cost` for your provider's price."""
    requires_consent: bool = False
    """True when the debtor must have consented to this channel before it is used."""
    description: str = ""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Channel):
            return self.name == other.name
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Channel({self.name!r})"

    def with_cost(self, cost: Money | str, /) -> Channel:
        """Return this channel with another cost per contact."""
        money = cost if isinstance(cost, Money) else Money.parse(cost)
        return self.model_copy(update={"cost": money})

    def contact_for(self, debtor: Debtor, /) -> str | PostalAddress | None:
        """The debtor's contact for this channel, or ``None`` when they have none."""
        contacts = debtor.contacts
        if self.contact is ContactKind.PUSH_TOKEN:
            return contacts.push_tokens[0] if contacts.push_tokens else None
        if self.contact is ContactKind.WHATSAPP:
            return contacts.whatsapp or contacts.phone
        field = _CONTACT_FIELDS.get(self.contact)
        return getattr(contacts, field) if field else debtor.id


_CONTACT_FIELDS = {
    ContactKind.EMAIL: "email",
    ContactKind.PHONE: "phone",
    ContactKind.PORTAL_USER: "portal_user_id",
    ContactKind.ADDRESS: "address",
}


EMAIL = Channel(
    name="email",
    contact=ContactKind.EMAIL,
    capabilities=Capabilities(html=True, links=True, qr=True, attachments=True),
    cost=Money("0.00", "EUR"),
    description="Email with HTML and text parts and a pay button.",
)
SMS = Channel(
    name="sms",
    contact=ContactKind.PHONE,
    capabilities=Capabilities(links=True, max_chars=1600, max_segments=3, two_way=True),
    cost=Money("0.10", "EUR"),
    requires_consent=True,
    description="Short text with a pay link, counted in GSM-7 or UCS-2 segments.",
)
LETTER = Channel(
    name="letter",
    contact=ContactKind.ADDRESS,
    capabilities=Capabilities(qr=True, attachments=True),
    cost=Money("1.20", "EUR"),
    description="Printed letter (DIN 5008) with a payment QR code.",
)
WHATSAPP = Channel(
    name="whatsapp",
    contact=ContactKind.WHATSAPP,
    capabilities=Capabilities(links=True, template_only=True, max_chars=1024, two_way=True),
    cost=Money("0.05", "EUR"),
    requires_consent=True,
    description="Approved WhatsApp utility template with parameters and a pay button.",
)
PUSH = Channel(
    name="push",
    contact=ContactKind.PUSH_TOKEN,
    capabilities=Capabilities(links=True, max_chars=240),
    cost=Money("0.00", "EUR"),
    description="Push notification with a deep link into the customer's app.",
)
VOICE = Channel(
    name="voice",
    contact=ContactKind.PHONE,
    capabilities=Capabilities(max_chars=3000),
    cost=Money("0.05", "EUR"),
    requires_consent=True,
    description="Automated call reading an SSML script.",
)
PHONE_TASK = Channel(
    name="phone_task",
    contact=ContactKind.PHONE,
    capabilities=Capabilities(two_way=True),
    cost=Money("6.00", "EUR"),
    description="A call for a person: who to call, why, a script and the open items.",
)
PORTAL = Channel(
    name="portal",
    contact=ContactKind.PORTAL_USER,
    capabilities=Capabilities(html=True, links=True, qr=True, attachments=True),
    cost=Money("0.00", "EUR"),
    description="A message in the customer portal next to the claim.",
)

BUILTIN_CHANNELS: dict[str, Channel] = {
    c.name: c for c in (EMAIL, SMS, LETTER, WHATSAPP, PUSH, VOICE, PHONE_TASK, PORTAL)
}
"""The built-in channels by name."""
