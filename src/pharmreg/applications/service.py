"""Use cases of applications: drafts, pre-check, submission, the officers' actions and their effects.

Every write that touches both the province and the national index is done in two sessions
the caller commits national-first (see `pharmreg.register`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from pharmreg.applications import repository
from pharmreg.applications.checks import (
    CANCEL_REASONS,
    REISSUE_REASONS,
    CheckInput,
    Finding,
    HeldRegistration,
    Person,
    UnitFacts,
    blocking,
    precheck,
)
from pharmreg.applications.materials import AttachmentError, check_file, material, materials_for
from pharmreg.applications.models import Application, ApplicationEvent, Attachment, Notice
from pharmreg.applications.schemas import ApplicationRead, AttachmentRead, DeadlineRow, EventRead, NoticeRead
from pharmreg.authority import AuthorityPolicy, Matter, Units
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import ApplicantAccount, OfficerAccount, officer_names
from pharmreg.kit.clock import CHINA_TIME, utcnow
from pharmreg.kit.codes import province_abbreviation
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import practice_unit, practice_unit_by_uscc
from pharmreg.qualifications import ce_years, find_qualification, qualifications_of
from pharmreg.register import (
    Decided,
    Province,
    RegisterConflictError,
    Registrant,
    RegistrationRules,
    Terms,
    cancel_registration,
    change_registration,
    claim_open_case,
    get_registration,
    national_active,
    open_case_of,
    person_key,
    register_first,
    reissue_certificate,
    release_open_case,
    renew_registration,
    transfer_in,
)
from pharmreg.workflow import (
    Action,
    ActionRefused,
    CaseState,
    Delegators,
    Process,
    Status,
    case_permission,
    case_task,
    current_process,
    finish_case_task,
    note_on_task,
    open_case_task,
    process_of,
    transition,
)

FORM_FIELDS = (
    "qualification_no",
    "qualification_no_2",
    "categories",
    "scope",
    "unit_uscc",
    "reason",
    "note",
    "declaration",
)
NOTICE_TITLES = {
    "acceptance": "受理通知书",
    "supplement": "补正材料通知书",
    "non_acceptance": "不予受理通知书",
    "approval": "准予注册决定书",
    "refusal": "不予注册决定书",
}
_NOTICE_CODES = {
    "acceptance": "受",
    "supplement": "补",
    "non_acceptance": "不受",
    "approval": "准",
    "refusal": "不准",
}
_MATTER_TITLES = {m.value: f"执业药师{m.label}" for m in Matter}


class ApplicationError(Exception):
    """The request cannot be carried out; the message tells the person why, in Chinese."""


@dataclass(frozen=True, slots=True)
class Routing:
    """What opening a task needs: who holds authority where."""

    policy: AuthorityPolicy
    units: Units


@dataclass(frozen=True, slots=True)
class Desk:
    """An officer at work on a case."""

    officer: OfficerAccount
    policy: AuthorityPolicy
    delegators: Delegators
    units: Units


# --- drafts ------------------------------------------------------------------------------------


async def start_application(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    applicant: ApplicantAccount,
    matter: str,
    rules: RegistrationRules,
) -> Application:
    """A new draft, prefilled from the person's current registration where there is one."""
    if matter not in Matter.__members__.values() or (matter == Matter.REISSUE and not rules.reissue_enabled):
        raise ApplicationError("本省不受理该申请事项")
    key = person_key(applicant.id_type, applicant.id_number)
    process_id, _process = await current_process(session, matter)
    form: dict[str, Any] = {}
    held = await national_active(national, key)
    registration_id = origin = origin_id = None
    if held is not None and matter != Matter.FIRST_REGISTRATION:
        form.update(categories=held.categories, scope=held.scope)
        if held.tenant == province.slug:
            registration_id = held.registration_id
            current = await get_registration(session, held.registration_id)
            unit = await practice_unit(session, current.practice_unit_id) if current else None
            if unit is not None and matter != Matter.CHANGE:
                form["unit_uscc"] = unit.uscc
        elif matter == Matter.CHANGE:
            origin, origin_id = held.tenant, held.registration_id
    number = await repository.next_ref_number(session)
    row = repository.add(
        session,
        Application(
            ref=f"{province.division_code[:2]}{utcnow():%Y%m%d}{number:06d}",
            applicant_id=applicant.id,
            person_key=key,
            applicant_name=applicant.name,
            id_type=applicant.id_type,
            id_number=applicant.id_number,
            sex=applicant.sex,
            birth_date=applicant.birth_date,
            matter=matter,
            process_id=process_id,
            form=form,
            registration_id=registration_id,
            origin_tenant=origin,
            origin_registration_id=origin_id,
        ),
    )
    await session.flush()
    _event(session, row, "created", "applicant", applicant.name, note=None)
    await repository.remember_tenant(national, applicant.id, province.slug)
    return row


