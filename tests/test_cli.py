"""The ``creditcomms`` command: demo, preview, plan and report, run in-process."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

import creditcomms as cc
from creditcomms.cli import main
from qr_kit import decode_png, related_images


def test_demo_writes_outbox_journal_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small demo run fills the outbox, the SQLite journal and report.html."""
    status = main(["demo", "--cases", "40", "--days", "20", "--dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert (tmp_path / "creditcomms-demo.db").exists()
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<html" in report
    assert "data:image/png;base64," in report
    emails = sorted((tmp_path / "outbox" / "email").glob("*.eml"))
    assert emails
    parsed = email.message_from_bytes(emails[0].read_bytes(), policy=email.policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",  # the HTML and its payment QR code as an inline image
        "text/html",
        "image/png",
    ]
    assert "channel" in out
    assert "sent" in out


def test_demo_twice_starts_fresh(tmp_path: Path) -> None:
    """Running the demo again replaces the earlier outbox and journal."""
    args = ["demo", "--cases", "15", "--days", "10", "--dir", str(tmp_path), "--no-letters"]
    assert main(args) == 0
    first = sorted(p.name for p in (tmp_path / "outbox").rglob("*"))
    assert main(args) == 0
    assert sorted(p.name for p in (tmp_path / "outbox").rglob("*")) == first


def test_demo_leaves_an_outbox_it_did_not_write_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ``outbox`` folder with someone else's files is not emptied; the demo says why."""
    mine = tmp_path / "outbox" / "to-send" / "invoice.eml"
    mine.parent.mkdir(parents=True)
    mine.write_text("keep me", encoding="utf-8")
    args = ["demo", "--cases", "5", "--days", "5", "--dir", str(tmp_path), "--no-letters"]
    assert main(args) == 2
    assert "did not write; pass --dir" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "creditcomms-demo.db").exists()


def test_demo_counts_the_files_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The closing line counts message files, not folders or the demo's own marker."""
    args = ["demo", "--cases", "15", "--days", "10", "--dir", str(tmp_path), "--no-letters"]
    assert main(args) == 0
    files = [p for p in (tmp_path / "outbox").rglob("*") if p.is_file()]
    written = len(files) - 1  # the marker that lets a later demo empty the folder
    assert f"{written} files in {tmp_path / 'outbox'}/" in capsys.readouterr().out


@pytest.mark.parametrize("channel", sorted(cc.BUILTIN_CHANNELS))
def test_preview_writes_one_file(
    channel: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every channel previews to a file whose path is printed."""
    status = main(
        ["preview", "--template", "reminder", "--channel", channel, "--locale", "nl",
         "--tone", "firm", "--out", str(tmp_path)]
    )  # fmt: skip
    assert status == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.exists()
    assert path.parent == tmp_path
    assert path.stat().st_size > 0
    if channel == "email":
        (png,) = related_images(path.read_bytes()).values()
        (payload,) = decode_png(png)
        assert payload.startswith(b"BCD\n")  # the EPC QR code of the sample invoice


def test_plan_explains_each_case(
    tmp_path: Path, case: cc.Case, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plan`` prints the explained plan of every case in the file."""
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([case.model_dump(mode="json")]), encoding="utf-8")
    assert main(["plan", str(cases), "--at", "2026-11-10"]) == 0
    out = capsys.readouterr().out
    assert "case C-1001" in out
    assert "segment" in out


def test_plan_reports_bad_input_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case with a bad time zone exits with status 2 and names the field."""
    cases = tmp_path / "cases.json"
    bad = {
        "debtor": {"id": "D-1", "name": "X", "timezone": "Europe/Berln"},
        "invoices": [
            {"id": "I", "amount": "1.00 EUR", "issued_on": "2026-01-01", "due_on": "2026-01-31"}
        ],
    }
    cases.write_text(json.dumps([bad]), encoding="utf-8")
    assert main(["plan", str(cases), "--at", "2026-11-10"]) == 2
    err = capsys.readouterr().err
    assert "debtor.timezone" in err
    assert "Europe/Berlin" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ('{"cases": []}', "the top level is not a case"),
        ('[{"debtor": {"id": "D", "name": "X"}, "invoices": []}, 3]', "item 1 is not a case"),
    ],
)
def test_plan_refuses_a_file_that_holds_no_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    """A missing file, broken JSON or a non-case object exits 2 with what to give instead."""
    cases = tmp_path / "cases.json"
    if content is not None:
        cases.write_text(content, encoding="utf-8")
    assert main(["plan", str(cases), "--at", "2026-11-10"]) == 2
    assert message in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the installed version."""
    assert main(["--version"]) == 0
    assert cc.__version__ in capsys.readouterr().out


def test_report_reads_the_demo_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``report`` prints the demo's sends per channel from its SQLite journal, and a report."""
    assert (
        main(["demo", "--cases", "40", "--days", "20", "--dir", str(tmp_path), "--no-letters"]) == 0
    )
    demo = capsys.readouterr().out
    database, out = tmp_path / "creditcomms-demo.db", tmp_path / "store-report.html"
    rates = ["--currency", "EUR", "--rate", "CHF=1.06", "--rate", "GBP=1.16"]
    assert main(["report", str(database), *rates, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "<html" in out.read_text(encoding="utf-8")
    sent = {line.split()[1]: line.split()[5] for line in demo.splitlines() if "│ email" in line}
    again = {line.split()[1]: line.split()[5] for line in printed.splitlines() if "│ email" in line}
    assert sent
    assert again == sent  # the same sends per variant as the simulation counted
    assert main(["report", str(database), "--campaign", "nope", "--out", str(out)]) == 0
    assert "no sends" in capsys.readouterr().out


def test_report_explains_what_it_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file, mixed currencies without rates and a bad rate are named with the fix."""
    assert main(["report", str(tmp_path / "missing.db")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert (
        main(["demo", "--cases", "40", "--days", "15", "--dir", str(tmp_path), "--no-letters"]) == 0
    )
    capsys.readouterr()
    assert main(["report", str(tmp_path / "creditcomms-demo.db")]) == 2
    assert "--rate CHF=1.06" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", str(tmp_path / "creditcomms-demo.db"), "--rate", "CHF=lots"])
    assert "CURRENCY=VALUE" in capsys.readouterr().err
