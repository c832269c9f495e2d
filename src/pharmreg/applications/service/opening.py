"""Officers open the materials of a case: each opening is recorded, and decisions need them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import repository
from pharmreg.applications.materials import unopened
from pharmreg.applications.models import Application, MaterialOpening
from pharmreg.applications.schemas import AttachmentRead, OpeningRead
from pharmreg.applications.service.common import ApplicationError
from pharmreg.applications.service.reading import attachments_of
from pharmreg.identity import OfficerAccount
from pharmreg.workflow import DECIDES_ON_MATERIALS, Action


async def open_material(
    session: AsyncSession, app: Application, attachment_id: int, *, officer: OfficerAccount
) -> tuple[str, str, bytes] | None:
    """An officer opens a material of a case: the file, after recording who opened which version when."""
    row = await repository.attachment(session, app.id, attachment_id, with_content=True)
    if row is None:
        return None
    repository.add(
        session,
        MaterialOpening(
            application_id=app.id,
            attachment_id=row.id,
            officer_id=officer.id,
            officer_name=officer.name[:50],
            unit_name=officer.unit_name[:100],
            step=app.step,
            sha256=row.sha256,
        ),
    )
    await session.flush()
    return row.filename, row.content_type, row.content


async def openings_of(session: AsyncSession, app: Application) -> dict[int, list[OpeningRead]]:
    """Who opened each material (first time, and how often), by attachment id."""
    by_file: dict[int, dict[uuid.UUID, OpeningRead]] = {}
    for o in await repository.openings(session, app.id):
        officers = by_file.setdefault(o.attachment_id, {})
        seen = officers.get(o.officer_id)
        if seen is None:
            officers[o.officer_id] = OpeningRead(o.attachment_id, o.officer_name, o.unit_name, o.at, 1)
        else:
            seen.times += 1
    return {attachment: list(officers.values()) for attachment, officers in by_file.items()}


async def unopened_by(session: AsyncSession, app: Application, officer_id: uuid.UUID) -> list[AttachmentRead]:
    """The materials of the case this officer has not opened yet (every file it holds counts)."""
    return unopened(
        await attachments_of(session, app), await repository.opened_by(session, app.id, officer_id)
    )


def refuse_unread(action: Action, missing: Sequence[AttachmentRead]) -> None:
    """A decision on the materials needs every one of them opened by the deciding officer."""
    if action in DECIDES_ON_MATERIALS and missing:
        listed = "、".join(f"{m.material_label}（{m.filename}）" for m in missing)
        raise ApplicationError(f"请先查阅全部申请材料再{action.label}：您尚未查阅 {listed}")
