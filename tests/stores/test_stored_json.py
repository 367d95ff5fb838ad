"""The JSON the SQL stores keep for cases and actions: compact, and read back unchanged."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import creditcomms as cc
from creditcomms.stores import SQLiteStore
from creditcomms.stores._sql import data_json

from ._factories import T0, make_action, make_case

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
short = st.text(alphabet="abcdefghijkXYZ äöü-", min_size=1, max_size=12).map(str.strip).filter(bool)
maybe = lambda strategy: st.none() | strategy  # noqa: E731 - a tiny local combinator

addresses = st.builds(
    cc.PostalAddress,
    name=short,
    street=maybe(short),
    house_number=maybe(st.sampled_from(["1", "12a"])),
    postcode=st.sampled_from(["10115", "SW1A 1AA"]),
    city=short,
    country=st.sampled_from(["DE", "GB", "US"]),
    region=maybe(st.sampled_from(["NY", "CA"])),
)
contacts = st.builds(
    cc.Contacts,
    address=maybe(addresses),
    email=maybe(st.sampled_from(["erika@example.de", "a.b@example.org"])),
    phone=maybe(st.sampled_from(["+4915112345678", "+447911123456"])),
    push_tokens=st.lists(st.sampled_from(["tok-1", "tok-2"]), max_size=2).map(tuple),
)
attribute_values = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(0, 9) | short
debtors = st.builds(
    cc.Debtor,
    id=st.just("D-1"),
    name=short,
    kind=st.sampled_from(list(cc.CustomerKind)),
    locale=st.sampled_from(["en", "de_DE", "fr_CH"]),
    timezone=st.sampled_from(["UTC", "Europe/Berlin"]),
    contacts=contacts,
    consents=st.dictionaries(st.sampled_from(["sms", "email"]), st.booleans(), max_size=2),
    tags=st.frozensets(short, max_size=2),
    attributes=st.dictionaries(st.sampled_from(["tier", "score"]), attribute_values, max_size=2),
    contact_person=maybe(short),
)


@st.composite
def invoices(draw: st.DrawFn, index: int) -> cc.Invoice:
    """An invoice, partly paid, paid, written off or open."""
    amount = draw(st.integers(1, 10_000))
    open_cents = draw(st.integers(0, amount))
    status = cc.InvoiceStatus.PAID if open_cents == 0 else cc.InvoiceStatus.OPEN
    return cc.Invoice(
        id=f"RE-{index}",
        amount=cc.Money(Decimal(amount) / 100, "EUR"),
        open_amount=draw(
            st.sampled_from(
                [cc.Money(Decimal(open_cents) / 100, "EUR")] + ([None] if open_cents else [])
            )
        ),
        issued_on=date(2026, 9, 1),
        due_on=date(2026, 10, 1) + timedelta(days=index),
        status=status
        if open_cents == 0
        else draw(st.sampled_from([status, cc.InvoiceStatus.WRITTEN_OFF])),
        description=draw(maybe(short)),
    )


states = st.builds(
    cc.CaseState,
    disputed=st.booleans(),
    promised_on=maybe(st.just(date(2026, 11, 20))),
    broken_promises=st.integers(0, 3),
    on_hold=st.booleans(),
    opted_out=st.frozensets(st.sampled_from(["sms", "email"]), max_size=2),
    bounced=st.frozensets(st.just("email:erika@example.de"), max_size=1),
    cycle=st.integers(0, 2),
)
records = st.builds(
    cc.ContactRecord,
    at=st.just(AT),
    channel=st.sampled_from(["email", "sms", "letter"]),
    outcome=st.sampled_from(list(cc.ContactOutcome)),
    step_id=maybe(st.just("reminder-1")),
    idempotency_key=maybe(st.just("b2c@1:reminder-1:email:0:abc")),
)


@st.composite
def cases(draw: st.DrawFn) -> cc.Case:
    """A case with one to three invoices, any state and a short history."""
    count = draw(st.integers(1, 3))
    return cc.Case(
        id="C-1",
        debtor=draw(debtors),
        invoices=[draw(invoices(index)) for index in range(count)],
        state=draw(states),
        history=tuple(draw(st.lists(records, max_size=3))),
    )


actions = st.builds(
    cc.Action,
    case_id=st.just("C-1"),
    campaign_id=st.just("b2c"),
    campaign_version=st.integers(1, 3),
    step_id=st.just("reminder-1"),
    channel=st.sampled_from(["email", "sms"]),
    fallback=st.lists(st.sampled_from(["letter", "sms"]), max_size=2, unique=True).map(tuple),
    template=st.just("reminder"),
    tone=st.sampled_from(list(cc.Tone)),
    due_at=st.just(T0),
    repeat=st.integers(0, 2),
    idempotency_key=st.just("b2c@1:reminder-1:email:0:abc"),
    critical=st.booleans(),
    variant=maybe(st.sampled_from(["A", "B"])),
    max_segments=maybe(st.integers(1, 3)),
    invoice_ids=st.lists(st.just("RE-0"), max_size=1).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(case=cases())
def test_a_case_reads_back_as_from_its_full_dump(case: cc.Case) -> None:
    """Compact JSON reads back exactly as the full dump earlier versions kept."""
    compact = data_json(case)
    assert cc.Case.model_validate_json(compact) == cc.Case.model_validate_json(
        case.model_dump_json()
    )
    assert len(compact) <= len(case.model_dump_json())


@settings(max_examples=100, deadline=None)
@given(action=actions)
def test_an_action_reads_back_unchanged(action: cc.Action) -> None:
    """An action's compact JSON reads back equal to the action."""
    assert cc.Action.model_validate_json(data_json(action)) == action


