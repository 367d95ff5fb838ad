"""The scripts in examples/ run to completion."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example runs as a script in a scratch folder without raising."""
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
