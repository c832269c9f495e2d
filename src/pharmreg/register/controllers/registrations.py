"""注册信息 in the back office: officers look registrations up, read their history, and cancel
ex officio (death, criminal penalty, hanging certificates …) where their unit holds the authority."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import record_tenant_audit
from pharmreg.authority import AuthorityPolicy, Matter
from pharmreg.chrome import office_chrome
from pharmreg.identity import OfficerAccount, Position, require_officer
from pharmreg.kit.clock import china_today
from pharmreg.kit.codes import division_covers, division_prefix
from pharmreg.kit.db import committed_together
from pharmreg.kit.rendering import render
from pharmreg.register.schemas import Decided
from pharmreg.register.service import (
    EX_OFFICIO_REASONS,
    RegisterConflictError,
    cancel_registration,
    get_registration,
    province_of,
    registration_history,
    registration_read,
    search_registrations,
)
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import TenantInfo


def _may_cancel(officer: OfficerAccount, policy: AuthorityPolicy, division_code: str) -> bool:
    return (
        officer.holds(Position.DECISION)
        and policy.decide(officer.unit_code, Matter.CANCELLATION, division_code).allowed
    )


class OfficeRegisterController(Controller):
    path = "/p/{slug:str}/office/register"
    include_in_schema = False
    guards = [require_officer("handle_tasks")]

    @get("/")
    async def search(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        q: FromQuery[str] = "",
    ) -> Template:
        # A city or county bureau sees the registrations of its own territory.
        tenant, officer, tenant_session = office.tenant, office.officer, office.session
        prefix = None if officer.at_province else division_prefix(officer.unit_code)
        found = await search_registrations(
            tenant_session, tenant.slug, q, china_today(), division_prefix=prefix
        )
        return render(
            request,
            "applications/register_search.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "q": q[:40],
                "rows": found,
            },
        )

    async def _page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        policy: AuthorityPolicy,
        registration_id: int,
        *,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        row = await get_registration(session, registration_id)
        if row is None or not (officer.at_province or division_covers(officer.unit_code, row.division_code)):
            raise NotFoundException()
        return render(
            request,
            "applications/register_entry.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "entry": registration_read(tenant.slug, row, china_today()),
                "history": await registration_history(session, [row.id]),
                "may_cancel": row.status == "active" and _may_cancel(officer, policy, row.division_code),
                "reasons": EX_OFFICIO_REASONS,
                # A confirmed risk flag links here with the ground chosen (?reason=hanging).
                "values": {"reason": chosen}
                if (chosen := request.query_params.get("reason")) in EX_OFFICIO_REASONS
                else {},
                "errors": errors or {},
                "done": request.query_params.get("done") == "1",
            },
            status_code=status,
        )

    @get("/{registration_id:int}")
    async def entry(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        policy: NamedDependency[AuthorityPolicy],
        registration_id: FromPath[int],
    ) -> Template:
        tenant, officer, tenant_session = office.tenant, office.officer, office.session
        return await self._page(request, tenant, officer, tenant_session, policy, registration_id)

    @post("/{registration_id:int}/cancel")
    async def cancel(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        registration_id: FromPath[int],
    ) -> Template | Response[Any]:
        """依职权注销: a decision of the unit holding the cancellation authority, with its grounds."""
        tenant, officer, tenant_session, actor = office.tenant, office.officer, office.session, office.actor
        row = await get_registration(tenant_session, registration_id)
        if row is None or not (officer.at_province or division_covers(officer.unit_code, row.division_code)):
            raise NotFoundException()
        form = await request.form()
        reason = EX_OFFICIO_REASONS.get(str(form.get("reason", "")))
        facts = str(form.get("facts", "")).strip()[:300]
        errors = {}
        if not _may_cancel(officer, policy, row.division_code):
            errors[""] = "您没有在该地区依职权注销注册的权限（需审批岗位，且本单位持有注销注册的审批权限）"
        if reason is None:
            errors["reason"] = "请选择注销情形"
        if len(facts) < 4:
            errors["facts"] = "请写明事实和依据（如死亡证明、判决书文号、检查记录编号）"
        if not errors:
            try:
                async with committed_together(tenant_session, national_session, "ex_officio_cancel"):
                    await cancel_registration(
                        tenant_session,
                        national_session,
                        province=province_of(tenant),
                        registration_id=row.id,
                        reason=f"依职权注销：{reason}",
                        facts=facts,
                        decided=Decided(None, officer.name, china_today()),
                    )
                    await record_tenant_audit(
                        tenant_session,
                        action="registration_cancelled",
                        actor=actor,
                        target=row.certificate_no,
                        summary=f"{officer.name} 依职权注销注册证 {row.certificate_no}：{reason}（{facts}）",
                    )
            except RegisterConflictError as exc:
                errors[""] = str(exc)
        if errors:
            errors.setdefault("", "未注销：" + "；".join(v for k, v in errors.items() if k))
            return await self._page(
                request, tenant, officer, tenant_session, policy, registration_id, errors=errors, status=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/register/{registration_id}?done=1", status_code=303)
