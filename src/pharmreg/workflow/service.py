"""Tasks: routed to the unit holding authority, handled by officers with the right post."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import AuthorityPolicy, Matter, Units, delegators_for
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount, Position, list_officers, officer_names
from pharmreg.kit.clock import china_time, utcnow
from pharmreg.kit.codes import division_covers, division_prefix
from pharmreg.kit.forms import FormErrors
from pharmreg.messaging import notify, resolve_notifications
from pharmreg.workflow import repository
from pharmreg.workflow.models import Task
from pharmreg.workflow.schemas import HistoryRead, TaskRead, TaskSeed

_ACTIONS = {
    "created": "创建",
    "claimed": "认领",
    "released": "退回待办池",
    "completed": "办结",
    "rerouted": "转办",
    "cancelled": "取消",
    "comment": "意见",
    "suspended": "中止",
    "resumed": "恢复",
    "reminded": "期限提醒",
    "escalated": "超期督办",
}

Delegators = Mapping[uuid.UUID, frozenset[str] | None]


class TaskConflictError(Exception):
    """Someone else changed the task first; the message tells the officer."""


@dataclass(frozen=True, slots=True)
class Permission:
    allowed: bool
    reason: str
    on_behalf_of: uuid.UUID | None = None


def may_act(
    officer: OfficerAccount, task: Task, policy: AuthorityPolicy, delegators: Delegators
) -> Permission:
    """Post + unit authority at the task's place, or acting for a colleague under a work delegation."""
    if task.status != "open":
        return Permission(False, "该任务已办结或已取消")
    if not officer.holds(task.position):
        return Permission(False, f"您没有{Position(task.position).label}岗位")
    if (
        task.candidate_unit_id != officer.unit_id
        or not policy.decide(officer.unit_code, task.matter, task.division_code).allowed
    ):
        return Permission(False, "本单位没有该地区该事项的审批权限")
    if task.assignee_id is None or task.assignee_id == officer.id:
        return Permission(True, "")
    if task.assignee_id in delegators:
        matters = delegators[task.assignee_id]
        if matters is None or task.matter in matters:
            return Permission(True, "", on_behalf_of=task.assignee_id)
    return Permission(False, "该任务已由其他同事认领")


async def task_permission(
    session: AsyncSession,
    task_id: int,
    officer: OfficerAccount,
    policy: AuthorityPolicy,
    delegators: Delegators,
) -> Permission:
    task = await repository.task_by_id(session, task_id)
    if task is None:
        return Permission(False, "任务不存在")
    return may_act(officer, task, policy, delegators)


async def create_task(
    session: AsyncSession, seed: TaskSeed, *, policy: AuthorityPolicy, units: Units
) -> Task:
    """Create a task in the pool of the unit holding authority at the case's place."""
    holder = policy.responsible_unit(seed.matter, seed.division_code)
    unit = units.by_code.get(holder or "")
    if unit is None:
        raise LookupError(f"no unit holds {seed.matter} at {seed.division_code}")
    task = repository.add_task(
        session,
        {
            "case_ref": seed.case_ref,
            "subject": seed.subject,
            "matter": seed.matter,
            "division_code": seed.division_code,
            "position": seed.position,
            "candidate_unit_id": unit.id,
            "due_date": seed.due_date,
            "priority": seed.priority,
            "application_id": seed.application_id,
            "step": seed.step,
        },
    )
    await session.flush()
    repository.add_history(session, {"task_id": task.id, "action": "created", "to_unit_id": unit.id})
    await notify_pool(
        session,
        unit.id,
        seed.position,
        subject=f"新任务：{seed.subject}",
        body=f"{Matter(seed.matter).label}（{Position(seed.position).label}环节）已进入本单位待办"
        + (f"，期限 {seed.due_date}" if seed.due_date else ""),
        link=task_link(task.id),
    )
    return task


async def notify_pool(
    session: AsyncSession,
    unit_id: int,
    position: str,
    *,
    subject: str,
    body: str,
    link: str,
    exclude: uuid.UUID | None = None,
) -> int:
    """消息中心: tell the officers of a unit who hold the post (links are relative to the office)."""
    officers = await list_officers(session, unit_id=unit_id)
    recipients = [o.id for o in officers if o.active and position in o.positions and o.id != exclude]
    return notify(session, recipients, subject=subject, body=body, link=link)


