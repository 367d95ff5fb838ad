"""The reference pages cover what the library has: every error, every CLI option, the contract."""

from __future__ import annotations

import argparse
import inspect
import json
import re
import tomllib
from pathlib import Path

import pytest

import creditcomms as cc
import creditcomms.errors
from creditcomms import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _error_classes() -> list[str]:
    return [
        name
        for name, value in vars(creditcomms.errors).items()
        if inspect.isclass(value)
        and issubclass(value, creditcomms.errors.CreditCommsError)
        and value.__module__ == creditcomms.errors.__name__
    ]


def test_every_error_has_a_fix() -> None:
    """Each error class appears in the tree and in a table row of the errors page."""
    text = (DOCS / "reference" / "errors.md").read_text(encoding="utf-8")
    names = _error_classes()
    assert len(names) > 25
    for name in names:
        assert re.search(rf"(^|[─ ]){name}\n", text, re.MULTILINE), f"{name} not in the tree"
        if name != "CreditCommsError":
            assert f"| `{name}` |" in text, f"{name} has no row with its fix"


def test_every_cli_option_is_documented() -> None:
    """Every subcommand and option of ``creditcomms`` is on the CLI page."""
    text = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    parser = cli._parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(subparsers.choices) == {"demo", "preview", "plan", "report", "run"}
    for name, sub in subparsers.choices.items():
        assert f"## `creditcomms {name}`" in text
        for action in sub._actions:
            for flag in action.option_strings:
                if flag not in {"-h", "--help"}:
                    assert f"`{flag}`" in text or flag in text.split("```text")[1], (name, flag)


def test_adapter_page_shows_the_real_contract_test() -> None:
    """The contract subclass shown on the adapter page is the one the tests run."""
    page = (DOCS / "adapter.md").read_text(encoding="utf-8")
    shown = page.split("```text\n", 1)[1].split("```", 1)[0]
    source = (ROOT / "tests" / "transports" / "test_custom_channel_contract.py").read_text(
        encoding="utf-8"
    )
    assert shown.startswith("class TestChatTransport(HttpContract):")
    assert shown in source


def test_every_docs_page_is_in_the_navigation() -> None:
    """No page is built without a way to reach it."""
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        assert str(page.relative_to(DOCS)) in nav, page


def test_plan_with_a_campaign_file_as_documented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``creditcomms plan cases.json --at ... --campaign campaign.json`` as the CLI page says."""
    monkeypatch.chdir(tmp_path)
    case = {
        "debtor": {"id": "C-1", "name": "Jan", "contacts": {"email": "jan@example.nl"}},
        "invoices": [
            {"id": "F-1", "amount": "89.00 EUR", "issued_on": "2026-10-01", "due_on": "2026-10-31"}
        ],
    }
    (tmp_path / "cases.json").write_text(json.dumps([case]), encoding="utf-8")
    campaign = cc.Campaign("b2c", steps=[cc.Step("r", cc.after_due(days=3), cc.EMAIL)])
    (tmp_path / "campaign.json").write_text(cc.dump_campaign(campaign), encoding="utf-8")
    argv = ["plan", "cases.json", "--at", "2026-11-20", "--campaign", "campaign.json"]
    assert cli.main(argv) == 0
    (tmp_path / "campaign.yaml").write_text(cc.dump_campaign(campaign, format="yaml"), "utf-8")
    yaml_argv = ["plan", "cases.json", "--at", "2026-11-20", "--campaign", "campaign.yaml"]
    assert cli.main(yaml_argv) == 0


def test_readme_lists_every_extra() -> None:
    """The README's extras table has a row for each extra in pyproject.toml, and no other."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = set(project["project"]["optional-dependencies"]) - {"test"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z]+)` \|", readme, re.MULTILINE))
    assert rows == extras
