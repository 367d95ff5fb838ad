"""From an action to a message: payment request, template, letter PDF, fallbacks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from creditcomms.campaigns import Action, idempotency_key
from creditcomms.channels import BUILTIN_CHANNELS, LetterMessage, Message
from creditcomms.dispatch import Envelope
from creditcomms.errors import (
    CreditCommsError,
    MessageTooLongError,
    MissingContactError,
    MissingExtraError,
)
from creditcomms.letters import render_letter
from creditcomms.model import Case, Creditor, Reason
from creditcomms.payments import PaymentRequest
from creditcomms.templates import TemplateLibrary

__all__ = ["Renderer"]


class Renderer:
    """Turns an action into an `Envelope`: the message and lazily rendered fallbacks.

    Every channel gets the same `PaymentRequest` (pay link, reference, QR code), so the
    email's button, the SMS link and the letter's QR code lead to the same claim. Letters
    are laid out as PDF (DIN 5008, with the payment QR code): ``letters=None`` does so when
    the ``letters`` extra is installed, ``True`` requires it, ``False`` keeps them as text.
    """

    def __init__(
        self,
        templates: TemplateLibrary,
        creditor: Creditor,
        *,
        letters: bool | None = None,
        link_validity: timedelta = timedelta(days=30),
    ) -> None:
        self.templates = templates
        self.creditor = creditor
        self.letters = letters
        self.link_validity = link_validity

    def message(self, action: Action, case: Case, /, *, at: datetime) -> Message:
        """Render one action for its channel (raises when the case lacks its contact)."""
        payment = PaymentRequest.for_case(
            case,
            self.creditor,
            at=at,
            invoice_ids=action.invoice_ids or None,
            expires_in=self.link_validity,
            qr="auto" if _shows_qr(action.channel) else None,
        )
        tags = _tags(action)
        if action.channel == "letter" and self.letters is not False:
            # The layout adds its own meta; the tags follow it, as they always have.
            message = self.templates.render_action(action, case, self.creditor, payment=payment)
            if isinstance(message, LetterMessage):
                message = self._lay_out(message, case, payment)
            return message.model_copy(update={"meta": {**message.meta, **tags}})
        # Other messages take the tags as they are built, instead of a copy afterwards.
        return self.templates.render_action(action, case, self.creditor, payment=payment, meta=tags)

    def envelope(self, action: Action, case: Case, /, *, at: datetime) -> Envelope:
        """The action's message plus its fallback channels, rendered only when needed."""
        channels = (action.channel, *action.fallback)
        passed_over: list[Reason] = []
        for index, channel in enumerate(channels):
            candidate = action if index == 0 else _on(action, channel)
            try:
                first = self.message(candidate, case, at=at)
            except CreditCommsError as error:
                if index == len(channels) - 1:
                    raise
                passed_over.append(_passed_over(channel, error))
                continue
            # The fallback actions, like their messages, are made only when they are needed.
            rest = tuple(self._lazy(action, c, case, at) for c in channels[index + 1 :])
            return Envelope(first, fallbacks=rest, passed_over=tuple(passed_over))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _lazy(
        self, action: Action, channel: str, case: Case, at: datetime
    ) -> Callable[[], Message]:
        return lambda: self.message(_on(action, channel), case, at=at)

    def _lay_out(
        self, message: LetterMessage, case: Case, payment: PaymentRequest
    ) -> LetterMessage:
        try:
            return render_letter(message, case=case, creditor=self.creditor, payment=payment)
        except MissingExtraError:
            if self.letters:
                raise
            self.letters = False  # auto mode without typst: letters stay text from now on
            return message


def _passed_over(channel: str, error: CreditCommsError) -> Reason:
    """Why ``channel`` was left out for a fallback: its real error, not a guess."""
    code = (
        "no_contact"
        if isinstance(error, MissingContactError)
        else _CODES.get(type(error), "render_failed")
    )
    return Reason(code=code, detail=f"{channel}: {str(error).splitlines()[0]}")


_CODES: dict[type[CreditCommsError], str] = {MessageTooLongError: "message_too_long"}


def _shows_qr(channel: str) -> bool:
    known = BUILTIN_CHANNELS.get(channel)
    return known is None or known.capabilities.qr


def _tags(action: Action) -> dict[str, str]:
    """Non-personal labels that analytics and provider callbacks use."""
    tags = {"tone": action.tone.value, "template": action.template}
    if action.variant:
        tags["variant"] = action.variant
    if action.segment:
        tags["segment"] = action.segment
    return tags


def _on(action: Action, channel: str) -> Action:
    # The action's own key stands in for the case: it already names the unit (one invoice,
    # when a campaign groups per invoice), so two invoices' fallbacks never share a key.
    key = idempotency_key(
        campaign_id=action.campaign_id,
        version=action.campaign_version,
        case_id=action.idempotency_key,
        step_id=action.step_id,
        channel=channel,
        repeat=action.repeat,
    )
    # The planner builds actions without re-validation; do the same for the fallback copy.
    fields = {**action.__dict__, "channel": channel, "idempotency_key": key, "fallback": ()}
    return Action.model_construct(**fields)
