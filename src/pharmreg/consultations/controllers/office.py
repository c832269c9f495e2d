"""咨询投诉 in the back office: the items an officer's unit handles, reply, transfer, publication."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import officer_realm
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
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantDirectory, TenantInfo


class ConsultationOfficeController(Controller):
    """咨询投诉: the items an officer's unit handles (or the province's, without identities)."""

    path = "/p/{slug:str}/office/consultations"
    include_in_schema = False
    guards = [require_officer("handle_consultations", "handle_complaints")]

    @get("/")
    async def list_items(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        kind: FromQuery[str] = "",
        status: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        area: FromQuery[str] = "",
    ) -> Template:
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
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "items": items,
                "filters": {"kind": kind, "status": status, "overdue": overdue, "area": area},
                **LABELS,
            },
            fragment="consultations/_office_rows.html",
        )

    @get("/{item_id:int}")
    async def item(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        item_id: FromPath[int],
    ) -> Template:
        return await self._page(request, tenant, officer, tenant_session, db, directory, item_id)

    async def _page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        directory: TenantDirectory,
        item_id: int,
        *,
        error: str | None = None,
        notice: str | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        await session.rollback()
        try:
            row = await item_for(session, officer, item_id)
        except LookupError:
            raise NotFoundException() from None
        item = await read_item(session, row, officer, today=china_today())
        return Template(
            template_name="consultations/office_item.html",
            context={
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "item": item,
                "events": await history(session, item_id, public_only=False),
                "attachments": await attachments_of(session, item_id) if item.submitter else [],
                "units": await transfer_targets(session, row) if item.handled_here else [],
                "provinces": [t for t in directory.provinces() if t.slug != tenant.slug],
                "error": error,
                "notice": notice,
                "values": values or {},
                **LABELS,
            },
            status_code=status,
        )

    @post("/{item_id:int}/reply")
    async def reply(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        item_id: FromPath[int],
    ) -> Template | Response[Any]:
        form = await request.form()
        text = str(form.get("reply", ""))
        try:
            await across_tenants.reply(tenant_session, national_session, officer, item_id, text, now=utcnow())
        except LookupError:
            raise NotFoundException() from None
        except ConsultationError as exc:
            await national_session.rollback()
            return await self._page(
                request,
                tenant,
                officer,
                tenant_session,
                db,
                directory,
                item_id,
                error=str(exc),
                values={"reply": text},
                status=409,
            )
        return Redirect(path=f"/p/{tenant.slug}/office/consultations/{item_id}?done=reply", status_code=303)

    @post("/{item_id:int}/transfer")
    async def transfer(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        item_id: FromPath[int],
    ) -> Template | Response[Any]:
        """To another unit of the province (`unit_id`) or to another province (`province`)."""
        form = await request.form()
        note = str(form.get("note", ""))[:500]
        unit_id, province = str(form.get("unit_id", "")).strip(), str(form.get("province", "")).strip()
        try:
            if province:
                await across_tenants.transfer_to_province(
                    db,
                    directory,
                    tenant,
                    tenant_session,
                    officer,
                    item_id,
                    target_slug=province,
                    note=note,
                    today=china_today(),
                )
            elif unit_id.isdecimal():
                async with transaction(tenant_session):
                    row = await item_for(tenant_session, officer, item_id, lock=True)
                    units = {u.id: u.name for u in await list_units(tenant_session)}
                    target = await transfer_within(
                        tenant_session,
                        row,
                        officer,
                        unit_id=int(unit_id),
                        note=note,
                        unit_name=units.get(row.unit_id, ""),
                    )
                    await notify_unit(
                        tenant_session,
                        row,
                        target.id,
                        subject=f"转办：{row.title}",
                    )
            else:
                raise ConsultationError("请选择转办的单位或省份")
        except LookupError:
            raise NotFoundException() from None
        except ConsultationError as exc:
            return await self._page(
                request, tenant, officer, tenant_session, db, directory, item_id, error=str(exc), status=409
            )
        return Redirect(
            path=f"/p/{tenant.slug}/office/consultations/{item_id}?done=transfer", status_code=303
        )

    @post("/{item_id:int}/publication")
    async def publication(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        item_id: FromPath[int],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in ("public_question", "public_answer", "action")}
        action = values["action"] if values["action"] in ("draft", "publish", "withdraw") else "draft"
        try:
            await across_tenants.publish(
                tenant_session,
                national_session,
                tenant,
                officer,
                item_id,
                question=values["public_question"],
                answer=values["public_answer"],
                action=action,
            )
        except LookupError:
            raise NotFoundException() from None
        except ConsultationError as exc:
            await national_session.rollback()
            return await self._page(
                request,
                tenant,
                officer,
                tenant_session,
                db,
                directory,
                item_id,
                error=str(exc),
                values=values,
                status=409,
            )
        return Redirect(
            path=f"/p/{tenant.slug}/office/consultations/{item_id}?done={action}", status_code=303
        )

    @get("/{item_id:int}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        item_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> Response[bytes]:
        found = await attachment_content(tenant_session, officer, item_id, attachment_id)
        if found is None:
            raise NotFoundException()
        return download(*found, inline=False)
