"""An httpx client on aiohttp's connection handling (extra ``fast``) for high send rates."""

from __future__ import annotations

from typing import Any

import httpx

from creditcomms.errors import MissingExtraError

__all__ = ["fast_client"]


def fast_client(*, max_connections: int = 100, timeout: float = 15.0) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose requests travel through aiohttp (``httpx-aiohttp``).

    Pass it as ``client=`` to the HTTP transports: the API stays httpx's, while connection
    handling is aiohttp's, which sends several times more requests per second on one core.
    The caller owns the client and closes it (``await client.aclose()``).

    Args:
        max_connections: Connections kept open to each provider host at most.
        timeout: Seconds per request.

    Raises:
        MissingExtraError: When the ``fast`` extra (httpx-aiohttp, aiohttp) is not installed.
    """
    try:
        from httpx_aiohttp import AiohttpTransport  # noqa: PLC0415 - optional extra
    except ImportError as exc:
        raise MissingExtraError("fast_client", "fast", "httpx-aiohttp") from exc
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    transport: Any = AiohttpTransport(limits=limits)
    return httpx.AsyncClient(transport=transport, limits=limits, timeout=timeout)
