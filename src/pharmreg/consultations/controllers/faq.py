"""常见问题 upkeep: officers keep their province's entries, national staff the national ones."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import office_page, staff_page
from pharmreg.consultations.controllers.common import LABELS
from pharmreg.consultations.rules import check_faq
from pharmreg.consultations.service import faq_list, save_faq
from pharmreg.identity import require_officer, require_staff
from pharmreg.kit.clock import utcnow
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest, StaffRequest


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


FAQ_FIELDS = ("topic", "question", "answer", "active")


async def _post_faq(
    request: HTMXRequest,
    session: AsyncSession,
    context: dict[str, Any],
    *,
    national: bool,
    entry_id: int | None,
    by: str,
) -> Response[Any]:
    """Save a FAQ entry (a new one when `entry_id` is None) and show the list saved, or the form
    again with its errors."""

    def shown(form: FormValues) -> dict[str, str]:
        return {k: form.get(k, "") for k in FAQ_FIELDS}

    async def write(form: FormValues) -> None:
        values = shown(form)
        check_faq(values["topic"], values["question"], values["answer"]).raise_if_any()
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

    async def again(form: FormValues, errors: dict[str, str]) -> Template:
        editing = context | {"editing": entry_id}
        return await _faq_page(
            request, session, editing, national=national, errors=errors, values=shown(form), status=400
        )

    return await post_form(request, session, write=write, again=again, done=f"{context['base']}?saved=1")


class ProvinceFaqController(Controller):
    """常见问题 of a province, kept by its officers with the consultation post."""

    path = "/p/{slug:str}/office/faq"
    include_in_schema = False
    guards = [require_officer("handle_consultations")]

    @get("/")
    async def entries(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await _faq_page(request, office.session, _office_context(office), national=False)

    @post("/")
    async def create(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        return await self._save(request, office, None)

    @post("/{entry_id:int}")
    async def update(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], entry_id: FromPath[int]
    ) -> Response[Any]:
        return await self._save(request, office, entry_id)

    @staticmethod
    async def _save(request: HTMXRequest, office: OfficerRequest, entry_id: int | None) -> Response[Any]:
        context, by = _office_context(office), office.officer.name
        return await _post_faq(request, office.session, context, national=False, entry_id=entry_id, by=by)


def _office_context(office: OfficerRequest) -> dict[str, Any]:
    tenant = office.tenant
    return office_page(
        tenant,
        office.officer,
        office.db,
        layout="office/layout.html",
        base=f"/p/{tenant.slug}/office/faq/",
        scope_name=f"{tenant.name}常见问题",
    )


def _national_context(national: StaffRequest) -> dict[str, Any]:
    return staff_page(
        national.staff,
        national.db,
        layout="national/layout.html",
        base="/national/faq/",
        scope_name="全国常见问题",
    )


class NationalFaqController(Controller):
    """全国常见问题, kept by national staff."""

    path = "/national/faq"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def entries(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        # The supervision pages link here with a topic and a common question to start an entry from.
        values = {k: str(request.query_params.get(k, ""))[:300] for k in ("topic", "question")}
        return await _faq_page(
            request, national.session, _national_context(national), national=True, values=values
        )

    @post("/")
    async def create(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Response[Any]:
        return await self._save(request, national, None)

    @post("/{entry_id:int}")
    async def update(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest], entry_id: FromPath[int]
    ) -> Response[Any]:
        return await self._save(request, national, entry_id)

    @staticmethod
    async def _save(request: HTMXRequest, national: StaffRequest, entry_id: int | None) -> Response[Any]:
        context, by = _national_context(national), national.staff.name
        return await _post_faq(request, national.session, context, national=True, entry_id=entry_id, by=by)
