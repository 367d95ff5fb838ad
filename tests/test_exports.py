"""The public surface: every public name is exported, sorted, and exists."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import creditcomms

PUBLIC_MODULES = sorted(
    {"creditcomms"}
    | {
        f"creditcomms.{m.name}"
        for m in pkgutil.iter_modules(creditcomms.__path__)
        if not m.name.startswith("_")
    }
)


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 enforces: CONSTANTS, then Classes, then functions."""
    if name.isupper() or re.fullmatch(r"[A-Z0-9_]+", name):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_is_sorted_and_names_exist(module_name: str) -> None:
    """Each public module's ``__all__`` is sorted and every name in it resolves."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        pytest.fail(f"{module_name} has no __all__")
    assert list(names) == sorted(names, key=_isort_key), f"{module_name}.__all__ is not sorted"
    for name in names:
        assert hasattr(module, name), f"{module_name}.{name} is in __all__ but does not exist"
        assert not name.startswith("_") or name == "__version__"


def test_every_public_root_name_is_exported() -> None:
    """Names the root package defines without an underscore are all in ``__all__``."""
    public = {
        name
        for name, value in vars(creditcomms).items()
        if not name.startswith("_")
        and not isinstance(value, type(creditcomms))
        and name not in {"annotations", "Any"}
    }
    assert public <= set(creditcomms.__all__)


def test_version_is_a_string() -> None:
    """``creditcomms.__version__`` comes from the installed metadata."""
    assert isinstance(creditcomms.__version__, str)
    assert creditcomms.__version__


def test_public_names_have_docstrings() -> None:
    """Every exported class and function has a docstring."""
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if (isinstance(value, type) or callable(value)) and not (value.__doc__ or "").strip():
                missing.append(f"{module_name}.{name}")
    assert not missing
