"""Reading templates from files: the plain directory format and the compact built-in packs.

Plain format (what users write)::

    <root>/<locale>/<template id>.toml     tables [<channel>.<tone>] of part = "jinja source"
    <root>/_shared/<name>                  sources templates may {% import %} or {% include %}

Compact pack format (the built-in packs): per locale a ``_common.toml`` of labels and per
stage a ``<stage>.toml`` of text snippets per tone; ``_layouts/`` holds one layout per channel
part with ``[[snippet]]`` slots. Expanding a pack fills the slots and yields plain templates,
so every built-in template can be read, copied and overridden like a user's own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from importlib.resources.abc import Traversable
from typing import Any

from creditcomms.campaigns import Tone
from creditcomms.errors import TemplateError, TemplateSyntaxError

from ._template import Template

__all__ = ["expand_pack", "read_directory"]

_SLOT = re.compile(r"\[\[([a-z_]+)\]\]")
_TONES = tuple(str(t) for t in Tone)


def _toml(file: Traversable, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TemplateSyntaxError(f"{origin} is not valid TOML: {exc}") from None


def _template_tables(
    data: Mapping[str, Any], *, template_id: str, locale: str, origin: str
) -> Iterator[Template]:
    for channel, tones in data.items():
        if not isinstance(tones, dict):
            raise TemplateError(
                f"{origin}: [{channel}] must be a table of tones, like [{channel}.neutral]"
            )
        for tone, parts in tones.items():
            if tone not in _TONES or not isinstance(parts, dict):
                raise TemplateError(
                    f"{origin}: [{channel}.{tone}] must be a table named after a tone"
                    f" ({', '.join(_TONES)})"
                )
            cap = parts.get("max_segments")
            yield Template(
                id=template_id,
                channel=channel,
                locale=locale,
                tone=Tone(tone),
                parts={k: v for k, v in parts.items() if k != "max_segments"},
                max_segments=cap,
                origin=origin,
            )


def read_directory(root: Traversable, /) -> tuple[list[Template], dict[str, str]]:
    """Read a plain-format template directory (a path or a package resource folder)."""
    templates: list[Template] = []
    shared: dict[str, str] = {}
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        if not folder.is_dir():
            continue
        if folder.name == "_shared":
            shared.update({f.name: f.read_text(encoding="utf-8") for f in folder.iterdir()})
            continue
        for file in sorted(folder.iterdir(), key=lambda f: f.name):
            if file.name.endswith(".toml"):
                origin = f"{folder.name}/{file.name}"
                data = _toml(file, origin)
                templates.extend(
                    _template_tables(
                        data, template_id=file.name[:-5], locale=folder.name, origin=origin
                    )
                )
    return templates, shared


# Channel part -> layout file (in _layouts/) or an inline slot expression.
_RECIPES: dict[str, tuple[dict[str, str], frozenset[str]]] = {
    "email": (
        {"subject": "[[subject]]", "text": "@email.txt", "html": "@email.html"},
        frozenset({"subject", "body"}),
    ),
    "letter": (
        {"subject": "[[subject]]", "body": "@letter.txt", "layout_body": "@letter_layout.txt"},
        frozenset({"subject", "body"}),
    ),
    "portal": ({"title": "[[subject]]", "body": "@portal.txt"}, frozenset({"subject", "body"})),
    "sms": ({"text": "[[sms]][[pay_sms]][[sms_sign]]"}, frozenset({"sms"})),
    "push": ({"title": "[[push_title]]", "body": "[[sms]]"}, frozenset({"sms"})),
    "whatsapp": (
        {"template_name": "[[wa_name]]", "parameters": "@whatsapp.params", "text": "[[whatsapp]]"},
        frozenset({"whatsapp"}),
    ),
    "voice": ({"ssml": "@voice.ssml"}, frozenset({"voice"})),
    "phone_task": (
        {
            "reason": "[[phone_reason]]",
            "script": "[[phone_script]]",
            "talking_points": "[[phone_points]]",
        },
        frozenset({"phone_reason", "phone_script"}),
    ),
}


def _paragraphs(text: str, *, tag: str, style: str = "") -> str:
    attribute = f' style="{style}"' if style else ""
    chunks = [c.strip() for c in text.strip().split("\n\n") if c.strip()]
    return "\n".join(f"<{tag}{attribute}>{c.replace(chr(10), '<br>')}</{tag}>" for c in chunks)


def _fill(source: str, snippets: Mapping[str, str], origin: str) -> str:
    for _ in range(8):
        if not _SLOT.search(source):
            return source
        source = _SLOT.sub(lambda m: _snippet(snippets, m.group(1), origin), source)
    raise TemplateError(f"{origin}: snippets refer to each other in a loop")


def _snippet(snippets: Mapping[str, str], name: str, origin: str) -> str:
    if name not in snippets:
        raise TemplateError(f"{origin}: the slot [[{name}]] has no snippet; define {name} = '...'")
    return snippets[name]


def _derived(snippets: dict[str, str], *, stage: str, tone: str) -> dict[str, str]:
    result = dict(snippets)
    result.setdefault("wa_name", f"creditcomms_{stage}_{tone}")
    if "body" in result:
        result["body_html"] = _paragraphs(result["body"], tag="p", style=result["p_style"])
    if "voice" in result:
        result["voice_ssml"] = _paragraphs(result["voice"], tag="p")
    return result


def expand_pack(root: Traversable, /) -> list[Template]:
    """Expand a compact pack (``_layouts/`` plus one folder per locale) into templates."""
    layouts_dir = root / "_layouts"
    layouts = {f.name: f.read_text(encoding="utf-8") for f in layouts_dir.iterdir() if f.is_file()}
    base: dict[str, str] = _toml(layouts_dir / "common.toml", "_layouts/common.toml")
    templates: list[Template] = []
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        if folder.is_dir() and not folder.name.startswith("_"):
            common = {**base, **_toml(folder / "_common.toml", f"{folder.name}/_common.toml")}
            for file in sorted(folder.iterdir(), key=lambda f: f.name):
                if file.name.endswith(".toml") and not file.name.startswith("_"):
                    templates.extend(_expand_stage(file, folder.name, common, layouts))
    templates += [_call_alias(t) for t in templates if _is_call_script(t)]
    return templates + [_swiss(t) for t in templates if t.locale == "de"]


def _is_call_script(template: Template) -> bool:
    return template.channel == "phone_task" and template.id == "second_reminder"


def _call_alias(template: Template) -> Template:
    # A phone step's default template is "call": the agent's script for an overdue claim,
    # which is the second-reminder script (the call usually follows the written reminders).
    return template.model_copy(update={"id": "call"})


def _swiss(template: Template) -> Template:
    # Swiss Standard German writes no Eszett: the de_CH variant of a German template differs
    # only there (customer data such as names is left untouched).
    parts = {k: v.replace("ß", "ss") for k, v in template.parts.items()}
    return template.model_copy(update={"locale": "de_CH", "parts": parts})


def _expand_stage(
    file: Traversable, locale: str, common: Mapping[str, str], layouts: Mapping[str, str]
) -> Iterator[Template]:
    stage = file.name[:-5]
    origin = f"{locale}/{file.name}"
    data = _toml(file, origin)
    shared = {k: v for k, v in data.items() if isinstance(v, str)}
    for tone in _TONES:
        if tone not in data:
            continue
        snippets = _derived({**common, **shared, **data[tone]}, stage=stage, tone=tone)
        for channel, (recipe, needs) in _RECIPES.items():
            if needs <= data[tone].keys() | shared.keys():
                parts = {
                    part: _fill(
                        layouts[spec[1:]] if spec.startswith("@") else spec, snippets, origin
                    )
                    for part, spec in recipe.items()
                }
                yield Template(
                    id=stage,
                    channel=channel,
                    locale=locale,
                    tone=Tone(tone),
                    parts=parts,
                    origin=f"creditcomms:packs/{origin}",
                )
