"""Shared fixtures (sample cases, creditors, a fixed clock) and the CI rule for skips.

On a developer's machine a test may skip when a server or an optional extra is missing
(PostgreSQL binaries, typst, aiosmtpd, ...). With ``CI=true`` every such skip is turned into a
failure here, in one place, so a CI run cannot pass by silently testing less.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from datetime import UTC, date, datetime

import pytest
from _pytest.reports import CollectReport, TestReport

import creditcomms as cc
from creditcomms.stores._pgtemp import TemporaryPostgres, find_postgres_bindir

_IN_CI = os.environ.get("CI") == "true"


def _fail_in_ci(report: CollectReport | TestReport) -> None:
    """Turn a skip into a failure when running in CI (expected failures are left alone)."""
    if _IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), which must not happen: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, CollectReport, CollectReport]:
    """Module-level skips (a missing extra) fail the collection in CI."""
    report = yield
    _fail_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, TestReport, TestReport]:
    """Skips inside a test or fixture (a missing server) fail the test in CI."""
    report = yield
    _fail_in_ci(report)
    return report


@pytest.fixture(name="now")
def _now() -> datetime:
    """A fixed, timezone-aware 'now' for deterministic tests."""
    return datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(name="debtor")
def _debtor() -> cc.Debtor:
    """A German consumer with every contact."""
    return cc.Debtor(
        id="C-1001",
        name="Erika Mustermann",
        locale="de_DE",
        timezone="Europe/Berlin",
        contacts=cc.Contacts(
            email="erika@example.de",
            phone="+4915112345678",
            address=cc.PostalAddress(
                name="Erika Mustermann",
                street="Heidestraße",
                house_number="17",
                postcode="51147",
                city="Köln",
                country="DE",
            ),
        ),
        consents={cc.SMS: True},
    )


@pytest.fixture(name="case")
def _case(debtor: cc.Debtor) -> cc.Case:
    """A case with one open invoice of 123.45 EUR due 2026-10-31."""
    return cc.Case(
        debtor=debtor,
        invoices=[
            cc.Invoice(
                id="RE-2026-0001",
                amount=cc.Money("123.45", "EUR"),
                issued_on=date(2026, 10, 1),
                due_on=date(2026, 10, 31),
            )
        ],
    )


@pytest.fixture(name="creditor")
def _creditor() -> cc.Creditor:
    """A German creditor with a pay page and a link secret."""
    return cc.Creditor(
        name="Muster GmbH",
        address=cc.PostalAddress(
            name="Muster GmbH",
            street="Hauptstraße",
            house_number="1",
            postcode="10115",
            city="Berlin",
            country="DE",
        ),
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        payment_page="https://pay.muster.example/{token}",
        link_secret="a-very-long-test-secret-0123456789",
        senders={cc.EMAIL: "Muster GmbH <billing@muster.example>", cc.SMS: "MUSTER"},
        email="billing@muster.example",
    )


@pytest.fixture(name="swiss_case")
def _swiss_case(debtor: cc.Debtor) -> cc.Case:
    """A case of a customer in Lausanne with one open invoice of 1949.75 CHF."""
    address = cc.PostalAddress(
        name="Hans Muster",
        street="Rue du Lac",
        house_number="5",
        postcode="1000",
        city="Lausanne",
        country="CH",
    )
    customer = debtor.model_copy(
        update={"locale": "de_CH", "contacts": cc.Contacts(address=address)}
    )
    invoice = cc.Invoice(
        id="RE-2026-0042",
        amount=cc.Money("1949.75", "CHF"),
        issued_on=date(2026, 10, 1),
        due_on=date(2026, 10, 31),
    )
    return cc.Case(debtor=customer, invoices=[invoice])


@pytest.fixture(name="postgres_dsn", scope="session")
def _postgres_dsn() -> Iterator[str]:
    """A private PostgreSQL server for the session; skips without binaries (fails in CI)."""
    if find_postgres_bindir() is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install postgresql)")
    with TemporaryPostgres() as server:
        yield server.dsn
