"""The sandboxed Jinja environments, the template filters, and error translation.

Templates may come from end users, so they run in Jinja's immutable sandbox with
``StrictUndefined``: a template can read the context but not reach private attributes,
mutate data, or silently print nothing for a misspelt variable. The built-in packs' own
templates, which the library ships and pins with a snapshot test, compile in a plain
environment without a loader instead (the sandbox's checks are a tenth of their render).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import jinja2
import markupsafe
from jinja2 import StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from creditcomms.campaigns import Tone
from creditcomms.errors import (
    MissingVariableError,
    SandboxViolationError,
    TemplateError,
    TemplateSyntaxError,
)
from creditcomms.model import Debtor, Money

from ._formatting import Formatter, greeting_for
from ._trusted import BufferedRoot, render_shared

__all__ = ["FORMATTER_KEY", "LANGUAGE_KEY", "Environments", "compile_part", "render_part"]

FORMATTER_KEY = "_formatter"
LANGUAGE_KEY = "_language"

_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


def _formatter(context: Context) -> Formatter:
    # The library puts the formatter into the render's variables (the context's parent);
    # reading it there skips the template-local scope, which a template could shadow.
    formatter: Formatter = context.parent[FORMATTER_KEY]
    return formatter


@pass_context
def _money(context: Context, value: Money) -> str:
    # As `_formatter`, inline: money and dates are most of a message's filter calls.
    formatter: Formatter = context.parent[FORMATTER_KEY]
    return formatter.money(value)


@pass_context
def _date(context: Context, value: date | datetime, style: str = "medium") -> str:
    formatter: Formatter = context.parent[FORMATTER_KEY]
    return formatter.date(value, style)


@pass_context
def _relative_date(context: Context, value: date | datetime) -> str:
    today: date = context["today"]
    return _formatter(context).relative(value, today=today)


@pass_context
def _number(context: Context, value: Decimal | int, digits: int | None = None) -> str:
    return _formatter(context).number(value, digits=digits)


@pass_context
def _percent(context: Context, value: Decimal | int) -> str:
    return _formatter(context).percent(value)


def _variable(context: Context, key: str) -> Any:
    """``context[key]`` (a template's own ``set`` first, then the render's variables)."""
    own = context.vars
    return own[key] if key in own else context.parent[key]


_TONES: dict[str, Tone] = {tone.value: tone for tone in Tone}


@pass_context
def _greeting(context: Context, debtor: Debtor | None = None) -> str:
    who: Debtor = debtor if debtor is not None else _variable(context, "debtor")
    spelled = _variable(context, "tone")
    tone = (_TONES.get(spelled) if type(spelled) is str else None) or Tone(spelled)
    return greeting_for(who, language=_variable(context, LANGUAGE_KEY), tone=tone)


@functools.lru_cache(maxsize=256)
def _iban(value: str) -> str:
    compact = value.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


_FILTERS = {
    "iban": _iban,
    "money": _money,
    "date": _date,
    "relative_date": _relative_date,
    "number": _number,
    "percent": _percent,
}


_HIDDEN = frozenset({"link_secret", "previous_link_secrets", "get_secret_value"})


class _FlatGlobals(jinja2.Environment):
    """Hands each template its globals as one plain dict instead of Jinja's ``ChainMap``."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict instead of Jinja's ``ChainMap``.

        Each render copies the globals into its context; a ``ChainMap`` copies key by key in
        Python, a dict in C. Environments are finished (filters, ``greeting``) before the
        first template compiles, so a snapshot sees the same names.
        """
        return {**self.globals, **(d or {})}


class _Sandbox(_FlatGlobals, ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, also closed to secrets and pydantic's model machinery.

    Jinja's verdict depends only on the object's type and the attribute name, so it is
    remembered per (type, name): templates read the same few attributes millions of times.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            hidden = attr in _HIDDEN or attr.startswith(("model_", "__pydantic"))
            verdict = not hidden and bool(super().is_safe_attribute(obj, attr, value))
            self._verdicts[key] = verdict
        return verdict

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Read ``obj.attribute``, skipping the checks for a name already judged safe."""
        if self._verdicts.get((type(obj), attribute)):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


class _Trusted(_FlatGlobals):
    """A plain Jinja environment for the library's own packs, which it ships and tests.

    It has no loader: a trusted template cannot pull in a user's shared source. Its
    templates collect their output in a list instead of yielding it piece by piece
    (`BufferedRoot`), which renders the same text.
    """

    code_generator_class = BufferedRoot


_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "keep_trailing_newline": False,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "auto_reload": False,
    "cache_size": 0,
}


