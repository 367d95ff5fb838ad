"""Building engine-made models without validation, faster than pydantic's ``model_construct``.

The engine builds completions, contact records and case saves from values it already holds
validated (a claim, an outcome, a planner's actions, an aware time), so it skips validation
as ``model_construct`` does; this skips ``model_construct``'s per-field bookkeeping too.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

__all__ = ["trusted"]

_M = TypeVar("_M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


@functools.cache
def _defaults(model: type[BaseModel]) -> dict[str, Any] | None:
    """Each field's plain default (``PydanticUndefined`` when required); None: use pydantic."""
    defaults: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.default_factory is not None or field.alias not in {None, name}:
            return None
        defaults[name] = field.default
    return defaults


def trusted(model: type[_M], /, **values: Any) -> _M:
    """``model.model_construct(**values)`` for values that are valid as they are."""
    defaults = _defaults(model)
    if defaults is None or not values.keys() <= defaults.keys():
        return model.model_construct(**values)
    data = {name: values.get(name, default) for name, default in defaults.items()}
    if any(value is PydanticUndefined for value in data.values()):
        return model.model_construct(**values)  # a required field is missing
    made: _M = _new(model)
    _set(made, "__dict__", data)
    _set(made, "__pydantic_fields_set__", set(values))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made