def test_the_plain_case_keeps_only_what_it_sets() -> None:
    """Empty contacts, lists and states stay out of a plain case's row (a third of the dump)."""
    case = make_case()
    compact = data_json(case)
    assert "history" not in compact
    assert "opted_out" not in compact
    assert "null" not in compact
    assert len(compact) * 2 < len(case.model_dump_json())


async def test_rows_written_in_full_still_read(tmp_path: Path) -> None:
    """A row holding the full dump (as written before compact JSON) reads the same."""
    case = make_case()
    async with SQLiteStore(tmp_path / "cc.db") as store:
        await store.migrate()
        await store.enroll(case, campaign_id="b2c", campaign_version=1, at=T0)
        await store.schedule([make_action()], at=T0)
        conn = store._connection()
        conn.execute("UPDATE cc_case SET data = ?", (case.model_dump_json(),))
        conn.execute("UPDATE cc_action SET payload = ?", (make_action().model_dump_json(),))
        stored = await store.get_case("C-1")
        assert stored is not None
        assert stored.case == case
        (claim,) = await store.claim_due(T0, limit=5, lease=timedelta(seconds=30), worker="w")
        assert claim.action == make_action()


# A stored row leaves out every field at its default, so what a row means depends on these
# defaults. Changing one changes old rows: write a migration that fills the old default in.
PINNED_DEFAULTS = {
    "Action.critical": "False",
    "Action.fallback": "()",
    "Action.invoice_ids": "()",
    "Action.max_segments": "None",
    "Action.opt_out_notice": "False",
    "Action.reasons": "()",
    "Action.repeat": "0",
    "Action.segment": "None",
    "Action.template_only": "False",
    "Action.tone": "<Tone.NEUTRAL: 'neutral'>",
    "Action.variant": "None",
    "Case.history": "()",
    "Case.state": "CaseState()",
    "CaseState.bounced": "frozenset()",
    "CaseState.broken_promises": "0",
    "CaseState.cycle": "0",
    "CaseState.dispute_reason": "None",
    "CaseState.disputed": "False",
    "CaseState.hold_reason": "None",
    "CaseState.hold_until": "None",
    "CaseState.on_hold": "False",
    "CaseState.opted_out": "frozenset()",
    "CaseState.payment_plan": "None",
    "CaseState.promised_amount": "None",
    "CaseState.promised_on": "None",
    "CaseState.unconfirmed_payments": "()",
    "ContactRecord.campaign_id": "None",
    "ContactRecord.idempotency_key": "None",
    "ContactRecord.outcome": "<ContactOutcome.SENT: 'sent'>",
    "ContactRecord.step_id": "None",
    "Contacts.address": "None",
    "Contacts.email": "None",
    "Contacts.phone": "None",
    "Contacts.portal_user_id": "None",
    "Contacts.push_tokens": "()",
    "Contacts.whatsapp": "None",
    "Debtor.attributes": "{}",
    "Debtor.behaviour": "PaymentBehaviour()",
    "Debtor.consents": "{}",
    "Debtor.contact_person": "None",
    "Debtor.contacts": "Contacts()",
    "Debtor.kind": "<CustomerKind.B2C: 'b2c'>",
    "Debtor.locale": "'en'",
    "Debtor.preferred_channels": "()",
    "Debtor.salutation": "None",
    "Debtor.tags": "frozenset()",
    "Debtor.timezone": "'UTC'",
    "Invoice.description": "None",
    "Invoice.open_amount": "None",
    "Invoice.reference": "None",
    "Invoice.status": "<InvoiceStatus.OPEN: 'open'>",
    "PaymentBehaviour.average_days_late": "Decimal('0')",
    "PaymentBehaviour.last_payment_on": "None",
    "PaymentBehaviour.paid_late": "0",
    "PaymentBehaviour.paid_on_time": "0",
    "PaymentPlan.agreed_at": "required",
    "PostalAddress.extra_lines": "()",
    "PostalAddress.house_number": "None",
    "PostalAddress.region": "None",
    "PostalAddress.street": "None",
    "RecordedPayment.invoice_ids": "()",
}


def _defaults(model: type[BaseModel], found: dict[str, str]) -> dict[str, str]:
    for name, field in model.model_fields.items():
        if not field.is_required():
            default = field.get_default(call_default_factory=True)
            plain = isinstance(default, BaseModel) and default == type(default)()
            found[f"{model.__name__}.{name}"] = (
                f"{type(default).__name__}()" if plain else repr(default)
            )
        for inner in _models(field.annotation):
            if inner is not model and not any(k.startswith(f"{inner.__name__}.") for k in found):
                _defaults(inner, found)
    return found


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_defaults_of_stored_models_are_pinned() -> None:
    """The defaults a stored row relies on are exactly these (see PINNED_DEFAULTS)."""
    found = _defaults(cc.Action, _defaults(cc.Case, {}))
    expected = {k: v for k, v in PINNED_DEFAULTS.items() if v != "required"}
    assert found == expected