def clean_form(values: Mapping[str, Any]) -> dict[str, str]:
    """Only known fields, trimmed and bounded; several checked categories become one list."""
    form: dict[str, str] = {}
    for field in FORM_FIELDS:
        value = values.get(field, "")
        if isinstance(value, list):
            value = ",".join(str(v).strip() for v in value if str(v).strip())
        form[field] = str(value).strip()[: 500 if field == "note" else 60]
    form["unit_uscc"] = form["unit_uscc"].upper()
    return form


async def save_draft(session: AsyncSession, app: Application, values: Mapping[str, Any]) -> None:
    _editable(app)
    app.form = clean_form(values)
    app.updated_at = utcnow()
    await _flush(session)


def _editable(app: Application) -> None:
    if app.status not in (Status.DRAFT, Status.SUPPLEMENT):
        raise ApplicationError("申请已提交，不能再修改；如需修改请先撤回（受理前）")


async def add_attachment(
    session: AsyncSession,
    app: Application,
    *,
    material_key: str,
    filename: str,
    data: bytes,
    rules: RegistrationRules,
) -> Attachment:
    _editable(app)
    item = material(app.matter, material_key)
    if item is None:
        raise AttachmentError("请选择材料类型")
    checked = check_file(filename, data, max_bytes=rules.max_attachment_bytes, image_only=item.image_only)
    existing = await repository.attachments(session, app.id)
    if len(existing) >= 30:
        raise AttachmentError("附件数量已达上限（30 个），请删除不需要的附件")
    if any(a.sha256 == checked.sha256 and a.material == material_key for a in existing):
        raise AttachmentError("该文件已上传过")
    row = repository.add(
        session,
        Attachment(
            application_id=app.id,
            material=material_key,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            content=data,
        ),
    )
    app.updated_at = utcnow()
    await _flush(session)
    return row


async def remove_attachment(session: AsyncSession, app: Application, attachment_id: int) -> None:
    _editable(app)
    row = await repository.attachment(session, app.id, attachment_id)
    if row is None:
        raise ApplicationError("附件不存在")
    # Materials already submitted stay on record; only new uploads of a draft or supplement can go.
    if app.submitted_at is not None and row.uploaded_at <= app.submitted_at:
        raise ApplicationError("已提交的材料不能删除，可以上传新的材料")
    await session.delete(row)
    await session.flush()


# --- pre-check ---------------------------------------------------------------------------------


async def gather(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    matter: str,
    form: Mapping[str, str],
    person: Person,
    rules: RegistrationRules,
    today: date,
    own_ref: str | None = None,
    materials: frozenset[str] = frozenset(),
    for_submission: bool = False,
    filed_on: date | None = None,
) -> CheckInput:
    """Everything the rules look at: national qualification, register and CE data, the province's units."""
    key = person_key(person.id_type, person.id_number)
    numbers = [n for n in (form.get("qualification_no", ""), form.get("qualification_no_2", "")) if n]
    found = {
        n: await find_qualification(national, name=person.name, id_number=person.id_number, certificate_no=n)
        for n in numbers
    }
    unit = None
    if form.get("unit_uscc"):
        read = await practice_unit_by_uscc(session, form["unit_uscc"])
        if read is not None:
            unit = UnitFacts(
                read.id,
                read.uscc,
                read.name,
                read.unit_type,
                read.licence_valid_until,
                read.division_code,
                read.status,
            )
    held = None
    entry = await national_active(national, key)
    if entry is not None:
        unit_id = None
        if entry.tenant == province.slug:
            current = await get_registration(session, entry.registration_id)
            unit_id = current.practice_unit_id if current else None
        held = HeldRegistration(
            entry.tenant,
            entry.region,
            entry.registration_id,
            entry.certificate_no,
            entry.categories,
            entry.scope,
            unit_id,
            entry.valid_from,
            entry.valid_until,
        )
    elsewhere = None
    case = await open_case_of(national, key)
    if case is not None and case[1] != own_ref:
        elsewhere = (case[0], case[1])
    return CheckInput(
        matter=matter,
        tenant=province.slug,
        form=form,
        person=person,
        today=today,
        rules=rules,
        qualifications=found,
        all_qualifications=await qualifications_of(national, person.id_number)
        if matter != "first_registration"
        else (),
        unit=unit,
        held=held,
        open_elsewhere=elsewhere,
        ce=await ce_years(national, person.id_number) if matter in ("renewal", "first_registration") else {},
        materials=materials,
        for_submission=for_submission,
        filed_on=filed_on,
    )


