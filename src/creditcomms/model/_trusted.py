"""Building models from values that are already valid, without pydantic's validation.

The library often holds values it has validated itself (a claim's fields, a planner's action,
the sum of two `Money` amounts) and needs a model around them. ``model_construct`` skips
validation but still does per-field bookkeeping on every call; `trusted` does that work once
per model class. One helper serves the engine, the payments, the planner's reasons, the
simulator and `Money` arithmetic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["trusted"]

_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


class _Shape:
    """What `trusted` needs to know about a model class, worked out once."""

    __slots__ = ("defaults", "factories", "known", "names", "required", "start")

    def __init__(self, model: type[BaseModel]) -> None:
        fields = model.model_fields
        self.names = tuple(fields)
        self.factories: dict[str, Callable[[], Any]] = {
            name: info.default_factory  # type: ignore[misc]
            for name, info in fields.items()
            if info.default_factory is not None
        }
        self.defaults = {
            name: info.get_default(call_default_factory=False)
            for name, info in fields.items()
            if not info.is_required() and name not in self.factories
        }
        self.required = frozenset(name for name, info in fields.items() if info.is_required())
        self.known = frozenset(fields)
        # Every field in declaration order with its default; required fields and factories
        # hold None until a value (or the factory's result) replaces them in place.
        self.start = {name: self.defaults.get(name) for name in self.names}


@functools.cache
def _shape(model: type[BaseModel]) -> _Shape | None:
    """The model's shape, or None when it needs pydantic's own path (aliases, private state)."""
    aliased = any(info.alias not in (None, name) for name, info in model.model_fields.items())
    if aliased or model.__private_attributes__:
        return None
    return _Shape(model)


def trusted(model: type[_M], /, **values: Any) -> _M:
    """``model.model_construct(**values)``, faster, for values that are valid as they are.

    Fields left out take their default (a default factory is called per object, as
    validation would). Unknown names or a missing required field fall back to
    ``model_construct``. No validator or ``model_post_init`` runs: use it only for values the
    library has validated or computed itself.
    """
    shape = _shape(model)
    if shape is None or not shape.required <= values.keys() <= shape.known:
        return model.model_construct(**values)
    # Declaration order, as validation leaves it: a copy of the defaults, then the values
    # (updating a key keeps its place), then the factories of the fields left out.
    data = shape.start.copy()
    data.update(values)
    for name, factory in shape.factories.items():
        if name not in values:
            data[name] = factory()
    made: _M = _new(model)
    _set(made, "__dict__", data)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
