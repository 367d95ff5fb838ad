"""Every httpx failure maps to the delivery error tree; Retry-After is read both ways."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import creditcomms as cc
from creditcomms.transports import map_httpx_errors, parse_retry_after

REQUEST = httpx.Request("POST", "https://api.example/send")


def _httpx_exception_types() -> list[type[Exception]]:
    found = [
        obj
        for obj in vars(httpx).values()
        if inspect.isclass(obj)
        and issubclass(obj, Exception)
        and obj.__module__.startswith("httpx")
    ]
    assert httpx.HTTPError in found
    return sorted(found, key=lambda t: t.__name__)


def _instance(kind: type[Exception]) -> Exception:
    if issubclass(kind, httpx.HTTPStatusError):
        response = httpx.Response(503, request=REQUEST)
        return kind("boom", request=REQUEST, response=response)
    if issubclass(kind, httpx.RequestError):
        return kind("boom", request=REQUEST)
    try:
        return kind("boom")
    except TypeError:
        return kind()


@pytest.mark.parametrize("kind", _httpx_exception_types(), ids=lambda t: t.__name__)
def test_every_httpx_exception_maps(kind: type[Exception]) -> None:
    """Each exception class httpx defines becomes a DeliveryError raised from it."""
    original = _instance(kind)
    with pytest.raises(cc.DeliveryError) as caught, map_httpx_errors(channel="sms"):
        raise original
    assert caught.value.__cause__ is original
    assert caught.value.channel == "sms"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (httpx.ConnectTimeout, cc.TransientDeliveryError),
        (httpx.ReadError, cc.TransientDeliveryError),
        (httpx.RemoteProtocolError, cc.TransientDeliveryError),
        (httpx.UnsupportedProtocol, cc.PermanentDeliveryError),
        (httpx.TooManyRedirects, cc.PermanentDeliveryError),
    ],
)
def test_transport_failures_are_classified(
    kind: type[httpx.RequestError], expected: type[cc.DeliveryError]
) -> None:
    """Network trouble is transient; a bad URL or redirect loop is permanent."""
    with pytest.raises(expected), map_httpx_errors():
        raise kind("x", request=REQUEST)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, cc.RateLimited),
        (500, cc.TransientDeliveryError),
        (408, cc.TransientDeliveryError),
        (400, cc.PermanentDeliveryError),
        (401, cc.PermanentDeliveryError),
    ],
)
def test_status_errors_are_classified(status: int, expected: type[cc.DeliveryError]) -> None:
    """raise_for_status() inside the block maps by status code."""
    response = httpx.Response(status, request=REQUEST, headers={"Retry-After": "3"})
    with pytest.raises(expected), map_httpx_errors():
        response.raise_for_status()


def test_retry_after_seconds_and_dates() -> None:
    """Retry-After accepts delay seconds and HTTP dates; junk is ignored."""
    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    assert parse_retry_after("120") == timedelta(seconds=120)
    assert parse_retry_after("Sun, 22 Nov 2026 09:30:30 GMT", now=now) == timedelta(seconds=30)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
