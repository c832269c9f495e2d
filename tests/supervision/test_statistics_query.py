"""自定义查询: whitelisted measures and dimensions over the national facts, a pivot table and its
chart, saved queries that only their owner sees, and clear Chinese errors for tampered requests."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select

from pharmreg.supervision import query
from pharmreg.supervision.catalog import REPORTS, ReportScope
from pharmreg.supervision.fact_scope import Labels
from pharmreg.supervision.models import FactCase, SavedQuery
from tests.supervision.statistics_data import CITY, links, row_of, set_up_march_2019, table_rows

BASE = "/p/gd/office/statistics"
# The export form shows where the application takes exports (another part of it does).
SERVES_EXPORTS = "pharmreg.supervision.controllers.statistics.serves_exports"


async def _officer(new_browser, slug: str, login: str):
    browser = new_browser()
    assert (await browser.sign_in(f"/p/{slug}/office", login)).status_code == 303
    return browser


async def _staff(new_browser, login: str = "nmpa.analyst"):
    browser = new_browser()
    assert (await browser.sign_in("/national", login)).status_code == 303
    return browser


MARCH = {"since": "2019-01-01", "until": "2019-03-31"}
_CASES_IN_MARCH = {"since": "2019-03-01", "until": "2019-03-31", "f.city": CITY}
_OVERDUE = {"measures": "overdue,overdue_share", "rows": "matter"}
_DECADE = {"measures": "first", "rows": "city", "since": "2008-01-01", "until": "2019-01-01"}


async def test_the_statistician_builds_a_query_from_the_form(
    platform, make_pharmacist, new_browser, monkeypatch
) -> None:
    monkeypatch.setattr(SERVES_EXPORTS, lambda _request, _base: True)
    await set_up_march_2019(platform, make_pharmacist)
    stats = await _officer(new_browser, "gd", "gd.stats")
    index = await stats.get(f"{BASE}/")
    assert f"{BASE}/query" in links(index.text)
    form = await stats.get(f"{BASE}/query")
    assert form.status_code == 200
    for name in ('name="measure"', 'name="rows"', 'name="cols"', 'name="since"', 'name="f.city"'):
        assert name in form.text
    assert 'value="province"' not in form.text  # the province dimension is the national desk's

    page = await stats.get(
        f"{BASE}/query",
        params=[
            ("measure", "first"),
            ("measure", "in_validity"),
            ("measure", "cancellations"),
            ("rows", "month"),
            ("cols", ""),
            ("since", "2019-01-01"),
            ("until", "2019-03-31"),
            ("f.city", CITY),
        ],
    )
    assert page.status_code == 200, page.text[:2000]
    assert row_of(page.text, "2019-01") == ["0", "0", "0"]
    assert row_of(page.text, "2019-02") == ["1", "1", "0"]
    assert row_of(page.text, "2019-03") == ["2", "2", "1"]
    # The chart's data for the script, and the table beside it either way.
    chart = re.search(r'id="query-chart" data-chart="([^"]*)"', page.text)
    assert chart and json.loads(unescape(chart.group(1)))["categories"] == ["2019-01", "2019-02", "2019-03"]
    assert 'name="report" value="province_query"' in page.text
    assert 'name="p.measures" value="first,in_validity,cancellations"' in page.text

    # Cases by handling unit and outcome: one open and overdue, one decided late.
    cases = await stats.get(
        f"{BASE}/query",
        params={
            "measures": "received,overdue",
            "rows": "outcome",
            "since": "2019-03-01",
            "until": "2019-03-31",
            "f.city": CITY,
        },
    )
    assert cases.status_code == 200
    assert row_of(cases.text, "办理中") == ["1", "1"]
    assert row_of(cases.text, "准予注册") == ["2", "1"]
    assert row_of(cases.text, "不予注册") == ["1", "0"]


async def test_an_open_case_past_its_due_date_is_overdue_without_a_recount(
    platform, make_pharmacist, new_browser
) -> None:
    march = await set_up_march_2019(platform, make_pharmacist)
    async with platform.db.national() as session:
        open_case = await session.get(FactCase, ("gd", march.cases["open_overdue"]))
    assert open_case is not None and open_case.decided_on is None
    assert (
        open_case.due_on == date(2019, 3, 15) and not open_case.overdue
    )  # the stored flag: decided late only
    stats = await _officer(new_browser, "gd", "gd.stats")
    # Seen on 10 March it was not yet overdue; by the end of March it was.
    early = await stats.get(
        f"{BASE}/query",
        params={
            "measures": "overdue,overdue_share",
            "rows": "matter",
            "since": "2019-03-01",
            "until": "2019-03-10",
            "f.city": CITY,
        },
    )
    assert row_of(early.text, "首次注册") == ["0", "0.0%"]
    late = await stats.get(
        f"{BASE}/query",
        params={
            "measures": "overdue,overdue_share",
            "rows": "matter",
            "since": "2019-03-01",
            "until": "2019-03-31",
            "f.city": CITY,
        },
    )
    assert row_of(late.text, "首次注册") == ["2", "50.0%"]


async def test_tampered_queries_get_a_chinese_error_never_a_500(new_browser) -> None:
    stats = await _officer(new_browser, "gd", "gd.stats")
    today = date.today()
    cases = [
        ({"measures": "first;DROP TABLE national.fact_case", "rows": "city"}, "未知的指标"),
        ({"measures": "password", "rows": "city"}, "未知的指标"),
        ({"measures": "first", "rows": "person_hash"}, "未知的维度"),
        ({"measures": "first", "rows": "city) OR 1=1 --"}, "未知的维度"),
        ({"measures": "first", "rows": "city", "cols": "city"}, "不能相同"),
        ({"measures": "first", "rows": "province"}, "仅在全国查询中可用"),
        ({"measures": "first", "rows": "city", "f.province": "bj"}, "仅在全国查询中可用"),
        ({"measures": "first", "rows": "city", "f.person_hash": "x"}, "不能按「person_hash」筛选"),
        ({"measures": "first", "rows": "city", "f.month": "2019-03"}, "不能按「month」筛选"),
        ({"measures": "received", "rows": "education"}, "不适用于指标"),
        ({"measures": ",".join(list(query.MEASURES)[:7]), "rows": "city"}, "最多选择 6 个指标"),
        ({"measures": "first", "rows": "city", "since": "1990-01-01", "until": "2019-01-01"}, "只能查询"),
        (
            {"measures": "first", "rows": "city", "since": "2008-01-01", "until": "2019-01-01"},
            "不能超过 10 年",
        ),
        ({"measures": "first", "rows": "city", "since": "2019-13-01"}, "开始日期格式"),
        ({"measures": "first", "rows": "city", "since": "2019-03-01", "until": "2019-01-01"}, "不能晚于"),
        (
            {"measures": "first", "rows": "city", "until": (today + timedelta(days=3)).isoformat()},
            "不能查询未来的日期",
        ),
        # Ten years of days for two measures: too many cells.
        (
            {"measures": "first,changes", "rows": "day", "since": "2015-01-01", "until": "2024-12-31"},
            "时间段过多",
        ),
    ]
    for params, message in cases:
        response = await stats.get(f"{BASE}/query", params={**MARCH, **params})
        assert response.status_code == 400, (params, response.status_code)
        assert message in response.text, (params, message)
    # A value nobody has is just an empty answer, never SQL.
    odd = await stats.get(
        f"{BASE}/query", params={**MARCH, "measures": "first", "rows": "city", "f.education": "x' OR '1'='1"}
    )
    assert odd.status_code == 200 and "本期无数据" in odd.text


async def test_a_query_past_the_time_limit_says_so(platform, new_browser, monkeypatch) -> None:
    stats = await _officer(new_browser, "gd", "gd.stats")

    def slow(_source, _on):
        # An uncorrelated sub-select counting five million numbers: far beyond 50 ms.
        many = select(func.count()).select_from(func.generate_series(1, 5_000_000)).scalar_subquery()
        return func.count().filter(many > 0)

    monkeypatch.setattr("pharmreg.supervision.fact_scope.STATEMENT_TIMEOUT_MS", 50)
    monkeypatch.setitem(query.MEASURES, "slow", query.Measure("慢", "case", "int", "received_on", slow))
    response = await stats.get(f"{BASE}/query", params={**MARCH, "measures": "slow", "rows": "city"})
    assert response.status_code == 400
    assert "查询超时" in response.text


async def test_saved_queries_belong_to_their_owner(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    stats = await _officer(new_browser, "gd", "gd.stats")
    page = await stats.get(f"{BASE}/query", params={**MARCH, "measures": "first", "rows": "city"})
    fields = dict(re.findall(r'<input type="hidden" name="(p\.[^"]+)" value="([^"]*)">', page.text))
    assert fields["p.measures"] == "first" and fields["p.rows"] == "city"
    saved = await stats.post(f"{BASE}/saved", {**fields, "name": "湛江一季度首次注册"})
    assert saved.status_code == 303
    listed = await stats.get(saved.headers["location"])
    assert "查询已保存" in listed.text and "湛江一季度首次注册" in listed.text
    async with platform.db.national() as session:
        query_id = await session.scalar(select(SavedQuery.id).where(SavedQuery.name == "湛江一季度首次注册"))
    assert query_id is not None
    run = await stats.get(f"{BASE}/saved/{query_id}", follow_redirects=False)
    assert run.status_code == 303 and run.headers["location"].startswith(f"{BASE}/query?")
    rerun = await stats.get(run.headers["location"])
    assert row_of(rerun.text, "湛江市") == ["3"]
    assert f"{BASE}/saved/{query_id}" in links((await stats.get(f"{BASE}/")).text)

    # Another officer of the province, another province's officer, national staff: none sees it.
    admin = await _officer(new_browser, "gd", "gd.admin")
    assert "湛江一季度首次注册" not in (await admin.get(f"{BASE}/query")).text
    assert (await admin.get(f"{BASE}/saved/{query_id}", follow_redirects=False)).status_code == 404
    assert (await admin.post(f"{BASE}/saved/{query_id}/delete", {})).status_code == 404
    bj = await _officer(new_browser, "bj", "bj.stats")
    bj_base = "/p/bj/office/statistics"
    assert "湛江一季度首次注册" not in (await bj.get(f"{bj_base}/query")).text
    assert (await bj.get(f"{bj_base}/saved/{query_id}", follow_redirects=False)).status_code == 404
    assert (await bj.post(f"{bj_base}/saved/{query_id}/delete", {})).status_code == 404
    staff = await _staff(new_browser)
    national = "/national/supervision/query"
    assert (await staff.get(f"{national}/saved/{query_id}", follow_redirects=False)).status_code == 404

    # A bad name or a tampered definition is refused on the form.
    assert (await stats.post(f"{BASE}/saved", {**fields, "name": " "})).status_code == 400
    tampered = await stats.post(f"{BASE}/saved", {**fields, "p.rows": "person_hash", "name": "坏查询"})
    assert tampered.status_code == 400 and "未知的维度" in tampered.text

    deleted = await stats.post(f"{BASE}/saved/{query_id}/delete", {})
    assert deleted.status_code == 303
    async with platform.db.national() as session:
        assert await session.get(SavedQuery, query_id) is None


async def test_no_parameter_reaches_another_provinces_figures(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    stats = await _officer(new_browser, "gd", "gd.stats")
    for params in (
        {"measures": "first,received", "rows": "city"},
        {"measures": "first", "rows": "county", "f.city": "110100"},
        {"measures": "first", "rows": "county", "f.county": "110105"},
        {"measures": "received", "rows": "handling_unit"},
        {"measures": "in_validity", "rows": "month", "f.city": "110100"},
    ):
        response = await stats.get(f"{BASE}/query", params={**MARCH, **params})
        assert response.status_code == 200
        heads = {head for head, _cells in table_rows(response.text)}
        assert not any("北京" in head or "朝阳" in head for head in heads), params
    # The export's builder with the province's scope reads only the province too.
    async with platform.db.national() as session:
        table = await REPORTS["province_query"].build(
            session, ReportScope("gd"), {**MARCH, "measures": "first", "rows": "county", "f.county": "110105"}
        )
    assert table.rows == ()


async def test_a_city_officer_queries_only_their_city(platform, make_pharmacist, new_browser) -> None:
    await set_up_march_2019(platform, make_pharmacist)
    guangzhou = await _officer(new_browser, "gd", "gd.440100.admin")
    for params in (
        {"measures": "first,received", "rows": "city"},
        {"measures": "first", "rows": "county", "f.city": CITY},
        {"measures": "in_validity", "rows": "county"},
    ):
        response = await guangzhou.get(f"{BASE}/query", params={**MARCH, **params})
        assert response.status_code == 200
        heads = {head for head, _cells in table_rows(response.text)}
        assert not any("湛江" in head or "霞山" in head for head in heads), params
        assert "湛江市统计测试局" not in response.text
    form = await guangzhou.get(f"{BASE}/query")
    assert f'value="{CITY}"' not in form.text  # the city filter offers Guangzhou only


async def test_national_staff_query_every_province_read_only(
    platform, make_pharmacist, new_browser, monkeypatch
) -> None:
    monkeypatch.setattr(SERVES_EXPORTS, lambda _request, _base: True)
    await set_up_march_2019(platform, make_pharmacist)
    staff = await _staff(new_browser)
    home = await staff.get("/national/")
    assert "/national/supervision/" in links(home.text)
    supervision = await staff.get("/national/supervision/")
    assert "/national/supervision/query/" in links(supervision.text)
    page = await staff.get(
        "/national/supervision/query/", params={**MARCH, "measures": "first,received", "rows": "province"}
    )
    assert page.status_code == 200
    guangdong, beijing = row_of(page.text, "广东省"), row_of(page.text, "北京市")
    assert int(guangdong[0]) >= 3 and int(beijing[0]) >= 1 and int(beijing[1]) >= 1
    assert 'action="/national/supervision/exports"' in page.text
    assert 'name="report" value="national_query"' in page.text
    # Its only forms are the query itself (GET), the export and keeping a query of its own.
    posts = set(re.findall(r'<form method="post" action="([^"]+)"', page.text))
    assert posts <= {"/national/supervision/exports", "/national/supervision/query/saved", "/national/logout",
                     "/national/logout-everywhere"}  # fmt: skip
    # Province officers cannot open the national desk.
    stats = await _officer(new_browser, "gd", "gd.stats")
    refused = await stats.get("/national/supervision/query/", follow_redirects=False)
    assert refused.status_code in (302, 303, 401, 403)


async def test_every_measure_runs_by_every_dimension_it_allows(platform) -> None:
    """Each whitelisted pair turns into SQL that PostgreSQL runs, as rows and as columns."""
    ran = 0
    async with platform.db.national() as session:
        labels = await Labels.load(session)
        for scope in (ReportScope("gd"), ReportScope(None)):
            for measure, spec in query.MEASURES.items():
                for name, dimension in query.DIMENSIONS.items():
                    if spec.subject not in dimension.by or (dimension.national_only and not scope.national):
                        continue
                    params = {"measures": measure, "rows": name, "since": "2024-01-01", "until": "2024-12-31"}
                    if name != "month":
                        params["cols"] = "year" if not dimension.grain else ""
                    table = await query.build_query(session, scope, params, labels)
                    assert table.columns[0].label == dimension.label
                    ran += 1
    assert ran > 100
