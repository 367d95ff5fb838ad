"""The engine's wiring, checked when it is built: templates, transports, senders, secrets.

Each object checks itself when it is made (an IBAN, a step, a template's syntax); what only
shows once they are put together (a step naming a template that does not exist, a channel
without a transport) is checked here, before any case is synced or anything is sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from creditcomms.campaigns import Strategy
from creditcomms.channels import BUILTIN_CHANNELS
from creditcomms.dispatch import Dispatcher
from creditcomms.errors import ConfigurationError, TemplateNotFoundError
from creditcomms.model import Creditor
from creditcomms.templates import TemplateLibrary

__all__ = ["check_wiring", "known_channels", "near"]


def check_wiring(
    strategy: Strategy, templates: TemplateLibrary, creditor: Creditor, dispatcher: Dispatcher
) -> None:
    """Raise one `ConfigurationError` listing every problem in how the parts fit together."""
    problems = list(_problems(strategy, templates, creditor, dispatcher))
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ConfigurationError(
            f"the engine's parts do not fit together ({len(problems)} problem(s)):\n{listed}"
        )


def _problems(
    strategy: Strategy, templates: TemplateLibrary, creditor: Creditor, dispatcher: Dispatcher
) -> Iterator[str]:
    used: dict[str, str] = {}  # channel -> the first step that uses it
    for campaign in strategy.known_campaigns:
        for step in campaign.steps:
            template = campaign.template_of(step)
            for channel in step.channels:
                where = f"campaign {campaign.key}, step {step.id!r}"
                used.setdefault(channel.name, where)
                yield from _template(templates, template, channel.name, where)
    for name, where in used.items():
        if name not in dispatcher.channels:
            yield (
                f"{where} sends by {name}, but the dispatcher has no transport for it:"
                f" add it to Dispatcher(transports={{{name!r}: ...}}) or drop it from"
                " the step"
            )
    if "email" in used and not (creditor.senders.get("email") or creditor.email):
        yield (
            f"{used['email']} sends email, but the creditor has no sender address: set"
            " Creditor(email=...) or Creditor(senders={'email': 'Name <billing@...>'})"
        )
    known = known_channels(strategy, dispatcher)
    for name in creditor.senders:
        if name not in known:
            yield (
                f"Creditor.senders names the channel {name!r}, which is neither built in nor"
                f" sent on by this engine{near(name, known)}: fix the name or drop the entry"
            )
    if creditor.payment_page and creditor.link_secret is None:
        yield (
            "Creditor.payment_page is set but Creditor.link_secret is not: pay links are"
            " signed with it (32 random bytes, e.g. secrets.token_urlsafe(32))"
        )


def known_channels(strategy: Strategy, dispatcher: Dispatcher) -> frozenset[str]:
    """The channels the engine can name: built in, given a transport, or used by a step."""
    used = (
        channel.name
        for campaign in strategy.known_campaigns
        for step in campaign.steps
        for channel in step.channels
    )
    return frozenset((*BUILTIN_CHANNELS, *dispatcher.channels, *used))


def near(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'email'?)`` for the known name closest to ``name``, or nothing."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _template(templates: TemplateLibrary, template: str, channel: str, where: str) -> Iterator[str]:
    try:
        templates.resolve(template, channel, locale=templates.default_locale)
    except TemplateNotFoundError as error:
        yield f"{where}: {str(error).splitlines()[0]}"
