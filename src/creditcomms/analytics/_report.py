"""A self-contained HTML report: headline figures, charts as PNG data URIs, and tables."""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._attribution import Attribution, attribute_payments, payment_curves
from ._feedback import summarize_feedback
from ._kpis import KpiRow, compute_kpis
from ._plots import figure_to_png
from ._records import Journal
from ._tables import Table, format_cell

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["render_report", "write_journal_report", "write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
.summary { display: flex; flex-wrap: wrap; gap: 1rem; }
.summary div { background: #f7f7fb; padding: 0.6rem 1rem; border-radius: 6px; }
.summary b { display: block; font-size: 1.3rem; }
img { max-width: 100%; }
"""


def _summary(summary: Mapping[str, object]) -> str:
    cells = "".join(
        f"<div>{html.escape(name)}<b>{html.escape(format_cell(value))}</b></div>"
        for name, value in summary.items()
    )
    return f'<section class="summary">{cells}</section>' if cells else ""


def _image(title: str, figure: Figure) -> str:
    data = base64.b64encode(figure_to_png(figure)).decode("ascii")
    alt = html.escape(title, quote=True)
    return f'<h2>{html.escape(title)}</h2>\n<img alt="{alt}" src="data:image/png;base64,{data}">'


def render_report(
    *,
    title: str = "creditcomms report",
    intro: str | None = None,
    summary: Mapping[str, object] | None = None,
    figures: Mapping[str, Figure] | None = None,
    tables: Mapping[str, Table] | None = None,
) -> str:
    """The report as one HTML document (see `write_report`)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if intro:
        parts.append(f"<p>{html.escape(intro)}</p>")
    parts.append(_summary(summary or {}))
    parts.extend(_image(name, figure) for name, figure in (figures or {}).items())
    parts.extend(
        f"<h2>{html.escape(name)}</h2>\n{table.to_html()}" for name, table in (tables or {}).items()
    )
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p)


def write_report(
    path: str | os.PathLike[str],
    /,
    *,
    title: str = "creditcomms report",
    intro: str | None = None,
    summary: Mapping[str, object] | None = None,
    figures: Mapping[str, Figure] | None = None,
    tables: Mapping[str, Table] | None = None,
) -> Path:
    """Write a self-contained HTML report and return its path.

    Args:
        path: Where to write (``report.html``); parent folders must exist.
        title: The page title.
        intro: A paragraph under the title.
        summary: Headline figures shown as tiles (``{"cases": 1000, "collected": ...}``).
        figures: Charts by section title, embedded as PNG data URIs (matplotlib, Agg).
        tables: Result objects by section title (`KpiTable`, `Attribution`, `Experiment`,
            `PaymentCurves`, `FeedbackSummary`), shown as HTML tables.
    """
    target = Path(path)
    document = render_report(
        title=title, intro=intro, summary=summary, figures=figures, tables=tables
    )
    target.write_text(document, encoding="utf-8")
    return target


def write_journal_report(
    path: str | os.PathLike[str],
    journal: Journal,
    /,
    *,
    title: str = "creditcomms report",
    intro: str | None = None,
    window: timedelta = timedelta(days=14),
    currency: str | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> Path:
    """Write the standard report of a journal: headline figures, three charts, six tables.

    Charts: payment curves per variant, the funnel per channel, cost vs. recovery per channel
    and variant. Tables: KPIs per channel and variant, per campaign and step, and per locale;
    attribution; the variants compared as an experiment (when there are two or more); and
    feedback (when there is any). Arguments as in `compute_kpis`.
    """
    options: dict[str, Any] = {"window": window, "currency": currency, "rates": rates}
    by_variant = compute_kpis(journal, by=("channel", "variant"), **options)
    attribution = attribute_payments(journal, **options)
    tables: dict[str, Table] = {
        "Per channel and variant": by_variant,
        "Per campaign and step": compute_kpis(journal, by=("campaign", "step"), **options),
        "Per locale": compute_kpis(journal, by=("locale",), **options),
        "Attribution (last touch and linear)": attribution,
    }
    variants = compute_kpis(journal, by=("variant",), **options)
    if len(variants.groups) > 1:
        tables["Variants compared (cases paid within the window)"] = variants.compare()
    if journal.feedback:
        tables["Feedback"] = summarize_feedback(journal)
    figures = {
        "Payment curves per variant": payment_curves(journal).plot(),
        "Funnel per channel": compute_kpis(journal, by=("channel",), **options).plot_funnel(),
        "Cost vs. recovery": by_variant.plot_cost_vs_recovery(),
    }
    return write_report(
        path,
        title=title,
        intro=intro,
        summary=_headline(journal, attribution, options),
        figures=figures,
        tables=tables,
    )


def _headline(
    journal: Journal, attribution: Attribution, options: dict[str, Any]
) -> dict[str, object]:
    (total,) = compute_kpis(journal, by=(), **options).groups or (KpiRow(),)
    currency = attribution.currency
    return {
        "messages sent": total.sent,
        "cases contacted": total.cases,
        "cases paid after a contact": total.paid_cases,
        f"collected ({currency})": attribution.total_amount,
        f"cost ({currency})": total.cost,
        f"cost per {currency} collected": total.cost_per_collected,
    }
