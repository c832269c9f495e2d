"""业务办理网站 kept by the province administrator: validated, audited, carried to the portal
through the outbox, and never another province's."""

from __future__ import annotations

import re

from pharmreg.tenancy import load_directory


async def _published(platform, app) -> None:
    """Let the relay carry the change to the registry, and the app read the registry anew."""
    await platform.relay().pass_once()
    async with platform.db.national() as session:
        app.state.platform.directory = await load_directory(session)


async def test_the_province_administrator_sets_the_provinces_sites(platform, app, new_browser) -> None:
    admin = new_browser()
    await admin.sign_in("/p/sc/office", "sc.admin")
    office = await admin.get("/p/sc/office/")
    assert 'href="/p/sc/office/admin/sites/"' in office.text
    page = await admin.get("/p/sc/office/admin/sites/")
    assert page.status_code == 200 and "默认：http://www.scpta.com.cn" in page.text
    assert "默认：https://www.cqlp.org.cn" in page.text  # continuing education: the national default
    refused = await admin.post(
        "/p/sc/office/admin/sites/",
        {"personnel_exam": "javascript:alert(1)", "continuing_education": "https://ce.sc.gov.example/x y"},
    )
    assert (
        refused.status_code == 400 and refused.text.count("请填写以 http:// 或 https:// 开头的完整网址") == 2
    )
    saved = await admin.post(
        "/p/sc/office/admin/sites/",
        {"personnel_exam": "", "continuing_education": "https://jxjy.sc.gov.example/ysjy", "exam_signup": ""},
    )
    assert saved.status_code == 303 and "已保存" in (await admin.get(saved.headers["location"])).text
    await _published(platform, app)
    visitor = new_browser()
    await visitor.post("/region", {"place": "成都市武侯区"})
    region = await visitor.get("/region")
    shown = 'href="https://jxjy.sc.gov.example/ysjy" rel="noopener" data-site="continuing_education">'
    assert shown + "四川省继续教育" in region.text
    assert 'href="http://www.scpta.com.cn"' in region.text  # left empty: the catalogue's own link
    home = await new_browser().get("/p/sc/")
    assert "https://jxjy.sc.gov.example/ysjy" in home.text
    # Another province keeps its own (here: the national default).
    assert "https://jxjy.sc.gov.example/ysjy" not in (await new_browser().get("/p/js/")).text
    audit = await admin.get("/p/sc/office/admin/audit", params={"action": "sites_changed"})
    assert "修改继续教育" in audit.text
    # Cleared again: back to the national default.
    await admin.post("/p/sc/office/admin/sites/", {"continuing_education": ""})
    await _published(platform, app)
    assert "https://jxjy.sc.gov.example/ysjy" not in (await new_browser().get("/p/sc/")).text


async def test_only_the_provinces_own_administrators_reach_its_sites(new_browser) -> None:
    city = new_browser()
    await city.sign_in("/p/sc/office", "sc.510100.admin")
    assert (await city.get("/p/sc/office/admin/sites/")).status_code in (403, 404)
    assert "admin/sites/" not in (await city.get("/p/sc/office/")).text
    other = new_browser()
    await other.sign_in("/p/js/office", "js.admin")
    forged = await other.post("/p/sc/office/admin/sites/", {"personnel_exam": "https://evil.example/"})
    assert forged.status_code in (302, 303, 401, 403, 404)
    assert re.search(r"evil\.example", (await new_browser().get("/p/sc/")).text) is None
