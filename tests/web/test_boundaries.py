"""The boundary rules at work on real requests: impossible ids are "not found" on every route
that takes one, unstorable text is refused before anything is written, codes typed in full
width are the codes themselves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from pharmreg.applications.models import Application, Attachment
from pharmreg.identity.models import Officer
from tests.applications.files import png
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
    assert checked >= 350


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


def multipart(token: str, material: str, filename: str) -> bytes:
    """A multipart body as a client may send it, without the escaping httpx applies to names."""
    parts = [
        f'Content-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}',
        f'Content-Disposition: form-data; name="material"\r\n\r\n{material}',
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n",
    ]
    body = b"".join(b"--b\r\n" + part.encode() + b"\r\n" for part in parts[:2])
    return body + b"--b\r\n" + parts[2].encode() + png() + b"\r\n--b--\r\n"


async def test_a_nul_in_a_multipart_field_or_file_name_is_refused(platform, draft) -> None:
    _person, browser, ref = draft
    await browser.get(f"/account/applications/gd/{ref}")
    headers = {"content-type": "multipart/form-data; boundary=b", "hx-request": "true"}
    for material, filename in (
        ("photo\x00", "photo.png"),
        ("photo", "photo\x00.png"),
        ("photo", "照片\x1f.png"),
    ):
        response = await browser.http.post(
            f"/account/applications/gd/{ref}/attachments",
            content=multipart(browser.token or "", material, filename),
            headers=headers,
        )
        assert response.status_code == 400, response.text[:300]
        assert "无法保存的控制字符" in response.text
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        application = await session.scalar(select(Application.id).where(Application.ref == ref))
        assert not (
            await session.scalars(select(Attachment.id).where(Attachment.application_id == application))
        ).all()
    accepted = await browser.http.post(
        f"/account/applications/gd/{ref}/attachments",
        content=multipart(browser.token or "", "photo", "照片𠮷.png"),
        headers=headers,
    )
    assert accepted.status_code == 200, accepted.text[:300]


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


async def submit_score_query(browser, name: str, id_number: str):
    """The score query as its page submits it (whatever method and fields the form uses)."""
    page = await browser.get("/query/scores")
    form = re.search(r'<form method="(\w+)" action="([^"]+)"', page.text)
    assert form, page.text[:500]
    method, action = form.group(1).lower(), form.group(2)
    values = {"name": name, "id_number": id_number}
    return await (browser.get(action, params=values) if method == "get" else browser.post(action, values))


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("440", "证件号码格式不正确"),  # was "未查到"
        ("4401061990010100", "证件号码格式不正确"),
        ("440106199001010030", "身份证号码校验码错误"),
    ],
)
async def test_a_malformed_id_number_in_the_score_query_is_said_to_be_malformed(
    new_browser, id_number: str, message: str
) -> None:
    response = await submit_score_query(new_browser(), "柯以宁", id_number)
    assert response.status_code == 400
    assert message in response.text and "未查到" not in response.text


async def test_scores_are_found_with_the_id_number_typed_in_full_width(
    platform, make_pharmacist, new_browser
):
    person, _browser = await make_pharmacist("柯以安", division="110101")
    typed = "".join(chr(ord(c) + 0xFEE0) for c in person.id_number.lower())
    response = await submit_score_query(new_browser(), person.name, typed)
    assert response.status_code == 200, response.text[:500]
    assert person.qualification_no in response.text
