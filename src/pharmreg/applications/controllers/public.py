"""Public pages of applications and the register: guides, verification of certificates, published results."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.guides import GuideBook
from pharmreg.applications.service.reading import guide_edits
from pharmreg.authority import Matter
from pharmreg.kit.captcha import CaptchaGate
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.kit.errors import UserError, error_response
from pharmreg.kit.ratelimit import within_limit
from pharmreg.kit.rendering import render
from pharmreg.register import (
    PUBLISHED_KINDS,
    ResultPage,
    ResultQuery,
    VerificationRead,
    search_results,
    verify_certificate,
)
from pharmreg.requests import CertificateLinks
from pharmreg.supervision import province_figures
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
        self,
        request: HTMXRequest,
        directory: NamedDependency[TenantDirectory],
        province: FromQuery[str | None] = None,
    ) -> Template:
        return render(
            request,
            "applications/guides.html",
            {"matters": list(Matter), "provinces": directory.provinces(), "province": province},
        )

    @get("/templates/{name:str}")
    async def template(self, request: HTMXRequest, name: FromPath[str]) -> Template:
        """Printable blank forms the guides point to (print, or save as PDF from the browser)."""
        if name not in ("consent", "commitment"):
            raise NotFoundException()
        return render(request, f"applications/form_{name}.html", {})

    @get("/{matter:str}")
    async def guide(
        self,
        request: HTMXRequest,
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
        return render(
            request,
            "applications/guide.html",
            {
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
        certificate_links: NamedDependency[CertificateLinks],
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
                    secret=certificate_links.verification_key,
                    today=china_today(),
                )
                if context["result"] is None:
                    context["error"] = "未查到与该注册证编号和姓名相符的注册信息，请核对后重试"
                    status = 404
        context["captcha"] = await VERIFY_GATE.challenge(redis, _client(request))
        return render(request, "applications/verify.html", context, status_code=status)

    @get("/{certificate_no:str}")
    async def by_code(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        certificate_links: NamedDependency[CertificateLinks],
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
                secret=certificate_links.verification_key,
                today=china_today(),
            )
            if context["result"] is None:
                context["error"], status = "该二维码无效或注册证不存在，请通过注册证编号和姓名查询", 404
        return render(request, "applications/verify.html", context, status_code=status)


class VerificationAsked(msgspec.Struct, frozen=True):
    """What the verification API was asked: a certificate, and its holder's name or QR signature."""

    certificate_no: str
    name: str | None
    t: str | None


def parse_verification_asked(
    certificate_no: Annotated[str, QueryParameter(min_length=1, max_length=40, description="注册证编号")],
    name: Annotated[str | None, QueryParameter(max_length=50, description="持证人姓名")] = None,
    t: Annotated[str | None, QueryParameter(max_length=64, description="二维码签名（代替姓名）")] = None,
) -> VerificationAsked:
    return VerificationAsked(certificate_no, name, t)


class VerificationApiController(Controller):
    path = "/api/v1/verify"
    tags = ["注册核验"]
    dependencies = {"asked": Provide(parse_verification_asked, sync_to_thread=False)}

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
        certificate_links: NamedDependency[CertificateLinks],
        asked: NamedDependency[VerificationAsked],
    ) -> VerificationRead:
        if not await within_limit(
            redis, f"verify:{_client(request)}", limit=VERIFY_LIMIT_PER_MINUTE, window_seconds=60
        ):
            raise UserError(
                status_code=429, detail="查询过于频繁，请一分钟后再试", headers={"retry-after": "60"}
            )
        certificate_no, name, t = asked.certificate_no, asked.name, asked.t
        if not name and not t:
            raise UserError(detail="请提供姓名 name 或二维码签名 t")
        found = await verify_certificate(
            national_session,
            certificate_no,
            name=name,
            token=t,
            secret=certificate_links.verification_key,
            today=china_today(),
        )
        if found is None:
            raise UserError(status_code=404, detail="未查到相符的注册信息")
        return found


# Published results are meant to be read, but not scraped: per client address and minute.
RESULTS_PAGES_PER_MINUTE = 30
RESULTS_API_PER_MINUTE = VERIFY_LIMIT_PER_MINUTE


class ResultFilters(msgspec.Struct, frozen=True):
    """The search form's fields as typed (kept to show them again)."""

    name: str = ""
    certificate_no: str = ""
    unit: str = ""
    matter: str = ""
    province: str = ""
    since: str = ""
    until: str = ""


def _day(text: str, label: str) -> date | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(detail=f"{label}应为“年-月-日”格式，如 2026-01-31") from None


def result_query(
    filters: ResultFilters,
    directory: TenantDirectory,
    *,
    page: int,
    per_page: int,
    fixed_province: str | None,
) -> ResultQuery:
    """Check a results search; raises UserError with the message for the person."""
    cleaned = {
        k: unicodedata.normalize("NFKC", v).strip() for k, v in msgspec.structs.asdict(filters).items()
    }
    if any(len(cleaned[k]) > limit for k, limit in (("name", 50), ("certificate_no", 40), ("unit", 100))):
        raise UserError(detail="查询条件过长，请缩短后重试")
    if any(ch in v for v in cleaned.values() for ch in "\x00\r\n"):
        raise UserError(detail="查询条件不能包含控制字符")
    if cleaned["matter"] and cleaned["matter"] not in PUBLISHED_KINDS:
        raise UserError(detail="没有这种公示事项")
    province = fixed_province or cleaned["province"]
    if province and (directory.get(province) is None or province == "national"):
        raise UserError(detail="没有这个省份")
    since, until = _day(cleaned["since"], "开始日期"), _day(cleaned["until"], "结束日期")
    if since and until and until < since:
        raise UserError(detail="结束日期早于开始日期")
    return ResultQuery(
        name=cleaned["name"],
        certificate_no=cleaned["certificate_no"].upper(),
        unit=cleaned["unit"],
        kind=cleaned["matter"],
        province=province,
        since=since,
        until=until,
        page=page,
        per_page=per_page,
    )


