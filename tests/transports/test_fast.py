"""The ``fast`` extra's client sends through the adapters like any httpx client."""

from __future__ import annotations

import asyncio
import gzip
import socket
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from fakeserver import Canned, FakeProvider

import creditcomms as cc
from creditcomms.transports import TwilioSmsTransport, fast_client, map_httpx_errors

pytest.importorskip("aiohttp", reason="extra 'fast' not installed")


async def test_fast_client_with_twilio(provider: FakeProvider, sms: cc.SmsMessage) -> None:
    """An aiohttp-backed client carries a Twilio send and its error mapping."""
    provider.answer(
        Canned(201, {"sid": "SM1", "status": "queued"}),
        Canned(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "3"}),
    )
    async with fast_client(max_connections=4) as client:
        twilio = TwilioSmsTransport(
            account_sid="AC1",
            auth_token="t",
            sender="+1500",
            client=client,
            base_url=provider.base_url,
        )
        receipt = await twilio.send(sms)
        with pytest.raises(cc.RateLimited):
            await twilio.send(sms)
    assert receipt.provider_message_id == "SM1"
    assert provider.requests[0].form["Body"] == sms.text


@pytest.fixture(name="odd")
async def _odd() -> AsyncIterator[str]:
    """A server with the answers a provider seldom gives: slow, gzip, cookies, redirects."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(text="late")

    async def gzipped(request: web.Request) -> web.Response:
        body = gzip.compress(b'{"sid": "SM9"}')
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    async def cookie(request: web.Request) -> web.Response:
        answer = web.Response(text=request.cookies.get("seen", "none"))
        answer.set_cookie("seen", "yes")
        return answer

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound("/echo")

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        length = request.headers.get("Content-Length", "-")
        return web.Response(text=f"{request.method} {length} {body.decode()}")

    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        return web.Response(text="never seen")

    app = web.Application()
    for path, handler in {
        "/slow": slow,
        "/gzip": gzipped,
        "/cookie": cookie,
        "/moved": moved,
        "/echo": echo,
        "/drop": drop,
    }.items():
        app.router.add_route("*", path, handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def test_timeouts_and_refusals_are_httpx_errors(odd: str) -> None:
    """The aiohttp failures reach the adapters as the httpx errors they classify."""
    async with fast_client(timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(odd + "/slow")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(odd + "/drop")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    async with fast_client() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{closed_port}/")
        with pytest.raises(cc.TransientDeliveryError), map_httpx_errors(provider="fake"):
            await client.get(f"http://127.0.0.1:{closed_port}/")


async def test_bodies_cookies_and_redirects_as_with_httpx(odd: str) -> None:
    """A gzip body is decoded once, cookies are kept, redirects follow httpx's setting."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"a=1"
        yield b"&b=2"

    async with fast_client() as client:
        assert (await client.get(odd + "/gzip")).json() == {"sid": "SM9"}
        named = odd.replace("127.0.0.1", "localhost")  # a host name, so cookies are kept
        assert (await client.get(named + "/cookie")).text == "none"
        assert client.cookies["seen"] == "yes"
        assert (await client.get(named + "/cookie")).text == "yes"
        client.cookies.clear()  # httpx alone keeps cookies: cleared means none is sent
        assert (await client.get(named + "/cookie")).text == "none"
        moved = await client.post(odd + "/moved")
        assert moved.status_code == 302
        assert moved.next_request is not None
        followed = await client.get(odd + "/moved", follow_redirects=True)
        assert followed.text == "GET - "
        assert followed.history[0].status_code == 302
        assert (await client.post(odd + "/echo", content=chunks())).text == "POST 7 a=1&b=2"
        assert (await client.post(odd + "/echo", data={"x": "ä"})).text == "POST 8 x=%C3%A4"


def test_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without aiohttp, fast_client() names the extra to install."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    with pytest.raises(cc.MissingExtraError, match="fast"):
        fast_client()
