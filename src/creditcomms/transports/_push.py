"""Firebase Cloud Messaging HTTP v1 for push notifications."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from creditcomms.channels import Message, PushMessage
from creditcomms.errors import TransientDeliveryError

from ._base import Receipt, expect_message
from ._http import HttpTransport, correlation
from ._http_errors import Failure, error_for_response

__all__ = ["FcmTransport", "TokenProvider"]

TokenProvider = Callable[[], str | Awaitable[str]]
"""Returns a current OAuth 2 access token (sync or async); the host caches and refreshes it."""

# FcmError codes (firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode).
_FAILURES = {
    "UNREGISTERED": Failure.RECIPIENT,
    "INVALID_ARGUMENT": Failure.PERMANENT,
    "SENDER_ID_MISMATCH": Failure.PERMANENT,
    "THIRD_PARTY_AUTH_ERROR": Failure.PERMANENT,
    "QUOTA_EXCEEDED": Failure.RATE_LIMITED,
    "UNAVAILABLE": Failure.TRANSIENT,
    "INTERNAL": Failure.TRANSIENT,
}


class FcmTransport(HttpTransport):
    """Send `PushMessage`s through FCM's HTTP v1 ``messages:send``.

    Args:
        project_id: The Firebase project id.
        token_provider: Returns an access token for the scope
            ``https://www.googleapis.com/auth/firebase.messaging`` (for example from
            ``google.auth`` credentials); called before every request, so cache it there.
        **options: ``client``, ``base_url``, ``timeout``, ``clock``.
    """

    name = "fcm"
    default_base_url = "https://fcm.googleapis.com"

    def __init__(self, *, project_id: str, token_provider: TokenProvider, **options: Any) -> None:
        super().__init__(**options)
        self._path = f"/v1/projects/{project_id}/messages:send"
        self._token_provider = token_provider

    async def send(self, message: Message, /) -> Receipt:
        """Send the notification and return the message name's last segment."""
        push = expect_message(message, PushMessage, self.name)
        token = await self._token(push)
        headers = {"Authorization": f"Bearer {token}"}
        response = await self._request(
            "POST", self._path, push, json=self.payload(push), headers=headers
        )
        body = self._json(response, push)
        if not response.is_success:
            raise self._error(response, body, push)
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name:
            raise self._missing_id(push, body)
        return self._receipt(push, name.rsplit("/", 1)[-1], raw_status="sent")

    async def _token(self, message: Message) -> str:
        try:
            token = self._token_provider()
            if inspect.isawaitable(token):
                token = await token
        except Exception as exc:
            raise TransientDeliveryError(
                f"{self.name}: the token provider raised {type(exc).__name__}: {exc}",
                channel=message.channel,
                provider_status="token_provider",
            ) from exc
        return token

    def payload(self, message: PushMessage) -> dict[str, Any]:
        """The ``messages:send`` body for ``message``."""
        data = dict(message.data) | correlation(message)
        if message.deep_link:
            data["link"] = message.deep_link
        return {
            "message": {
                "token": message.token,
                "notification": {"title": message.title, "body": message.body},
                "data": data,
            }
        }

    def _error(self, response: httpx.Response, body: Any, message: Message) -> Exception:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        code = None
        for item in error.get("details") or ():
            if isinstance(item, dict) and "errorCode" in item:
                code = str(item["errorCode"])
        code = code or (str(error["status"]) if "status" in error else None)
        return error_for_response(
            response,
            channel=message.channel,
            provider=self.name,
            failure=_FAILURES.get(code or ""),
            code=code,
            detail=error.get("message"),
        )
