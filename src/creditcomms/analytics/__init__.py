"""Analytics: KPIs, attribution, payment curves, experiments and an adaptive split.

Everything reads a plain in-memory `Journal` of `SendRecord` and `PaymentRecord` rows (plus
`OptOut` and `Feedback` events). Results are typed objects with ``to_frame()`` (pandas) and
plots (matplotlib), both from the ``analytics`` extra.
"""

from ._attribution import (
    NO_GROUP,
    Attribution,
    AttributionRow,
    PaymentCurve,
    PaymentCurves,
    attribute_payments,
    payment_curves,
)
from ._builder import JournalBuilder
from ._feedback import FeedbackRow, FeedbackSummary, summarize_feedback
from ._kpis import DIMENSIONS, KpiRow, KpiTable, compute_kpis
from ._plots import figure_to_png, plot_cost_vs_recovery, plot_funnel, plot_payment_curves
from ._records import Journal, PaymentRecord, SendRecord, SendStatus
from ._report import render_report, write_journal_report, write_report
from ._stats import (
    MIN_EXPECTED,
    MIN_TRIALS,
    Comparison,
    Experiment,
    Interval,
    VariantStats,
    compare_proportions,
    compare_variants,
    wilson_interval,
)
from ._store import load_journal
from ._tables import Table
from ._thompson import Arm, ThompsonSplit

__all__ = [
    "DIMENSIONS",
    "MIN_EXPECTED",
    "MIN_TRIALS",
    "NO_GROUP",
    "Arm",
    "Attribution",
    "AttributionRow",
    "Comparison",
    "Experiment",
    "FeedbackRow",
    "FeedbackSummary",
    "Interval",
    "Journal",
    "JournalBuilder",
    "KpiRow",
    "KpiTable",
    "PaymentCurve",
    "PaymentCurves",
    "PaymentRecord",
    "SendRecord",
    "SendStatus",
    "Table",
    "ThompsonSplit",
    "VariantStats",
    "attribute_payments",
    "compare_proportions",
    "compare_variants",
    "compute_kpis",
    "figure_to_png",
    "load_journal",
    "payment_curves",
    "plot_cost_vs_recovery",
    "plot_funnel",
    "plot_payment_curves",
    "render_report",
    "summarize_feedback",
    "wilson_interval",
    "write_journal_report",
    "write_report",
]
