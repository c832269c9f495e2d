"""咨询投诉 in the back office: the items an officer's unit handles, reply, transfer, publication."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import office_page
from pharmreg.consultations import across_tenants
from pharmreg.consultations.controllers.common import LABELS
from pharmreg.consultations.rules import KINDS, STATUSES
from pharmreg.consultations.service import (
    ConsultationError,
    attachment_content,
    attachments_of,
    history,
    item_for,
    notify_unit,
    officer_list,
    read_item,
    transfer_targets,
    transfer_within,
)
from pharmreg.identity import OfficerAccount, list_units, require_officer
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.db import transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.form_posts import see_other
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest


class ConsultationOfficeController(Controller):
    """咨询投诉: the items an officer's unit handles (or the province's, without identities)."""

    path = "/p/{slug:str}/office/consultations"
    include_in_schema = False
    guards = [require_officer("handle_consultations", "handle_complaints")]

    @get("/")
    async def list_items(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        kind: FromQuery[str] = "",
        status: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        area: FromQuery[str] = "",
    ) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
        items = await officer_list(
            tenant_session,
            officer,
            kind=kind if kind in KINDS else "",
            status=status if status in STATUSES else "",
            overdue=overdue == "1",
            whole_province=area == "province",
            today=china_today(),
        )
        return render(
            request,
            "consultations/office_list.html",
            office_page(
                tenant,
                officer,
                db,
                items=items,
                filters={"kind": kind, "status": status, "overdue": overdue, "area": area},
                **LABELS,
            ),
            fragment="consultations/_office_rows.html",
        )

    @get("/{item_id:int}")
    async def item(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], item_id: FromPath[int]
    ) -> Template:
        return await self._page(request, office, item_id)

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        item_id: int,
        *,
        error: str | None = None,
        notice: str | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session = office.tenant, office.officer, office.session
        await session.rollback()
        try:
            row = await item_for(session, officer, item_id)
        except LookupError:
            raise NotFoundException() from None
        item = await read_item(session, row, officer, today=china_today())
        return render(
            request,
            "consultations/office_item.html",
            office_page(
                tenant,
                officer,
                office.db,
                item=item,
                events=await history(session, item_id, public_only=False),
                attachments=await attachments_of(session, item_id) if item.submitter else [],
                units=await transfer_targets(session, row) if item.handled_here else [],
                provinces=[t for t in office.directory.provinces() if t.slug != tenant.slug],
                error=error,
                notice=notice,
                values=values or {},
                **LABELS,
            ),
            status_code=status,
        )

    async def _act(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        item_id: int,
        act: Awaitable[object],
        *,
        done: str,
        values: dict[str, str] | None = None,
        national_session: AsyncSession | None = None,
    ) -> Response[Any]:
        """Do what the officer asked of the item (each use case commits its schemas in order),
        then show the item with `?done=`; if it cannot be done, the item again with the reason."""
        try:
            await act
        except LookupError:
            raise NotFoundException() from None
        except ConsultationError as exc:
            if national_session is not None:
                await national_session.rollback()
            return await self._page(request, office, item_id, error=str(exc), values=values, status=409)
        return see_other(f"/p/{office.tenant.slug}/office/consultations/{item_id}?done={done}")

    @post("/{item_id:int}/reply")
    async def reply(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        item_id: FromPath[int],
    ) -> Response[Any]:
        officer, session = office.officer, office.session
        text = str((await request.form()).get("reply", ""))
        replied = across_tenants.reply(session, national_session, officer, item_id, text, now=utcnow())
        return await self._act(
            request,
            office,
            item_id,
            replied,
            done="reply",
            values={"reply": text},
            national_session=national_session,
        )

    @post("/{item_id:int}/transfer")
    async def transfer(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], item_id: FromPath[int]
    ) -> Response[Any]:
        """To another unit of the province (`unit_id`) or to another province (`province`)."""
        tenant, officer, session = office.tenant, office.officer, office.session
        form = await request.form()
        note = str(form.get("note", ""))[:500]
        unit_id, province = str(form.get("unit_id", "")).strip(), str(form.get("province", "")).strip()
        transferred: Awaitable[object]
        if province:
            transferred = across_tenants.transfer_to_province(
                office.db,
                office.directory,
                tenant,
                session,
                officer,
                item_id,
                target_slug=province,
                note=note,
                today=china_today(),
            )
        elif unit_id.isdecimal():
            transferred = _transfer_within(session, officer, item_id, int(unit_id), note)
        else:
            transferred = _refuse("请选择转办的单位或省份")
        return await self._act(request, office, item_id, transferred, done="transfer")

    @post("/{item_id:int}/publication")
    async def publication(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        item_id: FromPath[int],
    ) -> Response[Any]:
        tenant, officer, session = office.tenant, office.officer, office.session
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("public_question", "public_answer", "action")}
        action = values["action"] if values["action"] in ("draft", "publish", "withdraw") else "draft"
        published = across_tenants.publish(
            session,
            national_session,
            tenant,
            officer,
            item_id,
            question=values["public_question"],
            answer=values["public_answer"],
            action=action,
        )
        return await self._act(
            request, office, item_id, published, done=action, values=values, national_session=national_session
        )

    @get("/{item_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        office: NamedDependency[OfficerRequest],
        item_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> Response[bytes]:
        officer, tenant_session = office.officer, office.session
        found = await attachment_content(tenant_session, officer, item_id, attachment_id)
        if found is None:
            raise NotFoundException()
        return download(*found, inline=False)


async def _transfer_within(
    session: AsyncSession, officer: OfficerAccount, item_id: int, unit_id: int, note: str
) -> None:
    """To another unit of the province, whose officers are told."""
    async with transaction(session):
        row = await item_for(session, officer, item_id, lock=True)
        units = {u.id: u.name for u in await list_units(session)}
        target = await transfer_within(
            session, row, officer, unit_id=unit_id, note=note, unit_name=units.get(row.unit_id, "")
        )
        await notify_unit(session, row, target.id, subject=f"转办：{row.title}")


async def _refuse(reason: str) -> None:
    raise ConsultationError(reason)
