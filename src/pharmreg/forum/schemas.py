"""The forum as pages and callers see it: who writes, boards, threads and replies."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class Author(msgspec.Struct, frozen=True):
    """Who is reading or writing, with the identity snapshot their posts keep."""

    kind: str  # officer or staff
    id: uuid.UUID
    tenant: str  # province slug, or national
    name: str
    unit: str
    province: str


class BoardRead(msgspec.Struct):
    id: int
    title: str
    description: str
    closed: bool
    threads: int
    last_activity_at: datetime | None


class PostRead(msgspec.Struct):
    """A thread's opening post or a reply; `body` is None for readers when it is hidden."""

    id: int
    author_name: str
    author_unit: str
    author_province: str
    created_at: datetime
    body: str | None
    hidden: bool
    hidden_reason: str | None
    hidden_by: str | None
    own: bool


class ThreadSummary(msgspec.Struct):
    id: int
    title: str | None  # None for readers when hidden
    author_name: str
    author_unit: str
    author_province: str
    pinned: bool
    locked: bool
    hidden: bool
    reply_count: int
    created_at: datetime
    last_activity_at: datetime


class ThreadRead(msgspec.Struct):
    id: int
    board: BoardRead
    title: str | None
    pinned: bool
    locked: bool
    hidden: bool
    opening: PostRead
    replies: list[PostRead]
    reply_count: int
    page: int
    pages: int


class BoardPage(msgspec.Struct):
    board: BoardRead
    threads: list[ThreadSummary]
    page: int
    pages: int


class ThreadAuthor(msgspec.Struct, frozen=True):
    """Whom to tell about a reply: the thread's author (an officer of some province, or staff)."""

    thread_id: int
    title: str
    kind: str
    id: uuid.UUID
    tenant: str
