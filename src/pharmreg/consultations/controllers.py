"""答疑解惑 and 投诉建议: the public FAQ, Q&A, submission and tracking pages; the officers'
handling pages; FAQ upkeep by officers (their province) and national staff (national)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import AttachmentError, check_file
from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.consultations import across_tenants
from pharmreg.consultations.rules import (
    CONSULTATION_CATEGORIES,
    KINDS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    PUBLICATIONS,
    STATUSES,
    TOPICS,
    categories_of,
    category_label,
    check_faq,
    check_submission,
)
from pharmreg.consultations.service import (
    ConsultationError,
    attachment_content,
    attachments_of,
    faq_list,
    history,
    item_for,
    notify_unit,
    officer_list,
    read_item,
    save_faq,
    transfer_targets,
    transfer_within,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    ApplicantAccount,
    OfficerAccount,
    StaffAccount,
    account_of,
    list_units,
    require_officer,
    require_staff,
)
from pharmreg.kit.captcha import new_captcha, solved
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.logging import get_logger
from pharmreg.kit.ratelimit import within_limit
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantDirectory, TenantInfo

log = get_logger(__name__)

# The portal remembers a visitor's province in this cookie (see pharmreg.portal.controllers.regions).
REGION_COOKIE = "pharmreg_region"
# A person asks a few questions; a script would flood the bureaus.
SUBMISSIONS_PER_HOUR = 5
LABELS = {
    "topics": TOPICS,
    "kinds": KINDS,
    "statuses": STATUSES,
    "publications": PUBLICATIONS,
    "category_label": category_label,
}


def _province(request: Request[Any, Any, Any], directory: TenantDirectory, slug: str) -> TenantInfo | None:
    tenant = directory.get(slug or request.cookies.get(REGION_COOKIE, ""))
    return tenant if tenant is not None and not tenant.is_national else None


def _divisions_of(tenant: TenantInfo | None, divisions: DivisionIndex) -> list[tuple[Any, list[Any]]]:
    """The province's cities, each with its counties, for the region choice."""
    if tenant is None:
        return []
    return [(city, divisions.counties_of(city.code)) for city in divisions.cities_of(tenant.division_code)]


