"""Engine fixtures: a small campaign, an in-memory transport per channel, a memory store."""

from __future__ import annotations

from datetime import timedelta

import pytest

import creditcomms as cc
from creditcomms.transports import InMemoryTransport


@pytest.fixture(name="campaign")
def _campaign() -> cc.Campaign:
    """Email before and after the due date, an SMS that falls back to email, a letter."""
    return cc.Campaign(
        "b2c",
        version=1,
        steps=[
            cc.Step(
                "pre-due", cc.before_due(days=3), cc.EMAIL, template="pre_due", tone="friendly"
            ),
            cc.Step("reminder-1", cc.after_due(days=3), cc.EMAIL, template="reminder"),
            cc.Step(
                "reminder-2",
                cc.after_previous(days=7),
                cc.SMS,
                template="second_reminder",
                fallback=[cc.EMAIL],
            ),
        ],
        policy=cc.ContactPolicy(window=cc.SendWindow("08:00", "20:00")),
    )


@pytest.fixture(name="transport")
def _transport() -> InMemoryTransport:
    """One recording transport shared by every channel."""
    return InMemoryTransport()


@pytest.fixture(name="store")
async def _store() -> cc.MemoryStore:
    """A migrated memory store."""
    store = cc.MemoryStore()
    await store.migrate()
    return store


@pytest.fixture(name="engine")
def _engine(
    campaign: cc.Campaign,
    creditor: cc.Creditor,
    transport: InMemoryTransport,
    store: cc.MemoryStore,
) -> cc.Engine:
    """An engine wired to the in-memory transport and store."""
    channels = (cc.EMAIL, cc.SMS, cc.LETTER, cc.PHONE_TASK)
    dispatcher = cc.Dispatcher(transports=dict.fromkeys(channels, transport))
    return cc.Engine(
        cc.Strategy([], default=campaign),
        cc.TemplateLibrary.builtin(),
        creditor,
        dispatcher,
        store,
        lease=timedelta(minutes=5),
        worker="test-worker",
    )
