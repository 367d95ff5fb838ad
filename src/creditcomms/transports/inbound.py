"""Provider callbacks in: verify their signatures, turn them into creditcomms events.

Status callbacks become `creditcomms.DeliveryStatusChanged` events; inbound replies that say
STOP (or QUIT, END, ABMELDEN, AFMELDEN, ARRÊT, ...) become `creditcomms.OptOut` events. The
transports send the idempotency key and case id as correlation data (Twilio StatusCallback
query, WhatsApp ``biz_opaque_callback_data``, Postmark ``Metadata``), so most callbacks name
their case; otherwise pass ``lookup=`` to map a key, provider id or phone number to a case id.
"""

from ._inbound import (
    CaseLookup,
    meta_events,
    postmark_event,
    twilio_reply_event,
    twilio_status_event,
    verify_basic_auth,
    verify_meta_signature,
    verify_twilio_signature,
)
from ._optout import OPT_OUT_KEYWORDS, opt_out_keyword
from ._webhook import verify_webhook

__all__ = [
    "OPT_OUT_KEYWORDS",
    "CaseLookup",
    "meta_events",
    "opt_out_keyword",
    "postmark_event",
    "twilio_reply_event",
    "twilio_status_event",
    "verify_basic_auth",
    "verify_meta_signature",
    "verify_twilio_signature",
    "verify_webhook",
]