def person_of(app: Application) -> Person:
    return Person(app.applicant_name, app.id_type, app.id_number, app.birth_date)


async def check_application(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    rules: RegistrationRules,
    today: date,
    for_submission: bool = False,
) -> list[Finding]:
    materials = frozenset(a.material for a in await repository.attachments(session, app.id))
    data = await gather(
        session,
        national,
        province=province,
        matter=app.matter,
        form=app.form,
        person=person_of(app),
        rules=rules,
        today=today,
        own_ref=app.ref,
        materials=materials,
        for_submission=for_submission,
        filed_on=app.submitted_at.astimezone(CHINA_TIME).date() if app.submitted_at else None,
    )
    return precheck(data)


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
    findings = await check_application(
        session, national, province=province, app=app, rules=rules, today=today, for_submission=True
    )
    errors = blocking(findings)
    if errors:
        raise FormErrors(
            {f.field or "": f.message for f in errors} | {"": "；".join(f.message for f in errors)}
        )
    process = await process_of(session, app.process_id)
    state = _move(process, app, Action.SUBMIT)
    await _bind_registration(session, national, province, app)
    await _locate(session, app)
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
    await _flush(session)
    return findings


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
        finish_case_task(
            session,
            task,
            status="cancelled",
            action_label="申请人撤回",
            officer=None,
            permission=None,
            note=None,
        )
    _event(session, app, "withdraw", "applicant", app.applicant_name, note=None)
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
    findings = await check_application(
        session, national, province=province, app=app, rules=rules, today=today, for_submission=True
    )
    errors = blocking(findings)
    if errors:
        raise FormErrors(
            {f.field or "": f.message for f in errors} | {"": "；".join(f.message for f in errors)}
        )
    process = await process_of(session, app.process_id)
    state = _move(process, app, Action.RESUBMIT)
    await _bind_registration(session, national, province, app)
    await _locate(session, app)
    _receive(app, process, calendar, today)
    _apply_state(app, state.state)
    _event(session, app, "resubmit", "applicant", app.applicant_name, note=None)
    await _open_task(session, app, state.open_step, routing, due=app.acceptance_due)
    await _flush(session)


# --- the officers' actions ---------------------------------------------------------------------