def task_link(task_id: int) -> str:
    """Where a task's notifications lead (relative to the office)."""
    return f"tasks/{task_id}"


async def settle_task_notices(
    session: AsyncSession, task: Task, what: str, *, keep: uuid.UUID | None = None
) -> None:
    """The task left the pool of those it was announced to: their notices say what became of it."""
    await resolve_notifications(session, task_link(task.id), f"{china_time(utcnow())} {what}", keep=keep)


async def _announce_back_in_pool(
    session: AsyncSession, task: Task, why: str, *, exclude: uuid.UUID | None
) -> None:
    await notify_pool(
        session,
        task.candidate_unit_id,
        task.position,
        subject=f"任务退回待办池：{task.subject}",
        body=f"{why}，{Matter(task.matter).label}（{Position(task.position).label}环节）可以重新认领办理",
        link=task_link(task.id),
        exclude=exclude,
    )


async def todo_list(
    session: AsyncSession,
    officer: OfficerAccount,
    delegators: Delegators,
    divisions: DivisionIndex,
    limit: int = 200,
) -> list[TaskRead]:
    """The officer's to-do list: their unit's pool for their posts, and delegated colleagues' tasks."""
    rows = await repository.todo(
        session,
        unit_id=officer.unit_id,
        positions=sorted(officer.positions),
        officer_id=officer.id,
        delegators=list(delegators),
        limit=limit,
    )
    visible = []
    for task in rows:
        if task.assignee_id is not None and task.assignee_id in delegators:
            matters = delegators[task.assignee_id]
            if matters is not None and task.matter not in matters:
                continue  # the colleague delegated other matters only
        visible.append(task)
    return await _reads(session, visible, divisions, delegators=delegators)


async def done_list(
    session: AsyncSession, officer: OfficerAccount, divisions: DivisionIndex
) -> list[TaskRead]:
    return await _reads(session, await repository.done_by(session, officer.id, 200), divisions)


async def _reads(
    session: AsyncSession,
    tasks: Sequence[Task],
    divisions: DivisionIndex,
    *,
    delegators: Delegators | None = None,
) -> list[TaskRead]:
    units = await Units.load(session)
    names = await officer_names(session, (t.assignee_id for t in tasks))
    reads = []
    for task in tasks:
        place = divisions.get(task.division_code)
        on_behalf = delegators is not None and task.assignee_id in delegators
        reads.append(
            TaskRead(
                id=task.id,
                case_ref=task.case_ref,
                subject=task.subject,
                matter=task.matter,
                matter_label=Matter(task.matter).label,
                division_code=task.division_code,
                place=place.full_name if place else task.division_code,
                position=task.position,
                position_label=Position(task.position).label,
                candidate_unit_id=task.candidate_unit_id,
                unit_name=units.name(task.candidate_unit_id),
                assignee_id=task.assignee_id,
                assignee_name=names.get(task.assignee_id) if task.assignee_id else None,
                status=task.status,
                due_date=task.due_date,
                created_at=task.created_at,
                version=task.version,
                on_behalf_of=names.get(task.assignee_id) if on_behalf and task.assignee_id else None,
                application_id=task.application_id,
            )
        )
    return reads


async def _task_for_action(session: AsyncSession, task_id: int, expected_version: int) -> Task:
    task = await repository.task_by_id(session, task_id)
    if task is None:
        raise LookupError(task_id)
    if task.version != expected_version:
        raise TaskConflictError("该任务刚刚被其他同事处理过，请刷新后查看最新状态")
    return task


async def claim_task(
    session: AsyncSession,
    task_id: int,
    version: int,
    *,
    officer: OfficerAccount,
    policy: AuthorityPolicy,
    delegators: Delegators,
) -> Task:
    task = await _task_for_action(session, task_id, version)
    permission = may_act(officer, task, policy, delegators)
    if not permission.allowed:
        raise FormErrors({"": permission.reason})
    if permission.on_behalf_of is None:
        task.assignee_id = officer.id
    task.updated_at = utcnow()
    repository.add_history(
        session,
        {
            "task_id": task.id,
            "action": "claimed",
            "actor_id": officer.id,
            "on_behalf_of_id": permission.on_behalf_of,
        },
    )
    await _flush(session)
    await settle_task_notices(session, task, f"已由{officer.name}认领办理", keep=officer.id)
    return task


