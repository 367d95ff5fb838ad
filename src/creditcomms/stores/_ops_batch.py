"""Programs that change many cases in one transaction."""

# ruff: noqa: S608 - table names are checked identifiers; every value is a bound parameter

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from creditcomms.campaigns import Action

from . import _ops_actions as action_ops
from ._records import CaseSave
from ._sql import Dialect, Op, Query, data_json

__all__ = ["save_many"]

_RETURNING = " RETURNING case_id"
_UPDATE = (
    "UPDATE {case} SET version = version + 1, updated_at = ?, data = ?, status = ?,"
    " next_action_at = ? WHERE case_id = ? AND version = ?" + _RETURNING
)
_IDS_PER_READ = 500
_INSERT = (
    "INSERT INTO {case} (case_id, campaign_id, campaign_version, status, next_action_at,"
    " version, created_at, updated_at, data) VALUES "
)
_INSERT_VALUES = "(?, ?, ?, ?, ?, 1, ?, ?, ?)"
_INSERT_TAIL = " ON CONFLICT (case_id) DO NOTHING RETURNING case_id"
_ROWS_PER_INSERT = 100
"""Cases per ``INSERT``: 800 parameters, under the 999 of older SQLite builds."""


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
            written.update((yield from _update(d, [saves[i] for i in updates], when)))
        for start in range(0, len(inserts), _ROWS_PER_INSERT):
            # One statement per chunk: SQLite runs an INSERT ... RETURNING once per row.
            chunk = inserts[start : start + _ROWS_PER_INSERT]
            rows = yield Query(
                d.sql(_INSERT + ", ".join([_INSERT_VALUES] * len(chunk)) + _INSERT_TAIL),
                [value for i in chunk for value in _insert_row(d, saves[i], when)],
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


def _update(d: Dialect, saves: Sequence[CaseSave], when: object) -> Op[set[str]]:
    """Update cases still at their expected version; return the ids written.

    SQLite runs an ``UPDATE ... RETURNING`` once per row; under its write lock the versions
    are read in one query instead and the matching cases updated in one ``executemany``
    (the version stays in the ``WHERE`` all the same).
    """
    rows = [_update_row(d, save, when) for save in saves]
    if d.is_postgres:
        found = yield Query(d.sql(_UPDATE), rows, many=True)
        return {row[0] for row in found}
    current: dict[str, int] = {}
    ids = [save.case.id for save in saves]
    for start in range(0, len(ids), _IDS_PER_READ):
        chunk = ids[start : start + _IDS_PER_READ]
        found = yield Query(
            d.sql(
                "SELECT case_id, version FROM {case}"
                f" WHERE case_id IN ({', '.join('?' * len(chunk))})"
            ),
            tuple(chunk),
        )
        current.update((row[0], row[1]) for row in found)
    fresh = [
        (save.case.id, row)
        for save, row in zip(saves, rows, strict=True)
        if current.get(save.case.id) == save.expected_version
    ]
    if fresh:
        yield Query(d.sql(_UPDATE.removesuffix(_RETURNING)), [row for _, row in fresh], many=True)
    return {case_id for case_id, _ in fresh}


def _update_row(d: Dialect, save: CaseSave, when: object) -> tuple[object, ...]:
    return (
        when,
        data_json(save.case),
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
        data_json(save.case),
    )