async def act_on_case(
    session: AsyncSession,
    national: AsyncSession,
    *,
    province: Province,
    app: Application,
    version: int,
    action: Action,
    desk: Desk,
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
            finish_case_task(
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
            _notice(session, app, province, "acceptance", today)
        case Action.SUPPLEMENT:
            app.acceptance_due = None
            _notice(session, app, province, "supplement", today, items=items)
        case Action.NOT_ACCEPT:
            app.decided_on = today
            _notice(session, app, province, "non_acceptance", today, items=items)
            await release_open_case(national, key=app.person_key, tenant=province.slug, ref=app.ref)
        case Action.REFUSE:
            app.decided_on = today
            _notice(session, app, province, "refusal", today, items=items)
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
        finish_case_task(
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
        app.person_key, app.applicant_id, app.id_type, app.id_number, app.applicant_name, app.sex
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


def _notice(
    session: AsyncSession,
    app: Application,
    province: Province,
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
        "authority": province.authority_name,
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


async def _flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        raise ApplicationError("该申请刚刚被其他同事处理过，请刷新后查看最新状态") from None


# --- reading -----------------------------------------------------------------------------------


async def application_by_id(session: AsyncSession, application_id: int) -> Application | None:
    return await session.get(Application, application_id)


async def application_by_ref(session: AsyncSession, ref: str) -> Application | None:
    return await repository.by_ref(session, ref)


async def applications_of(session: AsyncSession, applicant_id: uuid.UUID) -> Sequence[Application]:
    return await repository.of_applicant(session, applicant_id)


async def applicant_provinces(national: AsyncSession, applicant_id: uuid.UUID) -> Sequence[str]:
    return await repository.tenants_of(national, applicant_id)


async def application_read(
    session: AsyncSession, province: Province, app: Application, divisions: DivisionIndex
) -> ApplicationRead:
    process = await process_of(session, app.process_id)
    step = process.step(app.step)
    unit = await practice_unit(session, app.practice_unit_id) if app.practice_unit_id else None
    place = divisions.get(app.division_code) if app.division_code else None
    return ApplicationRead(
        id=app.id,
        tenant=province.slug,
        province=province.name,
        ref=app.ref,
        matter=app.matter,
        matter_label=Matter(app.matter).label,
        status=app.status,
        status_label="已中止" if app.suspended else Status(app.status).label,
        step=app.step,
        step_label=step.label if step else None,
        applicant_name=app.applicant_name,
        form=dict(app.form),
        suspended=app.suspended,
        supplement_used=app.supplement_used,
        submitted_at=app.submitted_at,
        received_on=app.received_on,
        acceptance_due=app.acceptance_due,
        accepted_on=app.accepted_on,
        statutory_due=app.statutory_due,
        promised_due=app.promised_due,
        due_provisional=app.due_provisional,
        decided_on=app.decided_on,
        registration_id=app.registration_id,
        origin_tenant=app.origin_tenant,
        unit_name=unit.name if unit else None,
        place=place.full_name if place else None,
        updated_at=app.updated_at,
        version=app.version,
    )


async def timeline(session: AsyncSession, app: Application) -> list[EventRead]:
    process = await process_of(session, app.process_id)
    labels = {s.key: s.label for s in process.steps}
    result = []
    for e in await repository.events(session, app.id):
        try:
            label = Action(e.action).label
        except ValueError:
            label = {"created": "创建草稿"}.get(e.action, e.action)
        result.append(
            EventRead(
                at=e.at,
                action=e.action,
                action_label=label,
                actor_kind=e.actor_kind,
                actor_name=e.actor_name,
                on_behalf_of=e.on_behalf_of,
                step_label=labels.get(e.step or "", e.step),
                note=e.note,
                items=list(e.items),
            )
        )
    return result


async def attachments_of(session: AsyncSession, app: Application) -> list[AttachmentRead]:
    labels = {m.key: m.label for m in materials_for(app.matter)}
    return [
        AttachmentRead(
            id=a.id,
            material=a.material,
            material_label=labels.get(a.material, a.material),
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            uploaded_at=a.uploaded_at,
        )
        for a in await repository.attachments(session, app.id)
    ]


async def attachment_content(
    session: AsyncSession, app: Application, attachment_id: int
) -> tuple[str, str, bytes] | None:
    row = await repository.attachment(session, app.id, attachment_id)
    return (row.filename, row.content_type, row.content) if row else None


async def notices_of(session: AsyncSession, app: Application) -> list[NoticeRead]:
    return [
        NoticeRead(
            id=n.id,
            kind=n.kind,
            title=NOTICE_TITLES[n.kind],
            document_no=n.document_no,
            issued_on=n.issued_on,
        )
        for n in await repository.notices(session, app.id)
    ]


async def notice_data(session: AsyncSession, app: Application, notice_id: int) -> dict[str, Any] | None:
    row = await repository.notice(session, app.id, notice_id)
    return dict(row.data) if row else None


async def deadline_rows(
    session: AsyncSession,
    *,
    units: Units,
    unit_ids: Sequence[int] | None,
    today: date,
    calendar: WorkCalendar,
    horizon_days: int = 3,
) -> list[DeadlineRow]:
    """Overdue cases and those due within `horizon_days` working days, soonest first."""
    horizon = calendar.add_working_days(today, horizon_days).due
    rows = []
    processes: dict[int, Process] = {}
    for app, unit_id in await repository.due(session, before=horizon, unit_ids=unit_ids, limit=500):
        due, kind = (app.statutory_due, "办结") if app.statutory_due else (app.acceptance_due, "受理")
        assert due is not None
        if due >= today:
            left = calendar.working_days_between(today, due)[0]
        else:
            left = -calendar.working_days_between(due, today)[0]
        if app.process_id not in processes:
            processes[app.process_id] = await process_of(session, app.process_id)
        step = processes[app.process_id].step(app.step)
        rows.append(
            DeadlineRow(
                ref=app.ref,
                matter_label=Matter(app.matter).label,
                applicant_name=app.applicant_name,
                status_label=Status(app.status).label,
                step_label=step.label if step else None,
                due=due,
                due_kind=kind,
                days_left=left,
                provisional=app.due_provisional,
                unit_name=units.name(unit_id),
            )
        )
    return rows


async def registration_photo(session: AsyncSession, registration_id: int) -> bytes | None:
    """The photo of the newest approved application of a registration, for its certificate."""
    return await repository.photo_for_registration(session, registration_id)


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
    app.reminded = "escalated" if action is Action.ESCALATE else f"{action.value}:{app.step or ''}"
    _event(session, app, action.value, "system", "系统", note=note)
    await _flush(session)


async def open_cases(
    session: AsyncSession, statuses: Sequence[str], *, after_id: int, limit: int = 500
) -> Sequence[Application]:
    return await repository.open_cases(session, statuses=statuses, limit=limit, after_id=after_id)


async def count_applications(session: AsyncSession) -> int:
    return await repository.count(session)


async def refs_in_progress(session: AsyncSession, refs: Sequence[str]) -> set[str]:
    """Which of these references are applications still being handled (submitted to decision)."""
    return await repository.refs_in_progress(session, refs)
