"""Pingen v2 letters: the transport contract, the upload flow, tokens and idempotency."""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiohttp import web
from contract import HttpContract
from fakeserver import Canned, FakeProvider

import creditcomms as cc
from creditcomms import transports as tr

ORG = "5c1f0a7e-8b2d-4c3e-9f1a-2b3c4d5e6f70"
LETTER_ID = "0f8e7d6c-5b4a-4321-9876-543210fedcba"
PDF = b"%PDF-1.7 Mahnung"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


class PingenFake(FakeProvider):
    """A fake Pingen: token and upload endpoints answer by themselves; the queue answers the rest.

    ``token_answers`` and ``upload_answers`` override the built-in token and file-upload answers
    for the next calls; ``uploads`` keeps the bytes PUT to the signed URL.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tokens_issued = 0
        self.token_answers: deque[Canned] = deque()
        self.upload_answers: deque[Canned] = deque()
        self.uploads: list[bytes] = []

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path == "/auth/access-tokens":
            self.queue.appendleft(
                self.token_answers.popleft() if self.token_answers else self._token()
            )
        elif request.path == "/file-upload":
            slot = len(self.uploads) + 1
            url = f"{self.base_url}/bucket/upload-{slot}?X-Amz-Signature=s{slot}"
            self.queue.appendleft(
                Canned(
                    200,
                    {
                        "data": {
                            "id": f"fu-{slot}",
                            "type": "file_uploads",
                            "attributes": {
                                "url": url,
                                "url_signature": f"sig-{slot}",
                                "expires_at": "2026-11-22T10:30:00+00:00",
                            },
                        }
                    },
                )
            )
        elif request.path.startswith("/bucket/"):
            self.uploads.append(await request.read())
            self.queue.appendleft(
                self.upload_answers.popleft() if self.upload_answers else Canned(200, b"")
            )
        return await super()._handle(request)

    def _token(self) -> Canned:
        self.tokens_issued += 1
        return Canned(
            200,
            {
                "token_type": "Bearer",
                "expires_in": 43200,
                "access_token": f"tok-{self.tokens_issued}",
            },
        )

    def calls(self) -> list[tuple[str, str]]:
        """(method, path) of every request so far."""
        return [(r.method, r.path) for r in self.requests]


@pytest.fixture(name="provider")
async def _provider() -> AsyncIterator[PingenFake]:
    """The fake Pingen on 127.0.0.1 (replaces the plain fake for this module)."""
    fake = PingenFake()
    await fake.start()
    yield fake
    await fake.close()


def _address(name: str, city: str = "Zürich") -> cc.PostalAddress:
    return cc.PostalAddress(
        name=name,
        street="Bahnhofstrasse",
        house_number="1",
        postcode="8001",
        city=city,
        country="CH",
    )


def _letter(key: str = "b2c@1:final:letter:0:abc", pdf: bytes | None = PDF) -> cc.LetterMessage:
    return cc.LetterMessage(
        idempotency_key=key,
        case_id="C-1",
        recipient_address=_address("Erika Muster"),
        subject="Letzte Mahnung",
        body="Bitte zahlen Sie.",
        pdf=pdf,
    )


def _created(status: str = "validating") -> Canned:
    return Canned(
        201, {"data": {"id": LETTER_ID, "type": "letters", "attributes": {"status": status}}}
    )


def _pingen(
    provider: FakeProvider, client: httpx.AsyncClient | None, **options: object
) -> tr.PingenTransport:
    return tr.PingenTransport(
        client_id="cid",
        client_secret="csecret",
        organisation_id=ORG,
        client=client,
        base_url=provider.base_url,
        identity_url=provider.base_url,
        **options,  # type: ignore[arg-type]
    )


class TestPingen(HttpContract):
    """Pingen letters: token, upload slot, PUT, JSON:API create with auto_send."""

    ok = _created()
    rejected = Canned(
        422,
        {
            "errors": [
                {
                    "code": "validation",
                    "title": "Invalid attribute",
                    "detail": "The selected delivery product is invalid for this country.",
                    "source": {"pointer": "/data/attributes/delivery_product"},
                }
            ]
        },
    )
    rate_limited = Canned(
        429,
        {"errors": [{"code": "too_many_requests", "title": "Too Many Requests"}]},
        {"Retry-After": "7"},
    )

    def make(self, provider: FakeProvider, client: httpx.AsyncClient | None) -> tr.Transport:
        """Pingen against the fake (API and identity host both on the fake)."""
        return _pingen(provider, client, sender=_address("Muster AG", "Bern"))

    def message(self) -> cc.Message:
        """A laid-out letter."""
        return _letter()

    async def test_rejected_recipient(
        self, provider: FakeProvider, client: httpx.AsyncClient
    ) -> None:
        """Pingen's 422 is permanent, quoting the JSON:API error and its pointer."""
        provider.answer(self.rejected)
        with pytest.raises(cc.PermanentDeliveryError, match="delivery_product") as caught:
            await self._send(provider, client)
        assert caught.value.provider_status == "validation"

    async def test_flow_and_request_shapes(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Token, upload slot, PUT to the signed URL, create: each with the right shape."""
        provider.answer(_created())
        receipt = await _pingen(provider, client, sender=_address("Muster AG", "Bern")).send(
            _letter()
        )
        assert provider.calls() == [
            ("POST", "/auth/access-tokens"),
            ("GET", "/file-upload"),
            ("PUT", "/bucket/upload-1"),
            ("POST", f"/organisations/{ORG}/deliveries/letters"),
        ]
        token, slot, upload, create = provider.requests
        assert token.form == {
            "grant_type": "client_credentials",
            "client_id": "cid",
            "client_secret": "csecret",
            "scope": "letter",
        }
        assert slot.headers["Authorization"] == "Bearer tok-1"
        assert "Authorization" not in upload.headers
        assert upload.query == {"X-Amz-Signature": "s1"}
        assert provider.uploads == [PDF]
        assert create.headers["Content-Type"] == "application/vnd.api+json"
        assert create.headers["Accept"] == "application/vnd.api+json"
        assert create.headers["Authorization"] == "Bearer tok-1"
        assert uuid.UUID(create.headers["Idempotency-Key"]).version == 5
        attributes = create.json()["data"]["attributes"]
        assert create.json()["data"]["type"] == "letters"
        assert attributes == {
            "file_original_name": "b2c_1_final_letter_0_abc.pdf",
            "file_url": f"{provider.base_url}/bucket/upload-1?X-Amz-Signature=s1",
            "file_url_signature": "sig-1",
            "address_position": "left",
            "auto_send": True,
            "delivery_product": "fast",
            "print_mode": "simplex",
            "print_spectrum": "grayscale",
            "meta_data": {
                "recipient": {
                    "name": "Erika Muster",
                    "street": "Bahnhofstrasse",
                    "number": "1",
                    "zip": "8001",
                    "city": "Zürich",
                    "country": "CH",
                },
                "sender": {
                    "name": "Muster AG",
                    "street": "Bahnhofstrasse",
                    "number": "1",
                    "zip": "8001",
                    "city": "Bern",
                    "country": "CH",
                },
            },
        }
        assert receipt.provider_message_id == LETTER_ID
        assert receipt.raw_status == "validating"
        assert receipt.provider == "pingen"
        assert receipt.cost is None  # Pingen prices the letter after validating it

    async def test_price_in_the_answer_becomes_the_cost(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """When the create answer states a price, the receipt carries it as Money."""
        attributes = {"status": "valid", "price_value": 1.63, "price_currency": "chf"}
        provider.answer(
            Canned(201, {"data": {"id": LETTER_ID, "type": "letters", "attributes": attributes}}),
            Canned(
                201,
                {
                    "data": {
                        "id": LETTER_ID,
                        "attributes": {"price_value": "n/a", "price_currency": "CHF"},
                    }
                },
            ),
        )
        transport = _pingen(provider, client)
        priced = await transport.send(_letter())
        assert priced.cost == cc.Money("1.63", "CHF")
        assert (await transport.send(_letter())).cost is None

    async def test_idempotency_key_is_stable_per_message(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Resending a message repeats its Idempotency-Key; another message gets another."""
        provider.answer(_created(), _created(), _created())
        transport = _pingen(provider, client)
        await transport.send(_letter("k-1"))
        await transport.send(_letter("k-1"))
        await transport.send(_letter("k-2"))
        creates = [r for r in provider.requests if r.path.endswith("/deliveries/letters")]
        keys = [r.headers["Idempotency-Key"] for r in creates]
        assert keys[0] == keys[1] != keys[2]

    async def test_print_options_and_no_meta_data_without_sender(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Print options reach the create call; without a sender no meta_data is sent."""
        provider.answer(_created())
        transport = _pingen(
            provider,
            client,
            delivery_product="registered",
            print_mode="duplex",
            print_spectrum="color",
            address_position="right",
        )
        await transport.send(_letter())
        attributes = provider.requests[-1].json()["data"]["attributes"]
        assert attributes["delivery_product"] == "registered"
        assert attributes["print_mode"] == "duplex"
        assert attributes["print_spectrum"] == "color"
        assert attributes["address_position"] == "right"
        assert "meta_data" not in attributes

    def test_bad_print_option_names_field_value_and_fix(self) -> None:
        """An option Pingen does not know fails at construction, naming the choices."""
        with pytest.raises(cc.ConfigurationError, match=r"delivery_product='express'.*'fast'"):
            tr.PingenTransport(
                client_id="c", client_secret="s", organisation_id=ORG, delivery_product="express"
            )

    def test_staging_and_production_hosts(self) -> None:
        """``staging=True`` points both the API and the token host at Pingen's staging."""
        staging = tr.PingenTransport(
            client_id="c", client_secret="s", organisation_id=ORG, staging=True
        )
        live = tr.PingenTransport(client_id="c", client_secret="s", organisation_id=ORG)
        assert (staging._base_url, staging._identity_url) == (
            "https://api-staging.pingen.com",
            "https://identity-staging.pingen.com",
        )
        assert (live._base_url, live._identity_url) == (
            "https://api.pingen.com",
            "https://identity.pingen.com",
        )
        explicit_none = tr.PingenTransport(
            client_id="c", client_secret="s", organisation_id=ORG, staging=True, base_url=None
        )
        assert explicit_none._base_url == "https://api-staging.pingen.com"

    async def test_letter_without_pdf_is_refused_before_any_request(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Pingen prints PDFs only: a letter without one is permanent, and nothing is called."""
        with pytest.raises(cc.PermanentDeliveryError, match="no pdf") as caught:
            await _pingen(provider, client).send(_letter(pdf=None))
        assert caught.value.provider_status == "no_pdf"
        assert provider.requests == []


class TestPingenToken:
    """The OAuth token: fetched once, cached until shortly before expiry, refreshed on 401."""

    async def test_token_is_cached_until_it_expires(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Two sends share a token; past expiry minus the margin a new one is fetched."""
        now = [NOW]
        provider.answer(_created(), _created(), _created())
        transport = _pingen(provider, client, clock=lambda: now[0])
        await transport.send(_letter())
        now[0] = NOW + timedelta(hours=11, minutes=58)
        await transport.send(_letter())
        assert provider.tokens_issued == 1
        now[0] = NOW + timedelta(hours=11, minutes=59, seconds=30)
        await transport.send(_letter())
        assert provider.tokens_issued == 2
        assert provider.requests[-1].headers["Authorization"] == "Bearer tok-2"

    async def test_concurrent_sends_fetch_one_token(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """Sends racing on a cold transport wait for the same token request."""
        provider.answer(_created(), _created(), _created())
        transport = _pingen(provider, client)
        receipts = await asyncio.gather(*(transport.send(_letter(f"k-{i}")) for i in range(3)))
        assert len(receipts) == 3
        assert provider.tokens_issued == 1

    async def test_401_refreshes_the_token_and_repeats_once(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """A revoked token is replaced and the call repeated with the same Idempotency-Key."""
        provider.answer(Canned(401, {"errors": [{"code": "unauthenticated"}]}), _created())
        receipt = await _pingen(provider, client).send(_letter())
        assert receipt.provider_message_id == LETTER_ID
        creates = [r for r in provider.requests if r.path.endswith("/deliveries/letters")]
        assert [r.headers["Authorization"] for r in creates] == ["Bearer tok-1", "Bearer tok-2"]
        assert creates[0].headers["Idempotency-Key"] == creates[1].headers["Idempotency-Key"]

    async def test_second_401_is_permanent(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """A fresh token that is refused too means the client lacks rights: permanent."""
        denied = Canned(401, {"errors": [{"code": "unauthenticated", "title": "Unauthenticated."}]})
        provider.answer(denied, denied)
        with pytest.raises(cc.PermanentDeliveryError, match="Unauthenticated"):
            await _pingen(provider, client).send(_letter())

    async def test_wrong_client_secret_is_permanent(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """The identity host's invalid_client answer is permanent and says which step failed."""
        provider.token_answers.append(
            Canned(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        )
        with pytest.raises(cc.PermanentDeliveryError, match=r"access token.*Client authentication"):
            await _pingen(provider, client).send(_letter())

    @pytest.mark.parametrize(
        ("answer", "error"),
        [
            (
                Canned(503, b"<html>down</html>", content_type="text/html"),
                cc.TransientDeliveryError,
            ),
            (Canned(429, {"error": "slow_down"}, {"Retry-After": "3"}), cc.RateLimited),
            (Canned(200, {"token_type": "Bearer"}), cc.PermanentDeliveryError),
        ],
    )
    async def test_token_endpoint_failures(
        self,
        provider: PingenFake,
        client: httpx.AsyncClient,
        answer: Canned,
        error: type[cc.DeliveryError],
    ) -> None:
        """Token outages are transient, throttling rate-limited, a token-less answer permanent."""
        provider.token_answers.append(answer)
        with pytest.raises(error):
            await _pingen(provider, client).send(_letter())
        assert provider.calls() == [("POST", "/auth/access-tokens")]


class TestPingenUpload:
    """The upload slot and the PUT to the signed URL."""

    async def test_storage_outage_is_transient(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """A 503 from the storage bucket is transient and no letter is created."""
        provider.upload_answers.append(Canned(503, b"SlowDown", content_type="text/plain"))
        with pytest.raises(cc.TransientDeliveryError, match="file upload"):
            await _pingen(provider, client).send(_letter())
        assert not any(r.path.endswith("/deliveries/letters") for r in provider.requests)

    async def test_conflict_on_create_says_to_check_before_resending(
        self, provider: PingenFake, client: httpx.AsyncClient
    ) -> None:
        """A 409 on create is permanent and points at the idempotency key."""
        provider.answer(Canned(409, {"errors": [{"code": "conflict", "title": "Conflict"}]}))
        with pytest.raises(cc.PermanentDeliveryError, match="idempotency key"):
            await _pingen(provider, client).send(_letter())

    async def test_slot_without_url_is_a_clear_error(self, client: httpx.AsyncClient) -> None:
        """A file-upload answer without url and signature is permanent and says so."""
        fake = FakeProvider()
        await fake.start()
        try:
            fake.answer(
                Canned(200, {"access_token": "t", "expires_in": 60}),
                Canned(200, {"data": {"attributes": {}}}),
            )
            with pytest.raises(cc.PermanentDeliveryError, match="url_signature"):
                await _pingen(fake, client).send(_letter())
        finally:
            await fake.close()
