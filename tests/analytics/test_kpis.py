"""KPIs, attribution, payment curves and feedback, checked against the hand-computed journal."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest

import creditcomms as cc
from creditcomms.analytics import (
    Journal,
    PaymentRecord,
    SendStatus,
    attribute_payments,
    compute_kpis,
    payment_curves,
    summarize_feedback,
)


class TestKpisByChannel:
    """Per channel, every figure matches the table in the fixture's notes."""

    def test_email(self, journal: Journal) -> None:
        """Email: 4 attempts, 1 failed, 1 bounced, 2 seen, 1 click, 2 of 4 paid, 50 credited."""
        email = compute_kpis(journal, by=("channel",)).groups[0]
        assert email.channel == "email"
        assert (email.attempts, email.sent, email.failed, email.bounced) == (4, 3, 1, 1)
        assert (email.delivered, email.opened, email.read, email.clicked) == (2, 2, 0, 1)
        assert (email.cases, email.paid_cases, email.collection_rate) == (4, 2, 0.5)
        assert (email.cost, email.collected) == (Decimal("0.00"), Decimal("50.00"))
        assert email.cost_per_collected == Decimal("0.0000")
        assert email.days_to_pay == pytest.approx(1.0)
        assert email.days_past_due == pytest.approx(3.0)
        assert email.opt_outs == 0

    def test_sms(self, journal: Journal) -> None:
        """SMS: 3 delivered, 1 of 3 cases paid in the window, 100 credited for 0.30."""
        sms = compute_kpis(journal, by=("channel",)).groups[1]
        assert sms.channel == "sms"
        assert (sms.attempts, sms.sent, sms.delivered, sms.opened, sms.clicked) == (3, 3, 3, 0, 0)
        assert (sms.cases, sms.paid_cases) == (3, 1)
        assert sms.collection_rate == pytest.approx(1 / 3)
        assert (sms.cost, sms.collected) == (Decimal("0.30"), Decimal("100.00"))
        assert sms.cost_per_collected == Decimal("0.0030")
        assert sms.days_to_pay == pytest.approx(1.0)
        assert sms.days_past_due == pytest.approx(7.0)
        assert sms.opt_outs == 1


