"""Brute-force protection that nobody can use to lock someone else out: counted per account
and source in PostgreSQL, a picture before any lock, known devices, the holder told."""

from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.audit import SYSTEM
from pharmreg.identity import SecurityRules, StaffForm, create_staff_account
from pharmreg.messaging.models import OfficeMessage, SentMessage
from tests.browser import Browser, captcha_answer, captcha_token
from tests.people import STRONG, audit_actions, last_code, make_officer

WRONG = "Wrong#Pass2026"
ATTACKER = "203.0.113.66"


async def fail(browser: Browser, base: str, login: str, previous: str | None) -> str:
    """One wrong password that reaches the check (typing the picture when asked); the page."""
    response = await browser.sign_in(base, login, WRONG, solve=previous)
    if "请输入图中的数字后再登录" in response.text:  # the account's failures elsewhere ask for it
        response = await browser.sign_in(base, login, WRONG, solve=response.text)
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text, response.text[response.text.find("<main") :][:600]
    return response.text


async def fail_times(browser: Browser, base: str, login: str, times: int) -> str:
    page = None
    for _ in range(times):
        page = await fail(browser, base, login, page)
    assert page is not None
    return page


async def test_an_attackers_failures_elsewhere_do_not_stop_the_officer(platform, new_browser) -> None:
    await make_officer(platform, "sc", "sc.target1")
    attacker = new_browser(ATTACKER)
    last = await fail_times(attacker, "/p/sc/office", "sc.target1", 5)
    assert "本设备已暂停登录 15 分钟" in last
    # The attacker is stopped, even with the right password.
    refused = await attacker.sign_in_solving("/p/sc/office", "sc.target1", STRONG)
    assert refused.status_code == 400 and "已暂停" in refused.text

    # The officer, on a browser that never signed in before, from their office's address: the
    # account's failures ask for the picture, and then the right password opens the office.
    officer = new_browser("198.51.100.10")
    asked = await officer.sign_in("/p/sc/office", "sc.target1", STRONG)
    assert asked.status_code == 400 and "请输入图中的数字后再登录" in asked.text
    signed_in = await officer.sign_in("/p/sc/office", "sc.target1", STRONG, solve=asked.text)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/p/sc/office/"

    # Now that browser is a known device: more attacks from elsewhere do not even ask it for a picture.
    other = new_browser("203.0.113.67")
    await fail_times(other, "/p/sc/office", "sc.target1", 3)
    await officer.post("/p/sc/office/logout")
    again = await officer.sign_in("/p/sc/office", "sc.target1", STRONG)
    assert again.status_code == 303


async def test_a_brute_force_is_still_stopped(platform, new_browser) -> None:
    await make_officer(platform, "sc", "sc.target2")
    attacker = new_browser(ATTACKER)
    page = await fail_times(attacker, "/p/sc/office", "sc.target2", 2)
    # From the third try, no password is even checked without the picture: the right one neither.
    assert captcha_token(page)
    unsolved = await attacker.sign_in("/p/sc/office", "sc.target2", STRONG)
    assert unsolved.status_code == 400 and "请输入图中的数字后再登录" in unsolved.text
    wrong_picture = await attacker.post(
        "/p/sc/office/login",
        {
            "login": "sc.target2",
            "password": STRONG,
            "captcha_token": captcha_token(unsolved.text),
            "captcha": "0000",
        },
    )
    assert wrong_picture.status_code == 400 and "图中数字输入有误" in wrong_picture.text

    # A distributed attack that types every picture: each source is stopped after five tries,
    # and after twenty failures in all, no new device signs in, even with the right password.
    await fail_times(attacker, "/p/sc/office", "sc.target2", 3)
    for n in range(3):
        await fail_times(new_browser(f"203.0.113.{100 + n}"), "/p/sc/office", "sc.target2", 5)
    newcomer = new_browser("198.51.100.20")
    refused = await newcomer.sign_in_solving("/p/sc/office", "sc.target2", STRONG)
    assert refused.status_code == 400 and "暂停在新设备上登录" in refused.text
    assert "locked_out" in await audit_actions(platform, "sc", "sc.target2")


async def test_a_device_that_signed_in_before_gets_in_during_an_attack(platform, new_browser) -> None:
    await make_officer(platform, "sc", "sc.target3")
    desk = new_browser("198.51.100.30")
    assert (await desk.sign_in("/p/sc/office", "sc.target3", STRONG)).status_code == 303
    await desk.post("/p/sc/office/logout")
    for n in range(4):
        await fail_times(new_browser(f"203.0.113.{120 + n}"), "/p/sc/office", "sc.target3", 5)
    assert (
        await new_browser("198.51.100.31").sign_in_solving("/p/sc/office", "sc.target3", STRONG)
    ).status_code == 400
    # The desk's own failures still count against the desk alone.
    assert (await desk.sign_in("/p/sc/office", "sc.target3", STRONG)).status_code == 303


