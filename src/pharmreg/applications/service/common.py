"""What every use case of applications shares: errors, collaborators, state moves, tasks, timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from pharmreg.applications import repository
from pharmreg.applications.models import Application, ApplicationEvent, Notice
from pharmreg.authority import AuthorityPolicy, Matter, Units
from pharmreg.events import record_event
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


# Every change of a case's state, for the national statistics (analytic facts).
CASE_FACT = "applications.case_changed"


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


# --- the case as the national statistics see it --------------------------------------------------


def case_fact(app: Application, notices: Sequence[Notice]) -> dict[str, Any]:
    """A case's dates, outcome and handling; the bureau that handles it is the one its latest
    notice names (with the delegation it acted under), before any notice the one that received it."""
    latest = notices[-1].data if notices else {}
    status = Status(app.status)
    return {
        "case_ref": app.ref,
        "matter": app.matter,
        "status": app.status,
        "division_code": app.division_code,
        "handling_unit": latest.get("authority") or app.received_by,
        "delegated": bool(latest.get("entrusted_by")),
        "received_on": app.received_on.isoformat() if app.received_on else None,
        "accepted_on": app.accepted_on.isoformat() if app.accepted_on else None,
        "decided_on": app.decided_on.isoformat() if app.decided_on else None,
        "due_on": app.statutory_due.isoformat() if app.statutory_due else None,
        "outcome": app.status if status.closed else None,
        "supplement_notices": sum(1 for n in notices if n.kind == "supplement"),
    }


async def _case_changed(session: AsyncSession, app: Application) -> None:
    """Tell the national statistics how the case stands now, in the change's own transaction."""
    record_event(session, CASE_FACT, case_fact(app, await repository.notices(session, app.id)))


async def case_facts(session: AsyncSession) -> list[dict[str, Any]]:
    """Every submitted case of the province, as `CASE_FACT` events carry them."""
    by_case: dict[int, list[Notice]] = {}
    for notice in await repository.all_notices(session):
        by_case.setdefault(notice.application_id, []).append(notice)
    return [case_fact(app, by_case.get(app.id, [])) for app in await repository.submitted_cases(session)]
