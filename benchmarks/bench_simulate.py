"""Synthetic portfolios, simulated responses and KPIs: how fast a notebook gets its figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import creditcomms as cc
from benchmarks._report import compare, measure, single

START = date(2026, 11, 2)
RATES = {"CHF": Decimal("1.06"), "GBP": Decimal("1.15")}


def _journal(portfolio: cc.Portfolio, model: cc.ResponseModel) -> cc.Journal:
    sends, payments = [], []
    for case in portfolio:
        sent_at = datetime(2026, 11, 5, 9, tzinfo=UTC)
        events = model.respond(
            case.id,
            profile=portfolio.profile(case.id),
            channel="email",
            tone="neutral",
            sent_at=sent_at,
            open_amount=case.open_amount,
        )
        payments += [
            cc.PaymentRecord(at=e.at, case_id=case.id, amount=e.amount, due_on=case.oldest_due_on)
            for e in events
            if isinstance(e, cc.PaymentReceived)
        ]
        sends.append(
            cc.SendRecord(
                at=sent_at + timedelta(minutes=len(sends) % 600),
                case_id=case.id,
                campaign="standard",
                step="reminder-1",
                channel="email",
                variant="A" if len(sends) % 2 else "B",
                cost=model.cost("email"),
            )
        )
    return cc.Journal.of(sends, payments)


def main() -> None:
    """Print portfolio, response and KPI throughput."""
    fast = measure(
        "synthetic_portfolio(10_000)",
        10_000,
        lambda: cc.synthetic_portfolio(10_000, seed=1, start=START),
    )
    checked = measure(
        "synthetic_portfolio(10_000, validate=True)",
        10_000,
        lambda: cc.synthetic_portfolio(10_000, seed=1, start=START, validate=True),
        repeat=1,
    )
    compare("synthetic portfolio: trusted build vs full validation", fast, checked, unit="cases")
    portfolio = cc.synthetic_portfolio(10_000, seed=1, start=START)
    model = cc.ResponseModel(seed=1)
    responses = measure(
        "ResponseModel.respond + records (10,000)", 10_000, lambda: _journal(portfolio, model)
    )
    single("simulated responses", responses, unit="messages", note="one email per case")
    journal = _journal(portfolio, model)
    kpis = measure(
        "compute_kpis(by=channel, variant, day)",
        len(journal.sends),
        lambda: cc.compute_kpis(
            journal, by=("channel", "variant", "day"), currency="EUR", rates=RATES
        ),
    )
    single("KPIs over a 10,000-send journal", kpis, unit="sends")
