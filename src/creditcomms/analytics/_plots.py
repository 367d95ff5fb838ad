"""Charts of analytics results, as matplotlib ``Figure`` objects.

Figures are created without pyplot, so no global backend is touched: they render in
notebooks, and `write_report` saves them through the Agg renderer.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

from creditcomms.errors import MissingExtraError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ._attribution import PaymentCurves
    from ._kpis import KpiTable

__all__ = [
    "figure_to_png",
    "plot_cost_vs_recovery",
    "plot_funnel",
    "plot_payment_curves",
]

_FUNNEL = ("sent", "delivered", "opened", "clicked", "paid_cases")


@functools.cache
def _notebook_figure(base: type[Figure]) -> type[Figure]:
    class NotebookFigure(base):  # type: ignore[misc,valid-type]
        """A figure that shows itself as a PNG in notebooks, without pyplot."""

        def _repr_png_(self) -> bytes:
            return figure_to_png(self)

    return NotebookFigure


def _figure(feature: str, *, width: float = 8.0, height: float = 4.5) -> Figure:
    try:
        from matplotlib.figure import Figure  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise MissingExtraError(feature, "analytics", "matplotlib") from None
    return _notebook_figure(Figure)(figsize=(width, height), layout="constrained")


def _label(row: dict[str, Any], by: tuple[str, ...]) -> str:
    return " / ".join(str(row[d]) for d in by) or "all"


def plot_payment_curves(curves: PaymentCurves, /) -> Figure:
    """One line per group: share of cases paid by day since the due date."""
    figure = _figure("plot_payment_curves()")
    axes = figure.add_subplot()
    for curve in curves.curves:
        axes.step(curve.days, curve.shares, where="post", label=f"{curve.group} ({curve.cases})")
    axes.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    axes.set_xlabel("days since due date")
    axes.set_ylabel("share of cases paid")
    axes.set_ylim(0, 1)
    axes.set_title(f"Payment curves by {curves.by}")
    if curves.curves:
        axes.legend(loc="lower right")
    return figure


def plot_funnel(table: KpiTable, /) -> Figure:
    """Grouped bars per KPI group: sent, delivered, opened, clicked and paid cases."""
    figure = _figure("plot_funnel()")
    axes = figure.add_subplot()
    rows = table.rows()
    width = 0.8 / len(_FUNNEL)
    positions = range(len(rows))
    for number, stage in enumerate(_FUNNEL):
        offsets = [p + number * width for p in positions]
        axes.bar(offsets, [row[stage] for row in rows], width=width, label=stage.replace("_", " "))
    axes.set_xticks([p + 0.4 - width / 2 for p in positions])
    axes.set_xticklabels([_label(row, table.by) for row in rows], rotation=20, ha="right")
    axes.set_ylabel("messages / cases")
    axes.set_title("Funnel per " + (" and ".join(table.by) or "total"))
    if rows:
        axes.legend()
    return figure


def plot_cost_vs_recovery(table: KpiTable, /) -> Figure:
    """Each KPI group as a point: what it cost against what it collected."""
    figure = _figure("plot_cost_vs_recovery()")
    axes = figure.add_subplot()
    for row in table.rows():
        cost, collected = float(row["cost"]), float(row["collected"])
        axes.scatter([cost], [collected], s=60)
        axes.annotate(
            _label(row, table.by), (cost, collected), textcoords="offset points", xytext=(5, 5)
        )
    axes.set_xlabel(f"cost ({table.currency})")
    axes.set_ylabel(f"collected ({table.currency})")
    axes.set_title("Cost vs. recovery")
    axes.grid(True, alpha=0.3)
    return figure


def figure_to_png(figure: Figure, /, *, dpi: int = 100) -> bytes:
    """Render ``figure`` to PNG bytes with the Agg renderer."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
