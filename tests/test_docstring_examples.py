"""The ``>>>`` examples in the package's docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import creditcomms


def _modules() -> list[str]:
    found = pkgutil.walk_packages(creditcomms.__path__, prefix=f"{creditcomms.__name__}.")
    return sorted([creditcomms.__name__, *(info.name for info in found)])


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    """Every docstring example of the module passes under doctest."""
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, name, globs=vars(module).copy()):
        if test.filename is not None and not test.filename.startswith(creditcomms.__path__[0]):
            continue
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.failed == 0, f"{results.failed} docstring example(s) failed in {name}"
