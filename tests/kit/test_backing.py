"""Telling an unreachable PostgreSQL or Redis from a bug, and logging an outage once."""

from __future__ import annotations

import asyncpg
import pytest
import redis.exceptions
from sqlalchemy import exc as sa_exc

from pharmreg.kit.backing import OutageLog, unavailable_service
from tests.services import free_port


async def test_an_unreachable_postgres_is_recognised_from_the_driver_error() -> None:
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(host="127.0.0.1", port=free_port(), user="postgres", timeout=5)
    assert unavailable_service(refused.value) == "postgres"
    wrapped = RuntimeError("loading the page failed")
    wrapped.__cause__ = refused.value
    assert unavailable_service(wrapped) == "postgres"


def test_server_side_shutdown_and_lost_connections_are_postgres_outages() -> None:
    assert unavailable_service(asyncpg.exceptions.CannotConnectNowError("starting up")) == "postgres"
    assert unavailable_service(asyncpg.exceptions.AdminShutdownError("terminating")) == "postgres"
    lost = sa_exc.DBAPIError("SELECT 1", {}, Exception("closed"), connection_invalidated=True)
    assert unavailable_service(lost) == "postgres"


def test_redis_connection_errors_are_redis_outages() -> None:
    assert unavailable_service(redis.exceptions.ConnectionError("refused")) == "redis"
    assert unavailable_service(redis.exceptions.TimeoutError("timeout")) == "redis"
    assert unavailable_service(redis.exceptions.BusyLoadingError("loading")) == "redis"


def test_other_errors_are_not_outages() -> None:
    assert unavailable_service(ValueError("bad value")) is None
    assert unavailable_service(ConnectionRefusedError("raised by our own code")) is None  # not a driver's
    assert unavailable_service(asyncpg.exceptions.QueryCanceledError("statement timeout")) is None
    broken_sql = sa_exc.DBAPIError("SELEC 1", {}, Exception("syntax"), connection_invalidated=False)
    assert unavailable_service(broken_sql) is None


class _Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict]] = []

    def warning(self, event: str, **fields) -> None:
        self.lines.append(("warning", event, fields))

    def info(self, event: str, **fields) -> None:
        self.lines.append(("info", event, fields))


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends() -> None:
    log = _Log()
    outages = OutageLog(log, "outbox")
    error = OSError("refused")
    assert outages.down("postgres", error) is True
    assert outages.down("postgres", error) is False  # still down: nothing more
    assert outages.down("postgres", error, source="tenant_gd") is True  # another subject
    assert outages.up("postgres") is True
    assert outages.up("postgres") is False
    assert [(level, event) for level, event, _ in log.lines] == [
        ("warning", "outbox.postgres_unavailable"),
        ("warning", "outbox.postgres_unavailable"),
        ("info", "outbox.postgres_recovered"),
    ]
    assert log.lines[1][2]["source"] == "tenant_gd" and "down_seconds" in log.lines[2][2]
