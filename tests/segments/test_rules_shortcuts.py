"""Rules that skip work (no Money built, no sorting) answer exactly as the plain reading.

``open_amount`` comparisons add the open amount up as numbers and ``days_past_due`` finds
the oldest open due date without sorting; `Context.of` is built without the dataclass's
``__init__``. Each is checked against the plain reading of the case, over invoices that
are open, partly paid, paid or written off, in one or (unvalidated) several currencies.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creditcomms as cc
from creditcomms import rules
from creditcomms.segments import Context

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OPS: tuple[Callable[[Any, Any], bool], ...] = (
    operator.ge,
    operator.gt,
    operator.le,
    operator.lt,
    operator.eq,
    operator.ne,
)
DEBTOR = cc.Debtor(id="D-1", name="Erika", timezone="Pacific/Auckland")

invoice_specs = st.lists(
    st.tuples(
        st.integers(-40, 40),  # due date, days from AT
        st.sampled_from(["10.00", "99.99", "250.00", "1000.00"]),
        st.sampled_from([None, "0.00", "5.00", "99.99"]),
        st.sampled_from(list(cc.InvoiceStatus)),
        st.sampled_from(["EUR", "EUR", "EUR", "JPY"]),
    ),
    min_size=1,
    max_size=4,
)


def _case(specs: list[tuple[int, str, str | None, cc.InvoiceStatus, str]]) -> cc.Case:
    """A case built without validation, as a host's fast loader may build one."""
    invoices = []
    for number, (days, amount, rest, status, currency) in enumerate(specs):
        digits = "1000" if currency == "JPY" else amount
        total = cc.Money(digits, currency)
        left = None if rest is None else cc.Money("0" if currency == "JPY" else rest, currency)
        invoices.append(
            cc.Invoice.model_construct(
                id=f"I-{number}",
                amount=total,
                open_amount=left,
                issued_on=date(2026, 9, 1),
                due_on=AT.date() + timedelta(days=days),
                status=status,
            )
        )
    return cc.Case.model_construct(
        id="C-1", debtor=DEBTOR, invoices=tuple(invoices), state=cc.CaseState(), history=()
    )


def _plain(case: cc.Case, op: Callable[[Any, Any], bool], threshold: cc.Money) -> bool:
    """The comparison as it reads: the case's open amount as Money against the threshold."""
    if threshold.currency != case.currency:
        return False
    return bool(op(case.open_amount, threshold))


@settings(max_examples=300, deadline=None)
@given(
    specs=invoice_specs,
    op=st.sampled_from(OPS),
    amount=st.sampled_from(["0", "5.00", "99.99", "100", "255.00", "1109.99"]),
    currency=st.sampled_from(["EUR", "JPY", "CHF"]),
)
def test_open_amount_compares_as_money_does(
    specs: list[tuple[int, str, str | None, cc.InvoiceStatus, str]],
    op: Callable[[Any, Any], bool],
    amount: str,
    currency: str,
) -> None:
    """Same answer, or the same error for a case that mixes currencies."""
    case = _case(specs)
    threshold = cc.Money(amount if currency != "JPY" else amount.partition(".")[0], currency)
    rule = op(rules.open_amount(), threshold)
    ctx = Context.of(case, at=AT)
    try:
        expected = _plain(case, op, threshold)
    except ValueError as error:
        message = str(error)
    else:
        assert rule.matches(case, ctx) is expected
        return
    with pytest.raises(ValueError, match="different currencies") as raised:
        rule.matches(case, ctx)
    assert str(raised.value) == message


def test_open_amount_of_a_case_in_an_unknown_currency_fails_as_before() -> None:
    """A currency code no Money accepts makes the rule fail the way ``open_amount`` does."""
    invoice = cc.Invoice.model_construct(
        id="I-1",
        amount=cc.Money.model_construct(amount=Decimal("5.00"), currency="XXQ"),
        open_amount=None,
        issued_on=date(2026, 9, 1),
        due_on=date(2026, 10, 1),
        status=cc.InvoiceStatus.OPEN,
    )
    case = cc.Case.model_construct(
        id="C-1", debtor=DEBTOR, invoices=(invoice,), state=cc.CaseState(), history=()
    )
    rule = rules.open_amount() >= cc.Money.model_construct(amount=Decimal(1), currency="XXQ")
    with pytest.raises(cc.ValidationError):
        _ = case.open_amount
    with pytest.raises(cc.ValidationError):
        rule.matches(case, Context.of(case, at=AT))


@settings(max_examples=200, deadline=None)
@given(specs=invoice_specs, hours=st.integers(-24 * 30, 24 * 30))
def test_days_past_due_reads_the_oldest_open_due_date(
    specs: list[tuple[int, str, str | None, cc.InvoiceStatus, str]], hours: int
) -> None:
    """The measure equals ``case.days_past_due`` on the debtor's local date."""
    case = _case(specs)
    at = AT + timedelta(hours=hours)
    ctx = Context.of(case, at=at)
    assert rules.days_past_due().read(case, ctx) == case.days_past_due(ctx.on)


@settings(max_examples=100, deadline=None)
@given(
    hours=st.integers(-24 * 400, 24 * 400),
    zone=st.sampled_from(["Pacific/Auckland", "America/Los_Angeles", "UTC", "Europe/Berlin"]),
    offset=st.sampled_from([0, 5, -8]),
)
def test_context_of_equals_the_plain_context(hours: int, zone: str, offset: int) -> None:
    """`Context.of` equals ``Context(at, on)`` built by hand, whatever zone ``at`` is in."""
    case = _case([(0, "10.00", None, cc.InvoiceStatus.OPEN, "EUR")])
    case = case.model_copy(update={"debtor": DEBTOR.model_copy(update={"timezone": zone})})
    at = (AT + timedelta(hours=hours)).astimezone(timezone(timedelta(hours=offset)))
    made = Context.of(case, at=at)
    plain = Context(at=at, on=at.astimezone(case.debtor.zone).date())
    assert made == plain
    assert repr(made) == repr(plain)
    assert made.at is at
