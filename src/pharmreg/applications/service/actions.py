"""The officers' actions on a case, their notices and effects on the register, and the sweep's transitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import repository
from pharmreg.applications.checks import (
    CANCEL_REASONS,
    REISSUE_REASONS,
)
from pharmreg.applications.models import Application, Notice
from pharmreg.applications.service.common import (
    ApplicationError,
    CaseOfficer,
    Routing,
    _apply_state,
    _case_changed,
    _event,
    _flush,
    _move,
    _open_task,
)
from pharmreg.applications.service.opening import refuse_unread, unopened_by
from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import (
    ActingAuthority,
    AuthorityPolicy,
    Matter,
    Units,
    acting_authority,
    delegators_for,
)
from pharmreg.identity import OfficerAccount, officer_names
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.codes import province_abbreviation
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.messaging import notify
from pharmreg.practice import practice_unit_by_uscc
from pharmreg.register import (
    Decided,
    Province,
    RegisterConflictError,
    Registrant,
    RegistrationRules,
    Terms,
    cancel_registration,
    change_registration,
    load_rules,
    register_first,
    reissue_certificate,
    release_open_case,
    renew_registration,
    transfer_in,
)
from pharmreg.workflow import (
    Action,
    Process,
    Status,
    case_permission,
    case_task,
    finish_case_task,
    load_calendar,
    note_on_task,
    notify_pool,
    process_of,
    task_link,
)

# --- the officers' actions ---------------------------------------------------------------------

# What the applicant is told by text message, after the action is committed.
NOTIFIED = {
    Action.SUPPLEMENT: "需要补正材料，请登录平台查看一次性告知的全部内容",
    Action.NOT_ACCEPT: "不予受理，请登录平台查看不予受理通知书",
    Action.ACCEPT: "已受理",
    Action.APPROVE: "已准予注册，请登录平台下载电子注册证",
    Action.REFUSE: "不予注册，请登录平台查看决定书",
}


@dataclass(frozen=True, slots=True)
class CaseActionForm:
    """An officer's action on a case, as submitted."""

    action: Action | None
    version: int
    note: str = ""
    items: Sequence[str] = ()
    target: str | None = None


@dataclass(frozen=True, slots=True)
class AfterCaseAction:
    """What must happen once an officer's action is committed (best effort, outside the transaction)."""

    action: Action
    # An approved transfer: the origin province, whose registration closes too.
    close_at_origin: str | None
    # What the applicant is told by text message, if anything.
    notify: str | None


_NOTICE_CODES = {
    "acceptance": "受",
    "supplement": "补",
    "non_acceptance": "不受",
    "approval": "准",
    "refusal": "不准",
}
_MATTER_TITLES = {m.value: f"执业药师{m.label}" for m in Matter}


async def officer_acts(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    officer: OfficerAccount,
    policy: AuthorityPolicy,
    actor: Actor,
    form: CaseActionForm,
) -> AfterCaseAction:
    """An officer acts on a case: the action with the province's rules and the work calendar,
    and its audit entry; returns what must happen after the caller commits."""
    action = form.action
    if action is None:
        raise ApplicationError("请选择办理操作")
    desk = CaseOfficer(officer, policy, await delegators_for(session, officer.id), await Units.load(session))
    await act_on_case(
        session,
        national,
        province=province,
        app=app,
        version=form.version,
        action=action,
        desk=desk,
        rules=await load_rules(session),
        calendar=await load_calendar(national),
        today=china_today(),
        note=form.note,
        items=form.items,
        target=form.target,
    )
    await record_tenant_audit(
        session,
        action="case_acted",
        actor=actor,
        target=app.ref,
        summary=f"{officer.name} 对申请 {app.ref} 执行了“{action.label}”",
    )
    return AfterCaseAction(
        action=action,
        close_at_origin=app.origin_tenant if action is Action.APPROVE and app.origin_tenant else None,
        notify=NOTIFIED.get(action),
    )


