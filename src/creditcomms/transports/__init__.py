"""Transports: deliver one rendered message on one channel, through one provider.

A transport has ``async send(message, /) -> Receipt`` and ``async aclose()``, and raises only
`creditcomms.DeliveryError` subclasses. Test and notebook transports (`InMemoryTransport`,
`MockTransport`, `FileOutbox`) sit next to the provider adapters; every HTTP adapter takes an
optional shared ``httpx.AsyncClient`` and a ``base_url`` (point it at a local fake in tests).
Provider callbacks are read by `creditcomms.transports.inbound`.
"""

from ._base import BaseTransport, Receipt, Transport
from ._bird import BirdSmsTransport
from ._email import MailgunTransport, PostmarkTransport, SendGridTransport
from ._fast import fast_client
from ._http import HttpTransport
from ._http_errors import map_httpx_errors, parse_retry_after
from ._letter import LobTransport
from ._memory import InMemoryTransport, MockTransport
from ._outbox import FileOutbox
from ._pingen import PingenTransport
from ._push import FcmTransport
from ._sms import MessageBirdTransport, VonageSmsTransport
from ._smtp import SMTPTransport
from ._twilio import TwilioSmsTransport, TwilioVoiceTransport, TwilioWhatsAppTransport
from ._webhook import SIGNATURE_HEADER, WebhookTransport, sign_webhook, verify_webhook
from ._whatsapp import MetaWhatsAppTransport

__all__ = [
    "SIGNATURE_HEADER",
    "BaseTransport",
    "BirdSmsTransport",
    "FcmTransport",
    "FileOutbox",
    "HttpTransport",
    "InMemoryTransport",
    "LobTransport",
    "MailgunTransport",
    "MessageBirdTransport",
    "MetaWhatsAppTransport",
    "MockTransport",
    "PingenTransport",
    "PostmarkTransport",
    "Receipt",
    "SMTPTransport",
    "SendGridTransport",
    "Transport",
    "TwilioSmsTransport",
    "TwilioVoiceTransport",
    "TwilioWhatsAppTransport",
    "VonageSmsTransport",
    "WebhookTransport",
    "fast_client",
    "map_httpx_errors",
    "parse_retry_after",
    "sign_webhook",
    "verify_webhook",
]
