"""Channels and their message types.

A `Channel` describes what a kind of message can carry, which contact it needs, what it
costs and whether consent is required. Each built-in channel has one frozen message type.
"""

from ._attachments import Attachment, embed_inline_images
from ._channel import (
    BUILTIN_CHANNELS,
    EMAIL,
    LETTER,
    PHONE_TASK,
    PORTAL,
    PUSH,
    SMS,
    VOICE,
    WHATSAPP,
    Capabilities,
    Channel,
    ContactKind,
)
from ._messages import (
    AnyMessage,
    EmailMessage,
    LetterMessage,
    Message,
    OpenItem,
    PhoneTask,
    PortalMessage,
    PushMessage,
    SmsMessage,
    VoiceMessage,
    WhatsAppButton,
    WhatsAppMessage,
)
from ._sms import SmsEncoding, SmsInfo, measure_sms, normalize_sms_text

__all__ = [
    "BUILTIN_CHANNELS",
    "EMAIL",
    "LETTER",
    "PHONE_TASK",
    "PORTAL",
    "PUSH",
    "SMS",
    "VOICE",
    "WHATSAPP",
    "AnyMessage",
    "Attachment",
    "Capabilities",
    "Channel",
    "ContactKind",
    "EmailMessage",
    "LetterMessage",
    "Message",
    "OpenItem",
    "PhoneTask",
    "PortalMessage",
    "PushMessage",
    "SmsEncoding",
    "SmsInfo",
    "SmsMessage",
    "VoiceMessage",
    "WhatsAppButton",
    "WhatsAppMessage",
    "embed_inline_images",
    "measure_sms",
    "normalize_sms_text",
]
