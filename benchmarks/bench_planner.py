"""Planner throughput: a six-step campaign with a full contact policy over streamed cases.

Run ``python -m benchmarks planner`` or ``python benchmarks/bench_planner.py --cases 100000``
(or set ``CREDITCOMMS_BENCH_CASES``; the default is 1,000,000, the figure of the target:
at least 50,000 cases/s on one core, case generation included). Cases are streamed from a
generator and never kept, so memory must stay flat; peak RSS is printed
(``/usr/bin/time -v`` reports the same figure as "Maximum resident set size"). Rates use
CPU time, which a busy machine disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

if __package__ in {None, ""}:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import creditcomms as cc
from benchmarks._report import Figure, compare, single

AT = datetime(2026, 11, 5, 10, tzinfo=UTC)
ZONES = ("Europe/Berlin", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo")
DUE_DAYS = 90


def campaign() -> cc.Campaign:
    """Six steps over five channels with window, holidays, gap, caps and Reg F-style rules."""
    policy = cc.ContactPolicy(
        window=cc.SendWindow("08:00", "20:00", weekdays="mon-fri"),
        calendar=cc.Calendar("DE"),
        min_gap=timedelta(days=2),
        caps=[cc.Cap(cc.SMS, 2, days=7), cc.Cap(cc.PHONE_TASK, 7, days=7)],
        after_conversation=timedelta(days=7),
        opt_out_notice=[cc.SMS],
    )
    return cc.Campaign(
        "b2c-standard",
        steps=[
            cc.Step("pre-due", cc.before_due(days=3), cc.EMAIL, tone="friendly"),
            cc.Step("reminder-1", cc.after_due(days=3), cc.EMAIL, also=[cc.SMS]),
            cc.Step("reminder-2", cc.after_previous(days=7), cc.SMS, fallback=[cc.EMAIL]),
            cc.Step("reminder-3", cc.after_previous(days=7), cc.WHATSAPP, fallback=[cc.EMAIL]),
            cc.Step("final", cc.after_due(days=35), cc.LETTER, tone="firm"),
            cc.Step("call", cc.after_due(business_days=30), cc.PHONE_TASK),
        ],
        policy=policy,
    )


def _debtors() -> list[cc.Debtor]:
    address = cc.PostalAddress(
        name="Erika", street="Weg", house_number="1", postcode="10115", city="Berlin", country="DE"
    )
    full = cc.Contacts(email="e@example.de", phone="+4915112345678", address=address)
    return [
        cc.Debtor(id="T", name="Erika", timezone=zone, contacts=contacts, consents=consents)
        for zone in ZONES
        for contacts, consents in (
            (full, {"sms": True, "whatsapp": True}),
            (cc.Contacts(email="e@example.de"), {}),
        )
    ]


def cases(count: int, plan: cc.Campaign) -> Iterator[cc.Case]:
    """``count`` varied cases built from validated templates (as a host's loader would)."""
    debtors = _debtors()
    base = date(2026, 8, 20)
    invoices = [
        cc.Invoice(
            id="INV-1",
            amount=cc.Money("120.00", "EUR"),
            issued_on=base,
            due_on=base + timedelta(days=d),
        )
        for d in range(DUE_DAYS)
    ]
    states = [
        cc.CaseState(),
        cc.CaseState(promised_on=date(2026, 11, 12)),
        cc.CaseState(opted_out=frozenset({"sms"})),
    ]
    for number in range(count):
        case_id = f"C-{number}"
        invoice = invoices[number % DUE_DAYS]
        history: tuple[cc.ContactRecord, ...] = ()
        if number % 3 == 0 and invoice.due_on + timedelta(days=3) < AT.date():
            sent_at = datetime.combine(
                invoice.due_on + timedelta(days=3), datetime.min.time(), UTC
            ) + timedelta(hours=9)
            key = cc.idempotency_key(
                campaign_id=plan.id,
                version=1,
                case_id=case_id,
                step_id="reminder-1",
                channel="email",
            )
            history = (
                cc.ContactRecord.model_construct(
                    at=sent_at,
                    channel="email",
                    outcome=cc.ContactOutcome.SENT,
                    campaign_id=plan.id,
                    step_id="reminder-1",
                    idempotency_key=key,
                ),
            )
        yield cc.Case.model_construct(
            id=case_id,
            debtor=debtors[number % len(debtors)],
            invoices=(invoice,),
            state=states[number % 7 % len(states)],
            history=history,
        )


def naive_plan(case: cc.Case, at: datetime, plan: cc.Campaign) -> list[cc.Action]:
    """The plain way: validate everything again, walk every step, search slots in steps."""
    case = cc.Case.model_validate(case.model_dump())
    tz = ZoneInfo(case.debtor.timezone)
    policy = plan.policy
    window, calendar = policy.window, policy.calendar
    if window is None or calendar is None:
        raise SystemExit("the benchmark campaign needs a window and a calendar")
    done = {r.step_id for r in case.history if r.campaign_id == plan.id}
    last = max((r.at for r in case.history), default=None)
    actions: list[cc.Action] = []
    for step in plan.steps:
        if step.id in done or case.is_paid or case.state.disputed:
            continue
        if step.trigger.anchor == "due":
            day = (
                calendar.add_business_days(case.oldest_due_on, step.trigger.days)
                if step.trigger.business
                else case.oldest_due_on + timedelta(days=step.trigger.days)
            )
            moment = datetime.combine(day, datetime.min.time(), tz)
        else:
            moment = (last or at) + timedelta(days=step.trigger.days)
        moment = max(moment, at)
        if last is not None:
            moment = max(moment, last + policy.min_gap)
        while not (
            window.allows(moment, tz) and not calendar.is_holiday(moment.astimezone(tz).date())
        ):
            moment += timedelta(minutes=15)
        for channel in (step.channel, *step.also):
            if policy.refusal(case, channel) is not None:
                continue
            actions.append(
                cc.Action(
                    case_id=case.id,
                    campaign_id=plan.id,
                    campaign_version=plan.version,
                    step_id=step.id,
                    channel=channel.name,
                    template=plan.template_of(step),
                    tone=step.tone,
                    due_at=moment,
                    idempotency_key=cc.idempotency_key(
                        campaign_id=plan.id,
                        version=plan.version,
                        case_id=case.id,
                        step_id=step.id,
                        channel=channel.name,
                    ),
                    reasons=(cc.Reason(code="trigger", detail=step.trigger.describe()),),
                )
            )
        last = moment
        if moment > at:
            break
    return actions


def _timed(label: str, count: int, run: Callable[[], Iterable[object]]) -> Figure:
    start = time.process_time()
    for _ in run():
        pass
    return Figure(label, count, time.process_time() - start)


def _calibration() -> float:
    """Microseconds for ``sum(range(100))``: a yardstick of this machine's Python speed."""
    start = time.process_time()
    for _ in range(20_000):
        sum(range(100))
    return (time.process_time() - start) / 20_000 * 1e6


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _streamed(count: int, plan: cc.Campaign) -> Figure:
    """Plan ``count`` streamed cases in batch mode, printing peak RSS at checkpoints."""
    checkpoints = {count // 10, count // 2, count}
    start = time.process_time()
    for number, _ in enumerate(plan.plan_many(cases(count, plan), at=AT, upcoming=False), start=1):
        if number in checkpoints:
            print(f"  after {number:>9,} cases: peak RSS {_rss_mb():7.1f} MB")
    return Figure("Campaign.plan_many (next action only)", count, time.process_time() - start)


def main(argv: list[str] | None = None) -> None:
    """Print planner throughput figures and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--cases", type=int, default=int(os.environ.get("CREDITCOMMS_BENCH_CASES", "1000000"))
    )
    count = parser.parse_args(argv if argv is not None else []).cases
    plan = campaign()
    per_case, naive_count = min(count, 100_000), min(count, 10_000)
    print(f"six-step campaign, full policy, at {AT:%Y-%m-%d %H:%M} UTC; rates in CPU time")
    print(f"yardstick: sum(range(100)) takes {_calibration():.2f} us on this machine")
    generator = _timed(
        "generator only (building the cases)", per_case, lambda: cases(per_case, plan)
    )
    single(
        "case generator",
        generator,
        unit="cases",
        note="subtract from the figures below for planning alone",
    )
    ours = _timed(
        "Campaign.plan per case (next action only)",
        naive_count,
        lambda: (plan.plan(c, at=AT, upcoming=False) for c in cases(naive_count, plan)),
    )
    naive = _timed(
        "naive loop: revalidate, walk steps, validate",
        naive_count,
        lambda: (naive_plan(c, AT, plan) for c in cases(naive_count, plan)),
    )
    compare("one case at a time vs a plainly written loop", ours, naive, unit="cases")
    full = _timed(
        "Campaign.plan per case (whole sequence)",
        per_case,
        lambda: (plan.plan(c, at=AT) for c in cases(per_case, plan)),
    )
    batch_full = _timed(
        "Campaign.plan_many (whole sequence)",
        per_case,
        lambda: plan.plan_many(cases(per_case, plan), at=AT),
    )
    compare("whole-sequence projection: batch vs one by one", batch_full, full, unit="cases")
    print(f"\n== {count:,} cases streamed from a generator")
    streamed = _streamed(count, plan)
    single(
        f"streamed batch planning, {count:,} cases",
        streamed,
        unit="cases",
        note=f"target >= 50,000 cases/s (generator included); peak RSS {_rss_mb():.1f} MB",
    )
    building = count / generator.rate
    planning = Figure(
        "planning alone (generator time subtracted)", count, streamed.seconds - building
    )
    micros = planning.seconds / count * 1e6
    print(f"  {planning.label:<44} {planning.rate:>12,.0f} cases/s  ({micros:.1f} us per case)")


if __name__ == "__main__":
    main(sys.argv[1:])
