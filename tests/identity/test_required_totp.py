"""Administrators can require sign-in with a second factor; whoever lacks one enrols first."""

import re

import msgspec
import pyotp
from sqlalchemy import select, update

from pharmreg.audit import SYSTEM
from pharmreg.audit.models import TenantAuditEntry
from pharmreg.identity import SECURITY_LIMITS, SecurityRules, StaffForm, create_staff_account, security_rules
from pharmreg.identity.models import NationalSecuritySetting, NationalStaff, TenantSecuritySetting
from tests.browser import Browser
from tests.people import STRONG, make_officer


def _secret(html: str) -> str:
    found = re.search(r'<code class="secret">([A-Z2-7]+)</code>', html)
    assert found, "the enrolment page shows the secret"
    return found.group(1)


async def _rule_form(session, required: str) -> dict[str, str]:
    """The security settings form as the page shows it, with the second-factor rule chosen."""
    rules = msgspec.structs.asdict(await security_rules(session))
    return {name: str(rules[name]) for name in SECURITY_LIMITS} | {"totp_required": required}


async def _enrol(browser: Browser, base: str) -> None:
    page = await browser.get(f"{base}/totp")
    assert page.status_code == 200
    enabled = await browser.post(
        f"{base}/totp", {"action": "enable", "code": pyotp.TOTP(_secret(page.text)).now()}
    )
    assert enabled.status_code == 303


async def test_a_province_requires_the_second_factor(platform, new_browser) -> None:
    tenant = platform.directory.get("qh")
    await make_officer(platform, "qh", "qh.sysadmin", ("tenant_admin",))
    await make_officer(platform, "qh", "qh.clerk", ("acceptance",))
    admin, clerk = new_browser(), new_browser()
    try:
        assert (await admin.sign_in("/p/qh/office", "qh.sysadmin", STRONG)).status_code == 303
        assert (await clerk.sign_in("/p/qh/office", "qh.clerk", STRONG)).status_code == 303
        page = await admin.get("/p/qh/office/admin/security/")
        assert "系统管理员必须启用" in page.text and "全体工作人员必须启用" in page.text
        async with platform.db.tenant(tenant.schema) as session:
            form = await _rule_form(session, "admins")
        bad = await admin.post("/p/qh/office/admin/security/", form | {"totp_required": "sometimes"})
        assert bad.status_code == 400 and "请选择要求启用动态口令的范围" in bad.text
        saved = await admin.post("/p/qh/office/admin/security/", form)
        assert saved.status_code == 200 and "已保存" in saved.text

        # The administrator, who has no second factor yet, is sent to enrol before anything else.
        for path in ("/p/qh/office/", "/p/qh/office/admin/users/", "/p/qh/office/messages/"):
            sent = await admin.get(path)
            assert sent.status_code == 303 and sent.headers["location"] == "/p/qh/office/totp", path
        enrol = await admin.get("/p/qh/office/totp")
        assert "须先启用动态口令" in enrol.text
        await _enrol(admin, "/p/qh/office")
        assert (await admin.get("/p/qh/office/")).status_code == 200
        # The clerk holds no administrator's post: nothing changes for them.
        assert (await clerk.get("/p/qh/office/")).status_code == 200

        async with platform.db.tenant(tenant.schema) as session:
            form = await _rule_form(session, "all")
        assert (await admin.post("/p/qh/office/admin/security/", form)).status_code == 200
        async with platform.db.tenant(tenant.schema) as session:
            summaries = list(
                await session.scalars(
                    select(TenantAuditEntry.summary).where(TenantAuditEntry.action == "settings_changed")
                )
            )
        assert any("动态口令要求 系统管理员必须启用→全体工作人员必须启用" in s for s in summaries)
        # At the clerk's next sign-in (or click) the enrolment comes first; signing out still works.
        again = new_browser()
        signed_in = await again.sign_in("/p/qh/office", "qh.clerk", STRONG)
        assert signed_in.status_code == 303
        first = await again.get(signed_in.headers["location"])
        assert first.status_code == 303 and first.headers["location"] == "/p/qh/office/totp"
        assert (await clerk.get("/p/qh/office/deadlines")).headers["location"] == "/p/qh/office/totp"
        await _enrol(again, "/p/qh/office")
        assert (await again.get("/p/qh/office/deadlines")).status_code == 200
        # The next sign-in asks for the code, as for anyone with a second factor.
        await again.post("/p/qh/office/logout")
        assert (
            (await again.sign_in("/p/qh/office", "qh.clerk", STRONG))
            .headers["location"]
            .startswith("/p/qh/office/login/totp")
        )
    finally:
        async with platform.db.tenant(tenant.schema) as session, session.begin():
            await session.execute(update(TenantSecuritySetting).values(totp_required="none"))


async def test_another_province_is_not_affected(platform, new_browser) -> None:
    tenant = platform.directory.get("nx")
    await make_officer(platform, "qh", "qh.neighbour", ("tenant_admin",))
    try:
        async with platform.db.tenant(tenant.schema) as session, session.begin():
            await session.execute(update(TenantSecuritySetting).values(totp_required="all"))
        # nx requiring the second factor changes nothing in qh.
        browser = new_browser()
        await browser.sign_in("/p/qh/office", "qh.neighbour", STRONG)
        assert (await browser.get("/p/qh/office/")).status_code == 200
    finally:
        async with platform.db.tenant(tenant.schema) as session, session.begin():
            await session.execute(update(TenantSecuritySetting).values(totp_required="none"))


async def test_the_national_rule_binds_national_staff(platform, new_browser) -> None:
    async with platform.db.national() as session, session.begin():
        await create_staff_account(
            session,
            StaffForm(username="nmpa.root2", name="测试超管", department="信息中心", password=STRONG),
            rules=SecurityRules(),
            actor=SYSTEM,
            role="superadmin",
        )
        await create_staff_account(
            session,
            StaffForm(username="nmpa.clerk2", name="测试职员", department="注册司", password=STRONG),
            rules=SecurityRules(),
            actor=SYSTEM,
        )
        await session.execute(
            update(NationalStaff)
            .where(NationalStaff.username.in_(["nmpa.root2", "nmpa.clerk2"]))
            .values(must_change_password=False)
        )
    root, clerk = new_browser(), new_browser()
    try:
        await root.sign_in("/national", "nmpa.root2", STRONG)
        await clerk.sign_in("/national", "nmpa.clerk2", STRONG)
        page = await root.get("/national/admin/security")
        assert "超级管理员必须启用" in page.text
        async with platform.db.national() as session:
            form = await _rule_form(session, "admins")
        assert (await root.post("/national/admin/security", form)).status_code == 200
        assert (await root.get("/national/")).headers["location"] == "/national/totp"
        assert (await clerk.get("/national/")).status_code == 200
        await _enrol(root, "/national")
        assert (await root.get("/national/")).status_code == 200
    finally:
        async with platform.db.national() as session, session.begin():
            await session.execute(update(NationalSecuritySetting).values(totp_required="none"))
