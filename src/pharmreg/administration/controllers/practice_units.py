"""执业单位: officers look units up, keep their licence data current and import files of units,
within their territory."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.chrome import officer_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount, require_officer
from pharmreg.kit.clock import china_today
from pharmreg.kit.codes import division_covers
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.rendering import render
from pharmreg.kit.tabular import TabularError
from pharmreg.practice import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    UNIT_COLUMNS,
    UNIT_STATES,
    UNIT_STATUSES,
    UnitType,
    import_practice_units,
    list_practice_units,
    practice_unit,
    read_unit_file,
    update_practice_unit,
)
from pharmreg.tenancy import TenantDirectory, TenantInfo, tenant_divisions

LIST_LIMIT = 500
# Errors shown on the page; the count says how many more there are.
SHOWN_ERRORS = 200


class _Refused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} rows in error")
        self.errors = errors


class PracticeUnitsController(Controller):
    path = "/p/{slug:str}/office/practice-units"
    include_in_schema = False
    guards = [require_officer("manage_practice_units")]

    async def _list_page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        db: Database,
        session: AsyncSession,
        *,
        q: str = "",
        state: str = "",
        imported: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        prefix = None if officer.at_province else officer.unit_code.rstrip("0")[:6]
        state = state if state in UNIT_STATES else ""
        units = await list_practice_units(
            session,
            division_prefix=prefix,
            limit=LIST_LIMIT,
            search=q.strip()[:50],
            state=state,
            today=china_today(),
        )
        return render(
            request,
            "practice/units.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "units": units,
                "more": len(units) >= LIST_LIMIT,
                "q": q,
                "state": state,
                "states": UNIT_STATES,
                "columns": UNIT_COLUMNS,
                "unit_types": list(UnitType),
                "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
                "max_rows": MAX_IMPORT_ROWS,
                "imported": imported,
                "today": china_today(),
            },
            status_code=status,
        )

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
        q: FromQuery[str] = "",
        licence_state: Annotated[str, QueryParameter(name="state")] = "",
    ) -> Template:
        done = request.query_params.get("imported", "")
        added, _, updated = done.partition(",")
        imported = (
            {"added": int(added), "updated": int(updated), "errors": []}
            if added.isdecimal() and updated.isdecimal() and len(done) <= 15
            else None
        )
        return await self._list_page(
            request, tenant, officer, db, tenant_session, q=q, state=licence_state, imported=imported
        )

    @get("/template.csv")
    async def template(self) -> Response[bytes]:
        """An empty file with the column headers (UTF-8 with BOM, so that Excel opens it right)."""
        header = "\ufeff" + ",".join(c.label for c in UNIT_COLUMNS) + "\r\n"
        return download("执业单位导入模板.csv", "text/csv; charset=utf-8", header.encode(), inline=False)

    @post("/import")
    async def import_file(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        """A CSV or .xlsx file of units, by the same rules as `pharmreg import practice-units`:
        all of it or nothing, every row in error named by its line."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._refused(
                request, tenant, officer, db, tenant_session, "", ["请选择要导入的 CSV 或 Excel（.xlsx）文件"]
            )
        filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        try:
            rows = read_unit_file(data, filename)
        except TabularError as exc:
            return await self._refused(
                request, tenant, officer, db, tenant_session, filename, [str(exc)], actor=actor
            )
        own = {d.code for d in tenant_divisions(tenant, directory, divisions)}

        def in_territory(code: str) -> bool:
            return code in own and (officer.at_province or division_covers(officer.unit_code, code))

        try:
            async with transaction(tenant_session):
                report = await import_practice_units(
                    tenant_session,
                    rows,
                    in_territory=in_territory,
                    area="本省" if officer.at_province else f"{officer.unit_name}辖区",
                )
                if report.errors:
                    raise _Refused(report.errors)  # nothing of the file stays
                await record_tenant_audit(
                    tenant_session,
                    action="practice_units_imported",
                    actor=actor,
                    target=filename[:64],
                    summary=f"{officer.name} 导入执业单位：新增 {report.added} 家，更新 {report.updated} 家",
                    details={
                        "filename": filename,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "rows": report.read,
                        "added": report.added,
                        "updated": report.updated,
                    },
                )
        except _Refused as refused:
            return await self._refused(
                request, tenant, officer, db, tenant_session, filename, refused.errors, actor=actor
            )
        return Redirect(
            path=f"/p/{tenant.slug}/office/practice-units/?imported={report.added},{report.updated}",
            status_code=303,
        )

    async def _refused(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        db: Database,
        session: AsyncSession,
        filename: str,
        errors: list[str],
        *,
        actor: Actor | None = None,
    ) -> Template:
        """The page with every reason the file was refused; the attempt is audited (nothing was written)."""
        if actor is not None:
            async with transaction(session):
                await record_tenant_audit(
                    session,
                    action="practice_units_import_refused",
                    actor=actor,
                    target=filename[:64],
                    summary=f"{officer.name} 导入执业单位未成功：{len(errors)} 处错误，未导入任何数据",
                    details={"filename": filename, "errors": errors[:20]},
                )
        imported = {
            "filename": filename,
            "errors": errors[:SHOWN_ERRORS],
            "more_errors": max(0, len(errors) - SHOWN_ERRORS),
            "error_count": len(errors),
        }
        return await self._list_page(request, tenant, officer, db, session, imported=imported, status=400)

    async def _unit(self, session: AsyncSession, officer: OfficerAccount, unit_id: int) -> Any:
        unit = await practice_unit(session, unit_id, today=china_today())
        if unit is None or not (
            officer.at_province or division_covers(officer.unit_code, unit.division_code)
        ):
            raise NotFoundException()
        return unit

    def _unit_context(
        self, tenant: TenantInfo, officer: OfficerAccount, db: Database, unit: Any
    ) -> dict[str, Any]:
        return {
            "realm": officer_realm(tenant, db),
            "tenant": tenant,
            "officer": officer,
            "unit": unit,
            "unit_types": list(UnitType),
            "statuses": UNIT_STATUSES,
        }

    @get("/{unit_id:int}")
    async def edit(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
        unit_id: FromPath[int],
    ) -> Template:
        unit = await self._unit(tenant_session, officer, unit_id)
        return render(
            request,
            "practice/unit.html",
            self._unit_context(tenant, officer, db, unit)
            | {"values": {}, "errors": {}, "saved": request.query_params.get("saved") == "1"},
        )

    @post("/{unit_id:int}")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        tenant_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        unit_id: FromPath[int],
    ) -> Template | Response[Any]:
        unit = await self._unit(tenant_session, officer, unit_id)
        values = {k: str(v) for k, v in (await request.form()).items()}
        async with transaction(tenant_session):
            errors = await update_practice_unit(tenant_session, unit_id, values)
            if not errors:
                await record_tenant_audit(
                    tenant_session,
                    action="unit_updated",
                    actor=actor,
                    target=unit.uscc,
                    summary=f"{officer.name} 修改了执业单位“{unit.name}”的信息",
                )
        if errors:
            await tenant_session.rollback()
            return render(
                request,
                "practice/unit.html",
                self._unit_context(tenant, officer, db, unit)
                | {
                    "values": values,
                    "errors": errors | {"": "未保存：" + "；".join(errors.values())},
                    "saved": False,
                },
                status_code=400,
            )
        return Redirect(path=f"/p/{tenant.slug}/office/practice-units/{unit_id}?saved=1", status_code=303)
