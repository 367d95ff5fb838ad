"""Rules over a case: built-in measures, combinators, callables and readable reprs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms import rules
from creditcomms.segments import Context

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def _case(**debtor: object) -> cc.Case:
    fields: dict[str, object] = {"id": "C-1", "name": "Erika", "timezone": "Europe/Berlin"}
    fields.update(debtor)
    return cc.Case(
        debtor=cc.Debtor(**fields),
        invoices=[
            cc.Invoice(
                id="I-1",
                amount=cc.Money("250.00", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 11, 1),
            )
        ],
        history=[
            cc.ContactRecord(
                at=datetime(2026, 11, 4, tzinfo=UTC), channel="email", campaign_id="b2c"
            ),
            cc.ContactRecord(
                at=datetime(2026, 11, 9, tzinfo=UTC), channel="sms", campaign_id="b2c"
            ),
        ],
    )


ADDRESS = cc.PostalAddress(name="E", postcode="1010", city="Wien", country="AT")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (rules.days_past_due() >= 21, True),
        (rules.days_past_due() > 21, False),
        (rules.days_past_due().between(10, 30), True),
        (rules.open_amount() >= cc.Money("250.00", "EUR"), True),
        (rules.open_amount() < "100 EUR", False),
        (rules.open_amount().between("200 EUR", "300 EUR"), True),
        (rules.open_amount() >= {"EUR": "300", "CHF": "10"}, False),
        (rules.open_amount() >= {"CHF": "10"}, False),
        (rules.open_amount() >= "1 CHF", False),
        (rules.reminders_sent() == 2, True),
        (rules.reminders_sent(channel=cc.SMS) == 1, True),
        (rules.reminders_sent(campaign_id="other") == 0, True),
        (rules.invoice_count() == 1, True),
        (rules.on_time_ratio() >= 0.5, False),
        (rules.late_payments() < 1, True),
        (rules.customer_kind("b2c"), True),
        (rules.customer_kind("b2b"), False),
        (rules.tag("vip"), False),
        (rules.attr("risk_score") > 0.7, False),
        (rules.locale("en"), True),
        (rules.has_contact(cc.EMAIL), False),
        (rules.preferred_channel("sms"), False),
        (rules.country("DE"), False),
    ],
    ids=repr,
)
def test_builtin_rules_on_a_plain_case(rule: cc.Rule, expected: bool) -> None:
    """Each built-in rule answers as expected for a 21-days-late EUR 250 consumer case."""
    assert rule.test(_case(), at=AT) is expected


def test_rules_read_debtor_properties() -> None:
    """Tags, attributes, behaviour, country, locale, channels and contacts are all readable."""
    case = _case(
        tags=frozenset({"vip"}),
        attributes={"risk_score": Decimal("0.9"), "tier": "gold"},
        behaviour=cc.PaymentBehaviour(paid_on_time=9, paid_late=1),
        locale="de_AT",
        kind="b2b",
        preferred_channels=("sms",),
        contacts=cc.Contacts(email="a@example.at", address=ADDRESS),
    )
    checks = [
        rules.tag("vip"),
        rules.attr("risk_score") > 0.7,
        rules.attr("tier") == "gold",
        rules.attr("tier").is_in("gold", "silver"),
        rules.on_time_ratio() >= 0.9,
        rules.late_payments() == 1,
        rules.country("at"),
        rules.locale("de"),
        rules.customer_kind("b2b"),
        rules.preferred_channel(cc.SMS),
        rules.has_contact("email"),
        ~rules.has_contact("letter") | rules.has_contact("letter"),
    ]
    assert all(rule.test(case, at=AT) for rule in checks)


def test_days_past_due_uses_the_debtors_local_date() -> None:
    """At 23:30 UTC it is already the next day in Berlin, so one more day has passed."""
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert (rules.days_past_due() == 21).test(_case(), at=late)
    assert (rules.days_past_due() == 20).test(_case(timezone="America/New_York"), at=late)


def test_combinations_flatten_and_read_well() -> None:
    """``&`` and ``|`` flatten nested groups; ``~`` wraps; the repr reads like the source."""
    rule = (rules.days_past_due() >= 14) & (rules.open_amount() >= "100 EUR") & ~rules.tag("vip")
    assert repr(rule) == "days_past_due >= 14 & open_amount >= 100.00 EUR & ~tag('vip')"
    either = rules.tag("a") | rules.tag("b") | (rules.tag("c") & rules.tag("d"))
    assert repr(either) == "tag('a') | tag('b') | (tag('c') & tag('d'))"
    assert repr(~~rules.tag("a")) == "tag('a')"


def test_plain_callables_are_rules() -> None:
    """A function of the case, or of the case and context, works wherever a rule does."""

    def big(case: cc.Case) -> bool:
        return case.open_amount.amount > 200

    def weekend(case: cc.Case, ctx: Context) -> bool:
        return ctx.on.weekday() >= 5

    segment = cc.Segment("big-weekend", big)
    assert segment.test(_case(), at=AT)
    assert (rules.tag("vip") | weekend).test(_case(), at=AT)  # 2026-11-22 is a Sunday
    assert repr(big & rules.tag("x")) == "big & tag('x')"


@pytest.mark.parametrize(
    "make",
    [
        lambda: rules.customer_kind("b2x"),
        lambda: rules.country("XX"),
        lambda: rules.preferred_channel("carrier-pigeon"),
        lambda: rules.open_amount() >= 3,
        lambda: cc.Segment("", rules.tag("x")),
        lambda: cc.Segment("x", 42),
    ],
)
def test_bad_rules_raise_configuration_errors(make: object) -> None:
    """Unknown kinds, countries, channels and values fail when the rule is built."""
    with pytest.raises(ValueError, match=r"."):
        make()  # type: ignore[operator]


def test_naive_time_is_refused() -> None:
    """Rules need an aware time: a naive one is a configuration error."""
    with pytest.raises(cc.ConfigurationError, match="time zone"):
        rules.tag("x").test(_case(), at=datetime(2026, 1, 1))  # noqa: DTZ001


ATOMS = [
    rules.days_past_due() >= 10,
    rules.days_past_due() < 30,
    rules.open_amount() >= "100 EUR",
    rules.tag("vip"),
    rules.customer_kind("b2b"),
    rules.on_time_ratio() >= 0.8,
]


def _rule_strategy() -> st.SearchStrategy[cc.Rule]:
    atoms = st.sampled_from(ATOMS)
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: p[0] & p[1]),
            st.tuples(inner, inner).map(lambda p: p[0] | p[1]),
            inner.map(lambda r: ~r),
        ),
        max_leaves=6,
    )


CASES = st.builds(
    lambda due, amount, vip, kind, paid: cc.Case(
        debtor=cc.Debtor(
            id="C-1",
            name="N",
            kind=kind,
            tags=frozenset({"vip"}) if vip else frozenset(),
            behaviour=cc.PaymentBehaviour(paid_on_time=paid, paid_late=3),
        ),
        invoices=[
            cc.Invoice(
                id="I",
                amount=cc.Money(amount, "EUR"),
                issued_on=date(2026, 1, 1),
                due_on=date(2026, 1, 1) + (due - date(2026, 1, 1)),
            )
        ],
    ),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)),
    st.integers(min_value=1, max_value=100_000),
    st.booleans(),
    st.sampled_from(["b2c", "b2b"]),
    st.integers(min_value=0, max_value=30),
)


@given(a=_rule_strategy(), b=_rule_strategy(), case=CASES)
def test_and_selects_a_subset(a: cc.Rule, b: cc.Rule, case: cc.Case) -> None:
    """Whatever ``a & b`` selects, ``a`` selects too; ``a | b`` and ``~a`` obey logic."""
    at = datetime(2026, 12, 31, 12, tzinfo=UTC)
    in_a, in_b = a.test(case, at=at), b.test(case, at=at)
    if (a & b).test(case, at=at):
        assert in_a
    assert (a | b).test(case, at=at) == (in_a or in_b)
    assert (~a).test(case, at=at) == (not in_a)
