"""What every analytics result shares: rows as dicts, a DataFrame, and an HTML table."""

from __future__ import annotations

import abc
import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from creditcomms.errors import MissingExtraError

if TYPE_CHECKING:
    import pandas

__all__ = ["Table", "format_cell", "require_pandas"]


def require_pandas(feature: str) -> Any:
    """Import pandas, or raise `MissingExtraError` naming the ``analytics`` extra."""
    try:
        import pandas  # noqa: PLC0415 - optional dependency, imported when used
    except ImportError:
        raise MissingExtraError(feature, "analytics", "pandas") from None
    return pandas


def format_cell(value: object) -> str:
    """A cell as people read it: rates as percentages are left to callers; floats 3 digits."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


class Table(abc.ABC):
    """Mixin of result objects: ``rows()`` gives dicts; frames and HTML are built from them."""

    columns: ClassVar[tuple[str, ...]] = ()
    """The column names, in order (`header` may compute them per object instead)."""

    def header(self) -> tuple[str, ...]:
        """The column names of this table, in order."""
        return self.columns

    @abc.abstractmethod
    def rows(self) -> list[dict[str, Any]]:
        """One dict per row, keyed by column name."""

    def to_frame(self) -> pandas.DataFrame:
        """The rows as a pandas ``DataFrame`` (needs the ``analytics`` extra)."""
        pandas = require_pandas(f"{type(self).__name__}.to_frame()")
        return pandas.DataFrame(self.rows(), columns=list(self.header()))

    def to_html(self) -> str:
        """The rows as an HTML ``<table>``, values escaped."""
        columns = self.header()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(format_cell(row.get(c)))}</td>" for c in columns)
            + "</tr>"
            for row in self.rows()
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _repr_html_(self) -> str:
        """Notebooks show results as tables."""
        return self.to_html()
