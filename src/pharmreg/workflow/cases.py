"""Process definitions, the working-day calendar and the tasks of application cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.authority import AuthorityPolicy, Matter, Units
from pharmreg.identity import OfficerAccount, Position
from pharmreg.kit.clock import utcnow
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.workflow import repository
from pharmreg.workflow.models import ProcessDefinition, Task
from pharmreg.workflow.process import Process, national_template, process_to_json, steps_from_json
from pharmreg.workflow.schemas import HandoverRead, TaskSeed
from pharmreg.workflow.service import Delegators, Permission, create_task, may_act, settle_task_notices


def _process(row: ProcessDefinition) -> Process:
    return Process(
        matter=row.matter,
        version=row.version,
        steps=steps_from_json(row.steps),
        acceptance_days=row.acceptance_days,
        statutory_days=row.statutory_days,
        promised_days=row.promised_days,
    )


async def current_process(session: AsyncSession, matter: str) -> tuple[int, Process]:
    """The province's newest process for a matter; the national template becomes version 1 on first use."""
    rows = await repository.processes(session, matter)
    if rows:
        return rows[0].id, _process(rows[0])
    row = await save_process(session, national_template(matter), created_by=None, note="全国默认流程")
    return row.id, _process(row)


async def process_versions(
    session: AsyncSession, matter: str
) -> list[tuple[int, Process, ProcessDefinition]]:
    return [(r.id, _process(r), r) for r in await repository.processes(session, matter)]


async def process_of(session: AsyncSession, process_id: int) -> Process:
    row = await repository.process_by_id(session, process_id)
    assert row is not None, "applications reference their process version"
    return _process(row)


async def save_process(
    session: AsyncSession, process: Process, *, created_by: str | None, note: str | None
) -> ProcessDefinition:
    """Store a new version; running cases keep the version they started on."""
    existing = await repository.processes(session, process.matter)
    row = repository.add_process(
        session,
        {
            "matter": process.matter,
            "version": (existing[0].version + 1) if existing else 1,
            "steps": process_to_json(process),
            "acceptance_days": process.acceptance_days,
            "statutory_days": process.statutory_days,
            "promised_days": process.promised_days,
            "created_by": created_by,
            "note": note,
        },
    )
    await session.flush()
    return row


async def load_calendar(national: AsyncSession) -> WorkCalendar:
    overrides, years = await repository.workday_overrides(national)
    return WorkCalendar({o.day: o.working for o in overrides}, years)


async def set_workday(national: AsyncSession, day: date, *, working: bool, note: str, by: str) -> None:
    await repository.upsert_override(
        national,
        {
            "day": day,
            "working": working,
            "note": note[:100] or None,
            "updated_by": by,
            "updated_at": utcnow(),
        },
    )


async def clear_workday(national: AsyncSession, day: date) -> None:
    await repository.delete_override(national, day)


async def declare_year(national: AsyncSession, year: int, *, declared: bool, by: str) -> None:
    if declared:
        await repository.declare_year(national, year, by)
    else:
        await repository.undeclare_year(national, year)


async def workday_overrides(national: AsyncSession) -> tuple[list[tuple[date, bool, str | None]], list[int]]:
    overrides, years = await repository.workday_overrides(national)
    return [(o.day, o.working, o.note) for o in overrides], sorted(years)


async def open_case_task(
    session: AsyncSession,
    *,
    application_id: int,
    ref: str,
    subject: str,
    matter: str,
    division_code: str,
    step: str,
    position: str,
    due: date | None,
    policy: AuthorityPolicy,
    units: Units,
) -> Task:
    seed = TaskSeed(
        case_ref=ref,
        subject=subject,
        matter=matter,
        division_code=division_code,
        position=position,
        due_date=due,
        application_id=application_id,
        step=step,
    )
    return await create_task(session, seed, policy=policy, units=units)


async def case_task(session: AsyncSession, application_id: int) -> Task | None:
    return await repository.open_task_of_case(session, application_id)


