"""Administrators keep their units' public contact details; the public sees them at once."""

import pytest

from tests.people import audit_actions, unit_ids

UNITS = "/p/gd/office/admin/units"


async def test_contact_details_are_edited_and_published(platform, browser, client) -> None:
    units = await unit_ids(platform, "gd")
    shaoguan = units["440200"]
    await browser.sign_in("/p/gd/office", "gd.admin")
    form = await browser.get(f"{UNITS}/{shaoguan}/edit", headers={"HX-Request": "true"})
    assert 'name="postcode"' in form.text
    saved = await browser.post(
        f"{UNITS}/{shaoguan}",
        {
            "phone": "0751-8888123",
            "address": "韶关市浈江区工业西路 1 号",
            "postcode": "512000",
            "email": "yjj@sg.example.cn",
        },
        htmx=True,
    )
    assert saved.status_code == 200 and "0751-8888123" in saved.text
    public = (await client.get("/api/v1/tenants/gd/units")).json()
    row = next(u for u in public if u["division_code"] == "440200")
    assert row["phone"] == "0751-8888123" and row["postcode"] == "512000"
    assert "unit_updated" in await audit_actions(platform, "gd", row["name"])
    # Without htmx (a plain form post) the whole page comes back.
    plain = await browser.post(f"{UNITS}/{shaoguan}", {"phone": "0751-8888124"})
    assert plain.status_code == 200 and "<html" in plain.text and "0751-8888124" in plain.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "call me", "电话号码只能包含数字"),
        ("postcode", "51200", "邮政编码应为 6 位数字"),
        ("email", "not-an-address", "电子邮箱格式不正确"),
        ("address", "长" * 201, "地址不能超过 200 字"),
    ],
)
async def test_bad_contact_details_are_refused(platform, browser, client, field, value, message) -> None:
    units = await unit_ids(platform, "gd")
    before = next(
        u for u in (await client.get("/api/v1/tenants/gd/units")).json() if u["division_code"] == "440300"
    )
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{UNITS}/")
    refused = await browser.post(
        f"{UNITS}/{units['440300']}",
        {field: value, "phone": "0755-1234567" if field != "phone" else value},
        htmx=True,
    )
    assert refused.status_code == 400 and message in refused.text
    after = next(
        u for u in (await client.get("/api/v1/tenants/gd/units")).json() if u["division_code"] == "440300"
    )
    assert after == before


async def test_a_city_admin_edits_only_its_own_units(platform, new_browser) -> None:
    units = await unit_ids(platform, "gd")
    city = new_browser()
    await city.sign_in("/p/gd/office", "gd.440100.admin")
    listing = (await city.get(f"{UNITS}/")).text
    assert "天河区" in listing and "韶关市" not in listing
    assert (await city.get(f"{UNITS}/{units['440200']}/edit")).status_code == 404
    assert (await city.post(f"{UNITS}/{units['440200']}", {"phone": "110"}, htmx=True)).status_code == 404
    ok = await city.post(f"{UNITS}/{units['440106']}", {"phone": "020-38880000"}, htmx=True)
    assert ok.status_code == 200
