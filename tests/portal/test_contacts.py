"""联系方式: every bureau of every province carries realistic contact details; administrators of
a province and of a city keep their units' details and choose the officers listed for the
public; the public page shows the bureaus serving the visitor's place, and nothing private."""

from __future__ import annotations

import re

from pharmreg.identity import list_officers, list_units

# The capital's area code of some provinces, which their province bureau's phone must carry.
CAPITAL_AREA_CODES = {"gd": "020", "js": "025", "sc": "028", "bj": "010", "xz": "0891", "bt": "0991"}


async def test_every_bureau_of_every_province_has_contact_details(platform) -> None:
    for tenant in platform.directory.provinces():
        async with platform.db.tenant(tenant.schema, tenant.placement) as session:
            units = await list_units(session)
        assert units, tenant.slug
        # Guangdong's administrators edit some of theirs in other tests; every other bureau is as loaded.
        for unit in units if tenant.slug != "gd" else units[:1]:
            assert unit.phone and re.fullmatch(r"0\d{2,3}-[2-8]\d{6,7}", unit.phone), (tenant.slug, unit.name)
            assert unit.address and len(unit.address) >= 8, (tenant.slug, unit.name)
            assert unit.email and unit.email.endswith(f"{tenant.slug}.gov.example"), (tenant.slug, unit.name)
        province = next(u for u in units if u.level == 1)
        if tenant.slug in CAPITAL_AREA_CODES:
            assert province.phone.startswith(CAPITAL_AREA_CODES[tenant.slug] + "-"), tenant.slug
    async with platform.db.tenant("tenant_gd") as session:
        units = {u.division_code: u for u in await list_units(session)}
    assert units["440300"].phone.startswith("0755-") and units["440300"].address.startswith("深圳市")
    assert all(u.phone for u in units.values())
    assert units["441900"].phone.startswith("0769-")  # 东莞: a city without counties


async def _officers_of(platform, slug: str, unit_code: str):
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema, tenant.placement) as session:
        unit = next(u for u in await list_units(session) if u.division_code == unit_code)
        return unit, await list_officers(session, unit_id=unit.id)


async def test_the_public_page_shows_the_bureaus_of_the_place_with_their_public_contacts(
    platform, new_browser
) -> None:
    unit, officers = await _officers_of(platform, "gd", "440103")
    page = await new_browser().get("/contacts", params={"q": "广东省广州市荔湾区中山七路"})
    assert page.status_code == 200 and "广东省 广州市 荔湾区 · 为您服务的单位" in page.text
    chain = re.findall(r'<article class="panel contact" aria-label="([^"]+)"', page.text)
    assert chain == ["广州市荔湾区市场监督管理局", "广州市市场监督管理局", "广东省药品监督管理局"]
    accept = next(o for o in officers if o.username == "gd.440103.accept")
    assert accept.name in page.text and "执业药师注册申请受理" in page.text and unit.phone in page.text
    # Only what is marked public: never an officer's own mobile, nor an officer not listed.
    assert accept.mobile and accept.mobile not in page.text
    review = next(o for o in officers if o.username == "gd.440103.review")
    assert review.name not in page.text
    # A unit or place name still filters the province's list.
    listed = await new_browser().get("/contacts", params={"region": "gd", "q": "深圳"})
    assert "深圳市市场监督管理局" in listed.text and "广州市市场监督管理局" not in listed.text
    fragment = await new_browser().get(
        "/contacts", params={"region": "gd", "q": "<script>"}, headers={"HX-Request": "true"}
    )
    assert "没有找到“&lt;script&gt;”相关的单位" in fragment.text and "<html" not in fragment.text
    assert "请选择省份" in (await new_browser().get("/contacts", params={"region": "zz"})).text


async def test_a_province_page_never_shows_another_provinces_bureaus(new_browser) -> None:
    browser = new_browser()
    # A Jiangsu place asked of Guangdong's list is not answered with Jiangsu's bureaus.
    page = await browser.get("/contacts", params={"region": "gd", "q": "苏州市"})
    assert "苏州市市场监督管理局" not in page.text and "江苏省" not in page.text.split('id="contact-rows"')[1]
    jiangsu = await browser.get("/contacts", params={"q": "苏州市"})
    assert "苏州市市场监督管理局" in jiangsu.text and "广东省药品监督管理局" not in jiangsu.text


def _option(html: str, name: str) -> str:
    found = re.search(rf'<option value="([0-9a-f-]{{36}})"[^>]*>{re.escape(name)}（', html)
    assert found, name
    return found.group(1)