def case_permission(
    officer: OfficerAccount, task: Task | None, policy: AuthorityPolicy, delegators: Delegators
) -> Permission:
    if task is None:
        return Permission(False, "该申请当前没有待办环节")
    return may_act(officer, task, policy, delegators)


async def finish_case_task(
    session: AsyncSession,
    task: Task,
    *,
    status: str,
    action_label: str,
    officer: OfficerAccount | None,
    permission: Permission | None,
    note: str | None,
) -> None:
    """Close the case's task ("done" after an officer's action, "cancelled" when the case ended otherwise)."""
    task.status = status
    task.updated_at = utcnow()
    if (
        officer is not None
        and task.assignee_id is None
        and permission is not None
        and permission.on_behalf_of is None
    ):
        task.assignee_id = officer.id
    repository.add_history(
        session,
        {
            "task_id": task.id,
            "action": "completed" if status == "done" else "cancelled",
            "actor_id": officer.id if officer else None,
            "on_behalf_of_id": permission.on_behalf_of if permission else None,
            "note": f"{action_label}" + (f"：{note}" if note else ""),
        },
    )
    by = f"由{officer.name}" if officer is not None else ""
    await settle_task_notices(
        session, task, f"已{by}办结（{action_label}）" if status == "done" else f"已取消（{action_label}）"
    )


def note_on_task(
    session: AsyncSession, task: Task, *, action: str, officer: OfficerAccount | None, note: str
) -> None:
    repository.add_history(
        session,
        {
            "task_id": task.id,
            "action": action,
            "actor_id": officer.id if officer else None,
            "note": note[:500],
        },
    )


# The permissions that open cases: the posts that act on them, and read-only supervision.
HANDLE_CASES = "handle_tasks"
SUPERVISE_CASES = "supervise_cases"


def supervised_units(officer: OfficerAccount, units: Units) -> list[int] | None:
    """The units whose cases a supervisor reads: their own and those below it (None: every unit)."""
    if officer.at_province:
        return None
    below, pending = [officer.unit_id], [officer.unit_id]
    while pending:
        parent = pending.pop()
        children = [u.id for u in units.by_id.values() if u.parent_id == parent]
        below += children
        pending += children
    return below


async def case_visible_to(session: AsyncSession, application_id: int, officer: OfficerAccount) -> bool:
    """Whether an officer may open a case: by post, not by unit alone.

    The posts that act on cases see what is in their unit's pool now, what their unit has
    handled (a completed step) and what they acted on themselves; once a case moved to another
    unit's pool before anyone here handled it, it is no longer theirs. Supervision (督办, a
    read-only permission) reads the cases handled by the officer's unit and the units below
    it. Other posts (publishing, statistics, administration) open no case.
    """
    if officer.may(SUPERVISE_CASES):
        unit_ids = supervised_units(officer, await Units.load(session))
        if await repository.case_in_units(session, application_id, unit_ids):
            return True
    if not officer.may(HANDLE_CASES):
        return False
    return await repository.case_seen_by(session, application_id, officer.unit_id, officer.id)


async def case_handover(
    session: AsyncSession,
    officer: OfficerAccount,
    *,
    application_id: int | None = None,
    task_id: int | None = None,
) -> HandoverRead | None:
    """The last time a task (or a case's task) left the officer's unit pool for another unit.

    What an officer is told when they open a task or case that is no longer theirs; None when
    it never was in their pool (to anyone else it answers like one that does not exist).
    """
    if not officer.may(HANDLE_CASES):
        return None
    found = await repository.last_move_from(
        session, officer.unit_id, application_id=application_id, task_id=task_id
    )
    if found is None:
        return None
    task, entry = found
    units = await Units.load(session)
    return HandoverRead(
        task_id=task.id,
        at=entry.at,
        to_unit=units.name(entry.to_unit_id),
        note=entry.note,
        matter_label=Matter(task.matter).label,
        position_label=Position(task.position).label,
    )
