"""Every query of the workflow context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.workflow.models import Task, TaskHistory


def add_task(session: AsyncSession, values: dict[str, Any]) -> Task:
    task = Task(**values)
    session.add(task)
    return task


def add_history(session: AsyncSession, values: dict[str, Any]) -> None:
    session.add(TaskHistory(**values))


async def task_by_id(session: AsyncSession, task_id: int) -> Task | None:
    return await session.get(Task, task_id)


async def todo(
    session: AsyncSession,
    *,
    unit_id: int,
    positions: Sequence[str],
    officer_id: uuid.UUID,
    delegators: Sequence[uuid.UUID],
    limit: int,
) -> Sequence[Task]:
    """Open tasks in the unit's pool for these posts, unclaimed or claimed by the officer or
    by a colleague who delegated their work to the officer."""
    mine_or_free = or_(Task.assignee_id.is_(None), Task.assignee_id == officer_id)
    if delegators:
        mine_or_free = or_(mine_or_free, Task.assignee_id.in_(delegators))
    query = (
        select(Task)
        .where(
            Task.status == "open",
            Task.candidate_unit_id == unit_id,
            Task.position.in_(positions),
            mine_or_free,
        )
        .order_by(Task.priority.desc(), Task.due_date.asc().nulls_last(), Task.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def done_by(session: AsyncSession, officer_id: uuid.UUID, limit: int) -> Sequence[Task]:
    acted = select(TaskHistory.task_id).where(
        or_(TaskHistory.actor_id == officer_id, TaskHistory.on_behalf_of_id == officer_id),
        TaskHistory.action == "completed",
    )
    query = select(Task).where(Task.id.in_(acted)).order_by(Task.updated_at.desc()).limit(limit)
    return (await session.scalars(query)).all()


async def open_tasks_for_update(
    session: AsyncSession, *, matters: Sequence[str] | None = None
) -> Sequence[Task]:
    """Open tasks (of these matters), locked: an officer acting on one waits for the move."""
    query = select(Task).where(Task.status == "open")
    if matters is not None:
        query = query.where(Task.matter.in_(list(matters)))
    return (await session.scalars(query.order_by(Task.id).with_for_update())).all()


async def open_tasks_in(
    session: AsyncSession, *, unit_ids: Sequence[int], matter: str, prefixes: Sequence[str]
) -> Sequence[Task]:
    """Open tasks of these units for a matter whose division starts with one of the prefixes."""
    place = or_(*[Task.division_code.startswith(p) for p in prefixes]) if prefixes else false()
    query = select(Task).where(
        Task.status == "open", Task.matter == matter, Task.candidate_unit_id.in_(unit_ids), place
    )
    return (await session.scalars(query.order_by(Task.id))).all()


async def history(session: AsyncSession, task_id: int) -> Sequence[TaskHistory]:
    query = select(TaskHistory).where(TaskHistory.task_id == task_id).order_by(TaskHistory.at, TaskHistory.id)
    return (await session.scalars(query)).all()


async def count_open(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Task).where(Task.status == "open")) or 0)


async def held_by(
    session: AsyncSession, officer_id: uuid.UUID, positions: Sequence[str] | None
) -> Sequence[Task]:
    """Open tasks an officer has claimed (for these posts), locked."""
    query = select(Task).where(Task.status == "open", Task.assignee_id == officer_id)
    if positions is not None:
        query = query.where(Task.position.in_(list(positions)))
    return (await session.scalars(query.order_by(Task.id).with_for_update())).all()