async def act_on_case(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    version: int,
    action: Action,
    desk: CaseOfficer,
    rules: RegistrationRules,
    calendar: WorkCalendar,
    today: date,
    note: str = "",
    items: Sequence[str] = (),
    target: str | None = None,
) -> None:
    """One officer action on the case's current step, with its effects (notice, register, next task)."""
    if app.version != version:
        raise ApplicationError("该申请刚刚被其他同事处理过，请刷新后查看最新状态")
    # Write the row at once: the version check and its row lock decide a race before anything else
    # is written, so the officer who lost is told so instead of meeting a half-done change.
    app.updated_at = utcnow()
    await _flush(session)
    process = await process_of(session, app.process_id)
    task = await case_task(session, app.id)
    permission = case_permission(desk.officer, task, desk.policy, desk.delegators)
    if not permission.allowed:
        raise ApplicationError(f"您不能办理该申请：{permission.reason}")
    assert task is not None
    refuse_unread(action, await unopened_by(session, app, desk.officer.id))
    items = [i.strip()[:200] for i in items if i.strip()][:30]
    note = note.strip()[:1000]
    _require_reasons(action, note, items)
    if action in (Action.NOT_ACCEPT, Action.REFUSE) and not items:
        items = [note]  # the reasons go to the applicant, in the notice and in the timeline
    deemed = app.status == Status.SUBMITTED and app.acceptance_due is not None and app.acceptance_due < today
    if deemed and action in (Action.SUPPLEMENT, Action.NOT_ACCEPT):
        raise ApplicationError(
            f"受理期限（{app.acceptance_due}）已过，依法视为自收到材料之日起受理，不能再要求补正或不予受理"
        )
    step = process.step(app.step)
    moved = _move(process, app, action, target=target)
    assert app.division_code is not None  # located at submission
    # The notice names the bureau that acts, with the delegation it acts under at this moment.
    acting = await acting_authority(
        session,
        desk.policy,
        unit_code=desk.officer.unit_code,
        matter=app.matter,
        division_code=app.division_code,
        own_name=province.authority_name,
    )
    actor = desk.officer.name
    on_behalf = None
    if permission.on_behalf_of is not None:
        on_behalf = (await officer_names(session, [permission.on_behalf_of])).get(permission.on_behalf_of)
    match action:
        case Action.COMMENT:
            note_on_task(session, task, action="comment", officer=desk.officer, note=note)
        case Action.SUSPEND:
            app.paused_on = today
            note_on_task(session, task, action="suspended", officer=desk.officer, note=note)
        case Action.RESUME:
            _resume_clock(app, calendar, today)
            step_now = process.step(app.step)
            if step_now is not None:
                task.due_date = _step_due(app, step_now.limit_days, calendar, today)
            note_on_task(session, task, action="resumed", officer=desk.officer, note=note)
        case _:
            await finish_case_task(
                session,
                task,
                status="done",
                action_label=action.label,
                officer=desk.officer,
                permission=permission,
                note=note or None,
            )
    match action:
        case Action.ACCEPT:
            # Past the acceptance period the case counts as accepted on the day of receipt.
            _start_clock(app, process, calendar, (app.received_on or today) if deemed else today)
            _notice(session, app, province, acting, "acceptance", today)
        case Action.SUPPLEMENT:
            app.acceptance_due = None
            _notice(session, app, province, acting, "supplement", today, items=items)
        case Action.NOT_ACCEPT:
            app.decided_on = today
            _notice(session, app, province, acting, "non_acceptance", today, items=items)
            await release_open_case(national, key=app.person_key, tenant=province.slug, ref=app.ref)
        case Action.REFUSE:
            app.decided_on = today
            _notice(session, app, province, acting, "refusal", today, items=items)
            await release_open_case(national, key=app.person_key, tenant=province.slug, ref=app.ref)
        case Action.APPROVE:
            app.decided_on = today
            registration = await _take_effect(
                session, national, province, app, rules, Decided(app.ref, actor, today)
            )
            app.registration_id = registration.id
            _notice(
                session,
                app,
                province,
                acting,
                "approval",
                today,
                certificate_no=registration.certificate_no,
                valid_until=registration.valid_until,
            )
            await release_open_case(national, key=app.person_key, tenant=province.slug, ref=app.ref)
    _apply_state(app, moved.state)
    _event(
        session,
        app,
        action.value,
        "officer",
        actor,
        note=note or None,
        items=items,
        step=step.label if step else None,
        on_behalf_of=on_behalf,
    )
    if moved.open_step is not None:
        await _open_task(
            session,
            app,
            moved.open_step,
            Routing(desk.policy, desk.units),
            due=_step_due(app, moved.open_step.limit_days, calendar, today),
        )
    await _case_changed(session, app)
    await _flush(session)


