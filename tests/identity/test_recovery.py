"""Recovering and protecting accounts: password reset by text message, and TOTP second factor."""

import re
import time

import pyotp
from sqlalchemy import func, select

from pharmreg.audit.models import TenantAuditEntry
from pharmreg.messaging import RecordingSmsProvider
from pharmreg.messaging.models import SentMessage
from tests.browser import captcha_answer, captcha_token, without_volatile
from tests.people import STRONG, audit_actions, last_code, make_officer

NEW = "Autumn#Leaves2026"


async def test_reset_by_text_message_ends_every_session(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.forgetful", mobile="13711112222")
    desk, phone = new_browser(), new_browser()
    await desk.sign_in("/p/gd/office", "gd.forgetful", STRONG)
    assert (await desk.get("/p/gd/office/")).status_code == 200

    await phone.get("/p/gd/office/reset")
    sent = await phone.post("/p/gd/office/reset", {"login": "gd.forgetful", "mobile": "13711112222"})
    assert sent.status_code == 200 and "验证码" in sent.text
    code = await last_code(platform, "13711112222")
    assert code is not None

    wrong = await phone.post(
        "/p/gd/office/reset/confirm",
        {
            "login": "gd.forgetful",
            "code": "000000" if code != "000000" else "111111",
            "password": NEW,
            "password_confirm": NEW,
        },
    )
    assert wrong.status_code == 400 and "验证码错误或已过期" in wrong.text
    done = await phone.post(
        "/p/gd/office/reset/confirm",
        {"login": "gd.forgetful", "code": code, "password": NEW, "password_confirm": NEW},
    )
    assert done.status_code == 303 and done.headers["location"] == "/p/gd/office/login?reset=1"
    # The code works once; the old password no longer does; the other device is signed out.
    again = await phone.post(
        "/p/gd/office/reset/confirm",
        {
            "login": "gd.forgetful",
            "code": code,
            "password": "Winter#Snow2026",
            "password_confirm": "Winter#Snow2026",
        },
    )
    assert again.status_code == 400
    assert (await desk.get("/p/gd/office/")).status_code == 303
    assert (await phone.sign_in("/p/gd/office", "gd.forgetful", STRONG)).status_code == 400
    assert (await phone.sign_in("/p/gd/office", "gd.forgetful", NEW)).status_code == 303
    assert {"password_reset_requested", "password_reset"} <= set(
        await audit_actions(platform, "gd", "gd.forgetful")
    )


async def test_reset_answer_does_not_reveal_accounts(platform, browser) -> None:
    await make_officer(platform, "gd", "gd.private", mobile="13722223333")
    await browser.get("/p/gd/office/reset")
    real = await browser.post("/p/gd/office/reset", {"login": "gd.private", "mobile": "13799990000"})
    ghost = await browser.post("/p/gd/office/reset", {"login": "gd.nobody", "mobile": "13799990000"})
    assert real.status_code == ghost.status_code == 200
    notice = re.compile(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', re.S)
    assert notice.findall(real.text) == notice.findall(ghost.text)
    # A mismatched mobile gets no message at all.
    assert await last_code(platform, "13799990000") is None
    assert await last_code(platform, "13722223333") is None


async def test_reset_in_one_province_does_not_reach_another(platform, browser) -> None:
    await make_officer(platform, "js", "js.samename", mobile="13733334444")
    await browser.get("/p/gd/office/reset")
    await browser.post("/p/gd/office/reset", {"login": "js.samename", "mobile": "13733334444"})
    assert await last_code(platform, "13733334444") is None


async def test_reset_refuses_weak_passwords_before_using_the_code(platform, browser) -> None:
    await make_officer(platform, "sc", "sc.weakling", mobile="13744445555")
    await browser.get("/p/sc/office/reset")
    await browser.post("/p/sc/office/reset", {"login": "sc.weakling", "mobile": "13744445555"})
    code = await last_code(platform, "13744445555")
    weak = await browser.post(
        "/p/sc/office/reset/confirm",
        {"login": "sc.weakling", "code": code, "password": "short", "password_confirm": "short"},
    )
    assert weak.status_code == 400 and "密码长度至少" in weak.text
    ok = await browser.post(
        "/p/sc/office/reset/confirm",
        {"login": "sc.weakling", "code": code, "password": NEW, "password_confirm": NEW},
    )
    assert ok.status_code == 303  # the refused attempt did not use the code up


def _secret(page: str) -> str:
    found = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
    assert found, "the enrolment page shows the secret for manual entry"
    return found.group(1)


async def test_totp_enrolment_sign_in_and_replay(platform, browser, new_browser) -> None:
    await make_officer(platform, "bj", "bj.careful")
    await browser.sign_in("/p/bj/office", "bj.careful", STRONG)
    page = await browser.get("/p/bj/office/totp")
    assert "<svg" in page.text  # the QR code to scan
    totp = pyotp.TOTP(_secret(page.text))
    bad = await browser.post("/p/bj/office/totp", {"action": "enable", "code": "123456"})
    assert bad.status_code == 400 and "口令不正确" in bad.text
    now = time.time()
    enrolled = await browser.post("/p/bj/office/totp", {"action": "enable", "code": totp.at(now)})
    assert enrolled.status_code == 303

    other = new_browser()
    first = await other.sign_in("/p/bj/office", "bj.careful", STRONG)
    assert first.status_code == 303 and first.headers["location"].startswith("/p/bj/office/login/totp")
    # The password alone does not open the office.
    assert (await other.get("/p/bj/office/")).status_code == 303
    await other.get(first.headers["location"])
    replayed = await other.post("/p/bj/office/login/totp", {"code": totp.at(now)})
    assert replayed.status_code == 400 and "动态口令错误" in replayed.text
    fresh = totp.at(now + 30)  # the next step (one step of clock drift is accepted)
    passed = await other.post("/p/bj/office/login/totp", {"code": fresh, "next": "/p/bj/office/"})
    assert passed.status_code == 303 and passed.headers["location"] == "/p/bj/office/"
    assert (await other.get("/p/bj/office/")).status_code == 200
    assert "totp_enabled" in await audit_actions(platform, "bj", "bj.careful")


async def test_totp_codes_cannot_be_guessed(platform, browser, new_browser) -> None:
    await make_officer(platform, "bj", "bj.guarded")
    await browser.sign_in("/p/bj/office", "bj.guarded", STRONG)
    page = await browser.get("/p/bj/office/totp")
    totp = pyotp.TOTP(_secret(page.text))
    await browser.post("/p/bj/office/totp", {"action": "enable", "code": totp.now()})

    thief = new_browser()  # has the password, not the phone
    first = await thief.sign_in("/p/bj/office", "bj.guarded", STRONG)
    await thief.get(first.headers["location"])
    wrong = "000000" if totp.now() != "000000" else "111111"

    async def guess(previous: str | None) -> str:
        data = {"code": wrong}
        token = captcha_token(previous) if previous else None
        if token:  # after two wrong codes, each guess costs a picture typed in
            data |= {"captcha_token": token, "captcha": await captcha_answer(token)}
        return (await thief.post("/p/bj/office/login/totp", data)).text

    page = None
    for n in range(4):
        page = await guess(page)
        assert "动态口令错误" in page and (captcha_token(page) is not None) == (n >= 1)
    locked = await guess(page)
    assert "已暂停登录 15 分钟" in locked
    # The half-signed-in session is gone, and this source is locked out for the password too.
    assert (await thief.get("/p/bj/office/login/totp")).headers["location"] == "/p/bj/office/login"
    again = await thief.sign_in("/p/bj/office", "bj.guarded", STRONG)
    assert again.status_code == 400 and "已暂停" in again.text
    actions = await audit_actions(platform, "bj", "bj.guarded")
    assert actions.count("sign_in_failed") >= 5 and "locked_out" in actions


async def test_production_records_never_show_codes(platform) -> None:
    """Where real people get the messages, the development provider's records mask the codes."""
    sms = RecordingSmsProvider(platform.db, reveal_codes=False)
    await sms.send(
        tenant_slug="gd",
        mobile="13766667777",
        purpose="password_reset",
        text="验证码 493817，10 分钟内有效",
        secret="493817",
    )
    async with platform.db.national() as session:
        kept = await session.scalar(select(SentMessage.text).where(SentMessage.mobile == "13766667777"))
    assert kept == "验证码 ******，10 分钟内有效"


async def _reset_rows(platform, slug: str) -> int:
    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(TenantAuditEntry)
                .where(TenantAuditEntry.action == "password_reset_requested")
            )
        )


