"""Helpers for the host's own tests: capture messages instead of sending, skip back-off.

Examples:
    >>> from creditcomms.testing import capture_messages, no_backoff
    >>> with capture_messages() as sent:
    ...     pass  # run code that dispatches; every message lands in ``sent``
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from creditcomms.channels import Message
from creditcomms.dispatch._switches import switches

__all__ = ["capture_messages", "no_backoff"]


@contextmanager
def capture_messages() -> Iterator[list[Message]]:
    """Make every `creditcomms.Dispatcher` record messages in a list instead of sending.

    While the block runs, each message a dispatcher would send (on any channel, even one
    without a transport) is appended to the yielded list and counts as sent, with a
    ``capture`` receipt. Blocks nest; the innermost one receives the messages.
    """
    captured: list[Message] = []
    switches.captures.append(captured)
    try:
        yield captured
    finally:
        switches.captures.remove(captured)


@contextmanager
def no_backoff() -> Iterator[None]:
    """Retry without waiting; retry counts and events stay the same (stamina's test mode)."""
    switches.no_backoff += 1
    try:
        yield
    finally:
        switches.no_backoff -= 1
