"""Tasks waiting for officers, and the append-only history of everything done to them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase


class Task(TenantBase):
    """One step of a case, waiting in a unit's pool for an officer who holds the position."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_pool", "candidate_unit_id", "position", "status"),
        Index("ix_task_assignee", "assignee_id", "status"),
        Index("ix_task_location", "matter", "division_code", "status"),
        # The to-do list reads a pool's open tasks in this order; the partial index hands them over sorted.
        Index(
            "ix_task_open_pool",
            "candidate_unit_id",
            "position",
            text("priority DESC"),
            text("due_date ASC NULLS LAST"),
            "id",
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_task_open_case", "application_id", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(40), index=True)
    # The application and the process step this task is for (None for tasks made by other means).
    application_id: Mapped[int | None] = mapped_column(Integer, index=True)
    step: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(String(32))
    division_code: Mapped[str] = mapped_column(String(6))
    position: Mapped[str] = mapped_column(String(32))
    candidate_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'open'"))
    priority: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Optimistic lock: two officers acting at once, one wins and the other is told.
    version: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it


class TaskHistory(TenantBase):
    __tablename__ = "task_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id"))
    on_behalf_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officer.id"))
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    note: Mapped[str | None] = mapped_column(Text)


class ProcessDefinition(TenantBase):
    """One version of a province's process for a matter; cases stay on the version they began with."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("matter", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    acceptance_days: Mapped[int] = mapped_column(SmallInteger)
    statutory_days: Mapped[int] = mapped_column(SmallInteger)
    promised_days: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WorkdayOverride(NationalBase):
    """A day whose status an administrator set, overriding the official calendar package."""

    __tablename__ = "workday_override"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeclaredYear(NationalBase):
    """A year whose holidays an administrator has entered in full (beyond the calendar package)."""

    __tablename__ = "workday_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    declared_by: Mapped[str | None] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
