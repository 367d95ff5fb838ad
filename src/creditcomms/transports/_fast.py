"""An httpx client on aiohttp's connection handling (extra ``fast``) for high send rates."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx

from creditcomms.errors import MissingExtraError

if TYPE_CHECKING:
    import aiohttp
    from httpx._types import CookieTypes

__all__ = ["fast_client"]


def fast_client(*, max_connections: int = 100, timeout: float = 15.0) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose requests travel through aiohttp.

    Pass it as ``client=`` to the HTTP transports: the API stays httpx's, while connections
    are aiohttp's, which sends several times more requests per second on one core. Response
    bodies are read whole (provider answers are small); keep a default httpx client for
    streaming large downloads. Use the client on one event loop; the caller owns it and
    closes it (``await client.aclose()``).

    Args:
        max_connections: Connections kept open to each provider host at most.
        timeout: Seconds per request.

    Raises:
        MissingExtraError: When the ``fast`` extra (aiohttp) is not installed.
    """
    try:
        import aiohttp  # noqa: F401, PLC0415 - optional extra
    except ImportError as exc:
        raise MissingExtraError("fast_client", "fast", "aiohttp") from exc
    transport = _AiohttpTransport(max_connections=max_connections)
    return _FastClient(transport=transport, timeout=timeout)


class _Cookies(httpx.Cookies):
    """A cookie jar that skips the cookie machinery for answers that set no cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies ``response`` sets (most provider answers set none)."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _FastClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` with `_Cookies`: httpx reads every answer for cookies."""

    def __init__(self, *, cookies: CookieTypes | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.cookies = cookies

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookie values to include when sending requests."""
        return self._fast_cookies

    @cookies.setter
    def cookies(self, cookies: CookieTypes | None) -> None:
        self._fast_cookies = _Cookies(cookies)


class _AiohttpTransport(httpx.AsyncBaseTransport):
    """Sends each httpx request through one aiohttp session and answers a read response.

    httpx keeps building requests, following redirects, applying auth and decoding bodies;
    aiohttp only moves bytes, so it neither decompresses nor redirects. aiohttp's errors
    become the httpx errors the default transport raises for the same failure.
    """

    def __init__(self, *, max_connections: int) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp  # noqa: PLC0415 - optional extra, checked by fast_client()

        connector = aiohttp.TCPConnector(limit=0, limit_per_host=self._max_connections)
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            skip_auto_headers=("User-Agent", "Content-Type", "Accept", "Accept-Encoding"),
        )
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        limits = request.extensions.get("timeout", {})
        key = (limits.get("pool"), limits.get("connect"), limits.get("read"))
        found = self._timeouts.get(key)
        if found is None:
            import aiohttp  # noqa: PLC0415 - optional extra

            found = aiohttp.ClientTimeout(
                total=None, connect=key[0], sock_connect=key[1], sock_read=key[2]
            )
            if len(self._timeouts) >= 32:  # timeouts vary per request: keep a few only
                self._timeouts.clear()
            self._timeouts[key] = found
        return found

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return the response with its body already read."""
        session = self._session or self._open()
        body = await request.aread()
        headers = request.headers
        if "transfer-encoding" in headers:  # a streamed body, now read whole
            headers = headers.copy()
            del headers["transfer-encoding"]
            headers["content-length"] = str(len(body))
        code = headers.encoding  # the raw names keep their case on the wire, as with httpx
        try:
            async with session.request(
                request.method,
                str(request.url),
                headers=[(k.decode(code), v.decode(code)) for k, v in headers.raw],
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=self._timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            ) as answer:
                content = await answer.read()
        except Exception as exc:
            mapped = _httpx_error(exc, request)
            if mapped is exc:
                raise
            raise mapped from exc
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if answer.reason:
            extensions["reason_phrase"] = answer.reason.encode()
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            content=content,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the aiohttp session and its connections."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _httpx_error(exc: Exception, request: httpx.Request) -> Exception:
    """The httpx exception for an aiohttp failure (anything else is returned unchanged)."""
    import aiohttp  # noqa: PLC0415 - optional extra

    text = f"{type(exc).__name__}: {exc}"
    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, asyncio.TimeoutError):  # aiohttp's read timeouts subclass it
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.ClientOSError):
        kind = httpx.ReadError
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ClientConnectionError):
        kind = httpx.NetworkError
    elif isinstance(exc, aiohttp.ClientError):
        kind = httpx.TransportError
    else:
        return exc
    return kind(text, request=request)
