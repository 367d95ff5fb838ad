"""The template library: load, validate, resolve with fallback, and render messages."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path

import jinja2

from creditcomms.campaigns import Action, Tone
from creditcomms.channels import BUILTIN_CHANNELS, Channel, Message
from creditcomms.errors import (
    ConfigurationError,
    FieldProblem,
    TemplateNotFoundError,
    ValidationError,
)
from creditcomms.model import Case, Creditor, Money, Reason
from creditcomms.model._types import normalize_locale
from creditcomms.payments import FeeLine

from ._builders import Envelope, build_message
from ._context import PaymentDetails, RenderContext
from ._environment import FORMATTER_KEY, LANGUAGE_KEY, Environments, compile_part, render_part
from ._formatting import formatter_for, language_of
from ._loading import expand_pack, read_directory
from ._samples import SAMPLE_AT, SamplePayment, sample_case, sample_creditor
from ._template import ESCAPED_PARTS, Resolution, Template, TemplateKey
from ._trusted import shared_variables
from ._validation import check_template

__all__ = ["TemplateLibrary"]

_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
Fees = Iterable[FeeLine | tuple[str, Money]]


@functools.cache
def _builtin_pack() -> tuple[Template, ...]:
    return tuple(expand_pack(resources.files("creditcomms.templates") / "packs"))


@functools.cache
def _builtin_sources() -> dict[int, tuple[tuple[str, str], ...]]:
    # The pack's objects live as long as the process (cached above), so their ids stay theirs;
    # their sources are noted as shipped, since a template's ``parts`` dict can be changed.
    return {id(template): tuple(template.parts.items()) for template in _builtin_pack()}


def _is_builtin(template: Template) -> bool:
    """True for the very objects of the built-in packs with their shipped sources, only."""
    shipped = _builtin_sources().get(id(template))
    return shipped is not None and tuple(template.parts.items()) == shipped


class TemplateLibrary:
    """A set of templates, compiled once, resolved with locale and tone fallback.

    Build one from code (``TemplateLibrary([Template(...)])``), from a directory
    (`from_directory`), from package resources (`from_resources`), or take the built-in
    packs (`builtin`). Every template is validated when added: its syntax, the parts its
    channel needs, a render against a sample case, and for SMS the worst-case segment count.

    Examples:
        >>> lib = TemplateLibrary.builtin()
        >>> lib.resolve("reminder", "sms", locale="de_AT", tone="firm").template.locale
        'de'
    """

    def __init__(
        self,
        templates: Iterable[Template] = (),
        /,
        *,
        default_locale: str = "en",
        shared: Mapping[str, str] | None = None,
        validate: bool = True,
    ) -> None:
        self.default_locale = normalize_locale(default_locale)
        self._environments = Environments(shared=shared)
        self._validate = validate
        self._templates: dict[TemplateKey, Template] = {}
        self._compiled: dict[TemplateKey, dict[str, jinja2.Template]] = {}
        self._shared: set[TemplateKey] = set()
        """Compiled built-in templates whose parts render from one shared variables dict."""
        self._resolutions: dict[tuple[str, str, str, Tone], Resolution] = {}
        for template in templates:
            self.add(template)

    @classmethod
    def builtin(cls, *, default_locale: str = "en", validate: bool = False) -> TemplateLibrary:
        """The built-in packs: German, Dutch, English and French for every stage and channel.

        The packs are validated by the test suite, so they are not re-checked at load unless
        ``validate=True``.
        """
        return cls(_builtin_pack(), default_locale=default_locale, validate=validate)

    @classmethod
    def from_directory(
        cls, path: str | Path, /, *, default_locale: str = "en", validate: bool = True
    ) -> TemplateLibrary:
        """Load ``<path>/<locale>/<template id>.toml`` files (see the templates guide)."""
        folder = Path(path)
        if not folder.is_dir():
            raise ConfigurationError(f"template directory {str(folder)!r} does not exist")
        templates, shared = read_directory(folder)
        return cls(templates, default_locale=default_locale, shared=shared, validate=validate)

    @classmethod
    def from_resources(
        cls, package: str, folder: str, /, *, default_locale: str = "en", validate: bool = True
    ) -> TemplateLibrary:
        """Load the plain directory format shipped as data files inside ``package``."""
        templates, shared = read_directory(resources.files(package) / folder)
        return cls(templates, default_locale=default_locale, shared=shared, validate=validate)

    def add(self, template: Template, /, *, replace: bool = False) -> None:
        """Compile, validate and add ``template`` (``replace=True`` overrides an existing one)."""
        if template.key in self._templates and not replace:
            raise ConfigurationError(
                f"template {template.label} is already in the library; pass replace=True"
            )
        template.check_parts()
        self._templates[template.key] = template
        self._compiled.pop(template.key, None)
        self._shared.discard(template.key)
        self._resolutions.clear()
        if self._validate:
            try:
                self._compiled_parts(template)
                check_template(self, template)
            except Exception:
                del self._templates[template.key]
                self._compiled.pop(template.key, None)
                self._shared.discard(template.key)
                raise

    def _compiled_parts(self, template: Template) -> dict[str, jinja2.Template]:
        # Compiled on first use (or at add when validating), then kept for the library's life.
        compiled = self._compiled.get(template.key)
        if compiled is None:
            # The packs' own templates skip the sandbox (they are the library's code, tested
            # with it); anything else, including a template replacing a built-in, stays in it.
            trusted = _is_builtin(template)
            compiled = {
                part: compile_part(
                    self._environments.for_part(
                        part, escaped=part in ESCAPED_PARTS, trusted=trusted
                    ),
                    source,
                    label=f"{template.label}:{part} ({template.origin})",
                )
                for part, source in template.parts.items()
            }
            self._compiled[template.key] = compiled
            # Built-in parts have equal globals (one environment pair, finished alike), so
            # one dict of globals and variables serves all of a message's parts.
            first = next(iter(compiled.values()), None)
            same = first is not None and all(c.globals == first.globals for c in compiled.values())
            if trusted and same:
                self._shared.add(template.key)
        return compiled

    @property
    def parser(self) -> jinja2.Environment:
        """The Jinja environment the library parses plain-text parts with (for checks)."""
        return self._environments.text

    def __len__(self) -> int:
        return len(self._templates)

    def __iter__(self) -> Iterator[Template]:
        return iter(self._templates.values())

    def resolve(
        self,
        template_id: str,
        channel: Channel | str,
        /,
        *,
        locale: str,
        tone: Tone | str = Tone.NEUTRAL,
    ) -> Resolution:
        """Find the template for a request: ``de_CH`` → ``de`` → default locale; tone → neutral.

        Raises:
            TemplateNotFoundError: when no locale or tone fallback has the template.
        """
        name = channel.name if isinstance(channel, Channel) else channel
        wanted = tone if type(tone) is Tone else Tone(tone)
        cache_key = (template_id, name, locale, wanted)
        found = self._resolutions.get(cache_key)
        if found is None:
            found = self._resolve(template_id, name, normalize_locale(locale), wanted)
            self._resolutions[cache_key] = found
        return found

    def _resolve(self, template_id: str, channel: str, locale: str, tone: Tone) -> Resolution:
        locales = dict.fromkeys(
            (locale, language_of(locale), self.default_locale, language_of(self.default_locale))
        )
        for candidate in locales:
            for choice in dict.fromkeys((tone, Tone.NEUTRAL)):
                template = self._templates.get((template_id, channel, candidate, str(choice)))
                if template is not None:
                    reasons = _fallback_reasons(template, locale, tone)
                    return Resolution(template, locale, tone, reasons)
        raise TemplateNotFoundError(self._missing(template_id, channel, locale, tone, locales))

    def _missing(
        self, template_id: str, channel: str, locale: str, tone: Tone, locales: Iterable[str]
    ) -> str:
        """What a failed look-up says: where it looked, what exists, and a near id."""
        tones = ", ".join(dict.fromkeys((str(tone), str(Tone.NEUTRAL))))
        have = sorted(
            {f"{k[2]}/{k[3]}" for k in self._templates if k[:2] == (template_id, channel)}
        )
        message = (
            f"no template {template_id!r} for channel {channel!r} in {locale} (tried"
            f" locales {', '.join(locales)}; tones {tones})"
        )
        if have:
            return f"{message}; it exists for {', '.join(have)}: add one for {locale}"
        ids = sorted({k[0] for k in self._templates if k[1] == channel})
        near = difflib.get_close_matches(template_id, ids, n=1)
        if near:
            return f"{message}; did you mean {near[0]!r}? ({channel} has {', '.join(ids)})"
        if ids:
            return f"{message}; {channel} has {', '.join(ids)}: add it or use one of those"
        return f"{message}; the library has no {channel} templates at all: add one"

    def render_parts(self, resolution: Resolution, context: RenderContext, /) -> dict[str, str]:
        """Render every part of a resolved template with ``context`` (for custom channels)."""
        return self._render_parts(resolution.template, context, resolution.template.label)

    def _render_parts(
        self, template: Template, context: RenderContext, label: str
    ) -> dict[str, str]:
        language = language_of(template.locale)
        locale = context.locale if language_of(context.locale) == language else template.locale
        variables = context.variables()
        variables[FORMATTER_KEY] = formatter_for(locale)
        variables[LANGUAGE_KEY] = language
        parts = self._compiled_parts(template)
        shared = template.key in self._shared
        if shared:
            variables = shared_variables(next(iter(parts.values())), variables)
        rendered: dict[str, str] = {}
        for part, compiled in parts.items():
            text = render_part(compiled, variables, label=f"{label}:{part}", shared=shared)
            rendered[part] = text if part in ESCAPED_PARTS else _tidy(text)
        return rendered

    def render(
        self,
        template_id: str,
        channel: Channel | str,
        case: Case,
        creditor: Creditor,
        /,
        *,
        at: datetime,
        idempotency_key: str,
        tone: Tone | str = Tone.NEUTRAL,
        locale: str | None = None,
        payment: PaymentDetails | None = None,
        fees: Fees = (),
        campaign_id: str | None = None,
        step_id: str | None = None,
        max_segments: int | None = None,
        sender: str | None = None,
        reply_to: str | None = None,
        unsubscribe_url: str | None = None,
        invoice_ids: Sequence[str] = (),
        meta: Mapping[str, str] | None = None,
    ) -> Message:
        """Render ``template_id`` for ``case`` as the message type of ``channel``.

        ``locale`` defaults to the debtor's; ``payment`` (a ``PaymentRequest``) adds the pay
        link, reference and QR code; ``fees`` adds fee or interest lines to the amount due.
        ``sender``, ``reply_to`` and ``unsubscribe_url`` (RFC 8058) override the email
        envelope; ``sender`` also overrides the SMS sender id.

        Raises:
            TemplateNotFoundError: no template even after fallback.
            MissingContactError: the case has no contact for the channel.
            MessageTooLongError: an SMS over its segment cap.
            MissingVariableError, SandboxViolationError: a broken template.
        """
        target = _channel(channel)
        if at.tzinfo is None:
            problem = FieldProblem("at", at, "must be timezone-aware, e.g. datetime.now(UTC)")
            raise ValidationError("render", [problem])
        wanted = _normalized(locale or case.debtor.locale)
        resolution = self.resolve(template_id, target.name, locale=wanted, tone=tone)
        template = resolution.template
        label = template.label
        context = RenderContext.build(
            case, creditor, at=at, tone=template.tone, locale=wanted, stage=template_id,
            campaign_id=campaign_id, step_id=step_id, payment=payment, fees=fees,
            invoice_ids=invoice_ids,
        )  # fmt: skip
        envelope = Envelope(
            channel=target,
            idempotency_key=idempotency_key,
            label=label,
            template_locale=template.locale,
            max_segments=max_segments or template.max_segments,
            sender=sender,
            reply_to=reply_to,
            unsubscribe_url=unsubscribe_url,
            meta=_meta(resolution, meta),
        )
        return build_message(self._render_parts(template, context, label), context, envelope)

    def render_action(
        self,
        action: Action,
        case: Case,
        creditor: Creditor,
        /,
        *,
        payment: PaymentDetails | None = None,
        fees: Fees = (),
        locale: str | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> Message:
        """Render one planned `Action` (its template, channel, tone, ids and segment cap).

        ``meta`` adds labels to the message's ``meta`` after the action's own (a key given
        twice takes the value from ``meta``).
        """
        if action.case_id != case.id:
            raise ConfigurationError(
                f"action {action.idempotency_key!r} is for case {action.case_id!r},"
                f" not {case.id!r}; pass the case the action was planned for"
            )
        extra = {"variant": action.variant} if action.variant else {}
        if meta:
            extra.update(meta)
        return self.render(
            action.template, action.channel, case, creditor,
            at=action.due_at, idempotency_key=action.idempotency_key, tone=action.tone,
            locale=locale, payment=payment, fees=fees, campaign_id=action.campaign_id,
            step_id=action.step_id, max_segments=action.max_segments,
            invoice_ids=action.invoice_ids, meta=extra,
        )  # fmt: skip

    def preview(
        self,
        template_id: str,
        channel: Channel | str,
        /,
        *,
        locale: str,
        tone: Tone | str = Tone.NEUTRAL,
        case: Case | None = None,
        creditor: Creditor | None = None,
        payment: PaymentDetails | None = None,
    ) -> Message:
        """Render a template for a sample case (or ``case``), to look at it in a notebook.

        Without ``payment`` the preview uses a sample pay link and reference.
        """
        wanted = normalize_locale(locale)
        chosen = case or sample_case(wanted, paid=template_id == "payment_received")
        return self.render(
            template_id, channel, chosen, creditor or sample_creditor(),
            at=SAMPLE_AT, idempotency_key=f"preview:{template_id}:{channel}:{wanted}:{tone}",
            tone=tone, locale=wanted,
            payment=payment or SamplePayment(amount=chosen.open_amount or chosen.total_amount),
        )  # fmt: skip


# The locale names a run renders for are few; remember their canonical spelling.
_canonical = functools.lru_cache(maxsize=256)(normalize_locale)


def _normalized(locale: str) -> str:
    return _canonical(locale) if type(locale) is str else normalize_locale(locale)


def _channel(channel: Channel | str) -> Channel:
    if isinstance(channel, Channel):
        return channel
    found = BUILTIN_CHANNELS.get(channel)
    if found is None:
        raise ConfigurationError(
            f"{channel!r} is not a built-in channel ({', '.join(BUILTIN_CHANNELS)});"
            " pass your Channel object instead of its name"
        )
    return found


def _fallback_reasons(template: Template, locale: str, tone: Tone) -> tuple[Reason, ...]:
    reasons = []
    if template.locale != locale:
        reasons.append(
            Reason(
                code="locale_fallback",
                detail=f"no {template.id}/{template.channel} template for {locale};"
                f" used {template.locale}",
            )
        )
    if template.tone != tone:
        reasons.append(
            Reason(
                code="tone_fallback",
                detail=f"no {tone} tone of {template.id}/{template.channel} in"
                f" {template.locale}; used {template.tone}",
            )
        )
    return tuple(reasons)


def _meta(resolution: Resolution, extra: Mapping[str, str] | None) -> dict[str, str]:
    template = resolution.template
    meta = {"template": template.id, "template_locale": template.locale, "tone": str(template.tone)}
    if resolution.fallbacks:
        meta["fallbacks"] = ",".join(r.code for r in resolution.fallbacks)
    meta.update(extra or {})
    return meta


def _tidy(text: str) -> str:
    return _BLANK_LINES.sub("\n\n", text).strip()
