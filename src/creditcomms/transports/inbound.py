"""Provider callbacks in: verify their signatures, turn them into creditcomms events.

Status callbacks become `creditcomms.DeliveryStatusChanged` events; inbound replies that say
STOP (or QUIT, END, ABMELDEN, AFMELDEN, ARRÊT, ...) and unsubscribe events become
`creditcomms.OptOut` events. The transports send the idempotency key and case id as
correlation data (Twilio StatusCallback query, WhatsApp ``biz_opaque_callback_data``,
Postmark ``Metadata``, SendGrid ``custom_args``, Mailgun ``v:`` variables, Bird
``meta.extraInformation``), so most callbacks name their case; otherwise pass ``lookup=`` to
map a key, provider id or phone number to a case id (Vonage receipts and Pingen webhooks
always need it).

Parsers return None (or leave out) interim and untracked states; signature checks raise
`creditcomms.WebhookSignatureError`. SendGrid's ECDSA check needs the ``webhooks`` extra.
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
from ._inbound_email import (
    SENDGRID_SIGNATURE_HEADER,
    SENDGRID_TIMESTAMP_HEADER,
    mailgun_event,
    sendgrid_events,
    verify_mailgun_signature,
    verify_sendgrid_signature,
)
from ._inbound_letter import PINGEN_SIGNATURE_HEADER, pingen_event, verify_pingen_signature
from ._inbound_sms import (
    BIRD_SIGNATURE_HEADER,
    BIRD_TIMESTAMP_HEADER,
    VONAGE_SIGNATURE_METHODS,
    bird_status_event,
    verify_bird_signature,
    verify_vonage_signature,
    vonage_dlr_event,
)
from ._optout import OPT_OUT_KEYWORDS, opt_out_keyword
from ._webhook import verify_webhook

__all__ = [
    "BIRD_SIGNATURE_HEADER",
    "BIRD_TIMESTAMP_HEADER",
    "OPT_OUT_KEYWORDS",
    "PINGEN_SIGNATURE_HEADER",
    "SENDGRID_SIGNATURE_HEADER",
    "SENDGRID_TIMESTAMP_HEADER",
    "VONAGE_SIGNATURE_METHODS",
    "CaseLookup",
    "bird_status_event",
    "mailgun_event",
    "meta_events",
    "opt_out_keyword",
    "pingen_event",
    "postmark_event",
    "sendgrid_events",
    "twilio_reply_event",
    "twilio_status_event",
    "verify_basic_auth",
    "verify_bird_signature",
    "verify_mailgun_signature",
    "verify_meta_signature",
    "verify_pingen_signature",
    "verify_sendgrid_signature",
    "verify_twilio_signature",
    "verify_vonage_signature",
    "verify_webhook",
    "vonage_dlr_event",
]
