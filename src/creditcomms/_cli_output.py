"""Console output for the command line: rich when installed, plain text otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["Console"]


class Console:
    """Print lines, tables and progress; uses rich (the ``cli`` extra) when available."""

    def __init__(self) -> None:
        try:
            import rich.console  # noqa: PLC0415 - optional dependency

            self._rich: Any = rich.console.Console()
        except ImportError:
            self._rich = None

    def print(self, text: str) -> None:
        """Print one line."""
        if self._rich is not None:
            self._rich.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text)

    def error(self, text: str) -> None:
        """Print an error to stderr."""
        print(f"error: {text}", file=sys.stderr)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Print a table with right-aligned figures."""
        if self._rich is not None:
            import rich.table  # noqa: PLC0415

            table = rich.table.Table(title=title)
            for index, column in enumerate(columns):
                table.add_column(column, justify="left" if index < 2 else "right")
            for row in rows:
                table.add_row(*row)
            self._rich.print(table)
            return
        widths = [max(len(str(c)), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
        self.print(title)
        for line in (list(columns), *rows):
            self.print("  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)))

    @contextmanager
    def progress(self, label: str, *, total: int | None) -> Iterator[Callable[[int], None]]:
        """Yield ``advance(done)`` that moves a progress bar to ``done`` of ``total``.

        ``total=None``: the end is not known in advance; the bar counts without a limit.
        """
        if self._rich is None:
            yield lambda done: None
            return
        import rich.progress  # noqa: PLC0415

        with rich.progress.Progress(console=self._rich, transient=False) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.update(task, completed=done)
