"""Public pages of applications and the register: guides, verification of certificates, published results."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.guides import GuideBook
from pharmreg.applications.service import guide_edits
from pharmreg.authority import Matter
from pharmreg.kit.captcha import CaptchaGate
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.kit.errors import UserError, error_response
from pharmreg.kit.ratelimit import within_limit
from pharmreg.register import VerificationRead, published_results, verify_certificate
from pharmreg.tenancy import TenantDirectory, TenantInfo
from pharmreg.workflow import national_template, process_versions

# A person checks a few certificates; a scraper needs thousands. Per client address and minute.
VERIFY_LIMIT_PER_MINUTE = 20
# On the form, ten answered checks in ten minutes are free; then each needs the picture's digits.
# (QR codes carry a signature and cannot be enumerated; the JSON API keeps its rate limit.)
VERIFY_GATE = CaptchaGate("verify", free=10)


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class GuideController(Controller):
    path = "/guides"
    include_in_schema = False

    @get("/")
    async def index(
        self, directory: NamedDependency[TenantDirectory], province: FromQuery[str | None] = None
    ) -> Template:
        return Template(
            template_name="applications/guides.html",
            context={"matters": list(Matter), "provinces": directory.provinces(), "province": province},
        )

    @get("/templates/{name:str}")
    async def template(self, name: FromPath[str]) -> Template:
        """Printable blank forms the guides point to (print, or save as PDF from the browser)."""
        if name not in ("consent", "commitment"):
            raise NotFoundException()
        return Template(template_name=f"applications/form_{name}.html", context={})

    @get("/{matter:str}")
    async def guide(
        self,
        guides: NamedDependency[GuideBook],
        directory: NamedDependency[TenantDirectory],
        db: NamedDependency[Database],
        matter: FromPath[str],
        province: FromQuery[str | None] = None,
    ) -> Template:
        tenant = directory.get(province) if province else None
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        process, edited = None, None
        if tenant is not None:
            async with db.tenant(tenant.schema, tenant.placement) as session:
                versions = await process_versions(session, matter)
                edited = await guide_edits(session, matter)
            process = versions[0][1] if versions else national_template(matter)
        found = guides.guide(matter, tenant.slug if tenant else None, edited)
        if found is None:
            raise NotFoundException()
        return Template(
            template_name="applications/guide.html",
            context={
                "guide": found,
                "tenant": tenant,
                "provinces": directory.provinces(),
                "process": process,
            },
        )


class VerificationController(Controller):
    """注册信息核验: anyone may check one certificate at a time; no listing of the register."""

    path = "/verify"
    include_in_schema = False

    @get("/")
    async def form(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        verification_key: NamedDependency[str],
        certificate_no: Annotated[str | None, QueryParameter(max_length=40)] = None,
        name: Annotated[str | None, QueryParameter(max_length=50)] = None,
    ) -> Template:
        context: dict[str, Any] = {"certificate_no": certificate_no or "", "name": name or "", "result": None}
        status = 200
        if certificate_no is not None or name is not None:
            if not (certificate_no or "").strip() or not (name or "").strip():
                context["error"] = "请同时填写注册证编号和姓名"
                status = 400
            elif not await within_limit(
                redis, f"verify:{_client(request)}", limit=VERIFY_LIMIT_PER_MINUTE, window_seconds=60
            ):
                context["error"] = "查询过于频繁，请一分钟后再试"
                status = 429
            elif not await VERIFY_GATE.admits(
                redis,
                _client(request),
                request.query_params.get("captcha_token", ""),
                request.query_params.get("captcha", ""),
            ):
                context["error"] = "多次核验后需要验证：请输入图中的数字"
                status = 400
            else:
                context["result"] = await verify_certificate(
                    national_session,
                    certificate_no or "",
                    name=name,
                    token=None,
                    secret=verification_key,
                    today=china_today(),
                )
                if context["result"] is None:
                    context["error"] = "未查到与该注册证编号和姓名相符的注册信息，请核对后重试"
                    status = 404
        context["captcha"] = await VERIFY_GATE.challenge(redis, _client(request))
        return Template(template_name="applications/verify.html", context=context, status_code=status)

    @get("/{certificate_no:str}")
    async def by_code(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        verification_key: NamedDependency[str],
        certificate_no: FromPath[str],
        t: Annotated[str, QueryParameter(max_length=64)] = "",
    ) -> Template:
        """The page a certificate's QR code opens."""
        context: dict[str, Any] = {"certificate_no": "", "name": "", "result": None, "by_code": True}
        status = 200
        if not await within_limit(
            redis, f"verify:{_client(request)}", limit=VERIFY_LIMIT_PER_MINUTE, window_seconds=60
        ):
            context["error"], status = "查询过于频繁，请一分钟后再试", 429
        else:
            context["result"] = await verify_certificate(
                national_session,
                certificate_no[:40],
                name=None,
                token=t,
                secret=verification_key,
                today=china_today(),
            )
            if context["result"] is None:
                context["error"], status = "该二维码无效或注册证不存在，请通过注册证编号和姓名查询", 404
        return Template(template_name="applications/verify.html", context=context, status_code=status)


