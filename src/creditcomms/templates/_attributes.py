"""Load-time check of attribute names: ``{{ debtor.contact_persn }}`` fails when it is added.

Rendering a sample case only visits the branches that case takes; a typo inside
``{% if debtor.kind == 'b2b' %}`` would otherwise surface when the first business customer
is reminded. This walks each part's syntax tree instead and checks every attribute read
from a context variable whose type is known (``debtor``, ``invoice``, a loop over
``invoices``...) against that type, following nested models (``debtor.contacts.email``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from pydantic import BaseModel

from creditcomms.errors import MissingVariableError
from creditcomms.model import Creditor, Debtor, Invoice
from creditcomms.payments import FeeLine

from ._context import StepInfo, Totals

__all__ = ["check_attributes"]

_ROOTS: Mapping[str, type] = {
    "debtor": Debtor,
    "invoice": Invoice,
    "totals": Totals,
    "creditor": Creditor,
    "step": StepInfo,
}
"""Context variables of a known type. ``payment`` is left out: hosts may pass their own
payment object with more attributes than `PaymentRequest`."""
_SEQUENCES: Mapping[str, type] = {"invoices": Invoice, "fees": FeeLine}
"""Context variables that are sequences of a known type (loop targets take that type)."""


def check_attributes(env: jinja2.Environment, source: str, *, label: str) -> None:
    """Raise `MissingVariableError` for the first attribute its variable's type lacks."""
    tree = env.parse(source)
    for node, owner in _reads(tree, dict(_ROOTS)):
        # Private names are the sandbox's business: it refuses them with its own error.
        if not node.attr.startswith("_") and not _has(owner, node.attr):
            known = sorted(_documented(owner))
            near = difflib.get_close_matches(node.attr, known, n=1, cutoff=0.5)
            hint = f"did you mean {near[0]!r}?" if near else f"it has {', '.join(known)}"
            raise MissingVariableError(
                f"template {label}, line {node.lineno}: {_spelled(node.node)} has no"
                f" attribute {node.attr!r}; {hint}"
            )


def _reads(node: nodes.Node, scope: dict[str, type]) -> Iterator[tuple[nodes.Getattr, type]]:
    """Every ``x.attr`` whose ``x`` has a known type, with that type (loops add names)."""
    if isinstance(node, nodes.For):
        yield from _reads(node.iter, scope)
        inner = dict(scope)
        item = _SEQUENCES.get(node.iter.name) if isinstance(node.iter, nodes.Name) else None
        targets = [node.target] if isinstance(node.target, nodes.Name) else []
        for target in (*targets, *node.target.find_all(nodes.Name)):
            inner.pop(target.name, None)  # the loop's own name hides a context variable
        if item is not None and isinstance(node.target, nodes.Name):
            inner[node.target.name] = item
        for child in (*node.body, *node.else_):
            yield from _reads(child, inner)
        if node.test is not None:
            yield from _reads(node.test, inner)
        return
    if isinstance(node, nodes.Getattr):
        owner = _type_of(node.node, scope)
        if owner is not None:
            yield node, owner
    for child in node.iter_child_nodes():
        yield from _reads(child, scope)


def _type_of(node: nodes.Node, scope: Mapping[str, type]) -> type | None:
    """The type of ``node`` when it is a known name or an attribute chain from one."""
    if isinstance(node, nodes.Name):
        return scope.get(node.name)
    if isinstance(node, nodes.Getattr):
        owner = _type_of(node.node, scope)
        return _attribute_type(owner, node.attr) if owner is not None else None
    return None


@functools.cache
def _attribute_names(owner: type) -> frozenset[str]:
    names = {name for name in dir(owner) if not name.startswith("_")}
    if issubclass(owner, BaseModel):
        names |= set(owner.model_fields) | set(owner.model_computed_fields)
    if dataclasses.is_dataclass(owner):
        names |= {field.name for field in dataclasses.fields(owner)}
    return frozenset(names)


@functools.cache
def _documented(owner: type) -> frozenset[str]:
    """The names a template author would look for: fields and creditcomms' own properties."""
    names = {
        name
        for cls in owner.__mro__
        if cls.__module__.startswith("creditcomms")
        for name in vars(cls)
        if not name.startswith(("_", "model_"))
    }
    if issubclass(owner, BaseModel):
        names |= set(owner.model_fields)
    return frozenset(names)


def _has(owner: type, attr: str) -> bool:
    return attr in _attribute_names(owner)


@functools.cache
def _attribute_type(owner: type, attr: str) -> type | None:
    """The model or dataclass type of ``owner.attr`` when it has one (Optional unwrapped)."""
    hints: dict[str, Any]
    try:
        hints = typing.get_type_hints(owner)
    except (NameError, TypeError):
        return None
    return _plain(hints.get(attr))


def _plain(hint: Any) -> type | None:
    """A model or dataclass type inside ``hint`` (``X | None``, ``Annotated[X, ...]``)."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _plain(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        found = [t for t in map(_plain, typing.get_args(hint)) if t is not None]
        return found[0] if len(found) == 1 else None
    if isinstance(hint, type) and (issubclass(hint, BaseModel) or dataclasses.is_dataclass(hint)):
        return hint
    return None


def _spelled(node: nodes.Node) -> str:
    parts: list[str] = []
    inner = node
    while isinstance(inner, nodes.Getattr):
        parts.append(inner.attr)
        inner = inner.node
    if isinstance(inner, nodes.Name):
        parts.append(inner.name)
    return ".".join(reversed(parts))
