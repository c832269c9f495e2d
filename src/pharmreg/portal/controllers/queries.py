"""信息查询: exam scores (public, by name and ID number together), and a pharmacist's own CE credits."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import ApplicantAccount, identify_document, require_applicant
from pharmreg.kit.captcha import CaptchaGate
from pharmreg.kit.clock import china_today
from pharmreg.kit.codes import CodeError
from pharmreg.kit.ratelimit import within_limit
from pharmreg.qualifications import ce_years, credits_of, exam_results

# Someone checks their own scores a few times; a script would try thousands of ID numbers.
SCORE_QUERIES_PER_MINUTE = 10
# After three answered queries in ten minutes, each further one needs the picture's digits typed in.
SCORE_GATE = CaptchaGate("scores")


def _private(response: Template) -> Template:
    """Scores are personal: no cache (the browser's back button included) may keep the page."""
    response.headers["cache-control"] = "no-store"
    return response


def _id_number_problem(id_number: str) -> str | None:
    """What is wrong with the number itself (its format, its check digit), before any look-up."""
    try:
        identify_document(id_number, today=china_today())
    except CodeError as exc:
        return str(exc)
    return None


class QueryController(Controller):
    include_in_schema = False

    @get("/query/scores")
    async def score_form(self, request: Request[Any, Any, Any], redis: NamedDependency[Redis]) -> Template:
        """The empty form. Look-ups are POSTed: a name and ID number never belong in a URL, where
        browser history, proxies and access logs would keep them; parameters given here are ignored."""
        address = request.client.host if request.client else "unknown"
        context: dict[str, Any] = {"name": "", "id_number": "", "year": "", "results": None, "error": None}
        context["captcha"] = await SCORE_GATE.challenge(redis, address)
        return _private(Template(template_name="portal/scores.html", context=context))

    @post("/query/scores")
    async def scores(
        self,
        request: Request[Any, Any, Any],
        national_session: NamedDependency[AsyncSession],
        redis: NamedDependency[Redis],
    ) -> Template:
        form = await request.form()
        name = str(form.get("name", "")).strip()[:50]
        id_number = str(form.get("id_number", "")).strip()[:32]
        year = str(form.get("year", "")).strip()[:4]
        context: dict[str, Any] = {"name": name, "id_number": id_number, "year": year}
        context |= {"results": None, "error": None}
        status = 200
        address = request.client.host if request.client else "unknown"
        if not name or not id_number:
            context["error"], status = "请同时填写姓名和证件号码", 400
        elif year and not (year.isdecimal() and year.isascii() and 2000 <= int(year) <= 2100):
            context["error"], status = "考试年度应为四位数字，如 2025", 400
        elif not await within_limit(
            redis, f"scores:{address}", limit=SCORE_QUERIES_PER_MINUTE, window_seconds=60
        ):
            context["error"], status = "查询过于频繁，请一分钟后再试", 429
        elif not await SCORE_GATE.admits(
            redis, address, str(form.get("captcha_token", "")), str(form.get("captcha", ""))
        ):
            context["error"], status = "多次查询后需要验证：请输入图中的数字", 400
        elif (malformed := _id_number_problem(id_number)) is not None:
            context["error"], status = malformed, 400  # not "未查到": the number itself is wrong
        else:
            context["results"] = await exam_results(
                national_session, name=name, id_number=id_number, year=int(year) if year else None
            )
            if not context["results"]:
                context["error"], status = "未查到相符的成绩：请核对姓名、证件号码和考试年度", 404
        context["captcha"] = await SCORE_GATE.challenge(redis, address)
        return _private(Template(template_name="portal/scores.html", context=context, status_code=status))

    @get("/account/credits", guards=[require_applicant()])
    async def credits(
        self, applicant: NamedDependency[ApplicantAccount], national_session: NamedDependency[AsyncSession]
    ) -> Template:
        """The signed-in pharmacist's own CE credits, by year and part, with every record."""
        return Template(
            template_name="portal/credits.html",
            context={
                "applicant": applicant,
                "years": sorted(
                    (await ce_years(national_session, applicant.id_number)).values(), key=lambda y: -y.year
                ),
                "records": await credits_of(national_session, applicant.id_number),
            },
        )
