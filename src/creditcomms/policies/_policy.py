"""Contact policies: windows, holidays, gaps, caps, consent and channel rules, with reasons."""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from creditcomms._checks import whole_number
from creditcomms._reasons import reason
from creditcomms.channels import EMAIL as _EMAIL
from creditcomms.channels import PHONE_TASK, SMS, VOICE, Channel
from creditcomms.errors import ConfigurationError, PolicyError
from creditcomms.model import Case, Reason

from ._calendar import Calendar
from ._log import ContactLog
from ._window import SendWindow

__all__ = ["Cap", "ContactPolicy"]

_MAX_ROUNDS = 64


def _name(channel: Channel | str | None) -> str | None:
    return channel.name if isinstance(channel, Channel) else channel


class Cap:
    """At most ``limit`` attempts on ``channel`` within any rolling period.

    ``channel=None`` caps all channels together.

    Examples:
        >>> Cap(PHONE_TASK, 7, days=7)
        Cap('phone_task', 7, per='7 days')
    """

    __slots__ = ("channel", "limit", "period")

    def __init__(
        self, channel: Channel | str | None, limit: int, /, *, days: int = 0, hours: int = 0
    ) -> None:
        self.channel = _name(channel)
        whole_number(limit, minimum=1, message=f"Cap limit {limit!r} must be a whole number >= 1")
        self.period = timedelta(days=days, hours=hours)
        if self.period <= timedelta(0):
            raise ConfigurationError("a Cap needs a period: pass days= or hours= above zero")
        self.limit = limit

    def applies_to(self, channels: Iterable[str], /) -> bool:
        """True when the cap counts sends on any of ``channels``."""
        return self.channel is None or self.channel in channels

    def earliest(self, log: ContactLog, at: datetime, /) -> datetime:
        """The first moment at or after ``at`` when one more attempt stays within the cap."""
        times = log.every if self.channel is None else log.attempts.get(self.channel, [])
        end = bisect_right(times, at)
        start = bisect_right(times, at - self.period)
        count = end - start
        if count < self.limit:
            return at
        return times[start + count - self.limit] + self.period

    def __repr__(self) -> str:
        return f"Cap({self.channel or 'all'!r}, {self.limit}, per={_days(self.period)!r})"


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a send may go: the moment and the reasons it was moved."""

    at: datetime
    reasons: tuple[Reason, ...]


class ContactPolicy:
    """The rules every send obeys: window, holidays, gaps, caps, consent and channel rules.

    Args:
        window: Hours and weekdays allowed, in the debtor's time zone.
        calendar: Public holidays (a `Calendar`); no send on a holiday in the debtor's zone.
        calendars: Calendars per debtor country, used instead of ``calendar`` when the
            debtor's address is in one of these countries.
        min_gap: Minimum time between any two contacts (a ``critical`` step may ignore it).
        caps: Frequency caps per channel over rolling periods.
        require_consent: Refuse channels that need consent unless the debtor gave it.
        after_conversation: No contact on ``conversation_channels`` for this long after a
            conversation with the customer.
        conversation_channels: Channels the ``after_conversation`` rule applies to.
        opt_out_notice: Channels whose messages must carry an opt-out notice.
        session: How long after the customer's last message a two-way template-only channel
            (WhatsApp) may send free-form text.
    """

    def __init__(
        self,
        *,
        window: SendWindow | None = None,
        calendar: Calendar | None = None,
        calendars: Mapping[str, Calendar] | None = None,
        min_gap: timedelta = timedelta(0),
        caps: Iterable[Cap] = (),
        require_consent: bool = True,
        after_conversation: timedelta | None = None,
        conversation_channels: Iterable[Channel | str] = (PHONE_TASK, VOICE),
        opt_out_notice: Iterable[Channel | str] = (),
        session: timedelta = timedelta(hours=24),
    ) -> None:
        if min_gap < timedelta(0):
            raise ConfigurationError(f"min_gap {min_gap} must not be negative")
        self.window = window
        self.calendar = calendar
        self.calendars = dict(calendars or {})
        self.min_gap = min_gap
        self.caps = tuple(caps)
        self.require_consent = require_consent
        self.after_conversation = after_conversation
        self.conversation_channels = frozenset(str(_name(c)) for c in conversation_channels)
        self.opt_out_notice = frozenset(str(_name(c)) for c in opt_out_notice)
        self.session = session
        self._constrained = bool(min_gap) or bool(self.caps) or after_conversation is not None
        self._plain = (
            not self._constrained and window is None and calendar is None and not self.calendars
        )
        """True when `slot` never moves a send (no window, holidays, gap, cap or pause)."""

    @classmethod
    def regulation_f(cls, *, window: SendWindow | None = None) -> ContactPolicy:
        """US Regulation F: 08:00-21:00 local, 7 calls in 7 days, none for 7 days after a talk.

        Email and SMS are flagged to carry an opt-out notice (12 CFR 1006.6(e)).
        """
        return cls(
            window=window or SendWindow("08:00", "21:00"),
            caps=(Cap(PHONE_TASK, 7, days=7), Cap(VOICE, 7, days=7)),
            after_conversation=timedelta(days=7),
            conversation_channels=(PHONE_TASK, VOICE),
            opt_out_notice=(_EMAIL, SMS),
        )

    def calendar_for(self, case: Case, /) -> Calendar | None:
        """The holiday calendar of the debtor's country, or the default one."""
        if self.calendars:
            country = case.debtor.country
            if country in self.calendars:
                return self.calendars[country]
        return self.calendar

    def refusal(self, case: Case, channel: Channel, /) -> Reason | None:
        """Why ``channel`` may never be used for this case now, or ``None`` when it may."""
        debtor = case.debtor
        if channel.name in case.state.opted_out:
            return reason("opted_out", f"the customer opted out of {channel.name}")
        address = channel.contact_for(debtor)
        if address is None:
            return reason("no_contact", f"no {channel.contact.value} on file for {channel.name}")
        if case.state.bounced and f"{channel.name}:{address}" in case.state.bounced:
            return reason(
                "bounced",
                f"{channel.name} to {address} bounced; another address in the next sync"
                " makes it usable again",
            )
        consent = debtor.consents.get(channel.name)
        if consent is False:
            return reason("consent_refused", f"consent to {channel.name} refused")
        if self.require_consent and channel.requires_consent and consent is not True:
            return reason("no_consent", f"{channel.name} needs consent and none is recorded")
        return None

    def slot(
        self,
        case: Case,
        log: ContactLog,
        at: datetime,
        channels: tuple[str, ...],
        tz: tzinfo,
        /,
        *,
        critical: bool = False,
        calendar: Calendar | None = None,
    ) -> Slot:
        """The earliest moment at or after ``at`` (UTC) when the policy allows the send."""
        moved: dict[str, Reason] = {}
        current = at
        constrained = self._constrained
        windowed = self.window is not None or calendar is not None
        for _ in range(_MAX_ROUNDS):
            candidate = (
                self._constraints(log, current, channels, critical, moved)
                if constrained
                else current
            )
            if windowed:
                kept, candidate = self._windowed(candidate, tz, calendar, moved)
                if kept and candidate is current:
                    return _slot(current, tuple(moved.values()) if moved else ())
            if candidate == current:
                return _slot(current, tuple(moved.values()) if moved else ())
            current = candidate
        raise PolicyError(f"no send moment satisfies the policy for case {case.id} after {at}")

    def _constraints(
        self,
        log: ContactLog,
        at: datetime,
        channels: tuple[str, ...],
        critical: bool,
        moved: dict[str, Reason],
    ) -> datetime:
        """``at`` itself when no gap, cap or pause moves it, else the moment it moves to."""
        result = at
        gap = self.min_gap
        if gap and not critical:
            reached = log.reached
            last = reached[-1] if reached else None
            if last is not None and last + gap > result:
                result = last + gap
                if "min_gap" not in moved:
                    moved["min_gap"] = _gap_reason(last, gap)
        for cap in self.caps:
            if cap.channel is None or cap.channel in channels:
                allowed = cap.earliest(log, result)
                if allowed > result:
                    result = allowed
                    moved.setdefault(f"cap:{cap.channel}", _cap_reason(cap))
        pause = self.after_conversation
        if pause is not None and log.conversations:
            talk = log.last_conversation(c for c in channels if c in self.conversation_channels)
            if talk is not None and talk + pause > result:
                result = talk + pause
                moved.setdefault("after_conversation", _talk_reason(talk, pause))
        return result

    def _windowed(
        self, at: datetime, tz: tzinfo, calendar: Calendar | None, moved: dict[str, Reason]
    ) -> tuple[bool, datetime]:
        """Whether the window keeps ``at``, and the moment it allows (in ``tz`` when kept)."""
        window = self.window
        local = at.astimezone(tz)
        opened = (window or _ALWAYS).open_after(at, local, tz, calendar)
        if opened is None:
            return True, local
        if opened != at:
            if "window" not in moved:
                moved["window"] = _window_reason(
                    local.replace(tzinfo=None), _zone_name(local), window, calendar
                )
            return False, opened.astimezone(UTC)
        return False, opened


