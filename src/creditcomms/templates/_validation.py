"""Load-time checks: a template must render for a sample case and fit its SMS budget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from creditcomms.channels import BUILTIN_CHANNELS, measure_sms, normalize_sms_text
from creditcomms.errors import MessageTooLongError

from ._attributes import check_attributes
from ._context import RenderContext
from ._samples import SAMPLE_AT, WORST_LINK, SamplePayment, sample_case, sample_creditor, worst_case
from ._template import Resolution, Template

if TYPE_CHECKING:
    from ._library import TemplateLibrary

__all__ = ["check_template"]


def _context(template: Template, *, worst: bool, with_payment: bool) -> RenderContext:
    case = worst_case(template.locale) if worst else sample_case(template.locale)
    payment = None
    if with_payment:
        link = WORST_LINK if worst else SamplePayment(amount=case.open_amount).link
        payment = SamplePayment(amount=case.open_amount, link=link)
    return RenderContext.build(
        case,
        sample_creditor(),
        at=SAMPLE_AT,
        tone=template.tone,
        locale=template.locale,
        stage=template.id,
        campaign_id="sample",
        step_id="sample",
        payment=payment,
    )


def check_template(library: TemplateLibrary, template: Template, /) -> None:
    """Check attributes in every branch, render with and without payment, check SMS budget.

    Raises:
        MissingVariableError, SandboxViolationError, TemplateError: the template is broken.
        MessageTooLongError: an SMS template exceeds its segment cap in the worst case.
    """
    environment = library.parser  # parsing only: the library's own syntax settings
    for part, source in template.parts.items():
        check_attributes(environment, source, label=f"{template.label}:{part}")
    resolution = Resolution(template, template.locale, template.tone)
    for with_payment in (True, False):
        library.render_parts(resolution, _context(template, worst=False, with_payment=with_payment))
    if template.channel != "sms":
        return
    channel = BUILTIN_CHANNELS["sms"]
    cap = template.max_segments or channel.capabilities.max_segments
    worst = library.render_parts(resolution, _context(template, worst=True, with_payment=True))
    info = measure_sms(normalize_sms_text(worst["text"]))
    if cap is not None and info.segments > cap:
        raise MessageTooLongError(
            f"template {template.label} ({template.origin}) needs {info.segments}"
            f" {info.encoding} segments for a worst-case case (long name, invoice number,"
            f" amount and pay link), more than its cap of {cap}; shorten it or set max_segments"
        )
