"""ops/stack.py: the URLs it derives for the test database and Redis index, and the runner that
keeps the platform's processes up."""

import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pharmreg.settings import PROJECT_ROOT

spec = importlib.util.spec_from_file_location("stack", PROJECT_ROOT / "ops" / "stack.py")
stack = importlib.util.module_from_spec(spec)
sys.modules["stack"] = stack  # dataclasses look their module up while being defined
spec.loader.exec_module(stack)


def test_database_name_is_replaced_keeping_parameters() -> None:
    assert stack.with_database("postgresql://u:p@h:5/app", "t") == "postgresql://u:p@h:5/t"
    assert stack.with_database("postgresql://u@/app?host=/run/pg", "t") == "postgresql://u@/t?host=/run/pg"
    assert stack.with_database("postgresql://u@h", "t") == "postgresql://u@h/t"


def test_redis_database_index_is_replaced() -> None:
    assert stack.with_redis_db("redis://h:6379/0", 15) == "redis://h:6379/15"
    assert stack.with_redis_db("redis://:pw@h:6379", 15) == "redis://:pw@h:6379/15"


def test_free_port_skips_busy_ports() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert stack.free_port(port) != port


# --------------------------------------------------------------------------- the runner


def _wait_until(condition, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has ended all the same.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ", 1)[1][0] != "Z"


def test_the_back_off_doubles_and_is_capped() -> None:
    supervisor = stack.Supervisor(first_delay=1, max_delay=30)
    assert [supervisor.restart_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_dead_child_is_restarted_with_back_off_while_the_others_keep_serving(tmp_path, capfd) -> None:
    starts = tmp_path / "starts"
    env = dict(os.environ)
    supervisor = stack.Supervisor(first_delay=0.05, max_delay=0.2, stable_after=30, poll=0.01)
    # A child that keeps dying at once, and one that keeps serving.
    flaky = supervisor.spawn(
        "flaky", [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"], env
    )
    steady = supervisor.spawn("steady", [sys.executable, "-c", "import time; time.sleep(120)"], env)
    steady_pid = steady.proc.pid
    outcome: list[int] = []
    runner = threading.Thread(target=lambda: outcome.append(supervisor.wait()))
    runner.start()
    try:
        _wait_until(lambda: starts.exists() and len(starts.read_text()) >= 6, "six starts of the flaky child")
        assert steady.proc is not None and steady.proc.pid == steady_pid and steady.proc.poll() is None
        assert steady.starts == 1
    finally:
        supervisor.stopping = True
        runner.join(30)
    assert outcome == [0] and not _alive(steady_pid)
    log = capfd.readouterr().err
    assert "flaky exited with status 3" in log
    delays = [line.rsplit("restarting in ", 1)[1] for line in log.splitlines() if "flaky exited" in line]
    assert delays[:5] == ["0.05s", "0.1s", "0.2s", "0.2s", "0.2s"]  # doubling, then capped
    assert flaky.starts >= 6 and "steady exited" not in log


def test_a_child_that_served_for_a_while_restarts_after_the_first_delay(capfd) -> None:
    supervisor = stack.Supervisor(first_delay=0.05, max_delay=5, stable_after=0.3, poll=0.01)
    child = supervisor.spawn("web", [sys.executable, "-c", "import time; time.sleep(0.5)"], dict(os.environ))
    child.failures = 4  # it had been failing before this long run
    runner = threading.Thread(target=supervisor.wait)
    runner.start()
    try:
        _wait_until(lambda: child.starts >= 2, "the restart")
    finally:
        supervisor.stopping = True
        runner.join(30)
    assert "web exited with status 0 after" in capfd.readouterr().err
    assert child.failures == 1


_RUNNER = """
import os, sys, time
sys.path.insert(0, {ops!r})
import stack
supervisor = stack.Supervisor(first_delay=0.05, poll=0.01)
stack.stop_on_signals(supervisor)
# "web" forks a worker process into its own group, as uvicorn does.
supervisor.spawn("web", [sys.executable, "-c", {web!r}], dict(os.environ))
supervisor.spawn("worker", [sys.executable, "-c", "import time; time.sleep(120)"], dict(os.environ))
print(" ".join(str(c.proc.pid) for c in supervisor.children), flush=True)
sys.exit(supervisor.wait())
"""
_WEB = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
open(os.environ["GRANDCHILD"], "w").write(str(child.pid))
time.sleep(120)
"""


def test_sigterm_stops_every_child_and_their_processes(tmp_path) -> None:
    grandchild_file = tmp_path / "grandchild"
    script = _RUNNER.format(ops=str(stack.ROOT / "ops"), web=_WEB)
    runner = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "GRANDCHILD": str(grandchild_file)},
        text=True,
    )
    try:
        pids = [int(p) for p in runner.stdout.readline().split()]
        _wait_until(lambda: grandchild_file.exists() and grandchild_file.read_text(), "the web's worker")
        grandchild = int(grandchild_file.read_text())
        assert all(_alive(pid) for pid in [*pids, grandchild])
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
        _wait_until(lambda: not any(_alive(pid) for pid in [*pids, grandchild]), "every process gone")
        assert "restarting" not in runner.stderr.read()  # a stop is not a crash
    finally:
        if runner.poll() is None:
            runner.kill()