async def release_task(session: AsyncSession, task_id: int, version: int, *, officer: OfficerAccount) -> Task:
    task = await _task_for_action(session, task_id, version)
    if task.status != "open" or task.assignee_id != officer.id:
        raise FormErrors({"": "只能退回自己认领的任务"})
    task.assignee_id = None
    task.updated_at = utcnow()
    repository.add_history(session, {"task_id": task.id, "action": "released", "actor_id": officer.id})
    await _flush(session)
    await _announce_back_in_pool(session, task, f"{officer.name}将任务退回待办池", exclude=officer.id)
    return task


async def complete_task(
    session: AsyncSession,
    task_id: int,
    version: int,
    *,
    officer: OfficerAccount,
    policy: AuthorityPolicy,
    delegators: Delegators,
    note: str,
    actor: Actor,
) -> Task:
    """Finish the officer's step of the case (on their own behalf or a delegating colleague's)."""
    task = await _task_for_action(session, task_id, version)
    if task.application_id is not None:
        raise FormErrors({"": "申请类任务请在申请办理页面选择受理、审核或决定等操作"})
    permission = may_act(officer, task, policy, delegators)
    if not permission.allowed:
        raise FormErrors({"": permission.reason})
    task.status = "done"
    task.updated_at = utcnow()
    if task.assignee_id is None:
        task.assignee_id = officer.id
    repository.add_history(
        session,
        {
            "task_id": task.id,
            "action": "completed",
            "actor_id": officer.id,
            "on_behalf_of_id": permission.on_behalf_of,
            "note": note.strip()[:500] or None,
        },
    )
    await _flush(session)
    await settle_task_notices(session, task, f"已由{officer.name}办结")
    return task


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        raise TaskConflictError("该任务刚刚被其他同事处理过，请刷新后查看最新状态") from None


async def reroute_open_tasks(
    session: AsyncSession,
    *,
    policy: AuthorityPolicy,
    units: Units,
    matters: Sequence[str] | None = None,
    note: str,
) -> int:
    """Move every open task whose place is now held by another unit into that unit's pool.

    Called in the transaction that changed the authority; each move gets a history entry.
    Claims are released: the task waits for an officer of the new unit. The tasks are locked
    first, so an officer claiming one at that moment waits and is then told it moved.
    """
    moved = 0
    for task in await repository.open_tasks_for_update(session, matters=matters):
        holder = units.by_code.get(policy.responsible_unit(task.matter, task.division_code) or "")
        if holder is None or holder.id == task.candidate_unit_id:
            continue
        repository.add_history(
            session,
            {
                "task_id": task.id,
                "action": "rerouted",
                "from_unit_id": task.candidate_unit_id,
                "to_unit_id": holder.id,
                "note": note,
            },
        )
        task.candidate_unit_id = holder.id
        task.assignee_id = None
        task.updated_at = utcnow()
        await settle_task_notices(session, task, f"已转至{holder.name}办理（{note}）")
        await notify_pool(
            session,
            holder.id,
            task.position,
            subject=f"新任务：{task.subject}",
            body=f"{note}：{Matter(task.matter).label}（{Position(task.position).label}环节）已转入本单位待办"
            + (f"，期限 {task.due_date}" if task.due_date else ""),
            link=task_link(task.id),
        )
        moved += 1
    await session.flush()
    return moved


async def release_held_tasks(
    session: AsyncSession, officer_id: uuid.UUID, *, positions: Sequence[str] | None = None, note: str
) -> int:
    """Put back into their pools the tasks an officer had claimed (for these posts).

    When an officer is deactivated or loses a post, nobody else could act on the cases they
    held; each task goes back to its unit's pool with a history entry saying why.
    """
    released = 0
    for task in await repository.held_by(session, officer_id, positions):
        task.assignee_id = None
        task.updated_at = utcnow()
        repository.add_history(session, {"task_id": task.id, "action": "released", "note": note})
        await settle_task_notices(session, task, note)
        await _announce_back_in_pool(session, task, note, exclude=officer_id)
        released += 1
    await session.flush()
    return released


