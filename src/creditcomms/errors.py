"""The creditcomms exception tree.

Every error creditcomms raises descends from one root, so a host can catch
``CreditCommsError`` at its boundary. Each error says what was wrong and how to fix it::

    CreditCommsError
    ├── ValidationError               bad input: a field, its value and the fix (also a ValueError)
    ├── ConfigurationError            wiring or definitions that cannot work (also a ValueError)
    │   ├── CampaignDefinitionError   a campaign, step or strategy that is inconsistent
    │   └── MissingExtraError         an optional feature whose extra is not installed
    ├── TemplateError                 a template that cannot be loaded or rendered
    │   ├── TemplateNotFoundError     no template for (id, channel, locale, tone)
    │   ├── TemplateSyntaxError       the template source does not parse
    │   ├── MissingVariableError      the template reads a variable the context lacks
    │   ├── SandboxViolationError     the template tried to leave the sandbox
    │   └── MessageTooLongError       the rendered text exceeds the channel's budget
    ├── PaymentDataError              a payment request that cannot be expressed
    │   ├── PaymentReferenceError     an invalid structured payment reference
    │   ├── QRCodeError               a QR payload that breaks its standard
    │   └── PayLinkError              a pay-link token that must not be honoured
    │       ├── PayLinkExpiredError
    │       └── PayLinkSignatureError
    ├── PolicyError                   a send that a contact policy forbids
    ├── MissingContactError           the case has no contact for the channel (``.channel``)
    ├── DeliveryError                 a message that did not leave (``.channel``)
    │   ├── TransientDeliveryError    may succeed later: timeouts, 5xx; retried
    │   │   └── RateLimited           the provider asked us to slow down (``.retry_after``)
    │   └── PermanentDeliveryError    will never succeed as is: never retried
    │       └── RecipientRejected     invalid address or number, unsubscribed, bounced
    ├── WebhookError                  an inbound provider callback that cannot be read (ValueError)
    │   └── WebhookSignatureError     its signature is missing, stale or does not match
    ├── StoreError                    the journal could not be read or written
    │   ├── LeaseLostError            a worker's claim expired before it completed
    │   ├── MigrationError            the schema is newer than this version understands
    │   ├── CaseNotFoundError         no stored case has the given id (also a LookupError)
    │   └── VersionConflictError      a case changed since the caller read it
    └── WorkerError                   a worker process failed or died (``.report``: the rest)

Errors that are about a value (``ValidationError``, ``ConfigurationError``) also subclass
``ValueError`` so generic code that expects one keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

__all__ = [
    "CampaignDefinitionError",
    "CaseNotFoundError",
    "ConfigurationError",
    "CreditCommsError",
    "DeliveryError",
    "FieldProblem",
    "LeaseLostError",
    "MessageTooLongError",
    "MigrationError",
    "MissingContactError",
    "MissingExtraError",
    "MissingVariableError",
    "PayLinkError",
    "PayLinkExpiredError",
    "PayLinkSignatureError",
    "PaymentDataError",
    "PaymentReferenceError",
    "PermanentDeliveryError",
    "PolicyError",
    "QRCodeError",
    "RateLimited",
    "RecipientRejected",
    "SandboxViolationError",
    "StoreError",
    "TemplateError",
    "TemplateNotFoundError",
    "TemplateSyntaxError",
    "TransientDeliveryError",
    "ValidationError",
    "VersionConflictError",
    "WebhookError",
    "WebhookSignatureError",
    "WorkerError",
]


class CreditCommsError(Exception):
    """Root of every error raised by creditcomms."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid field: where it is, what it held, and what is wrong with it."""

    field: str
    """Dotted path of the field, such as ``debtor.contacts.phone``."""
    value: Any
    """The value that was rejected."""
    message: str
    """What is wrong and how to fix it."""

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"{self.field} = {shown}: {self.message}"


class ValidationError(CreditCommsError, ValueError):
    """Input that does not describe a valid domain object.

    ``problems`` lists every invalid field with its value and the fix, so one error report
    covers all mistakes in an object, not only the first.
    """

    def __init__(self, model: str, problems: Sequence[FieldProblem]) -> None:
        self.model = model
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        plural = "s" if count != 1 else ""
        super().__init__(f"{count} invalid field{plural} in {model}:\n{lines}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The dotted paths of the invalid fields."""
        return tuple(p.field for p in self.problems)


class ConfigurationError(CreditCommsError, ValueError):
    """Objects wired together in a way that cannot work (no transport for a channel, ...)."""


class CampaignDefinitionError(ConfigurationError):
    """A campaign, step or strategy definition that is inconsistent."""


class MissingExtraError(ConfigurationError, ImportError):
    """An optional feature was used without its extra installed."""

    def __init__(self, feature: str, extra: str, module: str) -> None:
        self.feature = feature
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {module!r}; "
            f'install it with: pip install "creditcomms[{extra}]"'
        )


