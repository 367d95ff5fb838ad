"""Emails built from checked values equal the validated ones, and refuse the same input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import creditcomms as cc
from creditcomms.errors import ValidationError
from creditcomms.templates._builders import _checked_email

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _fields(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "idempotency_key": "k", "case_id": "C", "channel": "email", "campaign_id": None,
        "step_id": None, "locale": "de_DE", "cost": None, "created_at": AT,
        "meta": {"template": "reminder"}, "sender": "Muster GmbH <billing@muster.example>",
        "to": "kunde@example.com", "reply_to": None, "subject": "Hallo", "text": "T",
        "html": None, "unsubscribe_url": None,
    }  # fmt: skip
    fields.update(changes)
    return fields


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"sender": "billing@muster.example"},
        {"to": "Erika <Kunde@Example.com>"},
        {"reply_to": "help@muster.example"},
        {"unsubscribe_url": "https://muster.example/u/1"},
        {"campaign_id": "c", "step_id": "s", "meta": {}},
        {"locale": "de"},
    ],
)
def test_checked_email_equals_the_validated_one(changes: dict[str, object]) -> None:
    """Built with or without pydantic, the email is the same."""
    fast = _checked_email(_fields(**changes))
    slow = cc.EmailMessage(**_fields(**changes))  # type: ignore[arg-type]
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "x" * 999}, "subject"),
        ({"subject": ""}, "subject"),
        ({"to": "not an address"}, "to"),
        ({"sender": "a@b"}, "sender"),
        ({"idempotency_key": "k" * 257}, "idempotency_key"),
        ({"locale": "xx_YY"}, "locale"),
        ({"meta": {"n": 1}}, "meta"),
        ({"created_at": datetime(2026, 1, 1)}, "created_at"),  # noqa: DTZ001 - naive on purpose
        ({"unsubscribe_url": "http://x"}, "unsubscribe_url"),
    ],
)
def test_checked_email_refuses_what_validation_refuses(
    changes: dict[str, object], field: str
) -> None:
    """Anything unusual takes the validating constructor and its precise error."""
    with pytest.raises(ValidationError, match=field):
        _checked_email(_fields(**changes))
