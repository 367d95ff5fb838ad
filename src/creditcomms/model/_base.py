"""The base model: frozen, strict about unknown fields, and raising creditcomms' own errors."""

from __future__ import annotations

from typing import Any, Self

import pydantic
from pydantic import BaseModel, ConfigDict

from creditcomms.errors import FieldProblem, ValidationError

__all__ = ["FieldError", "Model", "convert_validation_error"]


class FieldError(ValueError):
    """Raised by a model-level validator to blame one field (instead of the whole object)."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(message)


_PREFIXES = ("Value error, ", "Assertion failed, ")


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif str(item).startswith("function-") or item in {"constrained-str", "lax-or-strict"}:
            continue  # pydantic's internal validator names are noise to a user
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(object)"


def _message(error: Any) -> str:
    text = str(error["msg"])
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if error["type"] == "extra_forbidden":
        text = "unknown field; check the spelling against the model's documented fields"
    elif error["type"] == "missing":
        text = "required field is missing"
    return text


def convert_validation_error(exc: pydantic.ValidationError, model: str) -> ValidationError:
    """Turn pydantic's error into a `ValidationError` naming each field, value and fix."""
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False):
        path = _field_path(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, FieldError):
            field = cause.field if path == "(object)" else f"{path}.{cause.field}"
            problems.append(FieldProblem(field=field, value=cause.value, message=cause.message))
        elif isinstance(cause, ValidationError):  # a nested model built by hand inside a validator
            for inner in cause.problems:
                field = inner.field if path == "(object)" else f"{path}.{inner.field}"
                problems.append(FieldProblem(field=field, value=inner.value, message=inner.message))
        else:
            problems.append(
                FieldProblem(field=path, value=error.get("input"), message=_message(error))
            )
    return ValidationError(model, problems)


class Model(BaseModel):
    """Base of every creditcomms data object: frozen, ``extra="forbid"``, typed errors.

    Change an object with ``model_copy(update=...)``; invalid input raises
    `creditcomms.ValidationError` (a ``ValueError``) that lists every bad field.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_default=False,
        revalidate_instances="never",
        arbitrary_types_allowed=False,
        ser_json_timedelta="iso8601",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, type(self).__name__) from None

    # Pydantic calls a model's own ``__init__`` for every nested object it validates, which
    # would re-enter the validator once per nested model (a stored case has about eight).
    # This one only translates errors, which the outermost call does for the whole tree, so
    # nested objects are validated in one pass inside pydantic-core.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate ``obj`` (a mapping or an instance) into this model."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, cls.__name__) from None

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a JSON document into this model."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except pydantic.ValidationError as exc:
            raise convert_validation_error(exc, cls.__name__) from None
