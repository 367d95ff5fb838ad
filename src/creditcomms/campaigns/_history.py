"""What a case's history says about one campaign: which steps went out, and when."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from creditcomms.model import Case

from ._action import idempotency_key

__all__ = ["KeyParts", "Sent", "parse_key", "sent_steps"]


@dataclass(frozen=True, slots=True)
class KeyParts:
    """The readable parts of an idempotency key (the case id is only in the digest)."""

    campaign_id: str
    version: int
    step_id: str
    channel: str
    repeat: int
    digest: str


def parse_key(key: str, /) -> KeyParts | None:
    """Split a key made by `idempotency_key`; ``None`` for keys of another shape."""
    parts = key.split(":")
    if len(parts) != 5:
        return None
    prefix, step_id, channel, repeat, digest = parts
    campaign_id, _, version = prefix.rpartition("@")
    if not campaign_id or not version.isdigit() or not repeat.isdigit():
        return None
    made = _new(KeyParts)  # what the frozen dataclass's __init__ does, at half the cost
    _set_campaign_id(made, campaign_id)
    _set_version(made, int(version))
    _set_step_id(made, step_id)
    _set_channel(made, channel)
    _set_repeat(made, int(repeat))
    _set_digest(made, digest)
    return made


_new = object.__new__
_KEY_FIELDS = ("campaign_id", "version", "step_id", "channel", "repeat", "digest")
if tuple(f.name for f in fields(KeyParts)) != _KEY_FIELDS:  # pragma: no cover - a guard for edits
    raise ImportError("KeyParts's fields changed; update _KEY_FIELDS and parse_key")
_set_campaign_id, _set_version, _set_step_id, _set_channel, _set_repeat, _set_digest = (
    KeyParts.__dict__[name].__set__ for name in _KEY_FIELDS
)


@dataclass(slots=True)
class Sent:
    """The sends of one step: the time of each repeat (0 is the first send)."""

    times: dict[int, datetime] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many sends (first plus repeats) went out."""
        return len(self.times)

    @property
    def last_at(self) -> datetime:
        """When the latest send went out (UTC)."""
        return max(self.times.values())


def _matches_unit(parts: KeyParts, unit_key: str, key: str) -> bool:
    expected = idempotency_key(
        campaign_id=parts.campaign_id,
        version=parts.version,
        case_id=unit_key,
        step_id=parts.step_id,
        channel=parts.channel,
        repeat=parts.repeat,
    )
    return expected == key


def sent_steps(
    case: Case, campaign_id: str, steps: frozenset[str], /, *, unit_key: str | None = None
) -> dict[str, Sent]:
    """Sends of ``campaign_id`` per step id, from the history.

    With ``unit_key`` (grouping per invoice) only records whose idempotency key was made for
    that unit count; otherwise every record naming the campaign and a step counts, and a
    record without a key counts as one send per distinct time.
    """
    found: dict[str, Sent] = {}
    unkeyed: dict[str, set[datetime]] = {}
    for record in case.history:
        if record.campaign_id != campaign_id or record.step_id not in steps:
            continue
        at = record.at.astimezone(UTC)
        key = record.idempotency_key
        parts = parse_key(key) if key else None
        if parts is None:
            if unit_key is None:
                unkeyed.setdefault(str(record.step_id), set()).add(at)
            continue
        if unit_key is not None and not _matches_unit(parts, unit_key, str(key)):
            continue
        sent = found.setdefault(parts.step_id, Sent())
        previous = sent.times.get(parts.repeat)
        if previous is None or at < previous:
            sent.times[parts.repeat] = at
    for step_id, times in unkeyed.items():
        sent = found.setdefault(step_id, Sent())
        for at in sorted(times):
            sent.times.setdefault(len(sent.times), at)
    return found
