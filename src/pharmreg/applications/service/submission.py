"""The applicant submits, withdraws, or resubmits after a one-time supplement notice."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.checks import (
    Finding,
    blocking,
)
from pharmreg.applications.models import Application
from pharmreg.applications.service.checking import check_application
from pharmreg.applications.service.common import (
    ApplicationError,
    Routing,
    _apply_state,
    _case_changed,
    _event,
    _flush,
    _move,
    _open_task,
)
from pharmreg.authority import Matter, acting_authority
from pharmreg.kit.clock import utcnow
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import practice_unit_by_uscc
from pharmreg.register import (
    Province,
    RegisterConflictError,
    RegistrationRules,
    claim_open_case,
    get_registration,
    national_active,
    release_open_case,
)
from pharmreg.workflow import (
    Action,
    Process,
    case_task,
    finish_case_task,
    process_of,
)

# --- the applicant's actions -------------------------------------------------------------------


async def submit_application(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    calendar: WorkCalendar,
    routing: Routing,
    today: date,
) -> list[Finding]:
    """Submit a draft: every check must pass; the case goes to the acceptance pool of the responsible unit."""
    findings, process, state = await _passes_checks(
        session, national, province=province, app=app, rules=rules, today=today, action=Action.SUBMIT
    )
    try:
        await claim_open_case(
            national, key=app.person_key, tenant=province.slug, ref=app.ref, matter=app.matter
        )
    except RegisterConflictError as exc:
        raise ApplicationError(str(exc)) from None
    app.submitted_at = utcnow()
    _receive(app, process, calendar, today)
    _apply_state(app, state.state)
    warnings = [f.message for f in findings if f.level == "warning"]
    _event(session, app, "submit", "applicant", app.applicant_name, note=None, items=warnings)
    await _open_task(session, app, state.open_step, routing, due=app.acceptance_due)
    app.received_by = await _receiving_authority(session, app, province, routing)
    await _case_changed(session, app)
    await _flush(session)
    return findings


async def _passes_checks(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    today: date,
    action: Action,
) -> tuple[list[Finding], Process, Any]:
    """A (re)submission passes every check (FormErrors: each on its field, and all together), then
    the case moves by `action` and is bound to its registration and its place."""
    findings = await check_application(
        session, national, province=province, app=app, rules=rules, today=today, for_submission=True
    )
    errors = blocking(findings)
    if errors:
        raise FormErrors(
            {f.field or "": f.message for f in errors} | {"": "；".join(f.message for f in errors)}
        )
    process = await process_of(session, app.process_id)
    state = _move(process, app, action)
    await _bind_registration(session, national, province, app)
    await _locate(session, app)
    return findings, process, state


async def _receiving_authority(
    session: AsyncSession, app: Application, province: Province, routing: Routing
) -> str:
    """The bureau whose pool receives the materials, named with the delegation it acts under."""
    assert app.division_code is not None
    holder = routing.policy.responsible_unit(app.matter, app.division_code)
    if holder is None:
        return province.authority_name
    acting = await acting_authority(
        session,
        routing.policy,
        unit_code=holder,
        matter=app.matter,
        division_code=app.division_code,
        own_name=province.authority_name,
    )
    return acting.printed


async def _bind_registration(
    session: AsyncSession, national: AsyncSession, province: Province, app: Application
) -> None:
    """Which registration the application acts on, as the national index says now (not when drafted)."""
    app.registration_id = app.origin_tenant = app.origin_registration_id = None
    if app.matter == Matter.FIRST_REGISTRATION:
        return
    held = await national_active(national, app.person_key)
    if held is None:
        return
    if held.tenant == province.slug:
        app.registration_id = held.registration_id
    elif app.matter == Matter.CHANGE:
        app.origin_tenant, app.origin_registration_id = held.tenant, held.registration_id


async def _locate(session: AsyncSession, app: Application) -> None:
    """Where the case is handled: the practice unit's place (or the registration's, for its own matters)."""
    if app.form.get("unit_uscc"):
        unit = await practice_unit_by_uscc(session, app.form["unit_uscc"])
        if unit is not None:
            app.practice_unit_id, app.division_code = unit.id, unit.division_code
            return
    if app.registration_id is not None:
        current = await get_registration(session, app.registration_id)
        if current is not None:
            app.practice_unit_id, app.division_code = current.practice_unit_id, current.division_code
            return
    raise ApplicationError("无法确定办理地：请填写执业单位")


def _receive(app: Application, process: Process, calendar: WorkCalendar, today: date) -> None:
    app.received_on = today
    deadline = calendar.add_working_days(today, process.acceptance_days)
    app.acceptance_due = deadline.due
    app.due_provisional = deadline.provisional


async def withdraw_application(
    session: AsyncSession, national: AsyncSession, *, province: Province, app: Application
) -> None:
    process = await process_of(session, app.process_id)
    state = _move(process, app, Action.WITHDRAW)
    _apply_state(app, state.state)
    task = await case_task(session, app.id)
    if task is not None:
        await finish_case_task(
            session,
            task,
            status="cancelled",
            action_label="申请人撤回",
            officer=None,
            permission=None,
            note=None,
        )
    _event(session, app, "withdraw", "applicant", app.applicant_name, note=None)
    await _case_changed(session, app)
    await _flush(session)
    await release_open_case(national, key=app.person_key, tenant=province.slug, ref=app.ref)


async def resubmit_application(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    calendar: WorkCalendar,
    routing: Routing,
    today: date,
) -> None:
    """The applicant supplemented what the notice listed: the acceptance period starts again."""
    _findings, process, state = await _passes_checks(
        session, national, province=province, app=app, rules=rules, today=today, action=Action.RESUBMIT
    )
    _receive(app, process, calendar, today)
    _apply_state(app, state.state)
    _event(session, app, "resubmit", "applicant", app.applicant_name, note=None)
    await _open_task(session, app, state.open_step, routing, due=app.acceptance_due)
    app.received_by = await _receiving_authority(session, app, province, routing)
    await _case_changed(session, app)
    await _flush(session)
