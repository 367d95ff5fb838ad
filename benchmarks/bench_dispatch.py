"""Dispatch throughput: SMS through the Twilio adapter to a fake provider on 127.0.0.1.

Compared in one run, against the same server process at the same concurrency:
raw ``httpx.AsyncClient`` posts, the `Dispatcher` + `TwilioSmsTransport` (retries and hooks
on), the same with the ``fast`` extra's aiohttp-backed httpx transport, and Apprise's
``json://`` notifier. Count: ``BENCH_DISPATCH_COUNT`` (default 20,000) or
``python -m benchmarks.bench_dispatch 2000``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

import creditcomms as cc
from benchmarks._report import Figure, compare, single
from creditcomms.transports import TwilioSmsTransport, fast_client

CONCURRENCY = int(os.environ.get("BENCH_DISPATCH_CONCURRENCY", "64"))
SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "bench-token"  # noqa: S105 - the fake provider checks nothing
PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"
ANSWER = b'{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "price": null}'


def _serve(port: int) -> None:
    from aiohttp import web  # noqa: PLC0415 - only the server process needs it

    async def twilio(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=201, body=ANSWER, content_type="application/json")

    async def plain(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200, text="ok")

    app = web.Application()
    app.router.add_post(PATH, twilio)
    app.router.add_post("/apprise", plain)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise SystemExit("the fake provider did not start")


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


async def _raw_httpx(base: str, messages: list[cc.SmsMessage]) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)
    auth = httpx.BasicAuth(SID, TOKEN)
    async with httpx.AsyncClient(limits=_limits()) as client:

        async def post(message: cc.SmsMessage) -> None:
            form = {"To": message.to, "From": "+15005550006", "Body": message.text}
            async with gate:
                response = await client.post(base + PATH, data=form, auth=auth)
            response.raise_for_status()

        await asyncio.gather(*(post(m) for m in messages))


async def _dispatcher(base: str, messages: list[cc.SmsMessage], client: httpx.AsyncClient) -> None:
    delivered = 0

    def count(event: cc.DeliveryEvent) -> None:
        nonlocal delivered
        delivered += event.kind is cc.DeliveryEventKind.SUCCESS

    async with client:
        twilio = TwilioSmsTransport(
            account_sid=SID, auth_token=TOKEN, sender="+15005550006", client=client, base_url=base
        )
        dispatcher = cc.Dispatcher(
            {cc.SMS: twilio},
            retry=cc.RetryPolicy(attempts=5),
            hooks=[cc.LoggingHook(), count],
            limits=cc.Limits(concurrency=CONCURRENCY),
        )
        outcomes = await dispatcher.send(messages)
    if delivered != len(messages) or not all(o.ok for o in outcomes):
        raise SystemExit(f"only {delivered} of {len(messages)} messages were accepted")


def _fast_client() -> httpx.AsyncClient:
    return fast_client(max_connections=CONCURRENCY)


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


def _timed(label: str, items: int, run: Callable[[], Coroutine[Any, Any, None]]) -> Figure:
    start = time.perf_counter()
    asyncio.run(run())
    return Figure(label, items, time.perf_counter() - start)


def _count() -> int:
    argv = [a for a in sys.argv[1:] if a.isdigit()]
    return int(argv[0] if argv else os.environ.get("BENCH_DISPATCH_COUNT", "20000"))


def main() -> None:
    """Start the fake provider in its own process and print the four figures."""
    count = _count()
    port = _free_port()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(port,), daemon=True)
    server.start()
    try:
        _wait_until_listening(port)
        _report(f"http://127.0.0.1:{port}", count)
    finally:
        server.terminate()
        server.join()


def _report(base: str, count: int) -> None:
    messages = _messages(count)
    warm = messages[: min(500, count)]
    asyncio.run(_raw_httpx(base, warm))
    raw = _timed("raw httpx.AsyncClient", count, lambda: _raw_httpx(base, messages))
    ours = _timed(
        "Dispatcher + TwilioSmsTransport (httpx)",
        count,
        lambda: _dispatcher(base, messages, httpx.AsyncClient(limits=_limits())),
    )
    compare(f"{count:,} SMS, concurrency {CONCURRENCY} (target >= 0.9x)", ours, raw, unit="msg")
    try:
        fast = _timed(
            "Dispatcher + Twilio, extra 'fast' (aiohttp)",
            count,
            lambda: _dispatcher(base, messages, _fast_client()),
        )
    except cc.MissingExtraError:
        print("\n== fast extra not installed: pip install 'creditcomms[fast]'")
        fast = None
    else:
        single("fast back end (target >= 3,000 msg/s)", fast, unit="msg")
        compare("fast back end vs raw httpx", fast, raw, unit="msg")
    _apprise_figure(base, count, ours, fast)


def _apprise_figure(base: str, count: int, ours: Figure, fast: Figure | None) -> None:
    try:
        import apprise  # noqa: F401, PLC0415 - optional
    except ImportError:
        print("\n== apprise not installed (nox -s bench installs it); comparison skipped")
        return
    apprise_count = min(count, 2000)  # Apprise is slow; its rate is what is compared
    figure = _timed("Apprise json://", apprise_count, lambda: _apprise(base, apprise_count))
    compare("Dispatcher (httpx) vs Apprise json:// (target >= 3x)", ours, figure, unit="msg")
    if fast is not None:
        compare("Dispatcher (fast) vs Apprise json:// (target >= 3x)", fast, figure, unit="msg")


if __name__ == "__main__":
    main()
