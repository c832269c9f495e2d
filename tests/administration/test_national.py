"""The national console: staff accounts, the first administrator of a province, the national audit log."""

import re
import uuid

from pharmreg.audit import SYSTEM, record_tenant_audit
from tests.people import audit_actions

PASSWORD = "Pharmreg#2026"


async def test_staff_and_superadmin_pages(new_browser) -> None:
    staff, root = new_browser(), new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    await root.sign_in("/national", "nmpa.root")
    assert (await staff.get("/national/")).status_code == 200
    refused = await staff.get("/national/admin/staff")
    assert refused.status_code == 403 and "只有超级管理员可以执行此操作" in refused.text
    assert "nmpa.analyst" in (await root.get("/national/admin/staff")).text
    # No officer of a province is national staff, whatever the browser tries.
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    assert (await officer.get("/national/")).headers["location"].startswith("/national/login")


async def test_national_staff_reach_their_password_and_sign_out_everywhere_from_every_page(
    new_browser,
) -> None:
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    home = await staff.get("/national/")
    assert 'href="/national/password"' in home.text
    assert (await staff.get("/national/password")).status_code == 200
    form = re.search(r'<form method="post" action="(/national/logout-everywhere)"', home.text)
    assert form is not None
    gone = await staff.post(form.group(1), data={})
    assert gone.status_code in (302, 303)
    assert (await staff.get("/national/")).headers["location"].startswith("/national/login")


async def test_superadmin_creates_and_deactivates_staff(new_browser) -> None:
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    await root.get("/national/admin/staff")
    bad = await root.post(
        "/national/admin/staff", {"username": "x", "name": "", "department": "", "password": "short"}
    )
    assert bad.status_code == 400 and "密码长度至少" in bad.text
    created = await root.post(
        "/national/admin/staff",
        {
            "username": "nmpa.temp",
            "name": "邓婉清",
            "department": "药品监督管理司",
            "password": "Initial#Pass2026",
        },
    )
    assert created.status_code == 303
    page = (await root.get("/national/admin/staff")).text
    temp = new_browser()
    await temp.sign_in("/national", "nmpa.temp", "Initial#Pass2026")
    assert (await temp.get("/national/password")).status_code == 200  # must set their own first
    row = re.search(r"nmpa\.temp.*?/national/admin/staff/([0-9a-f-]{36})/deactivate", page, re.S)
    assert row, "the new member is listed with a deactivate button"
    await root.post(f"/national/admin/staff/{row.group(1)}/deactivate")
    assert (await temp.get("/national/password")).status_code == 303  # signed out at once
    assert (await temp.sign_in("/national", "nmpa.temp", "Initial#Pass2026")).status_code == 400


async def test_first_administrator_of_a_province(platform, new_browser) -> None:
    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    form_page = await root.get("/national/admin/tenants/xz/admin")
    assert form_page.status_code == 200 and "西藏" in form_page.text
    assert (await root.get("/national/admin/tenants/nowhere/admin")).status_code == 404
    refused = await root.post(
        "/national/admin/tenants/xz/admin", {"username": "xz.admin", "name": "次仁", "password": "weak"}
    )
    assert refused.status_code == 400 and "密码长度至少" in refused.text
    made = await root.post(
        "/national/admin/tenants/xz/admin",
        {"username": "xz.admin", "name": "次仁", "password": "Initial#Pass2026", "mobile": "13800008888"},
    )
    assert made.status_code == 303 and made.headers["location"] == "/national/?admin_created=xz"
    admin = new_browser()
    await admin.sign_in("/p/xz/office", "xz.admin", "Initial#Pass2026")
    assert (await admin.get("/p/xz/office/")).headers["location"].endswith("/office/password")
    assert "officer_created" in await audit_actions(platform, "xz", "次仁（xz.admin）")


async def test_national_audit_sees_every_province_and_provinces_only_their_own(platform, new_browser) -> None:
    marker = uuid.uuid4().hex[:10]
    for slug in ("gd", "js"):
        tenant = platform.directory.get(slug)
        async with platform.db.tenant(tenant.schema) as session, session.begin():
            await record_tenant_audit(
                session,
                action="settings_changed",
                actor=SYSTEM,
                target=f"{slug}-{marker}",
                summary=f"测试 {marker}",
            )
    await platform.relay().pass_once()  # the national copy travels through the outbox
    root = new_browser()
    await root.sign_in("/national", "nmpa.admin")
    everything = (await root.get(f"/national/audit?q={marker}")).text
    assert f"gd-{marker}" in everything and f"js-{marker}" in everything
    # Provinces are named, not shown by their internal code.
    assert 'data-label="省份">广东省<' in everything and 'data-label="省份">江苏省<' in everything
    only_js = (await root.get(f"/national/audit?q={marker}&tenant=js")).text
    assert f"js-{marker}" in only_js and f"gd-{marker}" not in only_js
    admin = new_browser()
    await admin.sign_in("/p/gd/office", "gd.admin")
    own = (await admin.get(f"/p/gd/office/admin/audit?q={marker}")).text
    assert f"gd-{marker}" in own and f"js-{marker}" not in own
    # A tenant filter in a province's search is ignored, not obeyed.
    sneaky = (await admin.get(f"/p/gd/office/admin/audit?q={marker}&tenant=js")).text
    assert f"js-{marker}" not in sneaky


async def test_bad_audit_filters_are_reported(new_browser) -> None:
    root = new_browser()
    await root.sign_in("/national", "nmpa.admin")
    page = await root.get("/national/audit?since=yesterday&action=teleport")
    assert "日期格式应为 年-月-日" in page.text and "没有这种操作类型" in page.text
