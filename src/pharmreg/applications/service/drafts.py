"""Drafts: starting an application, the form, materials checked by content."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import repository
from pharmreg.applications.materials import check_file, material
from pharmreg.applications.models import Application, Attachment
from pharmreg.applications.service.common import ApplicationError, _event, _flush
from pharmreg.authority import Matter
from pharmreg.identity import ApplicantAccount
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.uploads import AttachmentError
from pharmreg.practice import practice_unit
from pharmreg.register import (
    EDUCATION_LEVELS,
    MAJORS,
    Province,
    RegistrationRules,
    get_registration,
    national_active,
    person_key,
)
from pharmreg.workflow import (
    Status,
    current_process,
)

# --- drafts ------------------------------------------------------------------------------------

FORM_FIELDS = (
    "qualification_no",
    "qualification_no_2",
    "categories",
    "scope",
    "unit_uscc",
    "education",
    "major",
    "reason",
    "note",
    "declaration",
)


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
            # The date part is the day in China: a case made at 02:47 Beijing time is of that day.
            ref=f"{province.division_code[:2]}{china_today():%Y%m%d}{number:06d}",
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
    # Chosen from lists: anything else (only a hand-made request sends it) is left unanswered.
    if form["education"] not in EDUCATION_LEVELS:
        form["education"] = ""
    if form["major"] not in MAJORS:
        form["major"] = ""
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
    if await repository.ever_opened(session, row.id):
        raise ApplicationError("该材料已被注册机关查阅，不能删除，可以上传新的材料")
    await session.delete(row)
    await session.flush()
