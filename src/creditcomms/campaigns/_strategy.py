"""Strategy: which campaign (and A/B variant) a case gets, and the plan that follows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from creditcomms._reasons import reason
from creditcomms.errors import CampaignDefinitionError, ConfigurationError
from creditcomms.model import Case, Reason
from creditcomms.segments import Context, Segment, Split

from ._batch import BatchPlanner
from ._campaign import Campaign
from ._history import parse_key
from ._plan import Plan, PlanStatus

__all__ = ["Assignment", "Entry", "Strategy", "Variants"]


class Variants:
    """Campaigns per A/B variant, chosen by a `Split`.

    Examples:
        >>> from creditcomms import EMAIL, SMS, Step, after_due
        >>> a = Campaign("wording-a", steps=[Step("r1", after_due(days=3), EMAIL)])
        >>> b = Campaign("wording-b", steps=[Step("r1", after_due(days=3), SMS)])
        >>> Variants(Split({"A": 50, "B": 50}, salt="2026-q4"), {"A": a, "B": b}).pick("C-1")[0]
        'B'
    """

    __slots__ = ("campaigns", "split")

    def __init__(self, split: Split, campaigns: Mapping[str, Campaign], /) -> None:
        if set(campaigns) != set(split.variants):
            raise CampaignDefinitionError(
                f"the split has variants {sorted(split.variants)} but campaigns are given for"
                f" {sorted(campaigns)}; give exactly one campaign per variant"
            )
        for name, campaign in campaigns.items():
            if not isinstance(campaign, Campaign):
                raise CampaignDefinitionError(
                    f"variant {name!r} maps to {campaign!r}, not a Campaign"
                )
        self.split = split
        self.campaigns = dict(campaigns)

    def pick(self, case_id: str, /) -> tuple[str, Campaign]:
        """The variant of ``case_id`` and its campaign."""
        variant = self.split.assign(case_id)
        return variant, self.campaigns[variant]

    def __repr__(self) -> str:
        return f"Variants({self.split!r}, {sorted(self.campaigns)!r})"


Target = Campaign | Variants
Entry = tuple[Segment, Campaign | Variants] | tuple[Segment, Split, Mapping[str, Campaign]]
"""A strategy entry: ``(segment, campaign)``, ``(segment, Variants(...))`` or
``(segment, Split(...), {"A": campaign_a, "B": campaign_b})``."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which segment matched, which variant was drawn, which campaign follows, and why."""

    campaign: Campaign | None
    segment: str | None
    variant: str | None
    reasons: tuple[Reason, ...]


_UNASSIGNED = reason("unassigned", "no segment matched and there is no default")
_DEFAULT = reason("segment", "no segment matched; the default campaign applies")


def _entry(entry: object, index: int) -> tuple[Segment, Target]:
    if isinstance(entry, tuple) and len(entry) == 3:
        segment, split, campaigns = entry
        if not isinstance(split, Split) or not isinstance(campaigns, Mapping):
            raise CampaignDefinitionError(
                f"strategy entry {index}: a 3-tuple must be (segment, Split, {{variant: campaign}})"
            )
        return _segment(segment, index), Variants(split, campaigns)
    if isinstance(entry, tuple) and len(entry) == 2:
        segment, target = entry
        if not isinstance(target, Campaign | Variants):
            raise CampaignDefinitionError(
                f"strategy entry {index}: {target!r} is not a Campaign or Variants"
            )
        return _segment(segment, index), target
    raise CampaignDefinitionError(
        f"strategy entry {index} must be (segment, campaign), (segment, Variants(...)) or"
        f" (segment, Split, {{variant: campaign}}), not {entry!r}"
    )


def _segment(value: object, index: int) -> Segment:
    if isinstance(value, Segment):
        return value
    raise CampaignDefinitionError(
        f"strategy entry {index}: {value!r} is not a Segment;"
        " wrap the rule as Segment('name', rule)"
    )


