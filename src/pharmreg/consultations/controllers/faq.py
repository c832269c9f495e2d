"""常见问题 upkeep: officers keep their province's entries, national staff the national ones."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.consultations.controllers.common import LABELS
from pharmreg.consultations.rules import check_faq
from pharmreg.consultations.service import faq_list, save_faq
from pharmreg.identity import OfficerAccount, StaffAccount, require_officer, require_staff
from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest, StaffRequest
from pharmreg.tenancy import TenantInfo


async def _faq_page(
    request: HTMXRequest,
    session: AsyncSession,
    context: dict[str, Any],
    *,
    national: bool,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    await session.rollback()
    return render(
        request,
        "consultations/faq_edit.html",
        {
            **context,
            "entries": await faq_list(session, national=national, active_only=False),
            "errors": errors or {},
            "values": values or {},
            "saved": request.query_params.get("saved") == "1",
            **LABELS,
        },
        status_code=status,
    )


async def _save_faq_form(
    request: HTMXRequest, session: AsyncSession, *, national: bool, entry_id: int | None, by: str
) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, values) of a FAQ form; saved and committed when there are no errors."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("topic", "question", "answer", "active")}
    problems = check_faq(values["topic"], values["question"], values["answer"])
    if problems:
        return problems.errors, values
    async with transaction(session):
        await save_faq(
            session,
            national=national,
            entry_id=entry_id,
            topic=values["topic"],
            question=values["question"],
            answer=values["answer"],
            active=entry_id is None or values["active"] == "1",
            by=by,
            now=utcnow(),
        )
    return {}, values


class ProvinceFaqController(Controller):
    """常见问题 of a province, kept by its officers with the consultation post."""

    path = "/p/{slug:str}/office/faq"
    include_in_schema = False
    guards = [require_officer("handle_consultations")]

    @get("/")
    async def entries(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
    ) -> Template:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
        return await _faq_page(request, tenant_session, _office_context(tenant, officer, db), national=False)

    @post("/")
    async def create(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
    ) -> Template | Response[Any]:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
        return await self._save(request, tenant, officer, tenant_session, db, None)

    @post("/{entry_id:int}")
    async def update(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        entry_id: FromPath[int],
    ) -> Template | Response[Any]:
        tenant, officer, tenant_session, db = office.tenant, office.officer, office.session, office.db
        return await self._save(request, tenant, officer, tenant_session, db, entry_id)

    async def _save(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        entry_id: int | None,
    ) -> Template | Response[Any]:
        try:
            errors, values = await _save_faq_form(
                request, session, national=False, entry_id=entry_id, by=officer.name
            )
        except LookupError:
            raise NotFoundException() from None
        if errors:
            context = _office_context(tenant, officer, db) | {"editing": entry_id}
            return await _faq_page(
                request, session, context, national=False, errors=errors, values=values, status=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/faq/?saved=1", status_code=303)


def _office_context(tenant: TenantInfo, officer: OfficerAccount, db: Database) -> dict[str, Any]:
    return {
        "realm": officer_realm(tenant, db),
        "tenant": tenant,
        "officer": officer,
        "layout": "office/layout.html",
        "base": f"/p/{tenant.slug}/office/faq/",
        "scope_name": f"{tenant.name}常见问题",
    }


def _national_context(staff: StaffAccount, db: Database) -> dict[str, Any]:
    return {
        "realm": staff_realm(db),
        "staff": staff,
        "layout": "national/layout.html",
        "base": "/national/faq/",
        "scope_name": "全国常见问题",
    }


class NationalFaqController(Controller):
    """全国常见问题, kept by national staff."""

    path = "/national/faq"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def entries(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
    ) -> Template:
        staff, national_session, db = national.staff, national.session, national.db
        # The supervision pages link here with a topic and a common question to start an entry from.
        values = {k: str(request.query_params.get(k, ""))[:300] for k in ("topic", "question")}
        return await _faq_page(
            request, national_session, _national_context(staff, db), national=True, values=values
        )

    @post("/")
    async def create(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
    ) -> Template | Response[Any]:
        staff, national_session, db = national.staff, national.session, national.db
        return await self._save(request, staff, national_session, db, None)

    @post("/{entry_id:int}")
    async def update(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        entry_id: FromPath[int],
    ) -> Template | Response[Any]:
        staff, national_session, db = national.staff, national.session, national.db
        return await self._save(request, staff, national_session, db, entry_id)

    async def _save(
        self,
        request: HTMXRequest,
        staff: StaffAccount,
        session: AsyncSession,
        db: Database,
        entry_id: int | None,
    ) -> Template | Response[Any]:
        try:
            errors, values = await _save_faq_form(
                request, session, national=True, entry_id=entry_id, by=staff.name
            )
        except LookupError:
            raise NotFoundException() from None
        if errors:
            context = _national_context(staff, db) | {"editing": entry_id}
            return await _faq_page(
                request, session, context, national=True, errors=errors, values=values, status=400
            )
        return Redirect(path="/national/faq/?saved=1", status_code=303)