async def test_a_city_administrator_keeps_the_contacts_of_their_units_only(platform, new_browser) -> None:
    admin = new_browser()
    await admin.sign_in("/p/gd/office", "gd.440100.admin")
    index = await admin.get("/p/gd/office/admin/contacts/")
    listing = index.text.split("<main", 1)[1]
    assert index.status_code == 200 and "广州市荔湾区市场监督管理局" in listing
    assert "深圳市市场监督管理局" not in listing and "广东省药品监督管理局" not in listing
    unit, officers = await _officers_of(platform, "gd", "440103")
    link = re.search(rf'href="(/p/gd/office/admin/contacts/{unit.id})"', index.text).group(1)
    page = await admin.get(link)
    assert page.status_code == 200 and 'action="/p/gd/office/admin/contacts/' in page.text
    review = next(o for o in officers if o.username == "gd.440103.review")
    refused = await admin.post(
        f"{link}/people",
        {"officer_id": _option(page.text, review.name), "work_phone": "13800138000x", "duties": ""},
    )
    assert (
        refused.status_code == 400
        and "办公电话只能包含数字" in refused.text
        and "请填写负责的业务" in refused.text
    )
    assert review.name not in (await new_browser().get("/contacts", params={"q": "广州市荔湾区"})).text
    saved = await admin.post(
        f"{link}/people",
        {
            "officer_id": _option(page.text, review.name),
            "work_phone": "020-81234567",
            "duties": "注册材料审核咨询",
        },
    )
    assert saved.status_code == 303
    public = await new_browser().get("/contacts", params={"q": "广州市荔湾区"})
    assert review.name in public.text and "020-81234567" in public.text and "注册材料审核咨询" in public.text
    assert review.mobile not in public.text
    details = await admin.post(
        f"{link}/details", {"phone": "020-81112222", "address": "广州市荔湾区中山八路10号", "email": "x@y"}
    )
    assert details.status_code == 400 and "电子邮箱格式不正确" in details.text
    details = await admin.post(
        f"{link}/details",
        {
            "phone": "020-81112222",
            "address": "广州市荔湾区中山八路10号",
            "postcode": "510145",
            "email": "lw@gd.gov.example",
        },
    )
    assert details.status_code == 303
    assert "020-81112222" in (await new_browser().get("/contacts", params={"q": "荔湾区"})).text
    # Units outside the city, and another province's, are as if they did not exist.
    shenzhen, _ = await _officers_of(platform, "gd", "440300")
    province, province_officers = await _officers_of(platform, "gd", "440000")
    for other in (shenzhen, province):
        assert (await admin.get(f"/p/gd/office/admin/contacts/{other.id}")).status_code == 404
        forged = await admin.post(
            f"/p/gd/office/admin/contacts/{other.id}/people",
            {"officer_id": str(province_officers[0].id), "work_phone": "020-1234567", "duties": "x"},
        )
        assert forged.status_code == 404
    assert (await admin.get("/p/js/office/admin/contacts/")).status_code in (302, 303, 401, 403, 404)
    # An officer of another unit cannot be listed on this one.
    stranger = await admin.post(
        f"{link}/people",
        {"officer_id": str(province_officers[0].id), "work_phone": "020-81234567", "duties": "冒名"},
    )
    assert stranger.status_code == 400 and "请从本单位在岗的工作人员中选择" in stranger.text
    # Removing: the form on the page, and the audit log keeps every change.
    page = await admin.get(link)
    remove = re.search(rf'action="({link}/people/{review.id}/remove)"', page.text).group(1)
    assert (await admin.post(remove, {})).status_code == 303
    assert review.name not in (await new_browser().get("/contacts", params={"q": "广州市荔湾区"})).text
    province_admin = new_browser()
    await province_admin.sign_in("/p/gd/office", "gd.admin")
    audit = await province_admin.get("/p/gd/office/admin/audit", params={"action": "public_contacts_changed"})
    assert "广州市荔湾区市场监督管理局" in audit.text and review.name in audit.text


async def test_a_province_administrator_lists_a_province_officer(platform, new_browser) -> None:
    admin = new_browser()
    await admin.sign_in("/p/gd/office", "gd.admin")
    province, officers = await _officers_of(platform, "gd", "440000")
    page = await admin.get(f"/p/gd/office/admin/contacts/{province.id}")
    decide = next(o for o in officers if o.username == "gd.decide")
    saved = await admin.post(
        f"/p/gd/office/admin/contacts/{province.id}/people",
        {
            "officer_id": _option(page.text, decide.name),
            "work_phone": "020-37886000转8012",
            "duties": "注册审批咨询",
        },
    )
    assert saved.status_code == 303
    public = await new_browser().get("/contacts", params={"q": "广东省"})
    assert decide.name in public.text and "020-37886000转8012" in public.text
    # Jiangsu's administrator reaches none of it, even with Guangdong's unit id.
    other = new_browser()
    await other.sign_in("/p/js/office", "js.admin")
    assert (await other.get(f"/p/gd/office/admin/contacts/{province.id}")).status_code in (
        302,
        303,
        401,
        403,
        404,
    )
    forged = await other.post(
        f"/p/gd/office/admin/contacts/{province.id}/people",
        {"officer_id": str(decide.id), "work_phone": "020-1234567", "duties": "x"},
    )
    assert forged.status_code in (302, 303, 401, 403, 404)