async def test_the_lock_survives_a_redis_restart(platform, new_browser, settings) -> None:
    await make_officer(platform, "sc", "sc.target4")
    attacker = new_browser(ATTACKER)
    await fail_times(attacker, "/p/sc/office", "sc.target4", 5)
    redis = Redis.from_url(settings.redis_url)
    await redis.flushdb()
    await redis.aclose()
    refused = await attacker.sign_in_solving("/p/sc/office", "sc.target4", STRONG)
    assert refused.status_code == 400 and "已暂停" in refused.text


async def test_the_officer_is_told_in_the_message_center(platform, new_browser) -> None:
    officer = await make_officer(platform, "sc", "sc.target5")
    await fail_times(new_browser(ATTACKER), "/p/sc/office", "sc.target5", 5)
    tenant = platform.directory.get("sc")
    async with platform.db.tenant(tenant.schema) as session:
        notes = list(
            await session.scalars(select(OfficeMessage).where(OfficeMessage.recipient_id == officer.id))
        )
    assert [n.subject for n in notes] == ["账号登录异常提醒"]
    assert ATTACKER in notes[0].body and "5 次登录失败" in notes[0].body


async def test_an_applicant_is_told_by_text_message(platform, make_pharmacist, new_browser) -> None:
    person, _ = await make_pharmacist("钱多多")
    await fail_times(new_browser(ATTACKER), "/account", person.mobile, 5)
    async with platform.db.national() as session:
        texts = list(
            await session.scalars(
                select(SentMessage.text).where(
                    SentMessage.mobile == person.mobile, SentMessage.purpose == "sign_in_alert"
                )
            )
        )
    assert len(texts) == 1 and "5 次登录失败" in texts[0]


async def test_a_login_that_names_nobody_is_treated_alike(platform, new_browser) -> None:
    """An attacker cannot tell real usernames from the throttle's answers."""
    await make_officer(platform, "gd", "gd.target7")
    pages = []
    for login, address in (("gd.target7", "203.0.113.90"), ("gd.nobody.here", "203.0.113.91")):
        pages.append(await fail_times(new_browser(address), "/p/gd/office", login, 5))
    assert all("本设备已暂停登录 15 分钟" in page for page in pages)
    assert [captcha_token(p) is None for p in pages] == [True, True]


async def test_national_staff_are_protected_alike(platform, new_browser) -> None:
    async with platform.db.national() as session, session.begin():
        await create_staff_account(
            session,
            StaffForm(username="nmpa.target8", name="测试员", department="综合司", password=STRONG),
            rules=SecurityRules(),
            actor=SYSTEM,
        )
    page = await fail_times(new_browser("203.0.113.95"), "/national", "nmpa.target8", 5)
    assert "本设备已暂停登录 15 分钟" in page
    signed_in = await new_browser("198.51.100.95").sign_in_solving("/national", "nmpa.target8", STRONG)
    assert signed_in.status_code == 303


async def test_a_reset_password_lifts_every_lock(platform, new_browser) -> None:
    await make_officer(platform, "sc", "sc.target6", mobile="13711116666")
    attacker = new_browser(ATTACKER)
    await fail_times(attacker, "/p/sc/office", "sc.target6", 5)
    holder = new_browser(ATTACKER)  # the holder behind the same address, e.g. the office's gateway
    await holder.get("/p/sc/office/reset")
    await holder.post("/p/sc/office/reset", {"login": "sc.target6", "mobile": "13711116666"})
    code = await last_code(platform, "13711116666")
    new = "Fresh#Start2026"
    done = await holder.post(
        "/p/sc/office/reset/confirm",
        {"login": "sc.target6", "code": code, "password": new, "password_confirm": new},
    )
    assert done.status_code == 303
    assert (await holder.sign_in("/p/sc/office", "sc.target6", new)).status_code == 303


async def test_a_picture_answer_is_used_once(platform, new_browser) -> None:
    await make_officer(platform, "js", "js.target9")
    attacker = new_browser("203.0.113.97")
    page = await fail_times(attacker, "/p/js/office", "js.target9", 2)
    token = captcha_token(page)
    answer = await captcha_answer(token)
    data = {"login": "js.target9", "password": WRONG, "captcha_token": token, "captcha": answer}
    first = await attacker.post("/p/js/office/login", data)
    assert "用户名或密码错误" in first.text
    replay = await attacker.post("/p/js/office/login", data)
    assert "图中数字输入有误" in replay.text


async def test_a_password_set_by_the_administrator_lifts_the_locks(platform, new_browser) -> None:
    officer = await make_officer(platform, "sc", "sc.target10")
    gateway = "203.0.113.210"  # the attacker and the officer behind the same address
    await fail_times(new_browser(gateway), "/p/sc/office", "sc.target10", 5)
    admin = new_browser()
    await admin.sign_in("/p/sc/office", "sc.admin")
    await admin.get(f"/p/sc/office/admin/users/{officer.id}")
    set_by_admin = "Given#ByAdmin2026"
    await admin.post(f"/p/sc/office/admin/users/{officer.id}/password", {"password": set_by_admin}, htmx=True)
    signed_in = await new_browser(gateway).sign_in("/p/sc/office", "sc.target10", set_by_admin)
    assert signed_in.status_code == 303
