"""Dispatch throughput: SMS through the Twilio adapter to a fake provider on 127.0.0.1.

Compared in one run, against the same server process at the same concurrency: raw
``httpx.AsyncClient`` posts, the `Dispatcher` + `TwilioSmsTransport` (retries and hooks on),
the same with the ``fast`` extra's aiohttp-backed httpx client, and Apprise's ``json://``
notifier. The layers under the fast figure are measured too (raw aiohttp, raw httpx on the
fast client, the adapter alone), with the CPU each costs per message in the client and in
the fake server. Contestants compared with each other take turns, a quarter of the messages
each per round (``BENCH_DISPATCH_ROUNDS``), so load changes on a shared machine fall on all of
them alike. Count: ``BENCH_DISPATCH_COUNT`` (default 20,000) or
``python -m benchmarks.bench_dispatch 2000``.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

import creditcomms as cc
from benchmarks._fake_provider import (
    PATH,
    SID,
    TOKEN,
    cpu_seconds,
    free_port,
    serve,
    wait_until_listening,
)
from benchmarks._report import Figure, compare, single
from creditcomms.transports import InMemoryTransport, Transport, TwilioSmsTransport, fast_client

CONCURRENCY = int(os.environ.get("BENCH_DISPATCH_CONCURRENCY", "64"))
ROUNDS = int(os.environ.get("BENCH_DISPATCH_ROUNDS", "4"))  # turns each contestant takes
SENDER = "+15005550006"
Run = Callable[[], Coroutine[Any, Any, None]]
Contestant = Callable[[list[cc.SmsMessage]], Coroutine[Any, Any, None]]


def _messages(count: int) -> list[cc.SmsMessage]:
    template = cc.SmsMessage(
        idempotency_key="bench:0", case_id="C-0", to="+4915112345678", text="Rechnung offen."
    )
    return [
        template.model_copy(update={"idempotency_key": f"bench:{i}", "case_id": f"C-{i}"})
        for i in range(count)
    ]


def _limits() -> httpx.Limits:
    return httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)


def _form(message: cc.SmsMessage) -> dict[str, str]:
    return {"To": message.to, "From": SENDER, "Body": message.text}


async def _gated(messages: list[cc.SmsMessage], post: Callable[[cc.SmsMessage], Any]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(message: cc.SmsMessage) -> None:
        async with gate:
            await post(message)

    await asyncio.gather(*(one(m) for m in messages))


async def _raw_httpx(base: str, messages: list[cc.SmsMessage], client: httpx.AsyncClient) -> None:
    auth = httpx.BasicAuth(SID, TOKEN)

    async def post(message: cc.SmsMessage) -> None:
        response = await client.post(base + PATH, data=_form(message), auth=auth)
        response.raise_for_status()

    async with client:
        await _gated(messages, post)


async def _raw_aiohttp(base: str, messages: list[cc.SmsMessage]) -> None:
    import aiohttp  # noqa: PLC0415 - extra 'fast'

    auth = {"Authorization": aiohttp.encode_basic_auth(SID, TOKEN)}
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post(message: cc.SmsMessage) -> None:
            async with session.post(base + PATH, data=_form(message), headers=auth) as response:
                await response.read()
                response.raise_for_status()

        await _gated(messages, post)


def _twilio(base: str, client: httpx.AsyncClient) -> TwilioSmsTransport:
    return TwilioSmsTransport(
        account_sid=SID, auth_token=TOKEN, sender=SENDER, client=client, base_url=base
    )


async def _adapter_alone(
    base: str, messages: list[cc.SmsMessage], client: httpx.AsyncClient
) -> None:
    async with client:
        await _gated(messages, _twilio(base, client).send)


async def _dispatch(messages: list[cc.SmsMessage], transport: Transport) -> None:
    delivered = 0

    def count(event: cc.DeliveryEvent) -> None:
        nonlocal delivered
        delivered += event.kind is cc.DeliveryEventKind.SUCCESS

    dispatcher = cc.Dispatcher(
        {cc.SMS: transport},
        retry=cc.RetryPolicy(attempts=5),
        hooks=[cc.LoggingHook(), count],
        limits=cc.Limits(concurrency=CONCURRENCY),
    )
    outcomes = await dispatcher.send(messages)
    if delivered != len(messages) or not all(o.ok for o in outcomes):
        raise SystemExit(f"only {delivered} of {len(messages)} messages were accepted")


async def _dispatcher(base: str, messages: list[cc.SmsMessage], client: httpx.AsyncClient) -> None:
    async with client:
        await _dispatch(messages, _twilio(base, client))


async def _apprise(base: str, count: int) -> None:
    import apprise  # noqa: PLC0415 - installed by the bench session only

    notifier = apprise.Apprise()
    notifier.add(base.replace("http://", "json://") + "/apprise")
    gate = asyncio.Semaphore(CONCURRENCY)

    async def notify(i: int) -> None:
        async with gate:
            if not await notifier.async_notify(body=f"Rechnung offen {i}", title="Erinnerung"):
                raise SystemExit("apprise reported a failed notification")

    await asyncio.gather(*(notify(i) for i in range(count)))


class _Bench:
    """Times contestants and keeps each one's CPU per message (client and fake server).

    `race` runs its contestants in turns, a slice of the messages each per round, so that
    load changes on a shared machine fall on all of them alike.
    """

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.costs: list[tuple[Figure, float, float | None]] = []

    def _server_cpu(self) -> float | None:
        return cpu_seconds(self.server_pid) if self.server_pid else None

    def _measure(self, run: Run) -> tuple[float, float, float | None]:
        server = self._server_cpu()
        cpu, start = time.process_time(), time.perf_counter()
        asyncio.run(run())
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        after = self._server_cpu()
        return wall, cpu, (after - server if after is not None and server is not None else None)

    def timed(self, label: str, items: int, run: Run) -> Figure:
        wall, cpu, server = self._measure(run)
        figure = Figure(label, items, wall)
        self.costs.append((figure, cpu / items, None if server is None else server / items))
        return figure

    def race(
        self, messages: list[cc.SmsMessage], contestants: dict[str, Contestant]
    ) -> list[Figure]:
        size = -(-len(messages) // ROUNDS)
        rounds = [messages[i : i + size] for i in range(0, len(messages), size)]
        totals = {label: [0.0, 0.0, 0.0] for label in contestants}
        has_server = True
        for chunk in rounds:
            for label, contestant in contestants.items():
                wall, cpu, server = self._measure(functools.partial(contestant, chunk))
                totals[label][0] += wall
                totals[label][1] += cpu
                totals[label][2] += server or 0.0
                has_server = has_server and server is not None
        figures = []
        for label, (wall, cpu, server) in totals.items():
            figure = Figure(label, len(messages), wall)
            per_server = server / len(messages) if has_server else None
            self.costs.append((figure, cpu / len(messages), per_server))
            figures.append(figure)
        return figures

    def print_costs(self) -> None:
        print("\n== cost per message (wall; CPU in this process; CPU in the fake server)")
        for figure, client, server in self.costs:
            shown = f"{server * 1e6:7.0f}" if server is not None else "      -"
            wall = figure.seconds / figure.items * 1e6
            print(f"  {figure.label:<44} {wall:7.0f} us {client * 1e6:7.0f} us {shown} us")


def _count() -> int:
    argv = [a for a in sys.argv[1:] if a.isdigit()]
    return int(argv[0] if argv else os.environ.get("BENCH_DISPATCH_COUNT", "20000"))


def main() -> None:
    """Start the fake provider in its own process and print the figures."""
    count = _count()
    _in_memory(count)
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port,), daemon=True)
    server.start()
    try:
        wait_until_listening(port)
        bench = _Bench(server.pid)
        _report(bench, f"http://127.0.0.1:{port}", count)
        bench.print_costs()
    finally:
        server.terminate()
        server.join()


def _in_memory(count: int) -> None:
    bench = _Bench(None)

    async def alone(messages: list[cc.SmsMessage]) -> None:
        await _gated(messages, InMemoryTransport().send)

    async def dispatched(messages: list[cc.SmsMessage]) -> None:
        await _dispatch(messages, InMemoryTransport())

    transport, dispatcher = bench.race(
        _messages(count),
        {"InMemoryTransport.send alone": alone, "Dispatcher + InMemoryTransport": dispatched},
    )
    compare("the dispatcher's own cost, in memory", dispatcher, transport, unit="msg")


def _report(bench: _Bench, base: str, count: int) -> None:
    messages = _messages(count)
    asyncio.run(_raw_httpx(base, messages[: min(500, count)], httpx.AsyncClient()))

    async def raw_httpx(chunk: list[cc.SmsMessage]) -> None:
        await _raw_httpx(base, chunk, httpx.AsyncClient(limits=_limits()))

    async def dispatcher(chunk: list[cc.SmsMessage]) -> None:
        await _dispatcher(base, chunk, httpx.AsyncClient(limits=_limits()))

    raw, ours = bench.race(
        messages,
        {"raw httpx.AsyncClient": raw_httpx, "Dispatcher + TwilioSmsTransport (httpx)": dispatcher},
    )
    compare(f"{count:,} SMS, concurrency {CONCURRENCY} (target >= 0.9x)", ours, raw, unit="msg")
    try:
        import aiohttp  # noqa: F401, PLC0415 - extra 'fast'
    except ImportError:
        print("\n== fast extra not installed: pip install 'creditcomms[fast]'")
        fast = None
    else:
        fast = _fast_figures(bench, base, messages, raw)
    _apprise_figure(bench, base, count, ours, fast)


def _fast_figures(bench: _Bench, base: str, messages: list[cc.SmsMessage], raw: Figure) -> Figure:
    async def raw_aiohttp(chunk: list[cc.SmsMessage]) -> None:
        await _raw_aiohttp(base, chunk)

    async def raw_httpx(chunk: list[cc.SmsMessage]) -> None:
        await _raw_httpx(base, chunk, fast_client(max_connections=CONCURRENCY))

    async def adapter(chunk: list[cc.SmsMessage]) -> None:
        await _adapter_alone(base, chunk, fast_client(max_connections=CONCURRENCY))

    async def dispatcher(chunk: list[cc.SmsMessage]) -> None:
        await _dispatcher(base, chunk, fast_client(max_connections=CONCURRENCY))

    aio, raw_fast, alone, fast = bench.race(
        messages,
        {
            "raw aiohttp.ClientSession": raw_aiohttp,
            "raw httpx on fast_client()": raw_httpx,
            "TwilioSmsTransport.send alone, fast_client()": adapter,
            "Dispatcher + Twilio, extra 'fast' (aiohttp)": dispatcher,
        },
    )
    single("fast back end (target >= 3,000 msg/s)", fast, unit="msg")
    compare("fast back end vs raw httpx", fast, raw, unit="msg")
    compare("fast back end vs raw httpx on the same fast client", fast, raw_fast, unit="msg")
    compare("layer: the Dispatcher over the adapter", fast, alone, unit="msg")
    compare("layer: the Twilio adapter over raw httpx", alone, raw_fast, unit="msg")
    compare("layer: httpx on fast_client() over raw aiohttp", raw_fast, aio, unit="msg")
    return fast


def _apprise_figure(
    bench: _Bench, base: str, count: int, ours: Figure, fast: Figure | None
) -> None:
    try:
        import apprise  # noqa: F401, PLC0415 - optional
    except ImportError:
        print("\n== apprise not installed (nox -s bench installs it); comparison skipped")
        return
    apprise_count = min(count, 2000)  # Apprise is slow; its rate is what is compared
    figure = bench.timed("Apprise json://", apprise_count, lambda: _apprise(base, apprise_count))
    compare("Dispatcher (httpx) vs Apprise json:// (target >= 3x)", ours, figure, unit="msg")
    if fast is not None:
        compare("Dispatcher (fast) vs Apprise json:// (target >= 3x)", fast, figure, unit="msg")


if __name__ == "__main__":
    main()