class ConsultationPortalController(Controller):
    include_in_schema = False

    @get("/faq")
    async def faq(
        self,
        request: HTMXRequest,
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        province: FromQuery[str] = "",
        topic: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Template:
        tenant = _province(request, directory, province)
        topic = topic if topic in TOPICS else ""
        nationwide, own = await across_tenants.public_faq(db, tenant, topic=topic, query=q)
        return render(
            request,
            "consultations/faq.html",
            {
                "tenant": tenant,
                "provinces": directory.provinces(),
                "topic": topic,
                "q": q,
                "nationwide": nationwide,
                "own": own,
                **LABELS,
            },
            fragment="consultations/_faq_entries.html",
        )

    @get("/qa")
    async def qa(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        directory: NamedDependency[TenantDirectory],
        province: FromQuery[str] = "",
        category: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Template:
        tenant = directory.get(province) if province else None
        answers = await across_tenants.published_answers(
            national_session,
            directory,
            province=tenant.slug if tenant else "",
            category=category if category in CONSULTATION_CATEGORIES else "",
            query=q,
        )
        return render(
            request,
            "consultations/qa.html",
            {
                "tenant": tenant,
                "provinces": directory.provinces(),
                "category": category,
                "categories": CONSULTATION_CATEGORIES,
                "q": q,
                "answers": answers,
                **LABELS,
            },
            fragment="consultations/_qa_entries.html",
        )

    @get("/consult/divisions")
    async def division_options(
        self,
        request: HTMXRequest,
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        province: FromQuery[str] = "",
    ) -> Template:
        """The region choices of a province (the form swaps them in when the province changes)."""
        tenant = directory.get(province) if province else None
        return Template(
            template_name="consultations/_division_options.html",
            context={"tenant": tenant, "cities": _divisions_of(tenant, divisions), "values": {}},
        )

    @get("/consult/new")
    async def new_consultation(
        self,
        request: HTMXRequest,
        redis: NamedDependency[Redis],
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        province: FromQuery[str] = "",
    ) -> Template:
        return await self._form(
            request, redis, directory, divisions, "consultation", _prefill(request, province), {}
        )

    @get("/complaints/new")
    async def new_complaint(
        self,
        request: HTMXRequest,
        redis: NamedDependency[Redis],
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
        province: FromQuery[str] = "",
    ) -> Template:
        return await self._form(
            request, redis, directory, divisions, "complaint", _prefill(request, province), {}
        )

    @post("/consult/new")
    async def submit_consultation(
        self,
        request: HTMXRequest,
        redis: NamedDependency[Redis],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
    ) -> Template:
        return await self._submit(request, redis, db, directory, divisions, "consultation")

    @post("/complaints/new")
    async def submit_complaint(
        self,
        request: HTMXRequest,
        redis: NamedDependency[Redis],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        divisions: NamedDependency[DivisionIndex],
    ) -> Template:
        return await self._submit(request, redis, db, directory, divisions, "complaint")

    async def _form(
        self,
        request: HTMXRequest,
        redis: Redis,
        directory: TenantDirectory,
        divisions: DivisionIndex,
        kind: str,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        tenant = _province(request, directory, values.get("province", ""))
        if tenant is not None:
            values.setdefault("province", tenant.slug)
        return Template(
            template_name="consultations/submit.html",
            context={
                "kind": kind,
                "action": "/complaints/new" if kind == "complaint" else "/consult/new",
                "categories": categories_of(kind),
                "provinces": directory.provinces(),
                "tenant": tenant,
                "cities": _divisions_of(tenant, divisions),
                "values": values,
                "errors": errors,
                "captcha": await new_captcha(redis),
                "max_attachments": MAX_ATTACHMENTS,
                "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
                **LABELS,
            },
            status_code=status,
        )

    async def _submit(
        self,
        request: HTMXRequest,
        redis: Redis,
        db: Database,
        directory: TenantDirectory,
        divisions: DivisionIndex,
        kind: str,
    ) -> Template:
        form = await request.form()
        values = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
        tenant = directory.get(values.get("province", ""))
        if tenant is not None and not values.get("division", "").strip():
            values["province_code"] = tenant.division_code
        submission, problems = check_submission(kind, values)
        if tenant is None or tenant.is_national:
            problems.add("province", "请选择所在省份")
        files: list[tuple[str, str, int, str, bytes]] = []
        uploads = [u for u in form.getall("attachments", []) if isinstance(u, UploadFile) and u.filename]
        if kind == "complaint" and len(uploads) > MAX_ATTACHMENTS:
            problems.add("attachments", f"最多上传 {MAX_ATTACHMENTS} 个附件")
        elif kind == "complaint":
            for upload in uploads:
                data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
                try:
                    checked = check_file(
                        upload.filename, data, max_bytes=MAX_ATTACHMENT_BYTES, image_only=False
                    )
                except AttachmentError as exc:
                    problems.add("attachments", f"{upload.filename}：{exc}")
                    continue
                files.append((checked.filename, checked.content_type, checked.size, checked.sha256, data))
        answer = values.get("captcha", "").strip()
        if not answer:
            problems.add("captcha", "请输入图中的数字")
        elif not await solved(redis, values.get("captcha_token", ""), answer):
            problems.add("captcha", "验证码错误或已过期，请输入新图中的数字")
        if problems:
            return await self._form(request, redis, directory, divisions, kind, values, problems.errors, 400)
        address = request.client.host if request.client else "unknown"
        if not await within_limit(
            redis, f"consult-submit:{address}", limit=SUBMISSIONS_PER_HOUR, window_seconds=3600
        ):
            errors = {"": "提交过于频繁，请一小时后再试"}
            return await self._form(request, redis, directory, divisions, kind, values, errors, 429)
        account = account_of(request)
        try:
            code, province, unit_name = await across_tenants.submit(
                db,
                directory,
                divisions,
                submission=submission,
                files=files,
                applicant_id=account.id if isinstance(account, ApplicantAccount) else None,
                today=china_today(),
            )
        except FormErrors as exc:
            return await self._form(request, redis, directory, divisions, kind, values, exc.errors, 400)
        return Template(
            template_name="consultations/submitted.html",
            context={"kind": kind, "code": code, "province": province, "unit_name": unit_name, **LABELS},
        )

    @get("/consult/track")
    async def track_form(self) -> Template:
        return Template(
            template_name="consultations/track.html",
            context={"view": None, "error": None, "code": "", **LABELS},
        )

    @post("/consult/track")
    async def track(
        self,
        request: HTMXRequest,
        redis: NamedDependency[Redis],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
    ) -> Template:
        """The status and public history of an item, by its query code (posted: codes stay out of URLs)."""
        form = await request.form()
        code = str(form.get("code", "")).strip()[:40]
        address = request.client.host if request.client else "unknown"
        context: dict[str, Any] = {"view": None, "error": None, "code": code, **LABELS}
        status = 200
        if not code:
            context["error"], status = "请输入查询码", 400
        elif not await within_limit(redis, f"consult-track:{address}", limit=20, window_seconds=60):
            context["error"], status = "查询过于频繁，请一分钟后再试", 429
        else:
            try:
                context["view"] = await across_tenants.track(db, directory, code, now=utcnow())
            except across_tenants.TrackError as exc:
                context["error"], status = str(exc), 404
        return Template(template_name="consultations/track.html", context=context, status_code=status)


def _prefill(request: Request[Any, Any, Any], province: str) -> dict[str, str]:
    account = account_of(request)
    values = {"province": province}
    if isinstance(account, ApplicantAccount):
        values |= {"name": account.name, "mobile": account.mobile}
    return values


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
    return Template(
        template_name="consultations/faq_edit.html",
        context={
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
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await _faq_page(request, tenant_session, _office_context(tenant, officer, db), national=False)

    @post("/")
    async def create(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template | Response[Any]:
        return await self._save(request, tenant, officer, tenant_session, db, None)

    @post("/{entry_id:int}")
    async def update(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        entry_id: FromPath[int],
    ) -> Template | Response[Any]:
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
        staff: NamedDependency[StaffAccount],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await _faq_page(request, national_session, _national_context(staff, db), national=True)

    @post("/")
    async def create(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template | Response[Any]:
        return await self._save(request, staff, national_session, db, None)

    @post("/{entry_id:int}")
    async def update(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        national_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        entry_id: FromPath[int],
    ) -> Template | Response[Any]:
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


ROUTE_HANDLERS = [
    ConsultationPortalController,
    ConsultationOfficeController,
    ProvinceFaqController,
    NationalFaqController,
]
