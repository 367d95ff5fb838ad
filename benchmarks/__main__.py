"""Run the benchmarks: ``python -m benchmarks [name ...]`` (names without the ``bench_`` prefix)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    """Import each ``bench_*`` module and call its ``main()``."""
    here = Path(__file__).parent
    available = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = argv or available
    for name in chosen:
        if name not in available:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(available)}")
        print(f"\n######## {name}")
        importlib.import_module(f"benchmarks.bench_{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