def _require_reasons(action: Action, note: str, items: Sequence[str]) -> None:
    if action is Action.SUPPLEMENT and not items:
        raise FormErrors({"items": "请逐项列出需要补正的全部材料或内容（一次性告知）"})
    if action in (Action.NOT_ACCEPT, Action.REFUSE) and not (items or note):
        raise FormErrors({"items": "请写明理由"})
    if action in (Action.RETURN, Action.SUSPEND, Action.RESUME, Action.COMMENT) and not note:
        raise FormErrors({"note": "请填写意见或理由"})


def _step_due(app: Application, limit_days: int, calendar: WorkCalendar, today: date) -> date | None:
    due = calendar.add_working_days(today, limit_days).due
    return min(due, app.statutory_due) if app.statutory_due else due


def _start_clock(app: Application, process: Process, calendar: WorkCalendar, accepted_on: date) -> None:
    app.accepted_on = accepted_on
    statutory = calendar.add_working_days(accepted_on, process.statutory_days)
    promised = calendar.add_working_days(accepted_on, process.promised_days)
    app.statutory_due, app.promised_due = statutory.due, promised.due
    app.due_provisional = statutory.provisional or promised.provisional
    app.acceptance_due = None


def _resume_clock(app: Application, calendar: WorkCalendar, today: date) -> None:
    """Suspended working days do not count: push the due dates back by as many."""
    if app.paused_on is None:
        return
    paused, provisional = calendar.working_days_between(app.paused_on, today)
    if paused and app.statutory_due:
        app.statutory_due = calendar.add_working_days(app.statutory_due, paused).due
    if paused and app.promised_due:
        app.promised_due = calendar.add_working_days(app.promised_due, paused).due
    app.due_provisional = app.due_provisional or provisional
    app.paused_on = None


async def deem_accepted(
    session: AsyncSession, *, app: Application, routing: Routing, calendar: WorkCalendar, today: date
) -> None:
    """No supplement notice in the acceptance period: accepted on the day of receipt (called by the sweep)."""
    process = await process_of(session, app.process_id)
    moved = _move(process, app, Action.DEEM_ACCEPT)
    task = await case_task(session, app.id)
    if task is not None:
        await finish_case_task(
            session,
            task,
            status="done",
            action_label=Action.DEEM_ACCEPT.label,
            officer=None,
            permission=None,
            note=None,
        )
    _start_clock(app, process, calendar, app.received_on or today)
    _apply_state(app, moved.state)
    _event(
        session,
        app,
        Action.DEEM_ACCEPT.value,
        "system",
        "系统",
        note="受理期限内未作出一次性告知，依法视为自收到材料之日起受理",
    )
    if moved.open_step is not None:
        await _open_task(
            session,
            app,
            moved.open_step,
            routing,
            due=_step_due(app, moved.open_step.limit_days, calendar, today),
        )
    await _case_changed(session, app)
    await _flush(session)


async def _take_effect(
    session: AsyncSession,
    national: AsyncSession,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    decided: Decided,
) -> Any:
    registrant = Registrant(
        app.person_key,
        app.applicant_id,
        app.id_type,
        app.id_number,
        app.applicant_name,
        app.sex,
        education=app.form.get("education") or None,
        major=app.form.get("major") or None,
    )
    try:
        match app.matter:
            case Matter.FIRST_REGISTRATION:
                return await register_first(
                    session,
                    national,
                    province=province,
                    registrant=registrant,
                    terms=await _terms(session, app),
                    rules=rules,
                    decided=decided,
                )
            case Matter.CHANGE if app.origin_tenant:
                assert app.origin_registration_id is not None
                return await transfer_in(
                    session,
                    national,
                    province=province,
                    origin=app.origin_tenant,
                    origin_registration_id=app.origin_registration_id,
                    registrant=registrant,
                    terms=await _terms(session, app),
                    rules=rules,
                    decided=decided,
                )
            case Matter.CHANGE:
                return await change_registration(
                    session,
                    national,
                    province=province,
                    registration_id=_held(app),
                    terms=await _terms(session, app),
                    decided=decided,
                    education=registrant.education,
                    major=registrant.major,
                )
            case Matter.RENEWAL:
                return await renew_registration(
                    session,
                    national,
                    province=province,
                    registration_id=_held(app),
                    rules=rules,
                    decided=decided,
                )
            case Matter.CANCELLATION:
                reason = CANCEL_REASONS.get(app.form.get("reason", ""), "本人申请")
                return await cancel_registration(
                    session,
                    national,
                    province=province,
                    registration_id=_held(app),
                    reason=reason,
                    decided=decided,
                )
            case Matter.REISSUE:
                reason = REISSUE_REASONS.get(app.form.get("reason", ""), "补办")
                return await reissue_certificate(
                    session, registration_id=_held(app), reason=reason, decided=decided
                )
    except RegisterConflictError as exc:
        raise ApplicationError(str(exc)) from None
    raise ApplicationError("不支持的申请事项")


