"""The ``creditcomms`` command: ``demo``, ``preview``, ``plan``, ``report`` and ``run``.

``creditcomms demo`` runs a realistic strategy over a synthetic portfolio for 45 simulated
days with the SQLite store, writes every message to ``./outbox/`` and a ``report.html``, and
prints a summary. ``creditcomms run package.module:make_engine --processes 2`` runs what is
due with the host's own engine, in as many worker processes; ``creditcomms report
creditcomms.db`` prints the KPIs of what the engine sent and writes the HTML report.
Progress bars and tables use rich when the ``cli`` extra is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from creditcomms._cli_output import Console
from creditcomms.analytics import (
    Journal,
    KpiTable,
    compute_kpis,
    load_journal,
    write_journal_report,
)
from creditcomms.campaigns import Campaign, Strategy, load_campaign
from creditcomms.channels import (
    BUILTIN_CHANNELS,
    EmailMessage,
    LetterMessage,
    Message,
    SmsMessage,
)
from creditcomms.engine._processes import resolve_factory, run_due_in_processes
from creditcomms.errors import ConfigurationError, CreditCommsError, MissingExtraError
from creditcomms.letters import render_letter
from creditcomms.model import Case
from creditcomms.payments import PaymentRequest
from creditcomms.simulate import (
    demo_creditor,
    demo_strategy,
    run_blocking,
    simulate,
    synthetic_portfolio,
)
from creditcomms.stores import PostgresStore, SQLiteStore, Store
from creditcomms.templates import TemplateLibrary
from creditcomms.templates._samples import SAMPLE_AT, sample_case
from creditcomms.transports import FileOutbox

__all__ = ["main"]

DEMO_RATES = {"CHF": Decimal("1.06"), "GBP": Decimal("1.16")}
"""Illustrative exchange rates (EUR per unit) for the demo's report in euro."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="creditcomms", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="simulate a strategy over a synthetic portfolio")
    demo.add_argument("--cases", type=int, default=400, help="portfolio size (default 400)")
    demo.add_argument("--days", type=int, default=45, help="simulated days (default 45)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 2))
    demo.add_argument("--dir", type=Path, default=Path(), help="where to write (default .)")
    demo.add_argument("--no-letters", action="store_true", help="skip PDF letter layout")
    preview = commands.add_parser("preview", help="render one template for a sample case")
    preview.add_argument("--template", default="reminder")
    preview.add_argument("--channel", default="email", choices=sorted(BUILTIN_CHANNELS))
    preview.add_argument("--locale", default="en")
    preview.add_argument("--tone", default="neutral", choices=["friendly", "neutral", "firm"])
    preview.add_argument("--out", type=Path, default=Path("preview"), help="output folder")
    plan = commands.add_parser("plan", help="print the plan for cases in a JSON file")
    plan.add_argument("cases", type=Path, help="a JSON list of cases")
    plan.add_argument("--at", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    plan.add_argument("--campaign", type=Path, help="a campaign JSON/YAML (default: demo)")
    report = commands.add_parser("report", help="KPIs and an HTML report from a store's journal")
    report.add_argument("store", help="a SQLite file, or a PostgreSQL connection string")
    report.add_argument("--schema", default="creditcomms", help="PostgreSQL schema")
    report.add_argument("--since", type=_moment, help="only entries from this time (with offset)")
    report.add_argument("--campaign", help="only this campaign's sends")
    report.add_argument("--out", type=Path, default=Path("report.html"), help="report file")
    report.add_argument("--currency", help="reporting currency (default: the journal's only one)")
    report.add_argument(
        "--rate",
        action="append",
        default=[],
        type=_rate,
        metavar="CUR=VALUE",
        help="value of one unit of another currency, e.g. CHF=1.06 (repeatable)",
    )
    run = commands.add_parser("run", help="send what is due with your engine, in worker processes")
    run.add_argument("engine", help="the function that builds your Engine: package.module:function")
    run.add_argument("--processes", type=int, default=1, help="worker processes (default 1)")
    run.add_argument(
        "--at",
        type=_moment,
        default=None,
        help="the run's time, ISO 8601 with offset (default now)",
    )
    return parser


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset; add one, e.g. {text}+00:00")
    return moment


def _rate(text: str) -> tuple[str, Decimal]:
    currency, _, value = text.partition("=")
    try:
        return currency.strip().upper(), Decimal(value)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"{text!r}: write CURRENCY=VALUE, e.g. CHF=1.06") from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    args = _parser().parse_args(argv)
    console = Console()
    try:
        if args.version:
            from creditcomms import __version__  # noqa: PLC0415 - resolved lazily by design

            console.print(f"creditcomms {__version__}")
            return 0
        command = _COMMANDS.get(args.command or "")
        if command is not None:
            return command(args, console)
    except CreditCommsError as error:
        console.error(str(error))
        return 2
    _parser().print_help()
    return 1


_DEMO_MARK = ".creditcomms-demo"
"""The file that marks an outbox folder as the demo's own, so a re-run may empty it."""


def _fresh(folder: Path) -> tuple[Path, Path]:
    """The demo's outbox and journal under ``folder``, emptied of an earlier demo's run.

    An ``outbox`` folder that holds files the demo did not make is left alone: the command
    stops and says so rather than delete someone's messages.
    """
    outbox = folder / "outbox"
    database = folder / "creditcomms-demo.db"
    if outbox.exists() and not (outbox / _DEMO_MARK).exists() and any(outbox.iterdir()):
        raise ConfigurationError(
            f"{outbox}/ holds files that creditcomms demo did not write; pass --dir to run"
            " the demo in another folder, or move that folder away"
        )
    shutil.rmtree(outbox, ignore_errors=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    outbox.mkdir(parents=True)
    (outbox / _DEMO_MARK).write_text("written by creditcomms demo; it empties this folder\n")
    return outbox, database


def _demo(args: argparse.Namespace, console: Console) -> int:
    outbox, database = _fresh(args.dir)
    portfolio = synthetic_portfolio(args.cases, seed=args.seed, start=args.start)
    console.print(
        f"Simulating {len(portfolio)} cases over {args.days} days from {args.start}"
        f" (SQLite journal {database}, outbox {outbox}/)"
    )
    store = SQLiteStore(database)
    writer = FileOutbox(outbox)
    with console.progress("simulated days", total=args.days) as advance:
        result = simulate(
            demo_strategy(),
            portfolio,
            days=args.days,
            start=args.start,
            store=store,
            transports=dict.fromkeys(BUILTIN_CHANNELS, writer),
            letters=False if args.no_letters else None,
            progress=lambda done, total: advance(done),
        )
    run_blocking(store.aclose())
    _print_kpis(console, result.kpis(by=("channel", "variant"), rates=DEMO_RATES))
    report = result.write_report(args.dir / "report.html", rates=DEMO_RATES)
    console.print(result.report.summary())
    written = sum(1 for path in outbox.rglob("*") if path.is_file() and path.name != _DEMO_MARK)
    console.print(f"{written} files in {outbox}/; report: {report}")
    return 0


def _print_kpis(console: Console, table: KpiTable) -> None:
    rows = [
        [
            row["channel"],
            row["variant"] or "-",
            str(row["sent"]),
            str(row["paid_cases"]),
            f"{Decimal(row['collected']):,.2f}",
            f"{Decimal(row['cost']):,.2f}",
        ]
        for row in table.rows()
    ]
    console.table(
        f"Per channel and variant ({table.currency})",
        ["channel", "variant", "sent", "paid", "collected", "cost"],
        rows,
    )


_KEYWORDS = re.compile(r"\s*\w+\s*=")


def _report(args: argparse.Namespace, console: Console) -> int:
    location = str(args.store)
    # A PostgreSQL connection string: a URL, or libpq's "host=... dbname=..." keywords.
    if location.startswith(("postgresql://", "postgres://")) or _KEYWORDS.match(location):
        store: Store = PostgresStore(location, schema=args.schema)
    elif Path(location).is_file():
        store = SQLiteStore(location)
    else:
        raise ConfigurationError(
            f"{location}: no such file; give the SQLite file the engine writes to, or a"
            " PostgreSQL connection string (postgresql://... or 'host=... dbname=...')"
        )
    journal = run_blocking(_read_journal(store, args.since, args.campaign))
    if not journal.sends:
        console.print(f"{location}: no sends in the journal (check --since and --campaign)")
        return 0
    options = {"currency": args.currency, "rates": dict(args.rate) or None}
    try:
        table = compute_kpis(journal, by=("channel", "variant"), **options)
    except ConfigurationError as error:
        raise ConfigurationError(
            f"{error}; on the command line: --currency EUR --rate CHF=1.06 --rate GBP=1.16"
        ) from None
    _print_kpis(console, table)
    path = write_journal_report(args.out, journal, title=f"creditcomms: {location}", **options)
    console.print(f"{len(journal.sends)} sends, {len(journal.payments)} payments; report: {path}")
    return 0


async def _read_journal(store: Store, since: datetime | None, campaign: str | None) -> Journal:
    try:
        return await load_journal(store, since=since, campaign=campaign)
    finally:
        await store.aclose()


def _preview(args: argparse.Namespace, console: Console) -> int:
    library = TemplateLibrary.builtin()
    case, creditor = sample_case(args.locale), demo_creditor()
    payment = PaymentRequest.for_case(case, creditor, at=SAMPLE_AT)
    message = library.preview(
        args.template,
        args.channel,
        locale=args.locale,
        tone=args.tone,
        case=case,
        creditor=creditor,
        payment=payment,
    )
    if isinstance(message, LetterMessage):
        try:
            message = render_letter(message, case=case, creditor=creditor, payment=payment)
        except MissingExtraError:
            console.error('letters are previewed as text; pip install "creditcomms[letters]"')
    args.out.mkdir(parents=True, exist_ok=True)
    path = _write_preview(message, args.out / f"{args.template}-{args.channel}-{args.locale}")
    console.print(str(path))
    return 0


def _write_preview(message: Message, stem: Path) -> Path:
    if isinstance(message, EmailMessage):
        path = stem.with_suffix(".eml")
        path.write_bytes(message.to_mime().as_bytes())
    elif isinstance(message, LetterMessage) and message.pdf is not None:
        path = stem.with_suffix(".pdf")
        path.write_bytes(message.pdf)
    elif isinstance(message, SmsMessage):
        path = stem.with_suffix(".txt")
        header = f"To: {message.to}\nEncoding: {message.encoding}, {message.segments} segment(s)"
        path.write_text(f"{header}\n\n{message.text}\n", encoding="utf-8")
    else:
        path = stem.with_suffix(".json")
        path.write_text(message.model_dump_json(indent=2, exclude={"pdf"}), encoding="utf-8")
    return path


def _campaign(path: Path) -> Campaign:
    """Read a campaign file: YAML for ``.yaml``/``.yml``, JSON otherwise."""
    fmt = "yaml" if path.suffix.lower() in {".yaml", ".yml"} else "json"
    return load_campaign(path.read_text(encoding="utf-8"), format=fmt)


def _read_cases(path: Path) -> list[Case]:
    """The cases in a JSON file: a list of cases, or one case object."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"{path}: no such file; give the path of a JSON file of cases"
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path}: not JSON ({exc}); give a JSON list of cases") from None
    items = raw if isinstance(raw, list) else [raw]
    for index, item in enumerate(items):
        if not isinstance(item, dict) or "debtor" not in item:
            where = f"item {index}" if isinstance(raw, list) else "the top level"
            raise ConfigurationError(
                f"{path}: {where} is not a case; write a JSON list of case objects, each with"
                ' "debtor" and "invoices" (what Case.model_dump(mode="json") gives)'
            )
    return [Case.model_validate(item) for item in items]


def _plan(args: argparse.Namespace, console: Console) -> int:
    cases = _read_cases(args.cases)
    strategy = Strategy([], default=_campaign(args.campaign)) if args.campaign else demo_strategy()
    at = datetime.combine(args.at, time(9), UTC)
    for case in cases:
        console.print(strategy.plan(case, at=at).explain())
        console.print("")
    return 0


def _run(args: argparse.Namespace, console: Console) -> int:
    # As with `python -m`, the engine's module may live in the current directory; the
    # workers inherit this search path.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    resolve_factory(args.engine)  # a bad path fails here, before the progress bar is drawn
    at = args.at or datetime.now(UTC)
    console.print(f"Running what is due at {at.isoformat()} in {args.processes} process(es)")
    with console.progress("actions", total=None) as advance:
        report = run_due_in_processes(
            args.engine, at=at, processes=args.processes, progress=lambda done, _: advance(done)
        )
    console.print(report.summary())
    return 0 if not report.failed else 3


_COMMANDS: dict[str, Callable[[argparse.Namespace, Console], int]] = {
    "demo": _demo,
    "preview": _preview,
    "plan": _plan,
    "report": _report,
    "run": _run,
}
