"""The reference pages cover what the library has: every error, every CLI option, the contract."""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

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
    assert set(subparsers.choices) == {"demo", "preview", "plan"}
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