async def tasks_depending_on(
    session: AsyncSession,
    *,
    unit_ids: Sequence[int],
    matter: str,
    territory: Sequence[str],
    divisions: DivisionIndex,
) -> list[TaskRead]:
    """Open tasks that a delegation's units hold for a matter in a territory (revocation impact)."""
    rows = await repository.open_tasks_in(
        session, unit_ids=unit_ids, matter=matter, prefixes=[division_prefix(code) for code in territory]
    )
    rows = [t for t in rows if any(division_covers(code, t.division_code) for code in territory)]
    return await _reads(session, rows, divisions)


async def task_history(session: AsyncSession, task_id: int) -> list[HistoryRead]:
    units = await Units.load(session)
    entries = await repository.history(session, task_id)
    names = await officer_names(session, [i for h in entries for i in (h.actor_id, h.on_behalf_of_id)])
    return [
        HistoryRead(
            at=h.at,
            action=h.action,
            action_label=_ACTIONS.get(h.action, h.action),
            actor_name=names.get(h.actor_id) if h.actor_id else None,
            on_behalf_of_name=names.get(h.on_behalf_of_id) if h.on_behalf_of_id else None,
            from_unit=units.name(h.from_unit_id) if h.from_unit_id else None,
            to_unit=units.name(h.to_unit_id) if h.to_unit_id else None,
            note=h.note,
        )
        for h in entries
    ]


async def visible_to(session: AsyncSession, task_id: int, officer: OfficerAccount) -> bool:
    """Officers of the posts that act on cases see the tasks of their unit's pool and the ones
    they hold, nothing else; other posts see no task."""
    if not officer.may("handle_tasks"):
        return False
    task = await repository.task_by_id(session, task_id)
    return task is not None and (task.candidate_unit_id == officer.unit_id or task.assignee_id == officer.id)


async def get_task(session: AsyncSession, task_id: int, divisions: DivisionIndex) -> TaskRead | None:
    task = await repository.task_by_id(session, task_id)
    return (await _reads(session, [task], divisions))[0] if task else None


async def count_open_tasks(session: AsyncSession) -> int:
    return await repository.count_open(session)


# What an officer may do with a task, and what they are told once it is done.
TASK_ACTIONS = {"claim": "已认领，任务已加入您的待办", "release": "已退回待办池", "complete": "已办结"}


@dataclass(frozen=True, slots=True)
class TaskActionForm:
    """An officer's action on a task, as submitted: claim, release or complete it."""

    action: str
    # The task's version the officer saw (a stale one is refused).
    version: int
    note: str = ""


async def officer_acts_on_task(
    session: AsyncSession,
    task_id: int,
    *,
    form: TaskActionForm,
    officer: OfficerAccount,
    policy: AuthorityPolicy,
    actor: Actor,
) -> str:
    """An officer claims, releases or completes a task, under the work delegations they hold, and
    a completion goes to the audit log; returns what the officer is told after the commit.

    Raises FormErrors when the action is refused (another's change first included) and
    LookupError for a task that does not exist."""
    if form.action not in TASK_ACTIONS:
        raise LookupError(form.action)
    delegators = await delegators_for(session, officer.id)
    try:
        if form.action == "claim":
            await claim_task(
                session, task_id, form.version, officer=officer, policy=policy, delegators=delegators
            )
        elif form.action == "release":
            await release_task(session, task_id, form.version, officer=officer)
        else:
            task = await complete_task(
                session,
                task_id,
                form.version,
                officer=officer,
                policy=policy,
                delegators=delegators,
                note=form.note,
                actor=actor,
            )
            await record_tenant_audit(
                session,
                action="task_acted",
                actor=actor,
                target=task.case_ref,
                summary=f"{officer.name} 办结了 {task.case_ref} 的{Position(task.position).label}环节",
            )
    except TaskConflictError as exc:
        raise FormErrors({"": str(exc)}) from exc
    return TASK_ACTIONS[form.action]