class VerificationApiController(Controller):
    path = "/api/v1/verify"
    tags = ["注册核验"]

    @get(
        "/",
        summary="核验执业药师注册证",
        description=(
            "按注册证编号和姓名（或注册证二维码中的签名 t）核验一张注册证。只返回公开信息："
            "姓名、类别、范围、执业单位、地区、有效期、状态和公开的处罚信息，从不返回证件号码或联系方式。"
            f"每个来源地址每分钟最多 {VERIFY_LIMIT_PER_MINUTE} 次，超出返回 429。"
        ),
        responses={429: error_response("查询过于频繁（见 Retry-After）")},
    )
    async def verify(
        self,
        request: Request[Any, Any, Any],
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        verification_key: NamedDependency[str],
        certificate_no: Annotated[str, QueryParameter(min_length=1, max_length=40, description="注册证编号")],
        name: Annotated[str | None, QueryParameter(max_length=50, description="持证人姓名")] = None,
        t: Annotated[str | None, QueryParameter(max_length=64, description="二维码签名（代替姓名）")] = None,
    ) -> VerificationRead:
        if not await within_limit(
            redis, f"verify:{_client(request)}", limit=VERIFY_LIMIT_PER_MINUTE, window_seconds=60
        ):
            raise UserError(
                status_code=429, detail="查询过于频繁，请一分钟后再试", headers={"retry-after": "60"}
            )
        if not name and not t:
            raise UserError(detail="请提供姓名 name 或二维码签名 t")
        found = await verify_certificate(
            national_session, certificate_no, name=name, token=t, secret=verification_key, today=china_today()
        )
        if found is None:
            raise UserError(status_code=404, detail="未查到相符的注册信息")
        return found


class ResultsController(Controller):
    """结果公示: a province's published decisions (registrations and cancellations) with dates."""

    path = "/p/{slug:str}/results"
    include_in_schema = False

    @get("/")
    async def results(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        tenant_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        page: Annotated[int, QueryParameter(ge=1, le=200)] = 1,
    ) -> Template:
        since = china_today() - timedelta(days=90)
        if not await within_limit(redis, f"results:{_client(request)}", limit=30, window_seconds=60):
            return Template(
                template_name="applications/results.html",
                context={
                    "tenant": tenant,
                    "rows": [],
                    "page": page,
                    "since": since,
                    "more": False,
                    "error": "查询过于频繁，请一分钟后再试",
                },
                status_code=429,
            )
        rows = await published_results(tenant_session, since=since, page=page)
        return Template(
            template_name="applications/results.html",
            context={"tenant": tenant, "rows": rows, "page": page, "since": since, "more": len(rows) == 50},
        )
