"""Development sessions: tests, lint, typecheck, docs, bench.

Run ``pip install nox && nox -s tests``. Sessions use uv to create virtualenvs when it is
installed and fall back to virtualenv otherwise.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = False

PYTHON = os.environ.get("CREDITCOMMS_NOX_PYTHON", "3.11")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Install the package with every extra and the test tools, then run pytest."""
    session.install("-e", ".[all,test]")
    session.run("pytest", *(session.posargs or ["-q", "-p", "no:cacheprovider"]))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.8")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and on the typed usage examples."""
    session.install("-e", ".[all,test]", "mypy>=1.11", "types-pyyaml")
    session.run("mypy", "--strict", "src")
    if os.path.isdir("tests/typing"):
        session.run("mypy", "--strict", "tests/typing")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site in strict mode."""
    session.install("-e", ".[all]", "mkdocs-material>=9.5", "mkdocstrings[python]>=0.26")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks, each printed next to its naive baseline measured in the same run."""
    session.install("-e", ".[all,test]", "apprise>=1.9")
    session.run("python", "-m", "benchmarks", *session.posargs)