_ALWAYS = SendWindow("00:00", "24:00")


def _gap_reason(last: datetime, gap: timedelta) -> Reason:
    return reason(
        "min_gap",
        f"the last contact was at {last:%Y-%m-%d %H:%M} UTC; keep {_days(gap)} between contacts",
    )


def _cap_reason(cap: Cap) -> Reason:
    return reason(
        "frequency_cap",
        f"at most {cap.limit} {cap.channel or 'contacts'} in {_days(cap.period)}",
    )


def _talk_reason(talk: datetime, pause: timedelta) -> Reason:
    return reason(
        "after_conversation",
        f"a conversation took place at {talk:%Y-%m-%d %H:%M} UTC; no call for"
        f" {_days(pause)} after it",
    )


_new = object.__new__
_set_at = Slot.__dict__["at"].__set__
_set_reasons = Slot.__dict__["reasons"].__set__


def _slot(at: datetime, reasons: tuple[Reason, ...]) -> Slot:
    """``Slot(at, reasons)``, through the slot setters.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, at
    twice the cost.
    """
    made = _new(Slot)
    _set_at(made, at)
    _set_reasons(made, reasons)
    return made


def _zone_name(local: datetime) -> str:
    return getattr(local.tzinfo, "key", str(local.tzinfo))


# Keyed on the wall time and the zone's name: aware datetimes in two zones at the same
# instant compare equal, and one would get the other's explanation.
@functools.lru_cache(maxsize=16384)
def _window_reason(
    local: datetime, name: str, window: SendWindow | None, calendar: Calendar | None
) -> Reason:
    holiday = calendar.holiday_name(local.date()) if calendar is not None else None
    if holiday is not None:
        return reason("holiday", f"{local:%Y-%m-%d} is a public holiday ({holiday})")
    if window is not None and local.weekday() not in window.weekdays:
        return reason("weekday", f"{local:%A} is outside {window.describe()}")
    shown = window.describe() if window is not None else "business days"
    return reason("quiet_hours", f"{local:%a %H:%M} {name} is outside {shown}")


def _days(span: timedelta) -> str:
    if span % timedelta(days=1):
        return f"{span.total_seconds() / 3600:g} hours"
    return f"{span.days} day{'s' if span.days != 1 else ''}"