async def test_a_flood_of_reset_requests_is_limited_and_writes_no_audit_rows(platform, new_browser) -> None:
    before = await _reset_rows(platform, "sc")
    flood = new_browser("203.0.113.44")
    await flood.get("/p/sc/office/reset")
    answers = [
        await flood.post("/p/sc/office/reset", {"login": f"sc.nobody{n}", "mobile": f"137{n:08d}"})
        for n in range(30)
    ]
    # The first requests get the usual answer; then the address is told to wait. No audit row
    # was written for logins that name no account.
    assert all(a.status_code == 200 and "如果账号和手机号码无误" in a.text for a in answers[:10])
    assert all(a.status_code == 429 and "申请验证码过于频繁" in a.text for a in answers[10:])
    assert await _reset_rows(platform, "sc") == before


async def test_reset_requests_for_one_account_are_limited_from_anywhere(platform, new_browser) -> None:
    await make_officer(platform, "sc", "sc.popular", mobile="13733334444")
    before = await _reset_rows(platform, "sc")
    answers = []
    for n in range(8):  # from eight addresses: the per-address limit never applies
        browser = new_browser(f"203.0.113.{50 + n}")
        await browser.get("/p/sc/office/reset")
        answers.append(
            await browser.post("/p/sc/office/reset", {"login": "sc.popular", "mobile": "13799998888"})
        )
    assert {a.status_code for a in answers} == {200}  # the same answer throughout
    assert await _reset_rows(platform, "sc") == before + 5  # audited up to the per-account limit
    # The stranger's wrong numbers do not use up the holder's own requests.
    holder = new_browser("198.51.100.44")
    await holder.get("/p/sc/office/reset")
    same = await holder.post("/p/sc/office/reset", {"login": "sc.popular", "mobile": "13733334444"})
    assert same.status_code == 200 and await last_code(platform, "13733334444") is not None
    # Nor can anyone who knows the number have it texted more than five times an hour.
    for n in range(7):
        browser = new_browser(f"203.0.113.{60 + n}")
        await browser.get("/p/sc/office/reset")
        await browser.post("/p/sc/office/reset", {"login": "sc.popular", "mobile": "13733334444"})
    async with platform.db.national() as session:
        sent = await session.scalar(
            select(func.count()).select_from(SentMessage).where(SentMessage.mobile == "13733334444")
        )
    assert sent == 1  # one code a minute at most, five requests an hour at most


async def test_reset_answers_alike_for_known_and_unknown_accounts_within_limits(
    platform, new_browser
) -> None:
    await make_officer(platform, "sc", "sc.quiet", mobile="13733335555")
    known, unknown = new_browser("203.0.113.70"), new_browser("203.0.113.71")
    await known.get("/p/sc/office/reset")
    await unknown.get("/p/sc/office/reset")
    a = await known.post("/p/sc/office/reset", {"login": "sc.quiet", "mobile": "13733335555"})
    b = await unknown.post("/p/sc/office/reset", {"login": "sc.ghost", "mobile": "13733335555"})
    assert a.status_code == b.status_code == 200
    assert without_volatile(a).replace("sc.quiet", "X") == without_volatile(b).replace("sc.ghost", "X")
