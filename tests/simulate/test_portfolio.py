"""Synthetic portfolios: deterministic, valid in the model, plausible per country."""

from __future__ import annotations

import collections
from datetime import date, timedelta
from decimal import Decimal

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms.model import normalize_email
from creditcomms.simulate import BehaviourProfile, Portfolio, synthetic_portfolio

START = date(2026, 11, 2)
COUNTRY = {
    "DE": ("EUR", "Europe/Berlin", {"de_DE"}),
    "NL": ("EUR", "Europe/Amsterdam", {"nl_NL"}),
    "AT": ("EUR", "Europe/Vienna", {"de_AT"}),
    "CH": ("CHF", "Europe/Zurich", {"de_CH", "fr_CH"}),
    "BE": ("EUR", "Europe/Brussels", {"nl_BE", "fr_BE"}),
    "GB": ("GBP", "Europe/London", {"en_GB"}),
}


class TestDeterminism:
    """The same seed gives the same portfolio; another seed gives another."""

    def test_same_seed_same_portfolio(self, portfolio: Portfolio) -> None:
        """Building again with seed 11 reproduces every case and profile."""
        again = synthetic_portfolio(1000, seed=11, start=START)
        assert again.cases == portfolio.cases
        assert dict(again.profiles) == dict(portfolio.profiles)

    def test_other_seed_other_portfolio(self, portfolio: Portfolio) -> None:
        """Seed 12 gives different debtors."""
        other = synthetic_portfolio(1000, seed=12, start=START)
        assert [c.debtor.name for c in other] != [c.debtor.name for c in portfolio]

    def test_fast_build_equals_validated_build(self) -> None:
        """Skipping validation builds exactly the objects full validation builds."""
        fast = synthetic_portfolio(500, seed=3, start=START)
        checked = synthetic_portfolio(500, seed=3, start=START, validate=True)
        assert fast.cases == checked.cases
        assert [c.model_dump() for c in fast] == [c.model_dump() for c in checked]


class TestValidity:
    """Every synthetic object is one the model accepts as input."""

    def test_every_case_validates(self, portfolio: Portfolio) -> None:
        """Each case survives a round trip through validation unchanged."""
        for case in portfolio:
            assert cc.Case.model_validate(case.model_dump()) == case

    def test_phone_numbers_are_valid_mobiles_of_the_country(self, portfolio: Portfolio) -> None:
        """Every phone is E.164, valid, a mobile, and in the address's country."""
        phones = [(c.debtor.contacts.phone, c.debtor.country) for c in portfolio]
        present = [(p, country) for p, country in phones if p]
        assert len(present) > 600
        for phone, country in present:
            number = phonenumbers.parse(phone)
            assert phonenumbers.is_valid_number(number), phone
            assert phonenumbers.region_code_for_number(number) == country
            assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
            assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone

    def test_emails_are_normalised_and_on_example_domains(self, portfolio: Portfolio) -> None:
        """Every email is already normalised, unique, and on a domain reserved for examples."""
        emails = [c.debtor.contacts.email for c in portfolio if c.debtor.contacts.email]
        assert len(set(emails)) == len(emails)
        for email in emails:
            assert normalize_email(email) == email
            assert email.rsplit("@", 1)[1].endswith(("example.com", "example.net", "example.org"))

    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(min_value=0, max_value=2**32))
    def test_any_seed_builds_valid_cases(self, seed: int) -> None:
        """For any seed, the fast build equals the validated build."""
        fast = synthetic_portfolio(25, seed=seed, start=START)
        assert fast.cases == synthetic_portfolio(25, seed=seed, start=START, validate=True).cases


