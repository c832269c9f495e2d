"""What every use case of applications shares: errors, collaborators, state moves, tasks, timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from pharmreg.applications import repository
from pharmreg.applications.models import Application, ApplicationEvent
from pharmreg.authority import AuthorityPolicy, Matter, Units
from pharmreg.identity import OfficerAccount
from pharmreg.kit.clock import utcnow
from pharmreg.workflow import (
    Action,
    ActionRefused,
    CaseState,
    Delegators,
    Process,
    Status,
    open_case_task,
    transition,
)

NOTICE_TITLES = {
    "acceptance": "受理通知书",
    "supplement": "补正材料通知书",
    "non_acceptance": "不予受理通知书",
    "approval": "准予注册决定书",
    "refusal": "不予注册决定书",
}


class ApplicationError(Exception):
    """The request cannot be carried out; the message tells the person why, in Chinese."""


@dataclass(frozen=True, slots=True)
class Routing:
    """What opening a task needs: who holds authority where."""

    policy: AuthorityPolicy
    units: Units


@dataclass(frozen=True, slots=True)
class CaseOfficer:
    """An officer at work on a case."""

    officer: OfficerAccount
    policy: AuthorityPolicy
    delegators: Delegators
    units: Units


# --- shared steps ------------------------------------------------------------------------------


def _move(process: Process, app: Application, action: Action, *, target: str | None = None) -> Any:
    state = CaseState(Status(app.status), app.step, app.supplement_used, app.suspended)
    try:
        return transition(process, state, action, target=target)
    except ActionRefused as exc:
        raise ApplicationError(str(exc)) from None


def _apply_state(app: Application, state: CaseState) -> None:
    app.status, app.step = state.status.value, state.step
    app.supplement_used, app.suspended = state.supplement_used, state.suspended
    app.updated_at = utcnow()


async def _open_task(
    session: AsyncSession, app: Application, step: Any, routing: Routing, *, due: date | None
) -> None:
    if step is None:
        return
    assert app.division_code is not None
    try:
        await open_case_task(
            session,
            application_id=app.id,
            ref=app.ref,
            subject=f"{app.applicant_name} · {Matter(app.matter).label}",
            matter=app.matter,
            division_code=app.division_code,
            step=step.key,
            position=step.position,
            due=due,
            policy=routing.policy,
            units=routing.units,
        )
    except LookupError:
        raise ApplicationError("该地区暂无办理该事项的机关，请联系省级药品监督管理部门") from None


def _event(
    session: AsyncSession,
    app: Application,
    action: str,
    actor_kind: str,
    actor_name: str | None,
    *,
    note: str | None,
    items: Sequence[str] = (),
    step: str | None = None,
    on_behalf_of: str | None = None,
) -> None:
    repository.add(
        session,
        ApplicationEvent(
            application_id=app.id,
            action=action,
            actor_kind=actor_kind,
            actor_name=actor_name,
            note=note,
            items=list(items),
            step=step,
            on_behalf_of=on_behalf_of,
        ),
    )


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        raise ApplicationError("该申请刚刚被其他同事处理过，请刷新后查看最新状态") from None
