"""Charts are matplotlib figures; the report embeds them and the tables in one HTML file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure

import creditcomms as cc
from creditcomms.analytics import (
    Journal,
    attribute_payments,
    compare_variants,
    compute_kpis,
    figure_to_png,
    payment_curves,
    render_report,
    summarize_feedback,
    write_journal_report,
    write_report,
)


class TestPlots:
    """Each plot returns a Figure with the expected marks."""

    def test_payment_curves(self, journal: Journal) -> None:
        """One step line per variant plus the due-date marker."""
        figure = payment_curves(journal).plot()
        assert isinstance(figure, Figure)
        (axes,) = figure.axes
        assert len(axes.lines) == 3
        assert axes.get_xlabel() == "days since due date"

    def test_funnel(self, journal: Journal) -> None:
        """Five bars (sent to paid) per channel."""
        figure = compute_kpis(journal, by=("channel",)).plot_funnel()
        (axes,) = figure.axes
        assert len(axes.patches) == 5 * 2
        assert [t.get_text() for t in axes.get_xticklabels()] == ["email", "sms"]

    def test_cost_vs_recovery(self, journal: Journal) -> None:
        """One point per variant."""
        figure = compute_kpis(journal, by=("variant",)).plot_cost_vs_recovery()
        (axes,) = figure.axes
        assert len(axes.collections) == 2

    def test_png(self, journal: Journal) -> None:
        """Figures render to PNG bytes."""
        assert figure_to_png(payment_curves(journal).plot()).startswith(b"\x89PNG\r\n\x1a\n")

    def test_needs_matplotlib(self, journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without matplotlib, plotting names the analytics extra."""
        monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
        with pytest.raises(cc.MissingExtraError, match=r"creditcomms\[analytics\]"):
            payment_curves(journal).plot()


class TestReport:
    """The HTML report is self-contained and escapes what it shows."""

    def test_write(self, journal: Journal, tmp_path: Path) -> None:
        """Charts become PNG data URIs; every table and summary tile is there."""
        path = write_report(
            tmp_path / "report.html",
            title="Demo <report>",
            intro="Forty-five simulated days.",
            summary={"cases": 4, "collected": attribute_payments(journal).total_amount},
            figures={"Payment curves": payment_curves(journal).plot()},
            tables={
                "Per channel": compute_kpis(journal, by=("channel",)),
                "Attribution": attribute_payments(journal),
                "Tone test": compare_variants({"A": (45, 100), "B": (60, 100)}),
                "Feedback": summarize_feedback(journal),
            },
        )
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert text.count("data:image/png;base64,") == 1
        assert "<title>Demo &lt;report&gt;</title>" in text
        assert "<b>170.00</b>" in text
        for heading in ("Per channel", "Attribution", "Tone test", "Feedback"):
            assert f"<h2>{heading}</h2>" in text
        assert "<th>cost_per_collected</th>" in text
        assert "B is better than A" in text

    def test_empty_report(self) -> None:
        """A report without sections is still a valid page."""
        text = render_report(title="Nothing yet")
        assert "<h1>Nothing yet</h1>" in text
        assert text.endswith("</body></html>")


class TestNotebookDisplay:
    """Figures and tables show themselves in notebooks; every result exports a frame."""

    def test_figures_show_as_png(self, journal: Journal) -> None:
        """Figures carry ``_repr_png_``, so notebooks show them without pyplot."""
        figure = compute_kpis(journal).plot_funnel()
        assert figure._repr_png_().startswith(b"\x89PNG")

    def test_results_show_as_tables(self, journal: Journal) -> None:
        """Every result renders as an HTML table and converts to a frame with its header."""
        results = [
            compute_kpis(journal),
            attribute_payments(journal),
            payment_curves(journal, days=range(5)),
            compare_variants({"A": (1, 2), "B": (2, 3)}),
            summarize_feedback(journal),
        ]
        for result in results:
            assert result._repr_html_().startswith("<table>")
            frame = result.to_frame()
            assert list(frame.columns) == list(result.header())
            assert len(frame) == len(result.rows())


class TestJournalReport:
    """The standard report of a journal has the headline, three charts and the tables."""

    def test_standard_report(self, journal: Journal, tmp_path: Path) -> None:
        """Headline figures are the hand-computed ones; every section is present."""
        path = write_journal_report(tmp_path / "report.html", journal, title="Run 1")
        text = path.read_text(encoding="utf-8")
        assert text.count("data:image/png;base64,") == 3
        assert "messages sent<b>6</b>" in text
        assert "cases paid after a contact<b>2</b>" in text
        assert "collected (EUR)<b>170.00</b>" in text
        for heading in (
            "Per channel and variant",
            "Per campaign and step",
            "Per locale",
            "Attribution (last touch and linear)",
            "Variants compared (cases paid within the window)",
            "Feedback",
        ):
            assert f"<h2>{heading}</h2>" in text

    def test_empty_journal(self, tmp_path: Path) -> None:
        """An empty journal still gives a report, without the optional sections."""
        text = write_journal_report(tmp_path / "empty.html", Journal()).read_text("utf-8")
        assert "messages sent<b>0</b>" in text
        assert "Feedback" not in text
