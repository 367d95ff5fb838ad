"""The trusted environment's buffered code renders exactly what Jinja's own code renders."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from creditcomms.templates._environment import Environments, render_part
from creditcomms.templates._trusted import render_shared, shared_variables

SOURCES = [
    "plain text only",
    "Hallo {{ name }}, {{ items | join(', ') }}!",
    "{% for i in items %}<{{ i }}>{% if loop.last %}.{% else %},{% endif %}{% endfor %}",
    "{% for i in items recursive %}[{{ i }}]{% endfor %}",
    "{% for i in [] %}x{% else %}none{% endfor %}",
    "{% set greeting %}Hi {{ name }}{% endset %}{{ greeting | upper }} {{ greeting }}",
    "{% macro row(x) %}<tr>{{ x }}</tr>{% endmacro %}{{ row(name) }}{{ row('<b>') }}",
    "{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in {{ name }}{% endcall %}",
    "{% filter upper %}quiet {{ name }}{% endfilter %} after",
    "{% set ns = namespace(n=0) %}{% for i in items %}{% set ns.n = ns.n + 1 %}{% endfor %}"
    "{{ ns.n }}",
    "{% with x = name %}{{ x }}{% endwith %}{{ name if items else 'none' }}",
    "{% autoescape false %}{{ html }}{% endautoescape %}|{{ html }}",
    "{% for i in items if i != 'b' %}{{ i }}{% endfor %}",
]


class _Thing:
    """An object with an attribute, a property that fails, and a method."""

    name = "thing <1>"

    @property
    def broken(self) -> str:
        raise AttributeError("broken")

    def lines(self) -> list[str]:
        return ["a", "b"]


VARIABLES: dict[str, Any] = {
    "name": "Jo & <Co>",
    "items": ["a", "b", "c"],
    "html": "<i>x</i>",
    "obj": _Thing(),
    "d": {"key": "value", "nested": {"deep": 1}},
}
ATTRIBUTES = [
    "{{ obj.name }} {{ d.key }} {{ d.nested.deep }} {{ obj.lines()[1:] | join(',') }}",
    "{{ obj.missing is defined }} {{ d.missing is defined }} {{ obj.broken is defined }}",
    "{% if obj.name and d.key %}{{ obj.name | upper }}{% endif %}{{ name.upper() }}",
    "{% for i in items %}{{ loop.index }}{{ obj.name if loop.first else d.key }}{% endfor %}",
]


@pytest.mark.parametrize("escaped", [False, True])
@pytest.mark.parametrize("source", SOURCES + ATTRIBUTES)
def test_buffered_root_renders_as_jinja(source: str, escaped: bool) -> None:
    """Loops, macros, call and filter blocks, set blocks: the same text as plain Jinja."""
    envs = Environments()
    trusted = envs.for_part("html" if escaped else "text", escaped=escaped, trusted=True)
    # The reference: Jinja's own code generator with the trusted environment's options.
    plain = jinja2.Environment(
        autoescape=escaped,  # noqa: S701 - text parts are plain text, compared as such
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    expected = plain.from_string(source).render(VARIABLES)
    compiled = trusted.from_string(source)
    assert compiled.render(VARIABLES) == expected
    assert render_shared(compiled, shared_variables(compiled, VARIABLES)) == expected
    assert render_part(compiled, shared_variables(compiled, VARIABLES), label="t", shared=True) == (
        expected
    )


def test_buffered_root_yields_once() -> None:
    """The root function yields the joined output once, not piece by piece."""
    trusted = Environments().for_part("text", escaped=False, trusted=True)
    source = "a {{ name }} b {% for i in items %}{{ i }}{% endfor %} c"
    assert list(trusted.from_string(source).generate(VARIABLES)) == ["a Jo & <Co> b abc c"]
    code = trusted.compile(source, raw=True)
    assert "yield concat(_out)" in code
    assert "yield '" not in code


@pytest.mark.parametrize(
    "source", ["{{ missing_name }}", "{{ obj.nothing }}", "{{ d.nothing }}", "{{ missing.x }}"]
)
def test_shared_render_keeps_undefined_errors(source: str) -> None:
    """StrictUndefined raises Jinja's own error, with its message, on the trusted path."""
    trusted = Environments().for_part("text", escaped=False, trusted=True)
    plain = jinja2.Environment(undefined=jinja2.StrictUndefined)  # noqa: S701 - plain text
    with pytest.raises(jinja2.UndefinedError) as expected:
        plain.from_string(source).render(VARIABLES)
    compiled = trusted.from_string(source)
    with pytest.raises(jinja2.UndefinedError) as raised:
        render_shared(compiled, shared_variables(compiled, VARIABLES))
    assert str(raised.value) == str(expected.value)


def test_shared_render_leaves_parent_alone() -> None:
    """A template's own ``set`` goes to its context, not into the shared parent."""
    trusted = Environments().for_part("text", escaped=False, trusted=True)
    compiled = trusted.from_string("{% set name = 'other' %}{{ name }}")
    parent = shared_variables(compiled, VARIABLES)
    before = dict(parent)
    assert render_shared(compiled, parent) == "other"
    assert parent == before