class TemplateError(CreditCommsError):
    """A template that cannot be loaded, validated or rendered."""


class TemplateNotFoundError(TemplateError, LookupError):
    """No template matches the requested (id, channel, locale, tone), even after fallback."""


class TemplateSyntaxError(TemplateError):
    """A template's source does not parse."""


class MissingVariableError(TemplateError):
    """A template reads a variable or attribute that the render context does not have."""


class SandboxViolationError(TemplateError):
    """A template tried to reach outside the sandbox (private attributes, unsafe calls)."""


class MessageTooLongError(TemplateError):
    """A rendered message exceeds its channel's or step's length budget."""


class PaymentDataError(CreditCommsError, ValueError):
    """A payment request that cannot be expressed correctly (amount, IBAN, reference, QR)."""


class PaymentReferenceError(PaymentDataError):
    """An invalid structured payment reference (RF, Belgian OGM, Dutch, Swiss QRR)."""


class QRCodeError(PaymentDataError):
    """A QR payload that breaks its standard (EPC069-12, Swiss QR-bill)."""


class PayLinkError(PaymentDataError):
    """A pay-link token that must not be honoured."""


class PayLinkExpiredError(PayLinkError):
    """The pay-link token is past its expiry time."""


class PayLinkSignatureError(PayLinkError):
    """The pay-link token was tampered with or signed with an unknown key."""


class PolicyError(CreditCommsError):
    """A send that a contact policy forbids (consent missing, outside the window, capped)."""

    def __init__(self, message: str, *, reasons: Sequence[Any] = ()) -> None:
        self.reasons = tuple(reasons)
        super().__init__(message)


class MissingContactError(CreditCommsError, LookupError):
    """The case has no contact for the channel (no email address, phone number, address...).

    Attributes:
        channel: The channel name that needs the contact.
        case_id: The case that lacks it.
    """

    def __init__(self, message: str, *, channel: str, case_id: str) -> None:
        self.channel = channel
        self.case_id = case_id
        super().__init__(message)


class DeliveryError(CreditCommsError):
    """A message that did not leave.

    Attributes:
        channel: The channel name of the message, when known.
        provider_status: The provider's own status or error code, when it gave one.
    """

    def __init__(
        self, message: str, *, channel: str | None = None, provider_status: str | None = None
    ) -> None:
        self.channel = channel
        self.provider_status = provider_status
        super().__init__(message)


class TransientDeliveryError(DeliveryError):
    """A failure that may pass: a timeout, a 5xx, a dropped connection. Retried."""


class RateLimited(TransientDeliveryError):  # noqa: N818 - a deliberate signal, not an error
    """The provider asked to slow down; ``retry_after`` says for how long, when it said so."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: timedelta | None = None,
        channel: str | None = None,
        provider_status: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, channel=channel, provider_status=provider_status)


class PermanentDeliveryError(DeliveryError):
    """A failure that repeating cannot fix: bad credentials, template not approved. Not retried."""


class RecipientRejected(PermanentDeliveryError):  # noqa: N818 - reads as a fact about the recipient
    """The recipient cannot receive this: invalid number or address, unsubscribed, bounced."""


class WebhookError(CreditCommsError, ValueError):
    """An inbound provider callback (status report, reply) that cannot be read or matched."""


class WebhookSignatureError(WebhookError):
    """A callback whose signature is missing, too old or wrong: never act on its content."""


class StoreError(CreditCommsError):
    """The journal could not be read or written."""


class LeaseLostError(StoreError):
    """A worker's lease on an action expired (or was taken over) before it completed."""


class MigrationError(StoreError):
    """The store's schema cannot be brought to the version this library needs."""


class CaseNotFoundError(StoreError, LookupError):
    """No stored case has the given id; enroll the case first."""


class VersionConflictError(StoreError):
    """A stored case changed since the caller read it; read it again and retry the update."""


class WorkerError(CreditCommsError):
    """A worker process failed or died before finishing its share of a run.

    ``report`` sums what the other workers did (a `RunReport`). Claims the failed worker held
    are taken over by a later run once their lease expires; nothing is lost.
    """

    def __init__(self, message: str, *, report: Any) -> None:
        super().__init__(message)
        self.report = report
