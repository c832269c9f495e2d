"""Every query of the workflow context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, false, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.workflow.models import DeclaredYear, ProcessDefinition, Task, TaskHistory, WorkdayOverride


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


async def open_task_of_case(session: AsyncSession, application_id: int) -> Task | None:
    query = select(Task).where(Task.application_id == application_id, Task.status == "open")
    return await session.scalar(query.order_by(Task.id.desc()).limit(1))


async def processes(session: AsyncSession, matter: str) -> Sequence[ProcessDefinition]:
    query = select(ProcessDefinition).where(ProcessDefinition.matter == matter)
    return (await session.scalars(query.order_by(ProcessDefinition.version.desc()))).all()


async def process_by_id(session: AsyncSession, process_id: int) -> ProcessDefinition | None:
    return await session.get(ProcessDefinition, process_id)


def add_process(session: AsyncSession, values: dict[str, Any]) -> ProcessDefinition:
    row = ProcessDefinition(**values)
    session.add(row)
    return row


async def workday_overrides(session: AsyncSession) -> tuple[Sequence[WorkdayOverride], Sequence[int]]:
    overrides = (await session.scalars(select(WorkdayOverride).order_by(WorkdayOverride.day))).all()
    years = (await session.scalars(select(DeclaredYear.year))).all()
    return overrides, years


async def upsert_override(session: AsyncSession, values: dict[str, Any]) -> None:
    statement = insert(WorkdayOverride).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[WorkdayOverride.day],
        set_={k: statement.excluded[k] for k in ("working", "note", "updated_by", "updated_at")},
    )
    await session.execute(statement)


async def delete_override(session: AsyncSession, day: Any) -> None:
    await session.execute(delete(WorkdayOverride).where(WorkdayOverride.day == day))


async def declare_year(session: AsyncSession, year: int, by: str) -> None:
    statement = insert(DeclaredYear).values(year=year, declared_by=by).on_conflict_do_nothing()
    await session.execute(statement)


async def undeclare_year(session: AsyncSession, year: int) -> None:
    await session.execute(delete(DeclaredYear).where(DeclaredYear.year == year))


async def case_seen_by(
    session: AsyncSession, application_id: int, unit_id: int, officer_id: uuid.UUID
) -> bool:
    """Whether the case is in this unit's pool (or held by the officer) now, had a step completed
    in this unit, or was acted on by the officer."""
    acted = select(TaskHistory.id).where(
        TaskHistory.task_id == Task.id,
        or_(TaskHistory.actor_id == officer_id, TaskHistory.on_behalf_of_id == officer_id),
    )
    query = select(Task.id).where(
        Task.application_id == application_id,
        or_(
            (Task.status == "open") & or_(Task.candidate_unit_id == unit_id, Task.assignee_id == officer_id),
            (Task.status == "done") & (Task.candidate_unit_id == unit_id),
            acted.exists(),
        ),
    )
    return (await session.scalar(query.limit(1))) is not None


async def case_in_units(session: AsyncSession, application_id: int, unit_ids: Sequence[int] | None) -> bool:
    """Whether any task of the case was in one of these units' pools (None: any unit)."""
    query = select(Task.id).where(Task.application_id == application_id)
    if unit_ids is not None:
        query = query.where(Task.candidate_unit_id.in_(list(unit_ids)))
    return (await session.scalar(query.limit(1))) is not None


async def last_move_from(
    session: AsyncSession, unit_id: int, *, application_id: int | None, task_id: int | None
) -> tuple[Task, TaskHistory] | None:
    """The newest reroute of a task (or of a case's tasks) out of this unit's pool."""
    query = (
        select(Task, TaskHistory)
        .join(TaskHistory, TaskHistory.task_id == Task.id)
        .where(TaskHistory.action == "rerouted", TaskHistory.from_unit_id == unit_id)
    )
    if task_id is not None:
        query = query.where(Task.id == task_id)
    if application_id is not None:
        query = query.where(Task.application_id == application_id)
    row = (
        await session.execute(query.order_by(TaskHistory.at.desc(), TaskHistory.id.desc()).limit(1))
    ).first()
    return (row[0], row[1]) if row else None
