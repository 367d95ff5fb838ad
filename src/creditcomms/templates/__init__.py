"""Templates: sandboxed Jinja templates per channel, locale and tone, and the built-in packs.

A `TemplateLibrary` holds `Template` objects (from code, a directory, package resources or
the built-in German, Dutch, English and French packs), resolves a request with locale and
tone fallback, and renders a case into the message type of its channel. Templates read one
frozen `RenderContext` and format money and dates with babel, cached per locale.
"""

from ._context import PaymentDetails, RenderContext, StepInfo, Totals
from ._formatting import Formatter, formatter_for, greeting_for
from ._library import TemplateLibrary
from ._template import REQUIRED_PARTS, Resolution, Template

__all__ = [
    "REQUIRED_PARTS",
    "Formatter",
    "PaymentDetails",
    "RenderContext",
    "Resolution",
    "StepInfo",
    "Template",
    "TemplateLibrary",
    "Totals",
    "formatter_for",
    "greeting_for",
]
