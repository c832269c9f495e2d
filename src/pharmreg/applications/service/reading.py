"""Applications, timelines, materials, notices and deadlines as pages show them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import repository
from pharmreg.applications.materials import materials_for
from pharmreg.applications.models import Application
from pharmreg.applications.schemas import ApplicationRead, AttachmentRead, DeadlineRow, EventRead, NoticeRead
from pharmreg.applications.service.common import NOTICE_TITLES
from pharmreg.authority import Matter, Units
from pharmreg.divisions import DivisionIndex
from pharmreg.kit.workdays import WorkCalendar
from pharmreg.practice import practice_unit
from pharmreg.register import (
    Province,
)
from pharmreg.workflow import (
    Action,
    Process,
    Status,
    process_of,
)

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
        received_by=app.received_by,
    )


async def timeline(session: AsyncSession, app: Application, *, openings: bool = False) -> list[EventRead]:
    """The case's history; for officers (`openings`) also who first opened which material."""
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
    if openings:
        files = {a.id: a for a in await attachments_of(session, app)}
        seen: set[tuple[int, Any]] = set()
        for o in await repository.openings(session, app.id):
            if (o.attachment_id, o.officer_id) in seen or o.attachment_id not in files:
                continue
            seen.add((o.attachment_id, o.officer_id))
            file = files[o.attachment_id]
            result.append(
                EventRead(
                    at=o.at,
                    action="open_material",
                    action_label="查阅材料",
                    actor_kind="officer",
                    actor_name=f"{o.unit_name} {o.officer_name}",
                    on_behalf_of=None,
                    step_label=labels.get(o.step or "", o.step),
                    note=f"{file.material_label}：{file.filename}"
                    f"（第 {file.version} 份，SHA-256 {o.sha256[:16]}…）",
                    items=[],
                )
            )
        result.sort(key=lambda e: e.at)
    return result


async def attachments_of(session: AsyncSession, app: Application) -> list[AttachmentRead]:
    labels = {m.key: m.label for m in materials_for(app.matter)}
    counted: dict[str, int] = {}
    reads = []
    for a in await repository.attachments(session, app.id):
        counted[a.material] = counted.get(a.material, 0) + 1
        reads.append(
            AttachmentRead(
                id=a.id,
                material=a.material,
                material_label=labels.get(a.material, a.material),
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                uploaded_at=a.uploaded_at,
                version=counted[a.material],
            )
        )
    return reads


async def attachment_content(
    session: AsyncSession, app: Application, attachment_id: int
) -> tuple[str, str, bytes] | None:
    """The applicant's own file, as uploaded (officers open files through `open_material`)."""
    row = await repository.attachment(session, app.id, attachment_id, with_content=True)
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


async def open_cases(
    session: AsyncSession, statuses: Sequence[str], *, after_id: int, limit: int = 500
) -> Sequence[Application]:
    return await repository.open_cases(session, statuses=statuses, limit=limit, after_id=after_id)


async def count_applications(session: AsyncSession) -> int:
    return await repository.count(session)


async def refs_in_progress(session: AsyncSession, refs: Sequence[str]) -> set[str]:
    """Which of these references are applications still being handled (submitted to decision)."""
    return await repository.refs_in_progress(session, refs)


async def guide_edits(session: AsyncSession, matter: str) -> dict[str, Any] | None:
    """What the province's administrators wrote over the guide of a matter, if anything."""
    return await repository.guide_edits(session, matter)


async def save_guide_edits(session: AsyncSession, matter: str, fields: dict[str, Any], *, by: str) -> None:
    await repository.save_guide_edits(session, matter, fields, by)
