"""The engine checks how its parts fit together when it is built, before anything is sent."""

from __future__ import annotations

import pytest

import creditcomms as cc
from creditcomms.transports import InMemoryTransport


def _campaign(*steps: cc.Step, version: int = 1) -> cc.Campaign:
    return cc.Campaign("b2c", version=version, steps=list(steps))


def _engine(
    strategy: cc.Strategy, creditor: cc.Creditor, channels: tuple[cc.Channel, ...]
) -> cc.Engine:
    transport = InMemoryTransport()
    return cc.Engine(
        strategy,
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports=dict.fromkeys(channels, transport)),
        cc.MemoryStore(),
    )


def test_a_well_wired_engine_is_built(creditor: cc.Creditor) -> None:
    """Steps with built-in templates and a transport per channel pass the check."""
    step = cc.Step("r", cc.after_due(days=3), cc.SMS, also=[cc.LETTER], fallback=[cc.EMAIL])
    engine = _engine(
        cc.Strategy([], default=_campaign(step)), creditor, (cc.EMAIL, cc.SMS, cc.LETTER)
    )
    assert engine.strategy.known_campaigns[0].id == "b2c"


def test_every_misfit_is_listed_with_its_fix(creditor: cc.Creditor) -> None:
    """Every misfit, archived versions included, is in one error naming step and fix."""
    current = _campaign(
        cc.Step("r", cc.after_due(days=3), cc.EMAIL, template="remindr"),
        version=2,
    )
    old = _campaign(cc.Step("call", cc.after_due(days=9), cc.SMS, fallback=[cc.PHONE_TASK]))
    with pytest.raises(cc.ConfigurationError) as info:
        _engine(cc.Strategy([], default=current, archive=[old]), creditor, (cc.EMAIL,))
    message = str(info.value)
    assert "(3 problem(s))" in message
    assert "campaign b2c@2, step 'r': no template 'remindr' for channel 'email'" in message
    assert "campaign b2c@1, step 'call' sends by sms, but the dispatcher has no" in message
    assert "step 'call' sends by phone_task" in message
    assert "Dispatcher(transports={'sms': ...})" in message


def test_email_needs_a_sender(creditor: cc.Creditor) -> None:
    """Email steps with a creditor that has no sender address are refused at once."""
    silent = creditor.model_copy(update={"senders": {}, "email": None})
    strategy = cc.Strategy([], default=_campaign(cc.Step("r", cc.after_due(days=3), cc.EMAIL)))
    with pytest.raises(cc.ConfigurationError, match=r"no sender address: set\s+Creditor"):
        _engine(strategy, silent, (cc.EMAIL,))


def test_a_misspelt_sender_channel_is_named(creditor: cc.Creditor) -> None:
    """A sender for a channel nothing uses (a typo) is refused with the near name."""
    typo = creditor.model_copy(
        update={"senders": {**creditor.senders, "emial": "Muster <billing@muster.example>"}}
    )
    strategy = cc.Strategy([], default=_campaign(cc.Step("r", cc.after_due(days=3), cc.EMAIL)))
    with pytest.raises(cc.ConfigurationError, match=r"'emial'.*did you mean 'email'"):
        _engine(strategy, typo, (cc.EMAIL,))
    custom = creditor.model_copy(update={"senders": {**creditor.senders, "chat": "Muster"}})
    assert _engine(strategy, custom, (cc.EMAIL, "chat")).creditor is custom  # has a transport


def test_a_pay_page_needs_its_link_secret(creditor: cc.Creditor) -> None:
    """Pay links cannot be signed without the secret: refused before the first send."""
    unsigned = creditor.model_copy(update={"link_secret": None})
    strategy = cc.Strategy([], default=_campaign(cc.Step("r", cc.after_due(days=3), cc.EMAIL)))
    with pytest.raises(cc.ConfigurationError, match="link_secret is not"):
        _engine(strategy, unsigned, (cc.EMAIL,))


def test_the_check_can_be_left_out(creditor: cc.Creditor) -> None:
    """An engine that only records events may be built without transports."""
    strategy = cc.Strategy([], default=_campaign(cc.Step("r", cc.after_due(days=3), cc.EMAIL)))
    engine = cc.Engine(
        strategy,
        cc.TemplateLibrary.builtin(),
        creditor,
        cc.Dispatcher(transports={}),
        cc.MemoryStore(),
        check=False,
    )
    assert engine.dispatcher.channels == ()
