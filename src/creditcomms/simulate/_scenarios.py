"""Ready-made scenarios for the demo, notebooks and docs: a creditor and a strategy."""

from __future__ import annotations

from datetime import timedelta

from creditcomms import rules
from creditcomms.campaigns import (
    Campaign,
    Repeat,
    Step,
    Strategy,
    Variants,
    after_due,
    after_previous,
    before_due,
)
from creditcomms.channels import EMAIL, LETTER, PHONE_TASK, SMS
from creditcomms.model import Creditor, PostalAddress
from creditcomms.policies import Cap, ContactPolicy, SendWindow
from creditcomms.segments import Segment, Split

__all__ = ["demo_creditor", "demo_strategy"]

_DEMO_SECRET = "demo-only-link-secret-do-not-use-in-production"  # noqa: S105 - demo data


def demo_creditor() -> Creditor:
    """A German demo creditor with a pay page, a link secret and senders per channel."""
    return Creditor(
        name="Muster Energie GmbH",
        address=PostalAddress(
            name="Muster Energie GmbH",
            street="Hauptstraße",
            house_number="1",
            postcode="10115",
            city="Berlin",
            country="DE",
        ),
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        payment_page="https://pay.muster-energie.example/{token}",
        link_secret=_DEMO_SECRET,
        senders={
            EMAIL: "Muster Energie <rechnung@muster-energie.example>",
            SMS: "MUSTER",
        },
        email="rechnung@muster-energie.example",
        phone="+4930123456789",
        website="https://muster-energie.example",
        registration="Amtsgericht Berlin HRB 123456, USt-IdNr. DE123456789",
    )


def _policy() -> ContactPolicy:
    return ContactPolicy(
        window=SendWindow("08:00", "20:00", weekdays="mon-sat"),
        min_gap=timedelta(days=2),
        caps=[Cap(SMS, 2, days=7), Cap(PHONE_TASK, 2, days=14)],
    )


def _gentle() -> Campaign:
    """Email first, friendly: for customers who almost always pay on time."""
    return Campaign(
        "gentle",
        version=1,
        steps=[
            Step("pre-due", before_due(days=3), EMAIL, template="pre_due", tone="friendly"),
            Step("reminder", after_due(days=3), EMAIL, template="reminder", tone="friendly"),
            Step(
                "second-reminder",
                after_previous(days=10),
                EMAIL,
                also=[SMS],
                template="second_reminder",
                tone="neutral",
            ),
            Step("final", after_due(days=30), LETTER, template="final_notice", tone="neutral"),
        ],
        policy=_policy(),
    )


def _direct() -> Campaign:
    """SMS and letters, more often: for customers who often pay late."""
    return Campaign(
        "direct",
        version=1,
        steps=[
            Step("reminder", after_due(days=1), SMS, fallback=[EMAIL], template="reminder"),
            Step(
                "nudge",
                after_previous(days=5),
                SMS,
                fallback=[EMAIL],
                template="reminder",
                repeat=Repeat(every=timedelta(days=5), times=1),
            ),
            Step("letter", after_due(days=14), LETTER, template="second_reminder", tone="firm"),
            Step("call", after_due(days=21), PHONE_TASK, template="call"),
            Step("final", after_due(days=28), LETTER, template="final_notice", tone="firm"),
        ],
        policy=_policy(),
    )


def _standard(tone: str) -> Campaign:
    """The standard sequence in one tone (for the A/B test of tone)."""
    return Campaign(
        f"standard-{tone}",
        version=1,
        steps=[
            Step("pre-due", before_due(days=2), EMAIL, template="pre_due", tone="friendly"),
            Step("reminder", after_due(days=5), EMAIL, also=[SMS], template="reminder", tone=tone),
            Step(
                "second-reminder",
                after_previous(days=10),
                EMAIL,
                fallback=[LETTER],
                template="second_reminder",
                tone=tone,
            ),
            Step("final", after_due(days=30), LETTER, template="final_notice", tone="firm"),
        ],
        policy=_policy(),
    )


def demo_strategy() -> Strategy:
    """The demo's strategy: three segments, one of them an A/B test of tone.

    Reliable payers get a gentle email sequence, frequent late payers SMS and letters, and
    everyone else the standard sequence in a friendly or a firm tone (split 50/50).
    """
    reliable = Segment("reliable", rules.on_time_ratio() >= 0.9)
    late = Segment("late-payers", (rules.late_payments() >= 3) | (rules.on_time_ratio() < 0.5))
    tone_test = Variants(
        Split({"friendly": 50, "firm": 50}, salt="demo-tone-2026"),
        {"friendly": _standard("friendly"), "firm": _standard("firm")},
    )
    return Strategy([(reliable, _gentle()), (late, _direct())], default=tone_test)
