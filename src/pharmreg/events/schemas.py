"""Events as consumers receive them, and the sources they come from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.db import NATIONAL_SCHEMA, PRIMARY_PLACEMENT


class Source(msgspec.Struct, frozen=True):
    """A schema with an outbox: the national schema or one tenant's."""

    slug: str
    schema: str
    placement: str = PRIMARY_PLACEMENT

    @property
    def is_national(self) -> bool:
        return self.schema == NATIONAL_SCHEMA


class Event(msgspec.Struct, frozen=True):
    id: int
    uuid: uuid.UUID
    source: Source
    topic: str
    payload: dict[str, Any]
    created_at: datetime


class Consumer(Protocol):
    """Applies events to national state inside the national transaction it is given."""

    name: str
    topics: frozenset[str]

    async def apply(self, session: AsyncSession, event: Event) -> None: ...


class PendingEvent(msgspec.Struct):
    """An event that has not reached its consumers, for operators."""

    source_schema: str
    id: int
    topic: str
    created_at: datetime
    attempts: int
    last_error: str | None
    parked: bool
