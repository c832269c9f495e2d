"""答疑解惑 and 投诉建议 for the public: the FAQ and Q&A, submission and tracking pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications import AttachmentError, check_file
from pharmreg.consultations import across_tenants
from pharmreg.consultations.controllers.common import LABELS
from pharmreg.consultations.rules import (
    CONSULTATION_CATEGORIES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    TOPICS,
    categories_of,
    check_submission,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import ApplicantAccount, account_of
from pharmreg.kit.captcha import new_captcha, solved
from pharmreg.kit.clock import china_today, utcnow
from pharmreg.kit.db import Database
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.ratelimit import within_limit
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantDirectory, TenantInfo

# The portal remembers a visitor's province in this cookie (see pharmreg.portal.controllers.regions).
REGION_COOKIE = "pharmreg_region"
# A person asks a few questions; a script would flood the bureaus.
SUBMISSIONS_PER_HOUR = 5


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
                context["error"], status = (
                    str(exc),
                    400 if isinstance(exc, across_tenants.MalformedCode) else 404,
                )
        return Template(template_name="consultations/track.html", context=context, status_code=status)


def _prefill(request: Request[Any, Any, Any], province: str) -> dict[str, str]:
    account = account_of(request)
    values = {"province": province}
    if isinstance(account, ApplicantAccount):
        values |= {"name": account.name, "mobile": account.mobile}
    return values
