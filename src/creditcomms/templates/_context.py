"""The render context: one frozen object holding everything a template may read."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from creditcomms.campaigns import Tone
from creditcomms.model import Case, Creditor, Debtor, Invoice, Money
from creditcomms.model._types import zone
from creditcomms.payments import FeeLine

__all__ = ["PaymentDetails", "RenderContext", "StepInfo", "Totals"]


@runtime_checkable
class PaymentDetails(Protocol):
    """What a template needs to know about how to pay; `creditcomms.payments` fills it.

    Any object with these attributes fits (``PaymentRequest`` does, structurally). Two more
    are optional: ``qr_src``, a ``cid:`` URL for the QR code in email HTML, and ``qr_png``,
    its PNG bytes. When a rendered email's HTML contains ``qr_src``, the email carries
    ``qr_png`` as the inline image of that Content-ID; the built-in layouts use ``qr_src``
    where the payment has it and ``qr_data_uri`` otherwise.
    """

    @property
    def link(self) -> str | None:
        """The signed pay-link URL, when the creditor has a payment page."""

    @property
    def reference(self) -> str | None:
        """The structured payment reference to quote in a transfer."""

    @property
    def qr_svg(self) -> str | None:
        """The payment QR code as an SVG document."""

    @property
    def qr_data_uri(self) -> str | None:
        """The payment QR code as a ``data:`` URI for an ``<img>`` (previews, web pages)."""

    @property
    def amount(self) -> Money:
        """The amount asked for."""


@dataclass(frozen=True, slots=True)
class StepInfo:
    """Which campaign step the message belongs to."""

    campaign_id: str | None
    step_id: str | None
    stage: str
    """The template id, which names the dunning stage (``reminder``, ``final_notice``)."""


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over the open invoices, with fees."""

    open_amount: Money
    """What is still open on the invoices."""
    fees_amount: Money
    """The sum of the fee lines (zero without fees)."""
    total_due: Money
    """``open_amount`` plus ``fees_amount``: what the customer is asked to pay."""
    invoice_count: int
    oldest_due_on: date
    days_past_due: int
    """Days past the oldest due date at render time (negative before it)."""


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Everything a template can read, frozen.

    A plain frozen dataclass rather than a pydantic model: ``payment`` is typed by a
    Protocol (any object with the `PaymentDetails` attributes fits), and the context is built
    once per message on the hot path. Templates see its fields as top-level variables
    (``debtor``, ``invoice``, ``totals``...).
    """

    debtor: Debtor
    invoices: tuple[Invoice, ...]
    """The open invoices the message is about, oldest due date first."""
    totals: Totals
    creditor: Creditor
    step: StepInfo
    tone: Tone
    locale: str
    """The locale used to format numbers and dates (the debtor's unless overridden)."""
    at: datetime
    """The render time; relative dates count from it."""
    today: date
    """``at`` as a date in the debtor's time zone."""
    payment: PaymentDetails | None = None
    fees: tuple[FeeLine, ...] = ()
    case_id: str = ""

    @property
    def invoice(self) -> Invoice:
        """The oldest open invoice (the one a single-invoice text names)."""
        return self.invoices[0]

    @property
    def pay_link(self) -> str | None:
        """The pay link, or ``None`` when there is no payment or no link."""
        return self.payment.link if self.payment is not None else None

    @classmethod
    def build(
        cls,
        case: Case,
        creditor: Creditor,
        *,
        at: datetime,
        tone: Tone,
        locale: str,
        stage: str,
        campaign_id: str | None = None,
        step_id: str | None = None,
        payment: PaymentDetails | None = None,
        fees: Iterable[FeeLine | tuple[str, Money]] = (),
        invoice_ids: Sequence[str] = (),
    ) -> RenderContext:
        """Build the context for ``case`` at ``at`` (open invoices, totals, fee lines)."""
        invoices = _chosen_invoices(case, invoice_ids)
        lines = tuple(_fee_line(fee) for fee in fees) if fees else ()
        today = _today(at, case.debtor.timezone)
        return cls(
            debtor=case.debtor,
            invoices=invoices,
            totals=_totals(invoices, lines, today, case.currency),
            creditor=creditor,
            step=_step(campaign_id, step_id, stage),
            tone=tone,
            locale=locale,
            at=at,
            today=today,
            payment=payment,
            fees=lines,
            case_id=case.id,
        )

    def variables(self) -> dict[str, object]:
        """The mapping templates read: every field plus ``invoice`` and ``pay_link``."""
        return {
            "debtor": self.debtor,
            "invoices": self.invoices,
            "invoice": self.invoices[0],
            "totals": self.totals,
            "creditor": self.creditor,
            "step": self.step,
            "tone": str(self.tone),
            "locale": self.locale,
            "at": self.at,
            "today": self.today,
            "payment": self.payment,
            "pay_link": self.pay_link,
            "fees": self.fees,
        }


@functools.lru_cache(maxsize=1024)
def _today(at: datetime, timezone: str) -> date:
    # A run renders at few instants for few zones. Equal keys are the same instant (aware
    # datetimes compare as instants), which falls on the same date in ``timezone``.
    return at.astimezone(zone(timezone)).date()


def _chosen_invoices(case: Case, invoice_ids: Sequence[str]) -> tuple[Invoice, ...]:
    open_invoices = case.open_invoices
    if invoice_ids:
        wanted = set(invoice_ids)
        open_invoices = tuple(i for i in open_invoices if i.id in wanted)
    if open_invoices:
        return open_invoices
    # A thank-you after payment still names the invoices it thanks for.
    chosen = [i for i in case.invoices if not invoice_ids or i.id in invoice_ids]
    return tuple(sorted(chosen or case.invoices, key=lambda i: i.due_on))


@functools.lru_cache(maxsize=1024)
def _step(campaign_id: str | None, step_id: str | None, stage: str) -> StepInfo:
    # Frozen and shared: a run renders the same few steps for every case.
    return StepInfo(campaign_id=campaign_id, step_id=step_id, stage=stage)


@functools.cache
def _zero(currency: str) -> Money:
    return Money.zero(currency)


def _total(amounts: list[Money], currency: str) -> Money:
    # Money is frozen, so one zero per currency is shared and a single amount is its own sum.
    if not amounts:
        return _zero(currency)
    return amounts[0] if len(amounts) == 1 else sum(amounts[1:], amounts[0])


def _totals(
    invoices: tuple[Invoice, ...], fees: tuple[FeeLine, ...], today: date, currency: str
) -> Totals:
    if len(invoices) == 1:  # the usual message: one invoice, its own balance and due date
        open_amount, oldest = invoices[0].balance, invoices[0].due_on
    else:
        open_amount = _total([i.balance for i in invoices], currency)
        oldest = min(i.due_on for i in invoices)
    fees_amount = _total([f.amount for f in fees], currency) if fees else _zero(currency)
    return Totals(
        open_amount=open_amount,
        fees_amount=fees_amount,
        total_due=open_amount + fees_amount if fees else open_amount,
        invoice_count=len(invoices),
        oldest_due_on=oldest,
        days_past_due=(today - oldest).days,
    )


def _fee_line(fee: FeeLine | tuple[str, Money]) -> FeeLine:
    if isinstance(fee, FeeLine):
        return fee
    label, amount = fee
    return FeeLine(label=label, amount=amount)
