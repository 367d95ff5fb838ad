"""Programs that change many cases in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from creditcomms.errors import CaseNotFoundError, VersionConflictError

from . import _ops_actions as action_ops
from . import _ops_cases as cases_ops
from ._records import CaseSave
from ._sql import Dialect, Op

__all__ = ["save_many"]


def save_many(d: Dialect, saves: Sequence[CaseSave], *, at: datetime) -> Op[list[str]]:
    """Update each case and plan (or cancel) its actions; skip cases whose version moved."""
    untouched: list[str] = []
    for save in saves:
        changes = {
            "data": save.case.model_dump_json(),
            "status": save.status.value,
            "next_action_at": save.next_action_at,
        }
        try:
            # update_case checks the version before writing, so a skipped case is unchanged.
            yield from cases_ops.update_case(
                d, save.case.id, at=at, changes=changes, expected_version=save.expected_version
            )
        except (CaseNotFoundError, VersionConflictError):
            untouched.append(save.case.id)
            continue
        if save.cancel:
            yield from action_ops.cancel_pending(d, save.case.id, at=at, reasons=save.cancel)
        elif save.schedule:
            unique = list({a.idempotency_key: a for a in save.schedule}.values())
            yield from action_ops.schedule(d, unique, at=at)
    return untouched
