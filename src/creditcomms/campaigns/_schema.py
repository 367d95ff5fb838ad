"""Campaign definitions as data: load from and dump to JSON or YAML, with helpful errors."""

from __future__ import annotations

import difflib
import importlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from types import ModuleType
from typing import Any

from creditcomms.channels import BUILTIN_CHANNELS, Channel
from creditcomms.errors import CampaignDefinitionError, ConfigurationError, MissingExtraError
from creditcomms.policies import Calendar, Cap, ContactPolicy, SendWindow

from ._campaign import Campaign
from ._step import Guards, Step
from ._triggers import Anchor, Repeat, Trigger, balance_at_least

__all__ = ["campaign_from_dict", "campaign_to_dict", "dump_campaign", "load_campaign"]

_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class _Reader:
    """Reads one mapping, naming the path of every problem."""

    def __init__(self, data: Any, path: str, allowed: tuple[str, ...]) -> None:
        if not isinstance(data, Mapping):
            raise CampaignDefinitionError(f"{path}: expected an object, got {data!r}")
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            close = difflib.get_close_matches(str(unknown[0]), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise CampaignDefinitionError(f"{path}: unknown field {unknown[0]!r}{hint}")
        self.data, self.path = data, path

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def need(self, key: str) -> Any:
        if key not in self.data:
            raise CampaignDefinitionError(f"{self.path}.{key}: required field is missing")
        return self.data[key]

    def where(self, key: str) -> str:
        return f"{self.path}.{key}"


def _duration(value: Any, where: str) -> timedelta:
    match = _DURATION.match(str(value).strip())
    if not match:
        raise CampaignDefinitionError(
            f"{where}: {value!r} is not a duration like '7d', '36h', '30m'"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _show_duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"


def _channel(name: Any, where: str, channels: Mapping[str, Channel]) -> Channel:
    found = channels.get(name) if isinstance(name, str) else None
    if found is None:
        close = difflib.get_close_matches(str(name), sorted(channels), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CampaignDefinitionError(
            f"{where}: unknown channel {name!r}{hint} (known: {', '.join(sorted(channels))})"
        )
    return found


_TRIGGERS: dict[str, Anchor] = {
    "before_due": Anchor.DUE,
    "at_due": Anchor.DUE,
    "after_due": Anchor.DUE,
    "after_previous": Anchor.PREVIOUS,
    "balance_at_least": Anchor.NONE,
}


def _trigger(data: Any, where: str) -> Trigger:
    r = _Reader(data, where, ("type", "days", "business_days", "min_balance"))
    kind = r.need("type")
    if kind not in _TRIGGERS:
        raise CampaignDefinitionError(
            f"{where}.type: {kind!r} is not a trigger; use one of {', '.join(_TRIGGERS)}"
        )
    days, business = r.get("days"), r.get("business_days")
    if kind in {"at_due", "balance_at_least"}:
        count, is_business = 0, False
    elif (days is None) == (business is None) or not isinstance(days or business, int):
        raise CampaignDefinitionError(
            f"{where}: {kind} needs days or business_days (a whole number)"
        )
    else:
        count, is_business = (days, False) if days is not None else (business, True)
    count = -count if kind == "before_due" else count
    minimum = r.get("min_balance")
    try:
        money = balance_at_least(minimum).min_balance if minimum is not None else None
    except ValueError as exc:
        raise CampaignDefinitionError(f"{where}.min_balance: {exc}") from None
    if kind == "balance_at_least" and money is None:
        raise CampaignDefinitionError(
            f"{where}: balance_at_least needs min_balance such as '500 EUR'"
        )
    return Trigger(_TRIGGERS[kind], count, is_business, money)


def _trigger_dict(trigger: Trigger) -> dict[str, Any]:
    if trigger.anchor is Anchor.NONE:
        kind = "balance_at_least"
    elif trigger.anchor is Anchor.PREVIOUS:
        kind = "after_previous"
    elif trigger.days == 0 and not trigger.business:
        kind = "at_due"
    else:
        kind = "before_due" if trigger.days < 0 else "after_due"
    data: dict[str, Any] = {"type": kind}
    if kind in {"before_due", "after_due", "after_previous"}:
        data["business_days" if trigger.business else "days"] = abs(trigger.days)
    if trigger.min_balance is not None:
        data["min_balance"] = str(trigger.min_balance)
    return data


_STEP_FIELDS = (
    "id", "trigger", "channel", "also", "fallback", "template", "tone", "repeat", "critical",
    "max_segments",
)  # fmt: skip


def _step(data: Any, where: str, channels: Mapping[str, Channel]) -> Step:
    r = _Reader(data, where, _STEP_FIELDS)
    repeat = None
    if r.get("repeat") is not None:
        rr = _Reader(r.get("repeat"), r.where("repeat"), ("every", "times"))
        repeat = Repeat(
            every=_duration(rr.need("every"), rr.where("every")), times=rr.need("times")
        )
    try:
        return Step(
            r.need("id"),
            _trigger(r.need("trigger"), r.where("trigger")),
            _channel(r.need("channel"), r.where("channel"), channels),
            also=[
                _channel(c, f"{where}.also[{i}]", channels) for i, c in enumerate(r.get("also", []))
            ],
            fallback=[
                _channel(c, f"{where}.fallback[{i}]", channels)
                for i, c in enumerate(r.get("fallback", []))
            ],
            template=r.get("template"),
            tone=r.get("tone", "neutral"),
            repeat=repeat,
            critical=bool(r.get("critical", False)),
            max_segments=r.get("max_segments"),
        )
    except CampaignDefinitionError as exc:
        if str(exc).startswith(where):
            raise
        raise CampaignDefinitionError(f"{where}: {exc}") from None


def _step_dict(step: Step, template: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": step.id,
        "trigger": _trigger_dict(step.trigger),
        "channel": step.channel.name,
        "tone": step.tone.value,
    }
    if step.also:
        data["also"] = [c.name for c in step.also]
    if step.fallback:
        data["fallback"] = [c.name for c in step.fallback]
    if template:
        data["template"] = template
    if step.repeat is not None:
        data["repeat"] = {"every": _show_duration(step.repeat.every), "times": step.repeat.times}
    if step.critical:
        data["critical"] = True
    if step.max_segments is not None:
        data["max_segments"] = step.max_segments
    return data


_POLICY_FIELDS = (
    "window", "calendar", "calendars", "min_gap", "caps", "require_consent",
    "after_conversation", "conversation_channels", "opt_out_notice", "session",
)  # fmt: skip


def _calendar(data: Any, where: str) -> Calendar:
    r = _Reader(data, where, ("country", "subdivision", "extra"))
    extra = [date.fromisoformat(str(d)) for d in r.get("extra", [])]
    try:
        return Calendar(r.get("country"), subdivision=r.get("subdivision"), extra=extra)
    except ConfigurationError as exc:
        if isinstance(exc, MissingExtraError):
            raise
        raise CampaignDefinitionError(f"{where}: {exc}") from None


def _calendar_dict(calendar: Calendar) -> dict[str, Any]:
    data: dict[str, Any] = {"country": calendar.country}
    if calendar.subdivision:
        data["subdivision"] = calendar.subdivision
    if calendar.extra:
        data["extra"] = sorted(d.isoformat() for d in calendar.extra)
    return data


def _policy(data: Any, where: str, channels: Mapping[str, Channel]) -> ContactPolicy:
    r = _Reader(data, where, _POLICY_FIELDS)
    window = None
    if r.get("window") is not None:
        w = _Reader(r.get("window"), r.where("window"), ("start", "end", "weekdays"))
        try:
            window = SendWindow(w.need("start"), w.need("end"), weekdays=w.get("weekdays"))
        except ConfigurationError as exc:
            raise CampaignDefinitionError(f"{w.path}: {exc}") from None
    caps = []
    for i, item in enumerate(r.get("caps", [])):
        c = _Reader(item, f"{where}.caps[{i}]", ("channel", "limit", "days", "hours"))
        name = c.get("channel")
        channel = _channel(name, c.where("channel"), channels) if name is not None else None
        caps.append(Cap(channel, c.need("limit"), days=c.get("days", 0), hours=c.get("hours", 0)))
    names = {k: [_channel(n, f"{where}.{k}", channels) for n in r.get(k, [])] for k in _LISTS}
    talk = r.get("after_conversation")
    return ContactPolicy(
        window=window,
        calendar=_calendar(r.get("calendar"), r.where("calendar")) if r.get("calendar") else None,
        calendars={
            k: _calendar(v, f"{where}.calendars.{k}") for k, v in (r.get("calendars") or {}).items()
        },
        min_gap=_duration(r.get("min_gap", "0d"), r.where("min_gap")),
        caps=caps,
        require_consent=bool(r.get("require_consent", True)),
        after_conversation=_duration(talk, r.where("after_conversation")) if talk else None,
        conversation_channels=names["conversation_channels"] or ("phone_task", "voice"),
        opt_out_notice=names["opt_out_notice"],
        session=_duration(r.get("session", "24h"), r.where("session")),
    )


_LISTS = ("conversation_channels", "opt_out_notice")


def _policy_dict(policy: ContactPolicy) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if policy.window is not None:
        w = policy.window.describe().split(" ", 1)[0].split("-")
        data["window"] = {"start": w[0], "end": w[1], "weekdays": sorted(policy.window.weekdays)}
    if policy.calendar is not None:
        data["calendar"] = _calendar_dict(policy.calendar)
    if policy.calendars:
        data["calendars"] = {k: _calendar_dict(v) for k, v in sorted(policy.calendars.items())}
    data["min_gap"] = _show_duration(policy.min_gap)
    data["caps"] = [_cap_dict(c) for c in policy.caps]
    data["require_consent"] = policy.require_consent
    if policy.after_conversation is not None:
        data["after_conversation"] = _show_duration(policy.after_conversation)
    data["conversation_channels"] = sorted(policy.conversation_channels)
    data["opt_out_notice"] = sorted(policy.opt_out_notice)
    data["session"] = _show_duration(policy.session)
    return data


def _cap_dict(cap: Cap) -> dict[str, Any]:
    hours = int(cap.period.total_seconds()) // 3600
    period = {"days": hours // 24} if hours % 24 == 0 else {"hours": hours}
    return {"channel": cap.channel, "limit": cap.limit, **period}


_GUARD_FIELDS = (
    "stop_below", "on_dispute", "pause_on_promise", "promise_grace_days", "on_broken_promise",
    "pause_during_payment_plan",
)  # fmt: skip


def _guards(data: Any, where: str) -> Guards:
    r = _Reader(data, where, _GUARD_FIELDS)
    try:
        return Guards(**{k: r.get(k) for k in _GUARD_FIELDS if r.get(k) is not None})
    except (ValueError, TypeError) as exc:
        raise CampaignDefinitionError(f"{where}: {exc}") from None


def _guards_dict(guards: Guards) -> dict[str, Any]:
    return {
        "stop_below": [str(m) for m in guards.stop_below],
        "on_dispute": guards.on_dispute.value,
        "pause_on_promise": guards.pause_on_promise,
        "promise_grace_days": guards.promise_grace_days,
        "on_broken_promise": guards.on_broken_promise.value,
        "pause_during_payment_plan": guards.pause_during_payment_plan,
    }


_CAMPAIGN_FIELDS = ("id", "version", "name", "grouping", "contacts", "steps", "policy", "guards")


def campaign_from_dict(
    data: Mapping[str, Any], /, *, channels: Mapping[str, Channel] | None = None
) -> Campaign:
    """Build a campaign from plain data (as parsed from JSON or YAML).

    ``channels`` adds custom channels by name to the built-in ones. Every problem raises
    `CampaignDefinitionError` naming its path (``steps[2].channel``) and the fix.
    """
    known = {**BUILTIN_CHANNELS, **(channels or {})}
    r = _Reader(data, "campaign", _CAMPAIGN_FIELDS)
    steps = r.need("steps")
    if not isinstance(steps, list):
        raise CampaignDefinitionError("campaign.steps: expected a list of steps")
    built = [_step(s, f"steps[{i}]", known) for i, s in enumerate(steps)]
    policy = _policy(r.get("policy"), "policy", known) if r.get("policy") is not None else None
    guards = _guards(r.get("guards"), "guards") if r.get("guards") is not None else None
    try:
        return Campaign(
            r.need("id"),
            version=r.get("version", 1),
            steps=built,
            policy=policy,
            guards=guards,
            grouping=r.get("grouping", "debtor"),
            contacts=r.get("contacts"),
            name=r.get("name"),
        )
    except ValueError as exc:
        if isinstance(exc, CampaignDefinitionError):
            raise
        raise CampaignDefinitionError(f"campaign: {exc}") from None


def campaign_to_dict(campaign: Campaign, /) -> dict[str, Any]:
    """The campaign as plain data; `campaign_from_dict` reads it back to an equal campaign."""
    data: dict[str, Any] = {"id": campaign.id, "version": campaign.version}
    if campaign.name != campaign.id:
        data["name"] = campaign.name
    data["grouping"] = campaign.grouping.value
    if campaign.contacts is not None:
        data["contacts"] = sorted(c.value for c in campaign.contacts)
    data["steps"] = [_step_dict(s, s.template) for s in campaign.steps]
    data["policy"] = _policy_dict(campaign.policy)
    data["guards"] = _guards_dict(campaign.guards)
    return data


def _yaml() -> ModuleType:
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise MissingExtraError("Campaigns in YAML", "yaml", "pyyaml") from None


_FORMATS = ("json", "yaml")


def _format(value: str) -> str:
    if value not in _FORMATS:
        raise ConfigurationError(f"format {value!r} must be 'json' or 'yaml'")
    return value


def load_campaign(
    text: str,
    /,
    *,
    format: str = "json",
    channels: Mapping[str, Channel] | None = None,
) -> Campaign:
    """Read a campaign from JSON (always available) or YAML (extra ``yaml`` or ``cli``)."""
    parse: Callable[[str], Any]
    if _format(format) == "yaml":
        yaml = _yaml()
        parse, errors = yaml.safe_load, (yaml.YAMLError,)
    else:
        parse, errors = json.loads, (json.JSONDecodeError,)
    try:
        data = parse(text)
    except errors as exc:
        raise CampaignDefinitionError(
            f"the campaign is not valid {format.upper()}: {exc}"
        ) from None
    return campaign_from_dict(data, channels=channels)


def dump_campaign(campaign: Campaign, /, *, format: str = "json") -> str:
    """Write a campaign as JSON or YAML text."""
    data = campaign_to_dict(campaign)
    if _format(format) == "yaml":
        return str(_yaml().safe_dump(data, sort_keys=False, allow_unicode=True))
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
