"""A worker process for the crash tests: claim, mark attempting, call the provider, complete.

``crash_after`` makes the worker ``os._exit`` right after that many provider calls, between
the call and the commit: the documented window where a send can happen twice.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
from datetime import UTC, datetime, timedelta

import creditcomms as cc
from creditcomms.stores import PostgresStore, SQLiteStore, Store

CRASH_EXIT = 3


def open_store(spec: tuple[str, ...]) -> Store:
    """The store described by ``("sqlite", path)`` or ``("postgres", dsn, schema)``."""
    if spec[0] == "sqlite":
        return SQLiteStore(spec[1])
    return PostgresStore(spec[1], schema=spec[2])


def _post(conn: http.client.HTTPConnection, key: str, worker: str) -> str:
    conn.request("POST", "/send", json.dumps({"key": key, "worker": worker}))
    reply: str = json.loads(conn.getresponse().read())["id"]
    return reply


async def _work(
    spec: tuple[str, ...],
    port: int,
    name: str,
    *,
    crash_after: int | None,
    batch: int,
    lease: float,
) -> None:
    store = open_store(spec)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    calls = 0
    while True:
        now = datetime.now(UTC)
        claims = await store.claim_due(
            now, limit=batch, lease=timedelta(seconds=lease), worker=name
        )
        if not claims:
            upcoming = await store.next_due_at()
            if upcoming is None:
                break
            await asyncio.sleep(min(0.2, max(0.01, (upcoming - now).total_seconds())))
            continue
        for claim in claims:
            try:
                await store.mark_attempting(claim, at=datetime.now(UTC))
            except cc.LeaseLostError:
                continue
            message_id = await asyncio.to_thread(_post, conn, claim.idempotency_key, name)
            calls += 1
            if crash_after is not None and calls >= crash_after:
                os._exit(CRASH_EXIT)
            try:
                await store.complete(claim, at=datetime.now(UTC), provider_message_id=message_id)
            except cc.LeaseLostError:
                continue
    await store.aclose()


def run(
    spec: tuple[str, ...],
    port: int,
    name: str,
    crash_after: int | None = None,
    *,
    batch: int = 5,
    lease: float = 2.0,
) -> None:
    """Process entry point: work until no unfinished action is left."""
    asyncio.run(_work(spec, port, name, crash_after=crash_after, batch=batch, lease=lease))
