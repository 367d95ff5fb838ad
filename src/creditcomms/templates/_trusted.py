"""The built-in packs' render path: one output list per part, one context setup per message.

Jinja compiles a template's body into a generator that yields every literal and every
expression on its own, and `jinja2.Template.render` joins what it yields; each render also
copies its variables twice (into a dict, then merged with the globals). The library's own
templates, which compile in the trusted environment, avoid both:

* `BufferedRoot` compiles the body to collect its output in one list (``extend`` with the
  pieces of each output node, as Jinja already does inside macros and ``{% set %}`` blocks)
  and yield the joined text once: the same pieces joined in the same order, so the same
  string, without a generator round trip per piece.
* It reads attributes with the built-in ``getattr`` first, falling back to Jinja's
  ``environment.getattr`` (item look-up, undefined values) only when that finds nothing.
* `render_shared` renders a part against a variables mapping that already holds the
  template's globals, built once per message for all of its parts, in the context Jinja
  would build (same class, parent, name, blocks and globals).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst

__all__ = ["BufferedRoot", "render_shared", "shared_variables"]

_OUT = "_out"
"""The root function's output list (Jinja's own temporaries are ``t_<n>``, names ``l_<n>_x``)."""

_YIELDING = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport, nodes.Block)
"""Nodes that load other templates or define blocks: their output is yielded by other
generators, so a template using one keeps Jinja's own code (the trusted environment has no
loader, so such a template could not render anyway)."""


class BufferedRoot(CodeGenerator):
    """Jinja's code generator, writing the root's output into a list yielded once at the end.

    Everything but where the root frame's output goes is Jinja's: the root frame gets a
    buffer, as macro and ``{% set %}`` frames have, so every output node inside it (also in
    loops and conditions, which share the frame's buffer) appends to that list.
    """

    _buffered = False

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:  # noqa: N802
        """Compile the template, buffering its root unless it loads templates or has blocks."""
        self._buffered = node.find(_YIELDING) is None  # type: ignore[arg-type]
        super().visit_Template(node, frame)

    def enter_frame(self, frame: Frame) -> None:
        """Enter a frame; the root frame starts the output list."""
        if self._buffered and frame.rootlevel and frame.buffer is None:
            frame.buffer = _OUT
            self.writeline(f"{_OUT} = []")
        super().enter_frame(frame)

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:  # noqa: N802
        """``obj.name`` as a built-in ``getattr`` with Jinja's look-up as the fallback.

        ``environment.getattr`` tries the attribute, then the item, then gives an undefined
        value; the generated expression reads the attribute without that Python call and
        hands anything without one (a dict, a missing name) to ``environment.getattr``.
        """
        if not self._buffered or self.environment.is_async:
            super().visit_Getattr(node, frame)
            return
        owner, found = self.temporary_identifier(), self.temporary_identifier()
        self.write(f"({found} if ({found} := getattr(({owner} := ")
        self.visit(node.node, frame)
        self.write(
            f"), {node.attr!r}, missing)) is not missing"
            f" else environment.getattr({owner}, {node.attr!r}))"
        )

    def leave_frame(self, frame: Frame, with_python_scope: bool = False) -> None:
        """Leave a frame; leaving the root yields the joined output."""
        if self._buffered and with_python_scope and frame.rootlevel and frame.buffer == _OUT:
            self.writeline(f"yield concat({_OUT})")
        super().leave_frame(frame, with_python_scope)


def shared_variables(template: jinja2.Template, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The mapping `render_shared` takes: ``template``'s globals overlaid with ``variables``.

    It is what `jinja2.Template.render` builds as the context's parent on every call; the
    parts of one message whose templates have equal globals can share one.
    """
    return {**template.globals, **variables}


def render_shared(template: jinja2.Template, parent: Mapping[str, Any]) -> str:
    """`jinja2.Template.render` with ``parent`` (from `shared_variables`) used as it is.

    The context is the one Jinja makes (``new_context`` with ``shared=True``); the render
    does not write to its parent, so several renders may use the same one. Errors take
    Jinja's own path (``handle_exception``), as in ``render``.
    """
    env = template.environment
    context = env.context_class(
        env,
        parent,  # type: ignore[arg-type]  # Jinja types it dict; it only reads it
        template.name,
        template.blocks,
        globals=template.globals,
    )
    try:
        return env.concat(template.root_render_func(context))
    except Exception:
        env.handle_exception()
        raise  # pragma: no cover - handle_exception always raises