class TestKpiGroupings:
    """Other groupings, totals and windows."""

    def test_one_dimension_as_text(self, journal: Journal) -> None:
        """``by="channel"`` groups by the channel, not by its letters."""
        assert compute_kpis(journal, by="channel") == compute_kpis(journal, by=("channel",))

    def test_totals(self, journal: Journal) -> None:
        """``by=()`` gives one row: 7 attempts, 2 of 4 cases paid, 150 attributed."""
        (total,) = compute_kpis(journal, by=()).groups
        assert (total.attempts, total.cases, total.paid_cases) == (7, 4, 2)
        assert (total.cost, total.collected) == (Decimal("0.30"), Decimal("150.00"))

    def test_by_variant(self, journal: Journal) -> None:
        """Variant A collected everything; B cost 0.20 and collected nothing."""
        a, b = compute_kpis(journal, by=("variant",)).groups
        assert (a.variant, a.cases, a.paid_cases, a.collected) == ("A", 2, 2, Decimal("150.00"))
        assert (b.variant, b.cases, b.paid_cases, b.collected) == ("B", 2, 0, Decimal("0.00"))
        assert b.cost == Decimal("0.20")
        assert b.cost_per_collected is None
        assert b.days_to_pay is None

    def test_by_day_and_step(self, journal: Journal) -> None:
        """Day and step group the sends of day 0 (s1) and day 3 (s2)."""
        table = compute_kpis(journal, by=("day", "step"))
        keys = [(row.day, row.step, row.attempts) for row in table.groups]
        assert keys == [(date(2026, 11, 2), "s1", 4), (date(2026, 11, 5), "s2", 3)]

    def test_longer_window_counts_late_payment(self, journal: Journal) -> None:
        """With a 30-day window the SMS to c2 also counts as paid and is credited 20.00."""
        sms = compute_kpis(journal, by=("channel",), window=timedelta(days=30)).groups[1]
        assert sms.paid_cases == 2
        assert sms.collected == Decimal("120.00")

    def test_rows_and_frame_share_columns(self, journal: Journal) -> None:
        """``rows()`` and ``to_frame()`` have the grouping columns first, then the figures."""
        table = compute_kpis(journal, by=("campaign", "channel"))
        frame = table.to_frame()
        assert list(frame.columns) == list(table.header())
        assert list(frame.columns[:3]) == ["campaign", "channel", "attempts"]
        assert frame["collected"].tolist() == [Decimal("50.00"), Decimal("100.00")]

    @pytest.mark.parametrize("rate", [Decimal("1.05"), "1.05", 1.05])
    def test_rates_may_be_given_as_numbers_or_text(self, journal: Journal, rate: object) -> None:
        """A rate typed as a float or a string counts like the same Decimal."""
        chf = PaymentRecord(
            at=journal.sends[5].at + timedelta(days=1),
            case_id="c2",
            amount=cc.Money("10.00", "CHF"),
            due_on=date(2026, 11, 1),
        )
        mixed = journal.model_copy(update={"payments": (*journal.payments, chf)})
        table = compute_kpis(mixed, by=("channel",), currency="EUR", rates={"CHF": rate})  # type: ignore[dict-item]
        exact = compute_kpis(mixed, by=("channel",), currency="EUR", rates={"CHF": Decimal("1.05")})
        assert table.groups == exact.groups

    @pytest.mark.parametrize("rate", [0, -1, "abc", True, None])
    def test_a_rate_that_is_no_positive_number_is_refused(
        self, journal: Journal, rate: object
    ) -> None:
        """A rate of 0, below 0, not a number or a bool names the currency and the fix."""
        with pytest.raises(cc.ConfigurationError, match=r"rates\['CHF'\] = .*positive number"):
            compute_kpis(journal, currency="EUR", rates={"CHF": rate})  # type: ignore[dict-item]

    def test_mixed_currencies_need_rates(self, journal: Journal) -> None:
        """A CHF payment needs a reporting currency and a rate; then it is converted."""
        chf = PaymentRecord(
            at=journal.sends[5].at + timedelta(days=1),
            case_id="c2",
            amount=cc.Money("10.00", "CHF"),
            due_on=date(2026, 11, 1),
        )
        mixed = journal.model_copy(update={"payments": (*journal.payments, chf)})
        with pytest.raises(cc.ConfigurationError, match="pass currency='EUR'"):
            compute_kpis(mixed)
        with pytest.raises(cc.ConfigurationError, match=r"no exchange rate for \['CHF'\]"):
            compute_kpis(mixed, currency="EUR")
        sms = compute_kpis(
            mixed, by=("channel",), currency="EUR", rates={"CHF": Decimal("1.05")}
        ).groups[1]
        assert sms.collected == Decimal("110.50")

    def test_bad_options(self, journal: Journal) -> None:
        """Unknown dimensions and empty windows are refused."""
        with pytest.raises(cc.ConfigurationError, match="cannot group by"):
            compute_kpis(journal, by=("colour",))  # type: ignore[arg-type]
        with pytest.raises(cc.ConfigurationError, match="window"):
            compute_kpis(journal, window=timedelta(0))

    def test_frame_needs_pandas(self, journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without pandas, ``to_frame`` names the analytics extra."""
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[analytics\]"):
            compute_kpis(journal).to_frame()


class TestAttribution:
    """Last-touch and linear credit per step."""

    def test_last_touch_and_linear(self, journal: Journal) -> None:
        """Email gets 50 last-touch and 100 linear; SMS 100 last-touch and 50 linear."""
        result = attribute_payments(journal)
        email, sms = result.steps
        assert (email.step, email.payments, email.amount) == ("s1", 1, Decimal("50.00"))
        assert (email.linear_amount, email.assisted) == (Decimal("100.00"), 2)
        assert (sms.step, sms.payments, sms.amount) == ("s2", 1, Decimal("100.00"))
        assert (sms.linear_amount, sms.assisted) == (Decimal("50.00"), 1)
        assert email.share == pytest.approx(50 / 170)

    def test_unattributed(self, journal: Journal) -> None:
        """c2's late payment has no contact in its window."""
        result = attribute_payments(journal)
        assert (result.unattributed_payments, result.unattributed_amount) == (1, Decimal("20.00"))
        assert result.total_amount == Decimal("170.00")


class TestPaymentCurves:
    """Share of each variant's cases paid by day since the due date."""

    def test_variant_curves(self, journal: Journal) -> None:
        """A: c3 pays on day 3 and c1 on day 7; B: c2 pays on day 31."""
        curves = payment_curves(journal, days=range(-5, 40))
        a, b = curves.curve("A"), curves.curve("B")
        assert (a.cases, b.cases) == (2, 2)
        assert [a.share_on(d) for d in (2, 3, 6, 7)] == [0.0, 0.5, 0.5, 1.0]
        assert (b.share_on(30), b.share_on(31)) == (0.0, 0.5)

    def test_long_rows(self, journal: Journal) -> None:
        """``rows()`` has one row per group and day."""
        curves = payment_curves(journal, days=range(10))
        assert len(curves.rows()) == 2 * 10
        with pytest.raises(KeyError, match="'C'"):
            curves.curve("C")
        with pytest.raises(cc.ConfigurationError, match="outside"):
            curves.curve("A").share_on(50)


class TestFeedback:
    """Ratings summarised per step and channel."""

    def test_summary(self, journal: Journal) -> None:
        """Email step s1 has two ratings (5 and 4); the SMS rating has no step."""
        unknown, email = summarize_feedback(journal).groups
        assert (unknown.step, unknown.channel, unknown.responses) == ("(unknown)", "sms", 1)
        assert (email.step, email.channel, email.responses) == ("s1", "email", 2)
        assert email.mean_rating == 4.5
        assert email.ratings == (0, 0, 0, 1, 1)
        assert (email.positive_share, email.comments) == (1.0, 1)
        assert unknown.positive_share == 0.0


class TestSendStatus:
    """A send's status from its provider reports."""

    @pytest.mark.parametrize(
        ("reports", "expected"),
        [
            ([], SendStatus.SENT),
            (["delivered"], SendStatus.DELIVERED),
            (["opened", "delivered", "clicked"], SendStatus.CLICKED),
            ([cc.DeliveryStatus.READ, cc.DeliveryStatus.DELIVERED], SendStatus.READ),
            (["delivered", "bounced"], SendStatus.BOUNCED),
            (["complained"], SendStatus.DELIVERED),
        ],
    )
    def test_furthest(self, reports: list[str], expected: SendStatus) -> None:
        """Bounces win; otherwise the highest rung reached."""
        assert SendStatus.furthest(reports) is expected


class TestSlicing:
    """Journals filter to one campaign or variant; a one-dimension table becomes an experiment."""

    def test_only(self, journal: Journal) -> None:
        """Filtering on variant A keeps its sends and only its cases' events."""
        part = journal.only(variant="A")
        assert {s.case_id for s in part.sends} == {"c1", "c3"}
        assert {p.case_id for p in part.payments} == {"c1", "c3"}
        assert (part.opt_outs, len(part.feedback)) == ((), 2)
        assert journal.only(channel="sms", variant="B").sends == journal.sends[5:7]
        with pytest.raises(cc.ConfigurationError, match=r"cannot filter on \['colour'\]"):
            journal.only(colour="red")

    def test_compare(self, journal: Journal) -> None:
        """Grouped by variant, the table compares 2/2 paid against 0/2: not enough data yet."""
        experiment = compute_kpis(journal, by=("variant",)).compare()
        assert [(v.variant, v.successes, v.trials) for v in experiment.variants] == [
            ("A", 2, 2),
            ("B", 0, 2),
        ]
        assert experiment.comparisons[0].verdict.startswith("not enough data yet")
        with pytest.raises(cc.ConfigurationError, match="one dimension"):
            compute_kpis(journal, by=("variant", "channel")).compare()
