"""A city bureau's administrator administers the city and its counties, nothing more.

They manage their own officers, and pass on to their counties what the province allowed them
to; tenant-wide settings, the audit log and other cities stay out of reach.
"""

import re

import pytest

from tests.people import make_officer, unit_ids

OFFICE = "/p/gd/office"
AUTHORITY = f"{OFFICE}/admin/authority"


@pytest.fixture
async def city(new_browser):
    browser = new_browser()
    await browser.sign_in(OFFICE, "gd.440100.admin")
    return browser


def usernames(page: str) -> set[str]:
    return set(re.findall(r"<td>(gd\.[a-z0-9.]+)</td>", page))


async def test_city_admin_sees_and_manages_only_the_city(platform, city, new_browser) -> None:
    listed = usernames((await city.get(f"{OFFICE}/admin/users/")).text)
    assert {"gd.440100.admin", "gd.440100.accept", "gd.440103.accept"} <= listed  # the city, its districts
    assert not listed & {"gd.admin", "gd.accept", "gd.440200.accept"}  # not the province, not Shaoguan
    province = new_browser()
    await province.sign_in(OFFICE, "gd.admin")
    page = (await province.get(f"{OFFICE}/admin/users/?q=gd.accept")).text
    province_clerk = re.search(r"/p/gd/office/admin/users/([0-9a-f-]{36})", page).group(1)
    assert (await city.get(f"{OFFICE}/admin/users/{province_clerk}")).status_code == 404
    refused = await city.post(f"{OFFICE}/admin/users/{province_clerk}/deactivate", htmx=True)
    assert refused.status_code == 404
    units = await unit_ids(platform, "gd")
    form = {
        "username": "gd.city.made",
        "name": "范文涛",
        "unit_id": str(units["440000"]),
        "password": "Initial#Pass2026",
        "positions": "acceptance",
    }
    await city.get(f"{OFFICE}/admin/users/new")
    outside = await city.post(f"{OFFICE}/admin/users/", form)
    assert outside.status_code == 400 and "只能在本单位或所辖下级单位中新建工作人员" in outside.text
    inside = await city.post(f"{OFFICE}/admin/users/", dict(form, unit_id=str(units["440106"])))
    assert inside.status_code == 303


@pytest.mark.parametrize("path", ["/admin/security/", "/admin/audit", "/admin/messages"])
async def test_tenant_wide_pages_belong_to_the_province(city, path) -> None:
    response = await city.get(f"{OFFICE}{path}")
    assert response.status_code == 403 and "省级药品监管部门的系统管理员" in response.text


async def test_city_passes_on_only_what_it_may(platform, city, new_browser) -> None:
    units = await unit_ids(platform, "gd")
    province = new_browser()
    await province.sign_in(OFFICE, "gd.admin")
    matrix = (await city.get(f"{AUTHORITY}/")).text
    assert "天河区" in matrix and "深圳市" not in matrix

    def cell(unit: str, matter: str) -> str:
        return f"{AUTHORITY}/cell?unit={units[unit]}&matter={matter}"

    assert (await city.get(cell("440300", "renewal"))).status_code == 404  # Shenzhen: not theirs
    assert (await city.get(cell("440100", "renewal"))).status_code == 404  # nor their own unit
    await city.get(cell("440106", "renewal"))
    form = {
        "delegate_unit_id": str(units["440106"]),
        "matters": "renewal",
        "reason": "天河区试点",
        "valid_to": "",
    }
    unheld = await city.post(f"{AUTHORITY}/delegations", form, htmx=True)
    assert unheld.status_code == 400 and "本单位没有延续注册的审批权限，不能转授" in unheld.text
    shenzhen = dict(form, delegate_unit_id=str(units["440305"]))
    assert (await city.post(f"{AUTHORITY}/delegations", shenzhen, htmx=True)).status_code == 404

    await province.get(cell("440100", "renewal"))
    granted = await province.post(
        f"{AUTHORITY}/delegations",
        {
            "delegate_unit_id": str(units["440100"]),
            "matters": "renewal",
            "reason": "广州市试点",
            "may_redelegate": "on",
        },
        htmx=True,
    )
    assert granted.status_code == 200
    parent = re.search(r"/admin/authority/delegations/(\d+)/revoke", granted.text).group(1)
    # Now the city holds renewal in Tianhe: its cell offers to pass it on, not to take back.
    offered = (await city.get(cell("440106", "renewal"), headers={"HX-Request": "true"})).text
    assert "下放给广州市天河区" in offered and "收回审批权限" not in offered
    passed_on = await city.post(f"{AUTHORITY}/delegations", form, htmx=True)
    assert passed_on.status_code == 200 and "已下放 1 项" in passed_on.text
    after = (await city.get(cell("440106", "renewal"), headers={"HX-Request": "true"})).text
    assert (
        "当前由 <strong>广州市天河区" in after and "收回审批权限" in after
    )  # the city may take back its own
    # The city cannot take back what the province granted; the province takes back both.
    refused = await city.post(
        f"{AUTHORITY}/delegations/{parent}/revoke", {"reason": "越权", "confirmed": "yes"}, htmx=True
    )
    assert refused.status_code == 404
    back = await province.post(
        f"{AUTHORITY}/delegations/{parent}/revoke",
        {"reason": "试点结束", "confirmed": "yes", "unit_id": str(units["440100"])},
        htmx=True,
    )
    assert back.status_code == 200 and "已收回 2 项授权" in back.text


async def test_county_admin_has_nothing_to_pass_on(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.county.admin", ("tenant_admin",), "440106")
    county = new_browser()
    await county.sign_in(OFFICE, "gd.county.admin", "Green#Hills2026")
    page = await county.get(f"{AUTHORITY}/")
    assert page.status_code == 200 and "没有下级单位" in page.text
