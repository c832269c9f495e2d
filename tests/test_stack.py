"""ops/stack.py: the URLs it derives for the test database and Redis index."""

import importlib.util
import sys

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
