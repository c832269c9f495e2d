"""Boards, threads and replies of the officers' forum: the same tables in every province's
schema (its own boards) and in the national schema (the national board)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase
from pharmreg.kit.spaces import Space, Spaces


class BoardColumns:
    """版块: a province administrator (or national staff) opens, renames and closes them."""

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(100), server_default="")
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    # A closed board stays readable; it takes no new threads or replies.
    closed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuthorColumns:
    """Who wrote it, as they were then (a snapshot: officers of any province write nationally)."""

    author_kind: Mapped[str] = mapped_column(String(8))  # officer or staff
    author_id: Mapped[uuid.UUID] = mapped_column()
    author_tenant: Mapped[str] = mapped_column(String(41))  # a province's slug, or national
    author_name: Mapped[str] = mapped_column(String(50))
    author_unit: Mapped[str] = mapped_column(String(100))
    author_province: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    body: Mapped[str] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    hidden_by: Mapped[str | None] = mapped_column(String(50))


class ThreadColumns(AuthorColumns):
    """主题帖: its opening post, and what the board list shows of its replies."""

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    pinned: Mapped[bool] = mapped_column(Boolean, server_default="false")
    locked: Mapped[bool] = mapped_column(Boolean, server_default="false")
    reply_count: Mapped[int] = mapped_column(Integer, server_default="0")
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @declared_attr
    def board_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("forum_board.id", ondelete="CASCADE"))


class PostColumns(AuthorColumns):
    """回复: one reply to a thread."""

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)

    @declared_attr
    def thread_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("forum_thread.id", ondelete="CASCADE"))


class TenantForumBoard(BoardColumns, TenantBase):
    __tablename__ = "forum_board"


class TenantForumThread(ThreadColumns, TenantBase):
    __tablename__ = "forum_thread"
    __table_args__ = (Index("ix_forum_thread_listing", "board_id", "pinned", "last_activity_at"),)


class TenantForumPost(PostColumns, TenantBase):
    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_id", "thread_id", "id"),)


class NationalForumBoard(BoardColumns, NationalBase):
    __tablename__ = "forum_board"


class NationalForumThread(ThreadColumns, NationalBase):
    __tablename__ = "forum_thread"
    __table_args__ = (Index("ix_forum_thread_listing", "board_id", "pinned", "last_activity_at"),)


class NationalForumPost(PostColumns, NationalBase):
    __tablename__ = "forum_post"
    __table_args__ = (Index("ix_forum_post_thread_id", "thread_id", "id"),)


@dataclass(frozen=True, slots=True)
class ForumTables:
    """The three tables of one forum: a province's or the national one."""

    board: type[TenantForumBoard] | type[NationalForumBoard]
    thread: type[TenantForumThread] | type[NationalForumThread]
    post: type[TenantForumPost] | type[NationalForumPost]


# One forum: the national board ("national") or a province's boards (its slug).
ForumSpace = Space[ForumTables]

FORUMS = Spaces(
    national_tables=ForumTables(NationalForumBoard, NationalForumThread, NationalForumPost),
    province_tables=ForumTables(TenantForumBoard, TenantForumThread, TenantForumPost),
)