class TestPlausibility:
    """Countries, currencies, contacts, invoices and profiles look like a real book."""

    def test_country_sets_currency_locale_and_time_zone(self, portfolio: Portfolio) -> None:
        """Each case's currency, locale and time zone match its address's country."""
        for case in portfolio:
            currency, timezone, locales = COUNTRY[case.debtor.country or ""]
            assert case.currency == currency
            assert case.debtor.timezone == timezone
            assert case.debtor.locale in locales

    def test_every_country_and_profile_occurs(self, portfolio: Portfolio) -> None:
        """All six countries and all five profiles occur in 1,000 cases."""
        assert {c.debtor.country for c in portfolio} == set(COUNTRY)
        assert set(portfolio.profiles.values()) == set(BehaviourProfile)

    def test_some_contacts_are_missing(self, portfolio: Portfolio) -> None:
        """Some debtors lack an email and some lack a phone; all have an address."""
        contacts = [c.debtor.contacts for c in portfolio]
        assert any(c.email is None for c in contacts)
        assert any(c.phone is None for c in contacts)
        assert all(c.address is not None for c in contacts)

    def test_consent_only_with_a_phone(self, portfolio: Portfolio) -> None:
        """SMS, WhatsApp and voice consents exist only where there is a phone number."""
        for case in portfolio:
            if case.debtor.contacts.phone is None:
                assert case.debtor.consents == {}
        assert sum(c.debtor.consents.get("sms") is True for c in portfolio) > 300

    def test_businesses_have_a_contact_person(self, portfolio: Portfolio) -> None:
        """About a fifth are businesses, each with a contact person and a b2b tag."""
        businesses = [c for c in portfolio if c.debtor.kind is cc.CustomerKind.B2B]
        assert 120 < len(businesses) < 280
        assert all(c.debtor.contact_person and "b2b" in c.debtor.tags for c in businesses)

    def test_invoices_fall_around_the_start(self, portfolio: Portfolio) -> None:
        """Due dates lie from 30 days before the start on; amounts are positive and unique ids."""
        invoices = [i for c in portfolio for i in c.invoices]
        assert len({i.id for i in invoices}) == len(invoices)
        for case in portfolio:
            first = min(i.due_on for i in case.invoices)
            assert START - timedelta(days=30) <= first <= START + timedelta(days=10)
            for invoice in case.invoices:
                assert invoice.issued_on < invoice.due_on
                assert Decimal(0) < invoice.balance.amount <= invoice.amount.amount

    def test_history_matches_profile(self, portfolio: Portfolio) -> None:
        """Reliable payers were on time more often than non-responsive ones."""

        def mean_ratio(profile: BehaviourProfile) -> float:
            ratios = [
                r
                for c in portfolio.with_profile(profile)
                if (r := c.debtor.behaviour.on_time_ratio) is not None
            ]
            return sum(ratios) / len(ratios)

        reliable = mean_ratio(BehaviourProfile.RELIABLE)
        assert reliable > 0.85
        assert mean_ratio(BehaviourProfile.NON_RESPONSIVE) < 0.4

    def test_mix_can_be_chosen(self) -> None:
        """``countries`` and ``profiles`` restrict the mix; ``UK`` means GB."""
        portfolio = synthetic_portfolio(
            200, seed=1, start=START, countries={"UK": 1}, profiles={"struggling": 1}
        )
        assert {c.debtor.country for c in portfolio} == {"GB"}
        assert {c.currency for c in portfolio} == {"GBP"}
        assert set(portfolio.profiles.values()) == {BehaviourProfile.STRUGGLING}


class TestPortfolioObject:
    """The portfolio keeps profiles beside the cases and finds cases by id."""

    def test_profile_is_outside_the_case(self, portfolio: Portfolio) -> None:
        """No case carries its profile; the portfolio maps every case id to one."""
        case = portfolio.cases[0]
        assert "profile" not in case.debtor.attributes
        assert not any(p.value in case.debtor.tags for p in BehaviourProfile)
        assert set(portfolio.profiles) == {c.id for c in portfolio}
        assert portfolio.profile(case.id) is portfolio.profiles[case.id]

    def test_lookup(self, portfolio: Portfolio) -> None:
        """Cases are found by id; an unknown id raises a KeyError naming it."""
        assert portfolio.case("C-000001") is portfolio.cases[0]
        assert len(portfolio) == 1000
        assert repr(portfolio) == "Portfolio(1000 cases, seed=11, start=2026-11-02)"
        with pytest.raises(KeyError, match="C-999999"):
            portfolio.case("C-999999")

    def test_profile_groups_partition_the_cases(self, portfolio: Portfolio) -> None:
        """Grouping by profile covers every case exactly once."""
        sizes = collections.Counter(portfolio.profiles.values())
        assert sum(len(portfolio.with_profile(p)) for p in BehaviourProfile) == len(portfolio)
        assert sizes[BehaviourProfile.RELIABLE] == len(
            portfolio.with_profile(BehaviourProfile.RELIABLE)
        )


class TestBadInput:
    """Impossible options raise ConfigurationError naming the option and the fix."""

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"countries": {"FR": 1}}, r"countries=\['FR'\].*choose from AT, BE, CH, DE, GB, NL"),
            ({"countries": {"DE": -1}}, "share >= 0"),
            ({"profiles": {"lazy": 1}}, r"profiles=\['lazy'\]"),
            ({"b2b_share": 1.5}, "b2b_share=1.5"),
        ],
    )
    def test_bad_options(self, options: dict[str, object], match: str) -> None:
        """Each bad option is named in the error."""
        with pytest.raises(cc.ConfigurationError, match=match):
            synthetic_portfolio(5, seed=1, start=START, **options)  # type: ignore[arg-type]

    def test_negative_size(self) -> None:
        """A negative number of cases is refused."""
        with pytest.raises(cc.ConfigurationError, match="n=-1"):
            synthetic_portfolio(-1, seed=1, start=START)
