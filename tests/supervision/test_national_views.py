"""The national supervision views (执业监管平台): national staff reach each view from the index,
on facts fed through the outbox; figures, drill-down, bad parameters, isolation and privacy."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from pharmreg.kit.clock import china_today
from pharmreg.kit.db import transaction
from pharmreg.kit.question_terms import group_key, top_terms
from pharmreg.practice import UnitType
from pharmreg.register import Province, cancel_registration
from pharmreg.register.schemas import Decided
from pharmreg.supervision import REPORTS
from pharmreg.supervision.catalog import ReportParameterError, ReportScope
from pharmreg.supervision.figures import add_months, bulletin, complaints, data_report, validity_counts
from pharmreg.supervision.population import NATIONAL_POPULATION_2020, POPULATION_2020
from tests.consultations.helpers import code_of, items_in, latest, submit
from tests.people import make_officer
from tests.pharmacists import add_unit, seed_registration

NATIONAL = ReportScope(tenant=None)
BASE = "/national/supervision"


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def _row(html: str, label: str) -> list[str]:
    """The cells of the first table row headed `label` (its <th>), tags stripped."""
    match = re.search(
        r"<tr><th scope=\"row\">(?:<a [^>]*>)?" + re.escape(label) + r"(?:</a>)?</th>(.*?)</tr>", html
    )
    assert match is not None, f"no row {label}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))
    ]


async def _staff(new_browser):
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.analyst")
    return staff


def test_the_census_table_covers_every_province_once() -> None:
    assert len(POPULATION_2020) == 32
    assert NATIONAL_POPULATION_2020 == 1_409_778_724  # 31 provinces; 兵团 taken out of 新疆


def test_question_terms_keep_the_trade_words_and_drop_digits() -> None:
    terms = top_terms("变更注册需要多久", "我变更了执业单位，请问变更注册一般多久办结？电话13812345678")
    assert terms[0] == "变更注册" and "执业单位" in terms
    assert not any(ch.isdigit() for term in terms for ch in term)
    assert group_key(terms) is not None and group_key(["注册"]) is None


async def test_staff_open_every_view_from_the_index(platform, new_browser) -> None:
    staff = await _staff(new_browser)
    home = await staff.get("/national/")
    assert f'href="{BASE}/"' in home.text  # 监管 in the national navigation
    index = await staff.get(f"{BASE}/")
    assert index.status_code == 200
    views = [href for href in _links(index.text) if href.startswith(BASE + "/") and href != BASE + "/"]
    figures = {"business", "complaints", "consultations", "data", "bulletin"}
    assert figures <= {href.rsplit("/", 1)[1] for href in views}
    # The index also links the risk flags and the custom query, which have their own tests.
    assert f"{BASE}/risk/" in views and f"{BASE}/query/" in views
    for href in dict.fromkeys(h for h in views if h.rsplit("/", 1)[1] in figures):
        page = await staff.get(href)
        assert page.status_code == 200, href
        assert "数据截至" in page.text, href
        assert 'data-chart="{' in page.text, href  # the chart's data, drawn by a static script
        assert f'action="{BASE}/exports"' in page.text and 'name="report"' in page.text, href
        assert "<script>" not in page.text  # charts from JSON data and a static script only


async def test_registrations_in_validity_month_on_month_and_bulletin(platform, make_pharmacist) -> None:
    today = china_today()
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    async with platform.db.national() as session:
        counted = await validity_counts(session, [last_month, this_month])
    gd_now = sum(n for (m, t, _f), n in counted.items() if m == this_month and t == "gd")
    gd_then = sum(n for (m, t, _f), n in counted.items() if m == last_month and t == "gd")

    unit = await add_unit(platform, "gd", "440106")
    wholesale = await add_unit(platform, "gd", "440106", unit_type=UnitType.WHOLESALE)
    old, _ = await make_pharmacist("甘一鸣", division="440106")
    new, _ = await make_pharmacist("甘二鸣", division="440106")
    gone, _ = await make_pharmacist("甘三鸣", division="440106")
    await seed_registration(platform, "gd", old, unit, add_months(this_month, -3))
    await seed_registration(platform, "gd", new, wholesale, today)
    leaving = await seed_registration(platform, "gd", gone, unit, add_months(this_month, -3))
    gd = platform.directory.get("gd")
    async with (
        platform.db.tenant(gd.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        await cancel_registration(
            session,
            national,
            province=Province(gd.slug, gd.name, gd.authority_name, gd.division_code),
            registration_id=leaving.id,
            reason="本人申请注销",
            decided=Decided(None, "测试", today),
        )
    await platform.relay().pass_once()

    async with platform.db.national() as session:
        counted = await validity_counts(session, [last_month, this_month])
        report = await bulletin(session, NATIONAL, {"month": f"{this_month:%Y-%m}"})
    now = sum(n for (m, t, _f), n in counted.items() if m == this_month and t == "gd")
    then = sum(n for (m, t, _f), n in counted.items() if m == last_month and t == "gd")
    # Two more were valid at last month's end; this month one joined and one left.
    assert then - gd_then == 2 and now - gd_now == 2
    by_province = report.parts[1]
    gd_row = next(r for r in by_province.rows if r[0] == "广东省")
    assert gd_row[1] == now and gd_row[2] == now - then
    assert gd_row[3] == round(now * 10000 / POPULATION_2020["440000"], 2)
    by_field = report.parts[0]
    assert sum(int(r[1]) for r in by_field.rows) == report.rows[0][1]


async def test_business_page_shows_the_province_figures(platform, new_browser) -> None:
    staff = await _staff(new_browser)
    page = await staff.get(f"{BASE}/business")
    assert page.status_code == 200
    cells = _row(page.text, "广东省")
    assert cells  # a row per province with its figures
    async with platform.db.national() as session:
        counted = await validity_counts(session, [china_today().replace(day=1)])
    assert cells[0] == f"{sum(n for (_m, t, _f), n in counted.items() if t == 'gd'):,}"
    trend = await staff.get(f"{BASE}/business?start=2026-01&end=2026-06&province=gd")
    assert trend.status_code == 200 and "2026-06" in trend.text and "逐月趋势（广东省）" in trend.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/business?end=2026-13", "月份“2026-13”不正确"),
        ("/business?start=1900-01&end=2026-01", "月份“1900-01”不正确"),
        ("/business?start=2016-01&end=2026-01", "时间范围最长 60 个月"),
        ("/business?start=2026-05&end=2026-01", "起始月份不能晚于结束月份"),
        ("/business?province=zz&start=2026-01&end=2026-02", "没有代码为“zz”的省份"),
        ("/complaints?category=drop+table", "类别“drop table”不在可选范围内"),
        ("/complaints?province=national", "没有代码为“national”的省份"),
        ("/consultations?month=2026-13", "月份“2026-13”不正确"),
        ("/data?dimension=password", "分析维度“password”不在可选范围内"),
        ("/data?province=gd&city=320100", "所选城市不属于所选省份"),
        ("/data?a=gd", "比较需要选择两个省份"),
        ("/data?a=gd&b=gd", "请选择两个不同的省份"),
        ("/bulletin?month=2026-13", "月份“2026-13”不正确"),
        ("/bulletin?month=2099-01", "月报只能查看本月及以前的月份"),
        ("/bulletin?month=%27%3B+select+1", "不正确"),
    ],
)
async def test_bad_parameters_get_a_chinese_error(new_browser, path: str, message: str) -> None:
    staff = await _staff(new_browser)
    answer = await staff.get(BASE + path)
    assert answer.status_code == 400, answer.text[:500]
    assert message in answer.text


async def test_a_province_officer_cannot_open_any_national_view(new_browser) -> None:
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    for view in ("/", "/business", "/complaints", "/consultations", "/data", "/bulletin?month=2026-01"):
        answer = await officer.get(BASE + view)
        assert answer.status_code in (302, 303, 401, 403), view
        assert "数据截至" not in answer.text
    visitor = new_browser()
    assert (await visitor.get(f"{BASE}/business")).status_code in (302, 303, 401)


async def test_every_national_report_refuses_a_province_scope(platform) -> None:
    national_kinds = [k for k in REPORTS.values() if k.name.startswith("national.")]
    assert {k.name for k in national_kinds} >= {"national.bulletin", "national.data", "national.complaints"}
    async with platform.db.national() as session:
        for kind in national_kinds:
            assert kind.audience == "national"
            with pytest.raises(ReportParameterError):
                await kind.build(session, ReportScope(tenant="gd"), {})
            table = await kind.build(session, NATIONAL, {})
            assert table.title


async def test_a_transferred_complaint_counts_once_and_drills_down_without_identity(
    platform, new_browser
) -> None:
    month = f"{china_today():%Y-%m}"
    params = {"start": month, "end": month}
    async with platform.db.national() as session:
        before = {r[0]: r[2] for r in (await complaints(session, NATIONAL, params)).rows}

    await make_officer(platform, "gd", "gd.440000.complaint", ("complaint",), "440000", name="甄投诉")
    visitor = new_browser()
    code_of(
        await submit(
            platform,
            visitor,
            kind="complaint",
            category="efficiency",
            title="注册办理太慢",
            body="变更注册提交很久没有审核",
            name="司徒秘密",
            mobile="13912340000",
        )
    )
    item = await latest(platform, "gd")
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.440000.complaint", "Green#Hills2026")
    moved = await officer.post(
        f"/p/gd/office/consultations/{item.id}/transfer", {"province": "js", "note": "执业单位在江苏"}
    )
    assert moved.status_code == 303, moved.text[:500]
    copy = (await items_in(platform, "js"))[-1]
    assert copy.origin == "广东省"
    await platform.relay().pass_once()

    async with platform.db.national() as session:
        after = {r[0]: r[2] for r in (await complaints(session, NATIONAL, params)).rows}
    assert after["gd"] == before.get("gd", 0) + 1  # counted in its origin province
    assert after.get("js", 0) == before.get("js", 0)  # not again where it went
    assert sum(after.values()) == sum(before.values()) + 1

    staff = await _staff(new_browser)
    page = await staff.get(f"{BASE}/complaints?start={month}&end={month}")
    assert page.status_code == 200
    drill = next(h for h in _links(page.text) if "list=1" in h and "province=gd" in h)
    listing = await staff.get(drill)
    assert listing.status_code == 200 and "投诉清单" in listing.text
    assert f"gd-{item.id}" in listing.text and "办事效率" in listing.text
    assert f"js-{copy.id}" not in listing.text
    for view in (page, listing):
        assert (
            "司徒秘密" not in view.text and "13912340000" not in view.text and "注册办理太慢" not in view.text
        )


async def test_consultation_terms_group_similar_questions_with_an_faq_link(platform, new_browser) -> None:
    visitor = new_browser()
    for body in ("继续教育学分怎么查询", "继续教育学分在哪里查询？", "请问继续教育学分如何查询"):
        code_of(
            await submit(
                platform, visitor, category="continuing_education", title="继续教育学分查询", body=body
            )
        )
    await platform.relay().pass_once()
    staff = await _staff(new_browser)
    page = await staff.get(f"{BASE}/consultations?month={china_today():%Y-%m}")
    assert page.status_code == 200
    assert "继续教育·学分" in page.text or "学分·继续教育" in page.text
    faq = next(
        h for h in _links(page.text) if h.startswith("/national/faq/?") and "topic=continuing_education" in h
    )
    form = await staff.get(faq)
    assert (form.status_code == 200 and 'value="继续教育 学分"' in form.text) or "继续教育" in form.text


async def test_data_view_drills_down_and_compares_two_provinces(
    platform, new_browser, make_pharmacist
) -> None:
    unit = await add_unit(platform, "gd", "440106")
    person, _ = await make_pharmacist("钟数据", division="440106")
    await seed_registration(platform, "gd", person, unit, china_today() - timedelta(days=3))
    await platform.relay().pass_once()
    staff = await _staff(new_browser)
    page = await staff.get(f"{BASE}/data")
    assert page.status_code == 200
    to_gd = next(h for h in _links(page.text) if "province=gd" in h and "/data?" in h)
    province = await staff.get(to_gd)
    assert province.status_code == 200 and "广州市" in province.text
    to_city = next(h for h in _links(province.text) if "city=440100" in h)
    city = await staff.get(to_city)
    assert city.status_code == 200 and "天河区" in city.text
    compared = await staff.get(f"{BASE}/data?dimension=sex&a=gd&b=js")
    assert compared.status_code == 200 and "广东省与江苏省比较" in compared.text
    async with platform.db.national() as session:
        table = await data_report(
            session, NATIONAL, {"dimension": "field", "province": "gd", "field": "retail"}
        )
    assert [r[0] for r in table.rows] == ["retail"]


async def test_the_faq_form_starts_from_the_question_it_is_linked_with(new_browser) -> None:
    staff = await _staff(new_browser)
    form = await staff.get("/national/faq/?topic=exam&question=%E6%88%90%E7%BB%A9+%E6%9F%A5%E8%AF%A2")
    assert form.status_code == 200 and 'value="成绩 查询"' in form.text


def test_dates_are_months() -> None:
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


async def test_the_monthly_counts_kept_by_the_consumer_equal_a_recount(platform, make_pharmacist) -> None:
    from sqlalchemy import select

    from pharmreg.supervision.models import FactValidityMonth as FVM
    from pharmreg.supervision.repository import recompute_validity_months

    async def kept() -> list[tuple]:
        async with platform.db.national() as session:
            query = select(FVM.field, FVM.month, FVM.change).where(FVM.tenant == "gd", FVM.change != 0)
            return sorted((await session.execute(query)).all())

    await platform.relay().pass_once()
    async with platform.db.national() as session, session.begin():
        await recompute_validity_months(session, "gd")
    unit = await add_unit(platform, "gd", "440106")
    person, _ = await make_pharmacist("乔月数", division="440106")
    today = china_today()
    held = await seed_registration(platform, "gd", person, unit, add_months(today.replace(day=1), -14))
    gd = platform.directory.get("gd")
    async with (
        platform.db.tenant(gd.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        await cancel_registration(
            session,
            national,
            province=Province(gd.slug, gd.name, gd.authority_name, gd.division_code),
            registration_id=held.id,
            reason="本人申请注销",
            decided=Decided(None, "测试", today),
        )
    await platform.relay().pass_once()
    incremental = await kept()
    async with platform.db.national() as session, session.begin():
        await recompute_validity_months(session, "gd")
    assert await kept() == incremental
