"""Private PostgreSQL and Redis servers that a test may stop and start again, for outage tests.

The shared servers the suite runs on are never stopped: these run on their own free ports, in
their own temporary directories, and go away with the test session.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from pharmreg.divisions import DivisionIndex, load_divisions
from pharmreg.kit.db import Database, ensure_database
from pharmreg.tenancy import load_catalogue, migrate_national, sync_catalogue


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, *, open_: bool, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            listening = probe.connect_ex(("127.0.0.1", port)) == 0
        if listening == open_:
            return
        assert time.monotonic() < deadline, f"{what} did not {'start' if open_ else 'stop'}"
        time.sleep(0.05)


class PrivateRedis:
    """A redis-server of one's own that keeps its data across a stop and start (as in production)."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "3600 1", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, open_=True, what="Redis")

    def stop(self) -> None:
        """Shut down as an operator would (SIGTERM: the data is saved)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.process = None
        _wait_for_port(self.port, open_=False, what="Redis")


class PrivatePostgres:
    """A PostgreSQL cluster of one's own (initdb'd into a temporary directory)."""

    def __init__(self, directory: Path) -> None:
        on_path = shutil.which("pg_ctl")
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        pg_ctl = Path(on_path) if on_path else (candidates[-1] if candidates else None)
        if pg_ctl is None:
            pytest.skip("PostgreSQL's pg_ctl is not installed")
        self.bindir = pg_ctl.resolve().parent
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            account = pwd.getpwnam("postgres")
            os.chown(directory, account.pw_uid, account.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/pharmreg"

    def _run(self, *cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)
        subprocess.run(full, check=True, capture_output=True)

    def init(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
                  "-w", "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def scratch_directory(prefix: str) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A running Redis of the test's own."""
    with scratch_directory("pharmreg-redis-") as directory:
        server = PrivateRedis(directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
async def _private_postgres(settings) -> AsyncIterator[PrivatePostgres]:
    with scratch_directory("pharmreg-pg-") as directory:
        server = PrivatePostgres(directory)
        server.init()
        server.start()
        try:
            await ensure_database(server.url)
            db = Database(server.url, pool_size=2)
            try:
                # The national schema with the divisions and the registry (no tenant schemas):
                # what the web app and the worker need to start.
                await migrate_national(db, settings.migrations_dir)
                async with db.national() as session, session.begin():
                    await load_divisions(session, settings.tenants_dir / "reference" / "divisions.tsv")
                async with db.national() as session, session.begin():
                    index = await DivisionIndex.load(session)
                    await sync_catalogue(session, load_catalogue(settings.tenants_dir), index)
            finally:
                await db.dispose()
            yield server
        finally:
            with suppress(subprocess.CalledProcessError):
                server.stop()


@pytest.fixture
def private_postgres(_private_postgres: PrivatePostgres) -> Iterator[PrivatePostgres]:
    """A PostgreSQL of the test's own with the national schema, running (again) when the test starts."""
    with suppress(subprocess.CalledProcessError):  # a test that failed may have left it stopped
        _private_postgres.start()
    yield _private_postgres
