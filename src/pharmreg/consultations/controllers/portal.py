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
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.ratelimit import within_limit
from pharmreg.kit.rendering import render
from pharmreg.requests import VisitorRequest
from pharmreg.tenancy import TenantDirectory, TenantInfo

# The portal remembers a visitor's province in this cookie (see pharmreg.portal.controllers.regions).
REGION_COOKIE = "pharmreg_region"
# The form of each kind of item: a consultation (咨询) or a complaint (投诉).
FORM_KINDS = {"/consult/new": "consultation", "/complaints/new": "complaint"}
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
        visitor: NamedDependency[VisitorRequest],
        province: FromQuery[str] = "",
        topic: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Template:
        db, directory = visitor.db, visitor.directory
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
        visitor: NamedDependency[VisitorRequest],
        province: FromQuery[str] = "",
        category: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=100)] = "",
    ) -> Template:
        directory = visitor.directory
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
        visitor: NamedDependency[VisitorRequest],
        province: FromQuery[str] = "",
    ) -> Template:
        """The region choices of a province (the form swaps them in when the province changes)."""
        directory, divisions = visitor.directory, visitor.divisions
        tenant = directory.get(province) if province else None
        return render(
            request,
            "consultations/_division_options.html",
            {"tenant": tenant, "cities": _divisions_of(tenant, divisions), "values": {}},
        )

    @get(list(FORM_KINDS))
    async def new_item(
        self,
        request: HTMXRequest,
        visitor: NamedDependency[VisitorRequest],
        redis: NamedDependency[Redis],
        province: FromQuery[str] = "",
    ) -> Template:
        """The form of a consultation or of a complaint, with the visitor's province."""
        kind = FORM_KINDS[request.scope["path_template"]]
        return await self._form(request, visitor, redis, kind, _prefill(request, province), {})

    @post(list(FORM_KINDS))
    async def submit(
        self, request: HTMXRequest, visitor: NamedDependency[VisitorRequest], redis: NamedDependency[Redis]
    ) -> Template:
        return await self._submit(request, visitor, redis, FORM_KINDS[request.scope["path_template"]])

    async def _form(
        self,
        request: HTMXRequest,
        visitor: VisitorRequest,
        redis: Redis,
        kind: str,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        directory, divisions = visitor.directory, visitor.divisions
        tenant = _province(request, directory, values.get("province", ""))
        if tenant is not None:
            values.setdefault("province", tenant.slug)
        return render(
            request,
            "consultations/submit.html",
            {
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
        self, request: HTMXRequest, visitor: VisitorRequest, redis: Redis, kind: str
    ) -> Template:
        db, directory, divisions = visitor.db, visitor.directory, visitor.divisions
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
            return await self._form(request, visitor, redis, kind, values, problems.errors, 400)
        address = request.client.host if request.client else "unknown"
        if not await within_limit(
            redis, f"consult-submit:{address}", limit=SUBMISSIONS_PER_HOUR, window_seconds=3600
        ):
            errors = {"": "提交过于频繁，请一小时后再试"}
            return await self._form(request, visitor, redis, kind, values, errors, 429)
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
            return await self._form(request, visitor, redis, kind, values, exc.errors, 400)
        return render(
            request,
            "consultations/submitted.html",
            {"kind": kind, "code": code, "province": province, "unit_name": unit_name, **LABELS},
        )

    @get("/consult/track")
    async def track_form(self, request: HTMXRequest) -> Template:
        return render(
            request, "consultations/track.html", {"view": None, "error": None, "code": "", **LABELS}
        )

    @post("/consult/track")
    async def track(
        self,
        request: HTMXRequest,
        visitor: NamedDependency[VisitorRequest],
        redis: NamedDependency[Redis],
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
                context["view"] = await across_tenants.track(
                    visitor.db, visitor.directory, code, now=utcnow()
                )
            except across_tenants.TrackError as exc:
                context["error"], status = (
                    str(exc),
                    400 if isinstance(exc, across_tenants.MalformedCode) else 404,
                )
        return render(request, "consultations/track.html", context, status_code=status)


def _prefill(request: Request[Any, Any, Any], province: str) -> dict[str, str]:
    account = account_of(request)
    values = {"province": province}
    if isinstance(account, ApplicantAccount):
        values |= {"name": account.name, "mobile": account.mobile}
    return values