class Strategy:
    """Segments mapped to campaigns: the first matching segment wins.

    A case keeps the campaign version it started with: the version is read from the
    idempotency keys in its history, and older versions are looked up in ``archive``.
    Pass ``pinned={"campaign-id": version}`` to `plan` to migrate cases explicitly.

    Args:
        entries: ``(segment, campaign)``, ``(segment, Variants(...))`` or
            ``(segment, Split(...), {"A": campaign_a, "B": campaign_b})``, in priority order.
        default: The campaign (or variants) for cases no segment matches.
        archive: Older versions of the campaigns, for cases that started on them.
    """

    def __init__(
        self,
        entries: Iterable[Entry],
        /,
        *,
        default: Campaign | Variants | None = None,
        archive: Iterable[Campaign] = (),
    ) -> None:
        self.entries = tuple(_entry(e, i) for i, e in enumerate(entries))
        names = [s.name for s, _ in self.entries]
        if len(set(names)) != len(names):
            raise CampaignDefinitionError(f"segment names must be unique in a strategy: {names}")
        self.default = default
        self._noted: tuple[tuple[Segment, Target], ...] = ()
        self._notes: tuple[tuple[Reason, Reason], ...] = ()
        self._fixed: tuple[Campaign | Variants | None, Assignment | None] = (None, None)
        self._versions: dict[tuple[str, int], Campaign] = {}
        for campaign in (*archive, *self._campaigns()):
            known = self._versions.setdefault((campaign.id, campaign.version), campaign)
            if known is not campaign:
                raise CampaignDefinitionError(
                    f"two different campaigns claim {campaign.key}; raise the version of one"
                )

    @property
    def known_campaigns(self) -> tuple[Campaign, ...]:
        """Every campaign version this strategy can plan with: the current ones and the archive."""
        return tuple(self._versions.values())

    def _campaigns(self) -> Iterable[Campaign]:
        targets = [t for _, t in self.entries] + ([self.default] if self.default else [])
        for target in targets:
            if isinstance(target, Variants):
                yield from target.campaigns.values()
            else:
                yield target

    def assign(self, case: Case, /, *, at: datetime) -> Assignment:
        """Explain which segment, variant and campaign ``case`` gets at ``at``."""
        entries = self.entries
        if not entries:
            if at.tzinfo is None:
                raise ConfigurationError(
                    f"at={at!r} has no time zone; pass an aware datetime such as datetime.now(UTC)"
                )
            return self._unmatched(case, [])
        ctx = Context.of(case, at=at)
        notes: list[Reason] = []
        for (segment, target), (matched, skipped) in zip(
            entries, self._segment_notes(), strict=True
        ):
            if segment.matches(case, ctx):
                notes.append(matched)
                return self._resolve(case, segment.name, target, notes)
            notes.append(skipped)
        return self._unmatched(case, notes)

    def _unmatched(self, case: Case, notes: list[Reason]) -> Assignment:
        """The assignment when no segment matched (``notes``: the segments skipped)."""
        default = self.default
        if default is None:
            notes.append(_UNASSIGNED)
            return Assignment(None, None, None, tuple(notes))
        if not notes and isinstance(default, Campaign):
            fixed, assignment = self._fixed  # the same for every case: made once
            if fixed is not default or assignment is None:
                assignment = Assignment(default, None, None, (_DEFAULT,))
                self._fixed = (default, assignment)
            return assignment
        notes.append(_DEFAULT)
        return self._resolve(case, None, default, notes)

    def _segment_notes(self) -> tuple[tuple[Reason, Reason], ...]:
        """Per entry, the reasons for a match and for a miss (made once per ``entries``)."""
        if self._noted is not self.entries:
            self._notes = tuple(
                (
                    reason("segment", f"matches segment {segment.name!r}: {segment.rule!r}"),
                    reason("segment_skipped", f"not in segment {segment.name!r}"),
                )
                for segment, _ in self.entries
            )
            self._noted = self.entries
        return self._notes

    def _resolve(
        self, case: Case, segment: str | None, target: Target, notes: list[Reason]
    ) -> Assignment:
        if isinstance(target, Campaign):
            return Assignment(target, segment, None, tuple(notes))
        variant, campaign = target.pick(case.id)
        share = target.split.share(variant)
        notes.append(
            reason("variant", f"split {target.split.salt!r} drew variant {variant!r} ({share:.0%})")
        )
        return Assignment(campaign, segment, variant, tuple(notes))

    def version_for(
        self, case: Case, campaign: Campaign, /, *, pinned: Mapping[str, int] | None = None
    ) -> Campaign:
        """The version of ``campaign`` the case runs: pinned, else the one it started on."""
        version = (pinned or {}).get(campaign.id)
        if version is None:
            version = started_version(case, campaign.id)
        if version is None or version == campaign.version:
            return campaign
        found = self._versions.get((campaign.id, version))
        if found is None:
            raise CampaignDefinitionError(
                f"case {case.id} runs {campaign.id}@{version}, which the strategy does not know;"
                f" pass it in Strategy(archive=[...]) or migrate with pinned={{{campaign.id!r}:"
                f" {campaign.version}}}"
            )
        return found

    def plan_many(
        self,
        cases: Iterable[Case],
        /,
        *,
        at: datetime,
        pinned: Mapping[str, int] | None = None,
        upcoming: bool = True,
    ) -> Iterator[Plan]:
        """Plan many cases at ``at`` lazily; equal to `plan` per case, sharing work."""
        batch = BatchPlanner(at=at, upcoming=upcoming)
        for case in cases:
            assignment = self.assign(case, at=at)
            if assignment.campaign is None:
                yield self._unassigned(case, at, assignment)
                continue
            campaign, reasons = self._versioned(case, assignment.campaign, assignment, pinned)
            yield batch.plan(
                campaign,
                case,
                segment=assignment.segment,
                variant=assignment.variant,
                reasons=reasons,
            )

    def _unassigned(self, case: Case, at: datetime, assignment: Assignment) -> Plan:
        return Plan(
            case_id=case.id,
            at=at.astimezone(UTC),
            status=PlanStatus.UNASSIGNED,
            reasons=assignment.reasons,
        )

    def _versioned(
        self,
        case: Case,
        chosen: Campaign,
        assignment: Assignment,
        pinned: Mapping[str, int] | None,
    ) -> tuple[Campaign, tuple[Reason, ...]]:
        campaign = self.version_for(case, chosen, pinned=pinned)
        reasons = assignment.reasons
        if campaign is not chosen:
            note = reason("version_pinned", f"the case started on {campaign.key} and stays on it")
            reasons = (*reasons, note)
        return campaign, reasons

    def plan(
        self,
        case: Case,
        /,
        *,
        at: datetime,
        pinned: Mapping[str, int] | None = None,
        upcoming: bool = True,
    ) -> Plan:
        """Assign ``case`` and plan it in its campaign (see `Campaign.plan`)."""
        assignment = self.assign(case, at=at)
        if assignment.campaign is None:
            return self._unassigned(case, at, assignment)
        campaign, reasons = self._versioned(case, assignment.campaign, assignment, pinned)
        return campaign.plan(
            case,
            at=at,
            upcoming=upcoming,
            segment=assignment.segment,
            variant=assignment.variant,
            reasons=reasons,
        )


def started_version(case: Case, campaign_id: str, /) -> int | None:
    """The campaign version of the case's first send in ``campaign_id``, from its history."""
    first: tuple[datetime, int] | None = None
    for record in case.history:
        if record.campaign_id != campaign_id or not record.idempotency_key:
            continue
        parts = parse_key(record.idempotency_key)
        if parts is not None and (first is None or record.at < first[0]):
            first = (record.at, parts.version)
    return first[1] if first else None
