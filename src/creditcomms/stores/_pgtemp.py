"""A throw-away PostgreSQL cluster for tests and benchmarks (initdb + pg_ctl in a temp dir)."""

# ruff: noqa: S603 - the commands are PostgreSQL's own binaries with fixed arguments

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from creditcomms.errors import ConfigurationError

__all__ = ["TemporaryPostgres", "find_postgres_bindir"]


def find_postgres_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (newest version), or ``None``."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if found and (Path(found) / "initdb").exists():
            return Path(found)
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0)
    )
    for path in reversed(candidates):
        if (Path(path) / "initdb").exists():
            return Path(path)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class TemporaryPostgres:
    """Start a private PostgreSQL server in a temporary directory; stop and delete it after.

    Runs ``initdb`` and ``pg_ctl`` as the ``postgres`` OS user when started as root (the
    server refuses root), with ``fsync=off`` and a free port on 127.0.0.1. For tests and
    benchmarks only: nothing it stores survives.
    """

    def __init__(self, *, bindir: Path | None = None, max_connections: int = 60) -> None:
        found = bindir or find_postgres_bindir()
        if found is None:
            raise ConfigurationError(
                "no PostgreSQL server binaries found; install them (apt-get install postgresql)"
            )
        self.bindir = found
        self.max_connections = max_connections
        self.port = 0
        self._dir: Path | None = None

    @property
    def dsn(self) -> str:
        """The connection string of the running server."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def _command(self, *args: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def start(self) -> str:
        """Create and start the cluster; return its connection string."""
        self._dir = Path(tempfile.mkdtemp(prefix="creditcomms-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres")
        data, log = self._dir / "data", self._dir / "log"
        self._check(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        self.port = _free_port()
        options = (
            f"-p {self.port} -k {self._dir} -c listen_addresses=127.0.0.1 -c fsync=off"
            f" -c synchronous_commit=off -c full_page_writes=off"
            f" -c max_connections={self.max_connections}"
        )
        self._check(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-o",
            options,
            "start",
        )
        return self.dsn

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self._dir is None:
            return
        data = self._dir / "data"
        subprocess.run(
            self._command(str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self._dir, ignore_errors=True)
        self._dir = None

    def _check(self, *args: str) -> None:
        done = subprocess.run(self._command(*args), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ConfigurationError(
                f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr or done.stdout}"
            )

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
