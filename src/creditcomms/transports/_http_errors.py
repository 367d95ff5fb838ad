"""HTTP failures mapped to the delivery error tree, in one place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

import httpx

from creditcomms.errors import (
    DeliveryError,
    PermanentDeliveryError,
    RateLimited,
    RecipientRejected,
    TransientDeliveryError,
)

__all__ = [
    "Failure",
    "delivery_error",
    "error_for_response",
    "map_httpx_errors",
    "parse_retry_after",
    "read_json",
]

# Failures of the connection or the wire: the request may be repeated.
_TRANSIENT: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
    httpx.DecodingError,
)


class Failure(StrEnum):
    """How a provider's error answer is to be treated."""

    TRANSIENT = "transient"
    RATE_LIMITED = "rate_limited"
    PERMANENT = "permanent"
    RECIPIENT = "recipient"


@contextmanager
def map_httpx_errors(*, channel: str | None = None, provider: str = "http") -> Iterator[None]:
    """Turn any httpx exception raised inside the block into a `DeliveryError`.

    Timeouts, network and protocol failures become `TransientDeliveryError`; an
    ``HTTPStatusError`` is classified by its status code; everything else (bad URLs, misused
    streams, redirect loops) is a `PermanentDeliveryError` because repeating cannot fix it.
    """
    try:
        yield
    except _HTTPX_ERRORS as exc:
        raise delivery_error(exc, channel=channel, provider=provider) from exc


_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)
"""Every exception httpx raises on purpose: what `delivery_error` classifies."""


def delivery_error(exc: Exception, *, channel: str | None, provider: str) -> DeliveryError:
    """The `DeliveryError` for one httpx exception (see `map_httpx_errors`)."""
    if isinstance(exc, _TRANSIENT):
        return TransientDeliveryError(
            f"{provider}: {type(exc).__name__} talking to the provider: {exc}",
            channel=channel,
            provider_status=type(exc).__name__,
        )
    if isinstance(exc, httpx.HTTPStatusError):
        return error_for_response(exc.response, channel=channel, provider=provider)
    return PermanentDeliveryError(
        f"{provider}: {type(exc).__name__}: {exc}; check the transport's URL and settings",
        channel=channel,
        provider_status=type(exc).__name__,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> timedelta | None:
    """Read a ``Retry-After`` header: delay seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    text = value.strip()
    try:
        return timedelta(seconds=max(0.0, float(text)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - (now or datetime.now(UTC)))


def _default_failure(status: int) -> Failure:
    if status == 429:
        return Failure.RATE_LIMITED
    if status == 408 or status >= 500:
        return Failure.TRANSIENT
    return Failure.PERMANENT


def error_for_response(
    response: httpx.Response,
    *,
    channel: str | None,
    provider: str,
    failure: Failure | None = None,
    code: str | None = None,
    detail: str | None = None,
) -> DeliveryError:
    """Build the error for a provider's failure answer.

    Args:
        response: The provider's response.
        channel: The channel of the message, for the error's ``channel``.
        provider: The transport's name, quoted in the message.
        failure: How to treat it; by default from the status (429 rate limited, 408 and 5xx
            transient, other 4xx permanent).
        code: The provider's own error code, kept as ``provider_status``.
        detail: The provider's explanation, quoted in the message.
    """
    kind = failure or _default_failure(response.status_code)
    text = f"{provider} answered HTTP {response.status_code}"
    if code is not None:
        text += f" (code {code})"
    text += f": {detail or _snippet(response)}"
    status = code or str(response.status_code)
    if kind is Failure.RATE_LIMITED:
        wait = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(text, retry_after=wait, channel=channel, provider_status=status)
    error_type = {
        Failure.TRANSIENT: TransientDeliveryError,
        Failure.PERMANENT: PermanentDeliveryError,
        Failure.RECIPIENT: RecipientRejected,
    }[kind]
    return error_type(text, channel=channel, provider_status=status)


def _snippet(response: httpx.Response) -> str:
    body = response.text.strip().replace("\n", " ")
    return (body[:160] + "...") if len(body) > 160 else (body or "(empty body)")


def read_json(response: httpx.Response, *, channel: str | None, provider: str) -> Any:
    """Decode a JSON body, or raise a clear error for an HTML page or truncated JSON.

    A failure status with an unreadable body is classified by its status. A success status
    with an unreadable body is a `PermanentDeliveryError`: the provider may already have
    accepted the message, so it must be reconciled through status callbacks, not resent.
    """
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        if not response.is_success:
            raise error_for_response(
                response, channel=channel, provider=provider, detail=_malformed(response)
            ) from None
        raise PermanentDeliveryError(
            f"{provider} answered HTTP {response.status_code} with {_malformed(response)}; the"
            " message may have been accepted, so check the provider's log before resending",
            channel=channel,
            provider_status="malformed_response",
        ) from None


def _malformed(response: httpx.Response) -> str:
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return f"a body that is not valid JSON ({kind}: {_snippet(response)[:60]!r})"