def _finish(env: jinja2.Environment) -> jinja2.Environment:
    env.filters.update(_FILTERS)
    env.globals["greeting"] = _greeting
    return env


class Environments:
    """The environments of a library: text (no escaping) and markup (escaping), each twice.

    User templates run in the sandboxed pair. ``shared`` holds sources that they may
    ``{% import %}`` or ``{% include %}`` (layouts and macros shipped with a pack). The
    trusted pair, without sandbox checks and without a loader, compiles only the built-in
    packs' own templates (see `TemplateLibrary`).
    """

    def __init__(self, *, shared: Mapping[str, str] | None = None) -> None:
        loader = jinja2.DictLoader(dict(shared or {}))
        self.text = _finish(_Sandbox(autoescape=False, loader=loader, **_OPTIONS))
        self.markup = _finish(_Sandbox(autoescape=True, loader=loader, **_OPTIONS))
        self._trusted: dict[bool, jinja2.Environment] = {}

    def for_part(self, part: str, *, escaped: bool, trusted: bool = False) -> jinja2.Environment:
        """The environment a part compiles in (markup for HTML and SSML parts)."""
        if not trusted:
            return self.markup if escaped else self.text
        env = self._trusted.get(escaped)
        if env is None:
            env = self._trusted[escaped] = _finish(_Trusted(autoescape=escaped, **_OPTIONS))
        return env


_ESCAPED: dict[str, str] = {}
_ESCAPED_LIMIT = 4096
_SHORT = 256


def _escape(value: Any) -> Any:
    """`markupsafe.escape` for output, remembering short strings.

    Compiled templates call ``escape`` only on what they output, and Jinja joins the output
    into one string (blocks and macros wrap their joined output in ``Markup`` themselves),
    so a plain string serves as well as a ``Markup`` there. Short strings (names, amounts,
    labels: the same few in every message) are escaped once and remembered; long ones (a QR
    code's data URI) and non-strings go to markupsafe's single pass in C.
    """
    if type(value) is not str or len(value) > _SHORT:
        return markupsafe.escape(value)
    escaped = _ESCAPED.get(value)
    if escaped is None:
        escaped = (
            value.replace("&", "&amp;")
            .replace(">", "&gt;")
            .replace("<", "&lt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )
        if len(_ESCAPED) >= _ESCAPED_LIMIT:
            _ESCAPED.clear()
        _ESCAPED[value] = escaped
    return escaped


def compile_part(env: jinja2.Environment, source: str, *, label: str) -> jinja2.Template:
    """Compile one part's source, turning a Jinja syntax error into ours."""
    try:
        compiled = env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateSyntaxError(
            f"template {label} does not parse at line {exc.lineno}: {exc.message}"
        ) from None
    if env.autoescape is True:
        # The compiled module's functions look ``escape`` up in its namespace on each call.
        compiled.root_render_func.__globals__["escape"] = _escape
    return compiled


def render_part(
    template: jinja2.Template, variables: Mapping[str, Any], *, label: str, shared: bool = False
) -> str:
    """Render a compiled part, turning Jinja's runtime errors into creditcomms errors.

    ``shared=True`` takes ``variables`` as the context's parent as it is: a dict from
    `shared_variables`, which already holds the template's globals (see `render_shared`).
    """
    try:
        if shared:
            return render_shared(template, variables)
        return template.render(variables)
    except jinja2.exceptions.SecurityError as exc:
        raise SandboxViolationError(
            f"template {label} tried to leave the sandbox: {exc}; templates may read the"
            " context's public fields only"
        ) from None
    except jinja2.UndefinedError as exc:
        raise MissingVariableError(_missing_message(label, str(exc))) from None
    except TemplateError:
        raise
    except Exception as exc:  # a filter given the wrong type, a division by zero...
        raise TemplateError(
            f"template {label} failed while rendering: {type(exc).__name__}: {exc}"
        ) from exc


def _missing_message(label: str, detail: str) -> str:
    if "unsafe" in detail:
        return f"template {label} tried to leave the sandbox: {detail}"
    undefined = _UNDEFINED.search(detail)
    if undefined:
        name = undefined.group(1)
        return (
            f"template {label} reads the variable {name!r}, which the render context does not"
            f" have; use one of debtor, invoice, invoices, totals, creditor, step, tone,"
            f" payment, pay_link, fees, today, at, locale"
        )
    attribute = _NO_ATTRIBUTE.search(detail)
    if attribute:
        return f"template {label} reads the attribute {attribute.group(1)!r}: {detail}"
    return f"template {label}: {detail}"