def _province_names(directory: TenantDirectory) -> dict[str, str]:
    return {t.slug: t.name for t in directory.provinces()}


async def _results_page(
    request: HTMXRequest,
    national: AsyncSession,
    redis: Redis,
    directory: TenantDirectory,
    filters: ResultFilters,
    page: int,
    tenant: TenantInfo | None,
) -> Template:
    context: dict[str, Any] = {
        "tenant": tenant,
        "filters": filters,
        "provinces": directory.provinces(),
        "matters": PUBLISHED_KINDS,
        "found": None,
        "page": page,
        "error": None,
    }
    status = 200
    try:
        query = result_query(
            filters, directory, page=page, per_page=50, fixed_province=tenant.slug if tenant else None
        )
    except UserError as exc:
        context["error"], status = exc.detail, 400
    else:
        context["query"] = query
        if not await within_limit(
            redis, f"results:{_client(request)}", limit=RESULTS_PAGES_PER_MINUTE, window_seconds=60
        ):
            context["error"], status = "查询过于频繁，请一分钟后再试", 429
        else:
            context["found"] = await search_results(national, query, _province_names(directory))
            sources = [t.source for t in ([tenant] if tenant else directory.provinces())]
            figures = await province_figures(national, sources)
            known = [f.as_of for f in figures.values() if f.as_of is not None]
            context["as_of"] = min(known) if known and len(known) == len(figures) else None
    return render(
        request,
        "applications/results.html",
        context,
        fragment="applications/_results.html",
        status_code=status,
    )


def _filters(request: Request[Any, Any, Any]) -> ResultFilters:
    params = request.query_params
    return ResultFilters(**{k: str(params.get(k, ""))[:200] for k in ResultFilters.__struct_fields__})


class NationalResultsController(Controller):
    """结果公示 across provinces, searchable (read from the national side, not from each province)."""

    path = "/results"
    include_in_schema = False

    @get("/")
    async def results(
        self,
        request: HTMXRequest,
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        directory: NamedDependency[TenantDirectory],
        page: Annotated[int, QueryParameter(ge=1, le=200)] = 1,
    ) -> Template:
        return await _results_page(
            request, national_session, redis, directory, _filters(request), page, tenant=None
        )


class ResultsController(Controller):
    """结果公示 of one province: the same search, bounded to the province."""

    path = "/p/{slug:str}/results"
    include_in_schema = False

    @get("/")
    async def results(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        directory: NamedDependency[TenantDirectory],
        page: Annotated[int, QueryParameter(ge=1, le=200)] = 1,
    ) -> Template:
        return await _results_page(
            request, national_session, redis, directory, _filters(request), page, tenant=tenant
        )


class ResultsAsked(msgspec.Struct, frozen=True):
    """What the results API was asked: the filters and the page."""

    filters: ResultFilters
    page: int
    per_page: int


def parse_results_asked(
    name: Annotated[str, QueryParameter(max_length=50, description="姓名（前缀）")] = "",
    certificate_no: Annotated[str, QueryParameter(max_length=40, description="注册证编号（前缀）")] = "",
    unit: Annotated[str, QueryParameter(max_length=100, description="执业单位名称（包含）")] = "",
    matter: Annotated[
        str, QueryParameter(max_length=24, description="公示事项：" + "、".join(PUBLISHED_KINDS))
    ] = "",
    province: Annotated[str, QueryParameter(max_length=41, description="省份代号，如 gd")] = "",
    since: Annotated[str, QueryParameter(max_length=10, description="开始日期 YYYY-MM-DD")] = "",
    until: Annotated[str, QueryParameter(max_length=10, description="结束日期 YYYY-MM-DD")] = "",
    page: Annotated[int, QueryParameter(ge=1, le=200, description="页码")] = 1,
    per_page: Annotated[int, QueryParameter(ge=1, le=100, description="每页条数")] = 50,
) -> ResultsAsked:
    filters = ResultFilters(
        name=name,
        certificate_no=certificate_no,
        unit=unit,
        matter=matter,
        province=province,
        since=since,
        until=until,
    )
    return ResultsAsked(filters, page, per_page)


class ResultsApiController(Controller):
    path = "/api/v1/results"
    tags = ["结果公示"]
    dependencies = {"asked": Provide(parse_results_asked, sync_to_thread=False)}

    @get(
        "/",
        summary="查询执业药师注册结果公示",
        description=(
            "按姓名（前缀）、注册证编号（前缀）、执业单位（包含）、公示事项、省份和日期查询各省公示的注册决定"
            "（首次注册、跨省变更转入、注销注册、有效期届满注销），按日期从新到旧。"
            "只返回公开信息，从不返回证件号码或联系方式。"
            f"每个来源地址每分钟最多 {RESULTS_API_PER_MINUTE} 次，超出返回 429。"
        ),
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
        directory: NamedDependency[TenantDirectory],
        asked: NamedDependency[ResultsAsked],
    ) -> Response[ResultPage | dict[str, str]]:
        if not await within_limit(
            redis, f"results-api:{_client(request)}", limit=RESULTS_API_PER_MINUTE, window_seconds=60
        ):
            return Response(
                {"detail": "查询过于频繁，请一分钟后再试"}, status_code=429, headers={"retry-after": "60"}
            )
        filters, page, per_page = asked.filters, asked.page, asked.per_page
        query = result_query(filters, directory, page=page, per_page=per_page, fixed_province=None)
        return Response(await search_results(national_session, query, _province_names(directory)))
