"""Templates and the result of looking one up: what was asked for, what was found, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from creditcomms.campaigns import Tone
from creditcomms.errors import TemplateError
from creditcomms.model import Model, Reason
from creditcomms.model._types import ChannelName, LocaleName

__all__ = ["ESCAPED_PARTS", "REQUIRED_PARTS", "Resolution", "Template", "TemplateKey"]

REQUIRED_PARTS: dict[str, frozenset[str]] = {
    "email": frozenset({"subject", "text"}),
    "sms": frozenset({"text"}),
    "letter": frozenset({"subject", "body"}),
    "whatsapp": frozenset({"template_name", "parameters"}),
    "push": frozenset({"title", "body"}),
    "voice": frozenset({"ssml"}),
    "phone_task": frozenset({"reason", "script"}),
    "portal": frozenset({"title", "body"}),
}
"""The parts each built-in channel's template must have; custom channels have no rule."""

ESCAPED_PARTS = frozenset({"html", "ssml"})
"""Parts rendered with autoescaping (HTML, and SSML which is XML); all others are text."""

TemplateKey = tuple[str, str, str, str]
"""``(template id, channel, locale, tone)``."""


class Template(Model):
    """One template: the Jinja sources of a message's parts for one channel, locale and tone.

    ``parts`` maps a part name to its source: ``subject``/``text``/``html`` for email,
    ``text`` for SMS, ``subject``/``body`` for letters, ``template_name``/``parameters``
    (one per line)/``text`` for WhatsApp, ``title``/``body`` for push and portal, ``ssml``
    for voice, ``reason``/``script``/``talking_points`` (one per line) for phone tasks.

    Examples:
        >>> t = Template(id="reminder", channel="sms", locale="de", parts={"text": "Hallo"})
        >>> t.key
        ('reminder', 'sms', 'de', 'neutral')
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_\-]*$", max_length=80)]
    channel: ChannelName
    locale: LocaleName
    tone: Tone = Tone.NEUTRAL
    parts: dict[str, str] = Field(min_length=1)
    max_segments: int | None = Field(default=None, ge=1)
    """For SMS: the worst-case segment budget checked at load (default: the channel's cap)."""
    origin: str = "code"
    """Where the template came from (a file path or ``code``), for error messages."""

    @property
    def key(self) -> TemplateKey:
        """``(id, channel, locale, tone)``: the template's identity in a library."""
        return (self.id, self.channel, self.locale, str(self.tone))

    @property
    def label(self) -> str:
        """A readable name for messages: ``reminder/email/de/neutral``."""
        return "/".join(self.key)

    def check_parts(self) -> None:
        """Raise `TemplateError` when a part the channel requires is missing or empty."""
        required = REQUIRED_PARTS.get(self.channel, frozenset())
        missing = sorted(p for p in required if not self.parts.get(p, "").strip())
        if missing:
            raise TemplateError(
                f"template {self.label} ({self.origin}) lacks the part(s) {', '.join(missing)}"
                f" that {self.channel} messages need; add them"
            )


@dataclass(frozen=True, slots=True)
class Resolution:
    """The template found for a request, and each fallback taken to find it.

    Examples:
        ``library.resolve("reminder", "email", locale="de_CH", tone="firm")`` may return the
        ``de``/``neutral`` template with two fallback reasons (``locale_fallback`` and
        ``tone_fallback``).
    """

    template: Template
    requested_locale: str
    requested_tone: Tone
    fallbacks: tuple[Reason, ...] = ()

    @property
    def fell_back(self) -> bool:
        """True when the template differs from the request in locale or tone."""
        return bool(self.fallbacks)
