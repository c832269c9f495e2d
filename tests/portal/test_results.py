"""结果公示: reached from the portal's menus and province pages; a national page across
provinces read from the national side; search by name, certificate number, unit, matter,
period and province; a rate-limited JSON query interface. Never an ID number."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from pharmreg.register.models import Registration
from tests.pharmacists import add_unit, seed_registration

_ROW = re.compile(
    r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>"
    r"<td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>(?:<td>([^<]+)</td>)?<td>"
)


def _rows(html: str) -> list[tuple[str, ...]]:
    return _ROW.findall(html)


async def _id_numbers(platform, slug: str) -> list[str]:
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        return list(await session.scalars(select(Registration.id_number)))


async def test_results_are_reached_from_the_menus_and_the_province_pages(new_browser) -> None:
    visitor = new_browser()
    home = await visitor.get("/")
    assert 'href="/results/"' in home.text
    national = await visitor.get("/results/")
    assert national.status_code == 200 and "全国执业药师注册结果公示" in national.text
    provinces = {row[5] for row in _rows(national.text)}
    assert {"广东省", "江苏省"} <= provinces  # across provinces, from the national read model
    province_home = await visitor.get("/p/gd/")
    assert 'href="/p/gd/results/"' in province_home.text
    province = await visitor.get("/p/gd/results/")
    assert province.status_code == 200 and "广东省执业药师注册结果公示" in province.text
    assert _rows(province.text) and 'name="province"' not in province.text


async def test_results_are_searchable_and_show_no_id_numbers(platform, make_pharmacist, new_browser) -> None:
    person, _browser = await make_pharmacist("柯公示", division="320106")
    unit = await add_unit(platform, "js", "320106", name="南京市鼓楼区公示测试大药房")
    row = await seed_registration(platform, "js", person, unit, date.today() - timedelta(days=2))
    await platform.relay().pass_once()
    visitor = new_browser()
    by_name = await visitor.get("/results/", params={"name": "柯公示"})
    rows = _rows(by_name.text)
    assert len(rows) == 1 and rows[0][1] == "首次注册" and rows[0][3] == row.certificate_no
    assert rows[0][4] == "南京市鼓楼区公示测试大药房" and rows[0][5] == "江苏省"
    by_number = _rows((await visitor.get("/results/", params={"certificate_no": row.certificate_no})).text)
    assert [r[3] for r in by_number] == [row.certificate_no]
    by_unit = _rows((await visitor.get("/results/", params={"unit": "鼓楼区公示测试"})).text)
    assert [r[2] for r in by_unit] == ["柯公示"]
    in_js = _rows((await visitor.get("/results/", params={"province": "js", "matter": "registered"})).text)
    assert in_js and {r[5] for r in in_js} == {"江苏省"} and {r[1] for r in in_js} == {"首次注册"}
    none_cancelled = await visitor.get("/results/", params={"name": "柯公示", "matter": "cancelled"})
    assert not _rows(none_cancelled.text) and "没有符合条件的公示结果" in none_cancelled.text
    later = date.today() + timedelta(days=1)
    assert not _rows((await visitor.get("/results/", params={"name": "柯公示", "since": str(later)})).text)
    period = {"name": "柯公示", "since": str(date.today() - timedelta(days=5)), "until": str(date.today())}
    assert len(_rows((await visitor.get("/results/", params=period)).text)) == 1
    # Bad input: a clear message, no error page.
    for params, message in (
        ({"since": "2026-02-30"}, "开始日期应为“年-月-日”格式"),
        ({"since": "2026-03-01", "until": "2026-02-01"}, "结束日期早于开始日期"),
        ({"matter": "drop table"}, "没有这种公示事项"),
        ({"province": "zz"}, "没有这个省份"),
        ({"name": "柯\x00"}, "控制字符"),
    ):
        refused = await visitor.get("/results/", params=params)
        assert refused.status_code == 400 and message in refused.text, params
    # A province's page shows its own results only, whatever is asked.
    gd = await visitor.get("/p/gd/results/", params={"name": "柯公示", "province": "js"})
    assert gd.status_code == 200 and not _rows(gd.text)
    assert _rows((await visitor.get("/p/js/results/", params={"name": "柯公示"})).text)
    # Never an ID number, on any page of the results.
    pages = [by_name.text, (await visitor.get("/results/")).text, (await visitor.get("/p/js/results/")).text]
    for number in [person.id_number, *await _id_numbers(platform, "js"), *await _id_numbers(platform, "gd")]:
        assert all(number not in page for page in pages)


async def test_the_results_api_is_documented_rate_limited_and_public_only(
    platform, make_pharmacist, new_browser
) -> None:
    person, _browser = await make_pharmacist("柯接口", division="440106")
    unit = await add_unit(platform, "gd", "440106", name="广州市天河区接口测试药房")
    row = await seed_registration(platform, "gd", person, unit, date.today())
    await platform.relay().pass_once()
    visitor = new_browser()
    schema = (await visitor.get("/api/schema/openapi.json")).json()
    assert "/api/v1/results" in {p.rstrip("/") for p in schema["paths"]}
    answer = await visitor.get("/api/v1/results/", params={"certificate_no": row.certificate_no})
    assert answer.status_code == 200
    body = answer.json()
    assert [r["name"] for r in body["results"]] == ["柯接口"] and body["more"] is False
    found = body["results"][0]
    assert (
        found["province"] == "gd" and found["province_name"] == "广东省" and found["matter"] == "registered"
    )
    assert found["practice_unit"] == "广州市天河区接口测试药房"
    assert person.id_number not in answer.text and person.mobile not in answer.text
    assert set(found) == {
        "effective_on",
        "matter",
        "matter_label",
        "name",
        "certificate_no",
        "category",
        "scope",
        "practice_unit",
        "province",
        "province_name",
        "summary",
    }
    bad = await visitor.get("/api/v1/results/", params={"until": "昨天"})
    assert bad.status_code == 400 and "结束日期" in bad.text
    statuses = [
        (await visitor.get("/api/v1/results/", params={"province": "gd"})).status_code for _ in range(25)
    ]
    assert statuses[-1] == 429 and 200 in statuses
