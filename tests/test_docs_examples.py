"""Every Python code block in README.md and docs/ runs, so documentation cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])


def _blocks(path: Path) -> list[str]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if _blocks(d)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_code_blocks_run(document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The document's Python blocks run in order in one namespace, in a scratch folder."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for number, block in enumerate(_blocks(document), start=1):
        code = compile(block, f"{document.name}[block {number}]", "exec")
        exec(code, namespace)  # noqa: S102 - executing our own documentation is the point


def test_readme_starts_with_the_two_commands() -> None:
    """The README opens with the command that runs the main job and the test command."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```bash", 1)[1].split("```", 1)[0]
    assert "pip install" in first_block
    assert "pip install nox && nox -s tests" in first_block


def test_ci_runs_the_readme_test_command() -> None:
    """``.ci/run`` calls exactly the README's test command plus lint and typecheck."""
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "nox -s tests" in script
    assert "nox -s lint typecheck" in script
