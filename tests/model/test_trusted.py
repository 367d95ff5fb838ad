"""The shared trusted constructor builds the same objects as pydantic's validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import creditcomms as cc
from creditcomms.model import ContactRecord, Model
from creditcomms.model._trusted import trusted
from creditcomms.stores import ActionStatus, CaseSave, CaseStatus, Claim, Completion

AT = datetime(2026, 11, 3, 12, tzinfo=UTC)


def _action(case: cc.Case) -> cc.Action:
    return cc.Action(
        case_id=case.id,
        campaign_id="b2c",
        campaign_version=1,
        step_id="reminder-1",
        channel="email",
        template="reminder",
        due_at=AT,
        idempotency_key="b2c:1:C-1:reminder-1:email",
    )


def _samples(case: cc.Case) -> list[tuple[type[Any], dict[str, Any]]]:
    action = _action(case)
    claim = Claim(
        action=action,
        lease_id="lease",
        attempt=1,
        worker="w",
        lease_expires_at=AT + timedelta(minutes=5),
    )
    return [
        (
            Completion,
            {
                "claim": claim,
                "status": ActionStatus.SENT,
                "at": AT,
                "channel": "email",
                "provider_message_id": "m-1",
                "cost": cc.Money("0.01", "EUR"),
                "reasons": (),
            },
        ),
        (
            ContactRecord,
            {
                "at": AT,
                "channel": "email",
                "campaign_id": "b2c",
                "step_id": "reminder-1",
                "idempotency_key": action.idempotency_key,
            },
        ),
        (
            CaseSave,
            {
                "case": case,
                "expected_version": 0,
                "status": CaseStatus.ACTIVE,
                "next_action_at": AT,
                "schedule": (action,),
                "campaign_id": "b2c",
                "campaign_version": 1,
            },
        ),
    ]


def test_trusted_equals_validated(case: cc.Case) -> None:
    """Same fields, same order, same JSON, same set fields as the validated object."""
    for model, values in _samples(case):
        made, checked = trusted(model, **values), model(**values)
        assert type(made) is model
        assert made == checked
        assert made.model_dump_json() == checked.model_dump_json()
        assert list(made.__dict__) == list(checked.__dict__)
        assert made.model_fields_set == checked.model_fields_set


def test_trusted_leaves_missing_required_fields_to_pydantic() -> None:
    """Without a required field it behaves like model_construct (no default invented)."""
    made = trusted(ContactRecord, channel="email")
    assert made.channel == "email"
    with pytest.raises(AttributeError):
        _ = made.at


def test_money_arithmetic_equals_validated_money() -> None:
    """Sums and products built without validation equal validated Money, field for field."""
    total = cc.Money("10.10", "EUR") + cc.Money("0.05", "EUR") - cc.Money("1", "EUR")
    checked = cc.Money("9.15", "EUR")
    assert total == checked
    assert total.model_dump_json() == checked.model_dump_json()
    assert list(total.__dict__) == list(checked.__dict__)
    assert cc.Money("0.10", "EUR") * 3 == cc.Money("0.30", "EUR")


def test_default_factories_are_called_per_object() -> None:
    """A field left out with a default factory gets a fresh value in every object."""
    first = trusted(cc.Debtor, id="D-1", name="Erika")
    second = trusted(cc.Debtor, id="D-2", name="Jan")
    assert first == cc.Debtor(id="D-1", name="Erika")
    assert first.consents == {}
    assert first.consents is not second.consents
    assert first.model_fields_set == {"id", "name"}


def test_unknown_names_fall_back_to_pydantic() -> None:
    """A name the model does not have is handled exactly as model_construct handles it."""
    made = trusted(cc.Reason, code="x", detail="y", extra="z")
    constructed = cc.Reason.model_construct(code="x", detail="y", extra="z")
    assert made == constructed
    assert made.model_fields_set == constructed.model_fields_set


def _subclasses(cls: type[Model]) -> list[type[Model]]:
    found: list[type[Model]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_nested_models_are_validated_in_one_pass() -> None:
    """No model makes pydantic call back into Python ``__init__`` for each nested object.

    A custom ``__init__`` would make pydantic re-enter the validator once per nested model:
    decoding a stored case then cost about 50% more.
    """
    import creditcomms.stores  # noqa: F401 - registers the store's models too

    models = _subclasses(Model)
    assert len(models) > 30
    assert [m.__name__ for m in models if m.__pydantic_custom_init__] == []
