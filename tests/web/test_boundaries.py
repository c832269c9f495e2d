"""The boundary rules at work on real requests: impossible ids are "not found" on every route
that takes one, unstorable text is refused before anything is written, codes typed in full
width are the codes themselves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pharmreg.applications.models import Application
from pharmreg.identity.models import Officer
from tests.applications.journeys import start
from tests.people import unit_ids
from tests.web.test_route_walk import fill

IMPOSSIBLE_IDS = ["99999999999999999999", "9223372036854775808", "2147483648", "0", "-1"]
SKIPPED = {"OPTIONS", "HEAD"}


def integer_routes(app) -> list[tuple[str, str, list[str]]]:
    """(method, template, integer parameters) of every route with an integer path parameter."""
    found = []
    for route in app.routes:
        names = re.findall(r"\{(\w+):int\}", route.path)
        if not names:
            continue
        plain = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            found += [(m, plain, names) for m in sorted(handler.http_methods - SKIPPED)]
    return sorted(found)


async def test_every_integer_path_parameter_out_of_range_is_not_found(app, browser) -> None:
    """An id no object can have answers 404 on every route, before sign-in checks or the database."""
    checked, wrong = 0, []
    for method, template, names in integer_routes(app):
        for name in names:
            for bad in IMPOSSIBLE_IDS:
                path = fill(template.replace(f"{{{name}}}", bad), "gd", officer_id="0" * 32)
                response = await (browser.get(path) if method == "GET" else browser.post(path, {}))
                checked += 1
                if response.status_code != 404:
                    wrong.append(f"{method} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    # Articles, files, tasks, messages, the forum, notices, attachments, certificates, units …
    assert len({t for _m, t, _n in integer_routes(app)}) >= 40
    assert checked >= 400


async def test_a_huge_article_id_is_not_found_in_the_api_shape(app, client) -> None:
    response = await client.get("/articles/12345678901234567890")
    assert response.status_code == 404
    assert "未找到您要访问的页面或资源" in response.text


@pytest.fixture
async def draft(make_pharmacist):
    person, browser = await make_pharmacist("程𠮷")
    ref = await start(browser, "gd", "first_registration")
    return person, browser, ref


async def stored_form(platform, ref: str) -> dict:
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        return await session.scalar(select(Application.form).where(Application.ref == ref))


async def test_a_nul_in_a_draft_field_is_refused_and_nothing_is_saved(platform, draft) -> None:
    _person, browser, ref = draft
    saved = await browser.post(
        f"/account/applications/gd/{ref}/save", {"note": "第一次暂存", "declaration": "yes"}, htmx=True
    )
    assert saved.status_code == 200
    before = await stored_form(platform, ref)
    assert before["note"] == "第一次暂存"
    for hostile in ("粘贴的\x00内容", "\x1b[31m", "\x7f"):
        response = await browser.post(
            f"/account/applications/gd/{ref}/save", {"note": hostile, "unit_uscc": "ABC"}, htmx=True
        )
        assert response.status_code == 400
        assert "无法保存的控制字符" in response.text and "未保存任何内容" in response.text
        assert "Traceback" not in response.text
        assert await stored_form(platform, ref) == before


async def test_a_nul_in_a_multipart_field_or_file_name_is_refused(platform, draft) -> None:
    _person, browser, ref = draft
    response = await browser.post(
        f"/account/applications/gd/{ref}/attachments",
        {"material": "photo\x00"},
        htmx=True,
        files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n", "image/png")},
    )
    assert response.status_code == 400 and "无法保存的控制字符" in response.text
    response = await browser.post(
        f"/account/applications/gd/{ref}/attachments",
        {"material": "photo"},
        htmx=True,
        files={"file": ("photo\x00.png", b"\x89PNG\r\n\x1a\n", "image/png")},
    )
    assert response.status_code == 400 and "无法保存的控制字符" in response.text


async def test_control_characters_in_a_query_are_refused_for_pages_and_the_api(client) -> None:
    page = await client.get("/articles/", params={"q": "通知\x00"})
    assert page.status_code == 400 and "无法保存的控制字符" in page.text
    api = await client.get("/api/v1/divisions", params={"q": "天河\x00"})
    assert api.status_code == 400
    assert "无法保存的控制字符" in api.json()["error"]["message"]


async def test_codes_typed_in_full_width_are_the_codes(client) -> None:
    full_width = await client.get("/api/v1/divisions/４４０１０６")
    assert full_width.status_code == 200
    assert full_width.json() == (await client.get("/api/v1/divisions/440106")).json()
    searched = await client.get("/api/v1/route", params={"division": "４４０１０６"})
    assert searched.status_code == 200
    assert searched.json() == (await client.get("/api/v1/route", params={"division": "440106"})).json()


async def test_a_unit_id_in_full_width_digits_is_that_unit(platform, new_browser) -> None:
    admin = new_browser()
    assert (await admin.sign_in("/p/gd/office", "gd.admin")).status_code == 303
    unit = (await unit_ids(platform, "gd"))["440100"]
    typed = "".join(chr(ord(c) + 0xFEE0) for c in str(unit))
    await admin.get("/p/gd/office/admin/users/new")
    response = await admin.post(
        "/p/gd/office/admin/users/",
        {
            "username": "gd.fullwidth.unit",
            "name": "全角单位",
            "unit_id": typed,
            "password": "Green#Hills2026",
            "mobile": "１３７００００２２２２",
            "positions": "acceptance",
        },
    )
    assert response.status_code == 303, response.text[:800]
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        officer = await session.scalar(select(Officer).where(Officer.username == "gd.fullwidth.unit"))
    assert officer is not None
    assert (officer.unit_id, officer.mobile) == (unit, "13700002222")


@pytest.mark.parametrize("unit_id", ["99999999999999999999", "2147483648", "²"])
async def test_an_impossible_unit_id_in_a_form_is_not_found(new_browser, unit_id) -> None:
    admin = new_browser()
    assert (await admin.sign_in("/p/gd/office", "gd.admin")).status_code == 303
    await admin.get("/p/gd/office/admin/users/new")
    response = await admin.post(
        "/p/gd/office/admin/users/",
        {"username": "gd.huge.unit", "name": "超大编号", "unit_id": unit_id, "password": "Green#Hills2026"},
    )
    assert response.status_code == 404
