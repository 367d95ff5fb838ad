"""Programs that change many cases in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from creditcomms.campaigns import Action

from . import _ops_actions as action_ops
from ._records import CaseSave
from ._sql import Dialect, Op, Query

__all__ = ["save_many"]

_UPDATE = (
    "UPDATE {case} SET version = version + 1, updated_at = ?, data = ?, status = ?,"
    " next_action_at = ? WHERE case_id = ? AND version = ? RETURNING case_id"
)
_INSERT = (
    "INSERT INTO {case} (case_id, campaign_id, campaign_version, status, next_action_at,"
    " version, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)"
    " ON CONFLICT (case_id) DO NOTHING RETURNING case_id"
)


def save_many(d: Dialect, saves: Sequence[CaseSave], *, at: datetime) -> Op[list[str]]:
    """Update each case and plan (or cancel) its actions; skip cases whose version moved.

    One fenced ``UPDATE`` per case (the expected version is part of its ``WHERE``, so a case
    that moved on, or is unknown, is left unchanged), sent as one batch; then the actions
    of every updated case are planned together and cancellations are applied case by case.
    A new case (``expected_version=0``) is inserted unless the id is taken.
    A case saved twice in one call is updated in a second batch, after its first save.
    """
    rounds: list[list[int]] = []
    seen: dict[str, int] = {}
    for index, save in enumerate(saves):
        occurrence = seen.get(save.case.id, 0)
        seen[save.case.id] = occurrence + 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append(index)
    done: set[int] = set()
    when = d.time(at)
    for members in rounds:
        updates = [i for i in members if saves[i].expected_version]
        inserts = [i for i in members if not saves[i].expected_version]
        written: set[str] = set()
        if updates:
            rows = yield Query(
                d.sql(_UPDATE), [_update_row(d, saves[i], when) for i in updates], many=True
            )
            written.update(row[0] for row in rows)
        if inserts:
            rows = yield Query(
                d.sql(_INSERT), [_insert_row(d, saves[i], when) for i in inserts], many=True
            )
            written.update(row[0] for row in rows)
        done.update(i for i in members if saves[i].case.id in written)
    actions: dict[str, Action] = {}
    waiting: set[str] = set()  # cases with actions in ``actions``
    for index, save in enumerate(saves):
        if index not in done:
            continue
        if save.cancel:
            if save.case.id in waiting:
                # This case was saved twice: plan its first save's actions before cancelling.
                yield from action_ops.schedule(d, list(actions.values()), at=at)
                actions.clear()
                waiting.clear()
            yield from action_ops.cancel_pending(d, save.case.id, at=at, reasons=save.cancel)
        else:
            actions.update((a.idempotency_key, a) for a in save.schedule)
            waiting.add(save.case.id)
    if actions:
        yield from action_ops.schedule(d, list(actions.values()), at=at)
    return [save.case.id for index, save in enumerate(saves) if index not in done]


def _update_row(d: Dialect, save: CaseSave, when: object) -> tuple[object, ...]:
    return (
        when,
        save.case.model_dump_json(),
        save.status.value,
        d.time(save.next_action_at),
        save.case.id,
        save.expected_version,
    )


def _insert_row(d: Dialect, save: CaseSave, when: object) -> tuple[object, ...]:
    return (
        save.case.id,
        save.campaign_id,
        save.campaign_version,
        save.status.value,
        d.time(save.next_action_at),
        when,
        when,
        save.case.model_dump_json(),
    )
