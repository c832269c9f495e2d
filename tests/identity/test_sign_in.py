"""Signing in: sessions, lockout, CSRF, forced password change, sign-out everywhere."""

import pytest

from tests.people import STRONG, audit_actions, make_officer


async def test_officer_signs_in_to_their_own_province_only(browser) -> None:
    response = await browser.sign_in("/p/gd/office", "gd.accept")
    assert response.status_code == 303 and response.headers["location"] == "/p/gd/office/"
    assert "待办" in (await browser.get("/p/gd/office/")).text
    # The same browser is not signed in for another province: it is sent to that sign-in page.
    other = await browser.get("/p/js/office/")
    assert other.status_code == 303 and other.headers["location"].startswith("/p/js/office/login")
    # And js's officers cannot sign in at gd with their js account.
    refused = await browser.sign_in("/p/gd/office", "js.accept")
    assert refused.status_code == 400 and "用户名或密码错误" in refused.text


async def test_lockout_after_repeated_failures(new_browser, platform) -> None:
    await make_officer(platform, "sc", "sc.lockme")
    browser = new_browser("203.0.113.5")
    page = None
    for _ in range(4):
        failed = await browser.sign_in("/p/sc/office", "sc.lockme", "Wrong#Pass2026", solve=page)
        assert failed.status_code == 400 and "用户名或密码错误" in failed.text
        page = failed.text
    fifth = await browser.sign_in("/p/sc/office", "sc.lockme", "Wrong#Pass2026", solve=page)
    assert "本设备已暂停登录 15 分钟" in fifth.text
    # Even the right password is refused from here while locked, with a clear message.
    locked = await browser.sign_in("/p/sc/office", "sc.lockme", STRONG)
    assert locked.status_code == 400 and "已暂停 15 分钟" in locked.text
    actions = await audit_actions(platform, "sc", "sc.lockme")
    assert actions.count("sign_in_failed") == 5 and "locked_out" in actions


async def test_forms_without_csrf_token_are_refused(browser) -> None:
    await browser.get("/p/gd/office/login")
    response = await browser.http.post(
        "/p/gd/office/login", data={"login": "gd.accept", "password": "Pharmreg#2026"}
    )
    assert response.status_code == 403
    assert "页面已过期或来源无效" in response.text


async def test_htmx_requests_carry_the_token_in_a_header(browser) -> None:
    await browser.sign_in("/p/gd/office", "gd.admin")
    page = await browser.get("/p/gd/office/admin/users/")
    assert 'hx-headers=\'{"x-csrf-token": "' in page.text
    without = await browser.http.post("/p/gd/office/tasks/1/claim", headers={"HX-Request": "true"})
    assert without.status_code == 403


async def test_password_set_by_admin_must_be_changed(browser, platform) -> None:
    officer = await make_officer(platform, "bj", "bj.newbie")
    tenant = platform.directory.get("bj")
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        row = await session.get(type(officer), officer.id)
        row.must_change_password = True
    await browser.sign_in("/p/bj/office", "bj.newbie", STRONG)
    forced = await browser.get("/p/bj/office/")
    assert forced.status_code == 303 and forced.headers["location"] == "/p/bj/office/password"
    page = await browser.get("/p/bj/office/password")
    assert "请先设置新密码" in page.text
    same = await browser.post(
        "/p/bj/office/password", {"current": STRONG, "password": STRONG, "password_confirm": STRONG}
    )
    assert same.status_code == 400 and "新密码不能与当前密码相同" in same.text
    changed = await browser.post(
        "/p/bj/office/password",
        {"current": STRONG, "password": "Fresh#Start2026", "password_confirm": "Fresh#Start2026"},
    )
    assert changed.status_code == 303
    assert (await browser.get("/p/bj/office/")).status_code == 200


async def test_sign_out_everywhere(new_browser, platform) -> None:
    await make_officer(platform, "js", "js.twodevices")
    phone, desk = new_browser(), new_browser()
    await phone.sign_in("/p/js/office", "js.twodevices", STRONG)
    await desk.sign_in("/p/js/office", "js.twodevices", STRONG)
    assert (await phone.get("/p/js/office/")).status_code == 200
    await desk.get("/p/js/office/account/")
    await desk.post("/p/js/office/logout-everywhere")
    assert (await phone.get("/p/js/office/")).status_code == 303
    assert (await desk.get("/p/js/office/")).status_code == 303


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
async def test_next_never_leaves_the_site(browser, next_url) -> None:
    await browser.get("/p/gd/office/login")
    response = await browser.post(
        "/p/gd/office/login", {"login": "gd.review", "password": "Pharmreg#2026", "next": next_url}
    )
    assert response.headers["location"] == "/p/gd/office/"


async def test_another_sites_odd_cookie_does_not_sign_anyone_out(browser, new_browser) -> None:
    await browser.sign_in("/p/gd/office", "gd.review")
    token = browser.http.cookies.get("pharmreg_session")
    bare = new_browser()
    for header in (f'prefs={{"k":"v"}}; pharmreg_session={token}', f"x=a b; pharmreg_session={token}"):
        response = await bare.http.get("/p/gd/office/", headers={"cookie": header})
        assert response.status_code == 200, header
