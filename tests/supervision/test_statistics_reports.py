"""统计查询 in a province's back office: 日报 / 月报 / 年报 from the national facts, for the 统计
post and administrators, each bureau within its territory, never another province's figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pharmreg.register import EDUCATION_LEVELS
from pharmreg.supervision import fact_scope
from pharmreg.supervision.catalog import REPORTS, ReportParameterError, ReportScope
from pharmreg.supervision.models import FactCase
from tests.supervision.statistics_data import CITY, UNIT, links, row_of, set_up_march_2019, table_rows

SERVES_EXPORTS = "pharmreg.supervision.controllers.statistics.serves_exports"


async def _signed_in(new_browser, slug: str, login: str):
    browser = new_browser()
    response = await browser.sign_in(f"/p/{slug}/office", login)
    assert response.status_code == 303, response.text[:500]
    return browser


async def test_the_statistician_follows_the_links_to_last_month_and_picks_march_2019(
    platform, make_pharmacist, new_browser, monkeypatch
) -> None:
    # The export form shows where the application takes exports (another part of it does).
    monkeypatch.setattr(SERVES_EXPORTS, lambda _request, _base: True)
    await set_up_march_2019(platform, make_pharmacist)
    stats = await _signed_in(new_browser, "gd", "gd.stats")
    home = await stats.get("/p/gd/office/")
    assert "/p/gd/office/statistics/" in links(home.text)
    index = await stats.get("/p/gd/office/statistics/")
    assert index.status_code == 200 and "统计范围：广东省" in index.text
    monthly = next(link for link in links(index.text) if link.startswith("/p/gd/office/statistics/monthly?"))
    last_month = await stats.get(monthly)
    assert last_month.status_code == 200
    assert 'action="/p/gd/office/statistics/monthly"' in last_month.text and 'name="month"' in last_month.text
    assert "数据截至" in last_month.text

    page = await stats.get("/p/gd/office/statistics/monthly", params={"month": "2019-03"})
    assert page.status_code == 200
    assert "广东省执业药师注册月报（2019年03月）" in page.text
    # 湛江市: 2 first registrations and 1 cancellation in March; 1 in validity at the end of
    # February, 2 at the end of March.
    zhanjiang = row_of(page.text, "湛江市")
    assert zhanjiang[:8] == ["2", "0", "0", "1", "0", "0", "2", "1"]
    assert zhanjiang[8] == "0"  # per 10,000 of 6,981,236 residents, to two decimals
    summary = row_of(page.text, "首次注册")
    assert summary[:3] == ["2", "1", "1"]  # this month, last month, change
    assert row_of(page.text, "期末有效注册")[:3] == ["2", "1", "1"]
    # Business figures: 4 received; 3 decided (1 refused); 1 decided late; 1 open past its due date.
    assert row_of(page.text, "收件")[0] == "4"
    assert row_of(page.text, "办结")[0] == "3"
    assert row_of(page.text, "准予注册")[0] == "2"
    assert row_of(page.text, "不予注册")[0] == "1"
    assert row_of(page.text, "逾期办结")[0] == "1"
    assert row_of(page.text, "期末超期未办结")[0] == "1"
    unit = row_of(page.text, UNIT)
    assert unit[0] == "是" and unit[1:4] == ["4", "4", "3"]
    async with platform.db.national() as session:
        days = sorted(
            (
                await session.scalars(
                    select(FactCase.working_days).where(
                        FactCase.tenant == "gd",
                        FactCase.handling_unit == UNIT,
                        FactCase.decided_on.is_not(None),
                    )
                )
            ).all()
        )
    assert row_of(page.text, "办理用时中位数（工作日）")[0] == f"{days[1]:g}"
    # Nothing of Beijing's March reaches Guangdong's report.
    assert "北京" not in page.text and "朝阳" not in page.text
    # The previous month's link and the export form for this report.
    assert "/p/gd/office/statistics/monthly?month=2019-02" in links(page.text)
    assert 'action="/p/gd/office/statistics/exports"' in page.text
    assert 'name="report" value="province_monthly"' in page.text
    assert 'name="p.month" value="2019-03"' in page.text
    assert 'id="report-1-chart" data-chart="{' in page.text


async def test_daily_and_yearly_reports(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    stats = await _signed_in(new_browser, "gd", "gd.stats")
    day = await stats.get("/p/gd/office/statistics/daily", params={"day": "2019-03-05"})
    assert day.status_code == 200 and "日报（2019年03月05日）" in day.text
    assert row_of(day.text, "湛江市")[:7] == ["1", "0", "0", "0", "0", "0", "2"]
    year = await stats.get("/p/gd/office/statistics/yearly", params={"year": "2019"})
    assert year.status_code == 200 and "年报（2019年）" in year.text
    assert row_of(year.text, "湛江市")[:8] == ["3", "0", "0", "1", "0", "0", "2", "2"]
    assert "/p/gd/office/statistics/yearly?year=2018" in links(year.text)


async def test_bad_periods_get_a_chinese_error_never_a_500(new_browser) -> None:
    stats = await _signed_in(new_browser, "gd", "gd.stats")
    future = date.today().year + 2
    for path, value, message in (
        ("monthly", "2019-13", "请选择要统计的月份"),
        ("monthly", "'; drop table national.fact_case; --", "请选择要统计的月份"),
        ("daily", "2019-02-30", "请选择要统计的日期"),
        ("yearly", "19", "请选择要统计的年份"),
        ("yearly", str(future), "不能查询未来的日期"),
        ("yearly", "1999", "只能查询"),
    ):
        param = {"monthly": "month", "daily": "day", "yearly": "year"}[path]
        response = await stats.get(f"/p/gd/office/statistics/{path}", params={param: value})
        assert response.status_code == 400, (path, value)
        assert message in response.text


async def test_a_city_bureau_sees_only_its_city(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    guangzhou = await _signed_in(new_browser, "gd", "gd.440100.admin")
    home = await guangzhou.get("/p/gd/office/")
    assert "/p/gd/office/statistics/" in links(home.text)
    page = await guangzhou.get("/p/gd/office/statistics/monthly", params={"month": "2019-03"})
    assert page.status_code == 200 and "广东省 · 广州市" in page.text
    assert "湛江" not in page.text
    heads = {head for head, _cells in table_rows(page.text)}
    assert "湛江市" not in heads and UNIT not in heads
    assert row_of(page.text, "收件")[0] == "0"


async def test_only_the_statistics_post_and_administrators_open_the_statistics(new_browser) -> None:
    accept = await _signed_in(new_browser, "gd", "gd.accept")
    assert "/p/gd/office/statistics/" not in links((await accept.get("/p/gd/office/")).text)
    refused = await accept.get("/p/gd/office/statistics/monthly", params={"month": "2019-03"})
    assert refused.status_code == 403
    admin = await _signed_in(new_browser, "gd", "gd.admin")
    assert (
        await admin.get("/p/gd/office/statistics/monthly", params={"month": "2019-03"})
    ).status_code == 200


async def test_one_province_cannot_open_anothers_statistics(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    gd = await _signed_in(new_browser, "gd", "gd.stats")
    response = await gd.get(
        "/p/bj/office/statistics/monthly", params={"month": "2019-03"}, follow_redirects=False
    )
    assert response.status_code in (302, 303, 401, 403)
    assert "北京市执业药师注册月报" not in response.text
    bj = await _signed_in(new_browser, "bj", "bj.stats")
    page = await bj.get("/p/bj/office/statistics/monthly", params={"month": "2019-03"})
    assert page.status_code == 200 and "湛江" not in page.text
    assert row_of(page.text, "北京市")[0] == "1"


async def test_the_reports_are_in_the_catalog_for_the_exports(platform, make_pharmacist) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    assert {"province_daily", "province_monthly", "province_yearly"} <= REPORTS.keys()
    kind = REPORTS["province_monthly"]
    assert kind.audience == "province"
    async with platform.db.national() as session:
        table = await kind.build(session, ReportScope("gd"), {"month": "2019-03"})
        zhanjiang = await kind.build(session, ReportScope("gd", CITY[:4]), {"month": "2019-03"})
        try:
            await kind.build(session, ReportScope("gd"), {"month": "next month"})
        except ReportParameterError as exc:
            assert "月份" in str(exc)
        else:
            raise AssertionError("a bad month must be refused")
    by_city = table.parts[0]
    assert by_city.rows and by_city.totals is not None
    assert [row[0] for row in zhanjiang.parts[0].rows] == ["湛江市"]
    assert any("数据截至" in note for note in table.notes)


def test_education_labels_follow_the_registration_form() -> None:
    assert fact_scope.EDUCATION_LABELS == EDUCATION_LEVELS
