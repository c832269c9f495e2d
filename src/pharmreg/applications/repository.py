"""Every query of the applications context."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from pharmreg.applications.models import (
    ApplicantTenant,
    Application,
    ApplicationEvent,
    Attachment,
    GuideOverride,
    MaterialOpening,
    Notice,
    application_ref_seq,
)
from pharmreg.workflow import Task

_Row = TypeVar("_Row")


async def next_ref_number(session: AsyncSession) -> int:
    return int((await session.execute(select(application_ref_seq.next_value()))).scalar_one())


def add(session: AsyncSession, row: _Row) -> _Row:
    session.add(row)
    return row


async def by_ref(session: AsyncSession, ref: str) -> Application | None:
    return await session.scalar(select(Application).where(Application.ref == ref))


async def of_applicant(session: AsyncSession, applicant_id: uuid.UUID) -> Sequence[Application]:
    query = (
        select(Application)
        .where(Application.applicant_id == applicant_id)
        .order_by(Application.updated_at.desc())
    )
    return (await session.scalars(query)).all()


async def events(session: AsyncSession, application_id: int) -> Sequence[ApplicationEvent]:
    query = select(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
    return (await session.scalars(query.order_by(ApplicationEvent.at, ApplicationEvent.id))).all()


async def attachments(session: AsyncSession, application_id: int) -> Sequence[Attachment]:
    query = select(Attachment).where(Attachment.application_id == application_id).order_by(Attachment.id)
    return (await session.scalars(query)).all()


async def attachment(
    session: AsyncSession, application_id: int, attachment_id: int, *, with_content: bool = False
) -> Attachment | None:
    """One material of a case; its bytes only when asked for (the column is deferred)."""
    query = select(Attachment).where(
        Attachment.application_id == application_id, Attachment.id == attachment_id
    )
    if with_content:
        query = query.options(undefer(Attachment.content))
    return await session.scalar(query)


async def openings(session: AsyncSession, application_id: int) -> Sequence[MaterialOpening]:
    query = select(MaterialOpening).where(MaterialOpening.application_id == application_id)
    return (await session.scalars(query.order_by(MaterialOpening.at, MaterialOpening.id))).all()


async def opened_by(
    session: AsyncSession, application_id: int, officer_id: uuid.UUID
) -> set[tuple[int, str]]:
    """The (attachment, SHA-256) pairs an officer has opened on a case."""
    query = select(MaterialOpening.attachment_id, MaterialOpening.sha256).where(
        MaterialOpening.application_id == application_id, MaterialOpening.officer_id == officer_id
    )
    return {(row[0], row[1]) for row in (await session.execute(query)).all()}


async def ever_opened(session: AsyncSession, attachment_id: int) -> bool:
    query = select(MaterialOpening.id).where(MaterialOpening.attachment_id == attachment_id).limit(1)
    return (await session.scalar(query)) is not None


async def notices(session: AsyncSession, application_id: int) -> Sequence[Notice]:
    query = select(Notice).where(Notice.application_id == application_id).order_by(Notice.id)
    return (await session.scalars(query)).all()


async def all_notices(session: AsyncSession) -> Sequence[Notice]:
    return (await session.scalars(select(Notice).order_by(Notice.id))).all()


async def submitted_cases(session: AsyncSession) -> Sequence[Application]:
    """Every application that has left the draft stage, in any state since."""
    query = select(Application).where(Application.received_on.is_not(None)).order_by(Application.id)
    return (await session.scalars(query)).all()


async def notice(session: AsyncSession, application_id: int, notice_id: int) -> Notice | None:
    query = select(Notice).where(Notice.application_id == application_id, Notice.id == notice_id)
    return await session.scalar(query)


async def remember_tenant(session: AsyncSession, applicant_id: uuid.UUID, tenant: str) -> None:
    await session.execute(
        insert(ApplicantTenant).values(applicant_id=applicant_id, tenant=tenant).on_conflict_do_nothing()
    )


async def tenants_of(session: AsyncSession, applicant_id: uuid.UUID) -> Sequence[str]:
    query = select(ApplicantTenant.tenant).where(ApplicantTenant.applicant_id == applicant_id)
    return (await session.scalars(query.order_by(ApplicantTenant.first_at))).all()


async def due(
    session: AsyncSession, *, before: date, unit_ids: Sequence[int] | None, limit: int
) -> Sequence[Any]:
    """Open cases whose acceptance or decision falls due by `before`, with their task's unit."""
    due_date = func.coalesce(Application.statutory_due, Application.acceptance_due)
    query = (
        select(Application, Task.candidate_unit_id)
        .join(Task, (Task.application_id == Application.id) & (Task.status == "open"))
        .where(
            or_(Application.status == "submitted", Application.status == "processing"),
            Application.suspended.is_(False),
            due_date <= before,
        )
        .order_by(due_date, Application.id)
        .limit(limit)
    )
    if unit_ids is not None:
        query = query.where(Task.candidate_unit_id.in_(unit_ids))
    return (await session.execute(query)).all()


async def open_cases(
    session: AsyncSession, *, statuses: Sequence[str], limit: int, after_id: int = 0
) -> Sequence[Application]:
    query = (
        select(Application)
        .where(Application.status.in_(statuses), Application.id > after_id)
        .order_by(Application.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def photo_for_registration(session: AsyncSession, registration_id: int) -> bytes | None:
    query = (
        select(Attachment.content)
        .join(Application, Application.id == Attachment.application_id)
        .where(
            Application.registration_id == registration_id,
            Application.status == "approved",
            Attachment.material == "photo",
        )
        .order_by(Application.decided_on.desc(), Attachment.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Application)) or 0)


async def refs_in_progress(session: AsyncSession, refs: Sequence[str]) -> set[str]:
    query = select(Application.ref).where(
        Application.ref.in_(refs), Application.status.in_(("submitted", "supplement", "processing"))
    )
    return set(await session.scalars(query))


async def guide_edits(session: AsyncSession, matter: str) -> dict[str, Any] | None:
    row = await session.get(GuideOverride, matter)
    return dict(row.fields) if row else None


async def save_guide_edits(session: AsyncSession, matter: str, fields: dict[str, Any], by: str) -> None:
    statement = insert(GuideOverride).values(matter=matter, fields=fields, updated_by=by)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[GuideOverride.matter],
            set_={"fields": statement.excluded.fields, "updated_by": by, "updated_at": func.now()},
        )
    )
