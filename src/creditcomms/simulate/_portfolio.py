"""Synthetic portfolios: plausible debtors and invoices across six countries, from a seed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from creditcomms.errors import ConfigurationError
from creditcomms.model import Case

from ._data import COUNTRIES
from ._generator import Generator
from ._profile import DEFAULT_COUNTRY_MIX, DEFAULT_PROFILE_MIX, BehaviourProfile

__all__ = ["Portfolio", "synthetic_portfolio"]


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Synthetic cases plus each case's hidden behaviour profile.

    The profile is kept outside the `Case` so that segmenting and planning cannot read it;
    only the simulation's response model uses it. Iterating yields the cases.

    Examples:
        >>> from datetime import date
        >>> portfolio = synthetic_portfolio(3, seed=7, start=date(2026, 11, 2))
        >>> len(portfolio), portfolio.profiles[portfolio.cases[0].id] in BehaviourProfile
        (3, True)
    """

    cases: tuple[Case, ...]
    profiles: Mapping[str, BehaviourProfile]
    """The behaviour profile per case id."""
    seed: int
    start: date
    _by_id: Mapping[str, Case] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({c.id: c for c in self.cases}))

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def __repr__(self) -> str:
        return f"Portfolio({len(self.cases)} cases, seed={self.seed}, start={self.start})"

    def case(self, case_id: str, /) -> Case:
        """The case with ``case_id``; raises ``KeyError`` naming it when there is none."""
        try:
            return self._by_id[case_id]
        except KeyError:
            raise KeyError(f"no case {case_id!r} in this portfolio") from None

    def profile(self, case_id: str, /) -> BehaviourProfile:
        """The hidden behaviour profile of ``case_id``."""
        self.case(case_id)
        return self.profiles[case_id]

    def with_profile(self, profile: BehaviourProfile, /) -> tuple[Case, ...]:
        """The cases whose hidden profile is ``profile``."""
        return tuple(c for c in self.cases if self.profiles[c.id] is profile)


def _country_mix(countries: Mapping[str, float] | None) -> Mapping[str, float]:
    mix = dict(DEFAULT_COUNTRY_MIX if countries is None else countries)
    if "UK" in mix:  # the everyday name; ISO 3166 says GB
        mix["GB"] = mix.pop("UK") + mix.get("GB", 0.0)
    unknown = sorted(set(mix) - set(COUNTRIES))
    if unknown:
        raise ConfigurationError(
            f"countries={unknown} are not supported by synthetic_portfolio;"
            f" choose from {', '.join(sorted(COUNTRIES))} (UK is accepted for GB)"
        )
    return mix


def _profile_mix(profiles: Mapping[BehaviourProfile | str, float] | None) -> Mapping[str, float]:
    mix = DEFAULT_PROFILE_MIX if profiles is None else profiles
    known = {p.value for p in BehaviourProfile}
    unknown = sorted(str(p) for p in mix if str(p) not in known)
    if unknown:
        raise ConfigurationError(
            f"profiles={unknown} are not behaviour profiles; choose from {', '.join(sorted(known))}"
        )
    return {str(p): share for p, share in mix.items()}


def synthetic_portfolio(
    n: int,
    /,
    *,
    seed: int,
    start: date,
    countries: Mapping[str, float] | None = None,
    profiles: Mapping[BehaviourProfile | str, float] | None = None,
    b2b_share: float = 0.2,
    id_prefix: str = "C",
    validate: bool = False,
) -> Portfolio:
    """Build ``n`` plausible cases across DE, NL, AT, CH, BE and GB, the same for a seed.

    Countries set the currency (EUR; CHF in CH; GBP in GB), locale, time zone, address and
    number formats. Due dates fall between 30 days before and 10 days after ``start``.

    Args:
        n: How many cases (one debtor each).
        seed: Seed of the portfolio's own ``random.Random``; global random state is not used.
        start: The simulation's first day; due dates and histories are placed around it.
        countries: Share per country code (``"UK"`` is read as ``"GB"``); the currency
            follows the country. Defaults to `DEFAULT_COUNTRY_MIX`.
        profiles: Share per `BehaviourProfile`; defaults to `DEFAULT_PROFILE_MIX`.
        b2b_share: Share of business customers (0 to 1).
        id_prefix: Prefix of the case and debtor ids (``C-000001``).
        validate: Run every model's validation while building. The generator only produces
            values that validate (the test suite checks it), so the fast default skips it;
            the result is equal either way.

    Returns:
        The `Portfolio`: the cases and their hidden behaviour profiles.

    Raises:
        ConfigurationError: ``n`` is negative, a share is invalid or a country unsupported.
    """
    if n < 0:
        raise ConfigurationError(f"n={n} must be 0 or more cases")
    if not 0.0 <= b2b_share <= 1.0:
        raise ConfigurationError(f"b2b_share={b2b_share} must be between 0 and 1")
    generator = Generator(
        seed=seed,
        start=start,
        countries=_country_mix(countries),
        profiles=_profile_mix(profiles),
        b2b_share=b2b_share,
        validate=validate,
    )
    built = [generator.case(i, prefix=id_prefix) for i in range(1, n + 1)]
    cases = tuple(case for case, _ in built)
    hidden = MappingProxyType({case.id: profile for case, profile in built})
    return Portfolio(cases=cases, profiles=hidden, seed=seed, start=start)