def _held(app: Application) -> int:
    if app.registration_id is None:
        raise ApplicationError("该申请没有对应的有效注册")
    return app.registration_id


async def _terms(session: AsyncSession, app: Application) -> Terms:
    unit = await practice_unit_by_uscc(session, app.form.get("unit_uscc", ""))
    if unit is None:
        raise ApplicationError("执业单位不存在")
    numbers = ",".join(
        n for n in (app.form.get("qualification_no", ""), app.form.get("qualification_no_2", "")) if n
    )
    categories = ",".join(c for c in ("pharmacy", "tcm") if c in app.form.get("categories", "").split(","))
    return Terms(categories, app.form.get("scope", ""), unit.id, unit.name, unit.division_code, numbers)


def _notice(
    session: AsyncSession,
    app: Application,
    province: Province,
    acting: ActingAuthority,
    kind: str,
    today: date,
    *,
    items: Sequence[str] = (),
    certificate_no: str | None = None,
    valid_until: date | None = None,
) -> None:
    prefix = f"{province_abbreviation(province.division_code)}药监注{_NOTICE_CODES[kind]}"
    data = {
        "kind": kind,
        "authority": acting.name,
        # Acting under delegation: the mark after the bureau's name, and the delegating bureau.
        "authority_mark": acting.mark,
        "entrusted_by": acting.entrusted_by or "",
        "delegation_id": acting.delegation_id,
        "document_no": f"{prefix}〔{today.year}〕{app.ref}号",
        "applicant_name": app.applicant_name,
        "case_ref": app.ref,
        "matter": _MATTER_TITLES[app.matter],
        "received_on": (app.received_on or today).isoformat(),
        "issued_on": today.isoformat(),
        "items": list(items),
        "certificate_no": certificate_no,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "remedy_bodies": f"国家药品监督管理局或{province.name}人民政府",
        "court": "有管辖权的人民法院",
        "deadline_days": None,
    }
    repository.add(
        session,
        Notice(application_id=app.id, kind=kind, document_no=data["document_no"], issued_on=today, data=data),
    )


async def flag_deadline(session: AsyncSession, *, app: Application, action: Action, note: str) -> None:
    """A reminder or an escalation from the sweep: a normal transition, so the timeline shows it."""
    process = await process_of(session, app.process_id)
    _move(process, app, action)
    task = await case_task(session, app.id)
    if task is not None:
        note_on_task(
            session,
            task,
            action="escalated" if action is Action.ESCALATE else "reminded",
            officer=None,
            note=note,
        )
        if action is Action.ESCALATE:
            task.priority = max(task.priority, 2)
    if task is not None:
        title = "超期督办" if action is Action.ESCALATE else "期限提醒"
        subject = f"{title}：{app.applicant_name} · {Matter(app.matter).label}"
        link = task_link(task.id)  # settled with the task's other notices when it moves on
        if task.assignee_id is not None:
            notify(session, [task.assignee_id], subject=subject, body=note, link=link)
        else:
            await notify_pool(
                session, task.candidate_unit_id, task.position, subject=subject, body=note, link=link
            )
    app.reminded = "escalated" if action is Action.ESCALATE else f"{action.value}:{app.step or ''}"
    _event(session, app, action.value, "system", "系统", note=note)
    await _flush(session)
