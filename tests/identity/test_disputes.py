"""账号申诉, end to end: an impostor registered someone's ID; the real person proves who they
are and disputes; a province officer opens the documents and decides; the impostor is out."""

from __future__ import annotations

import re
import time
from datetime import date

from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.audit.models import NationalAuditEntry, TenantAuditEntry
from pharmreg.identity.models import AccountDispute, Applicant
from pharmreg.messaging.models import OfficeMessage, SentMessage
from tests.applications.files import jpeg, pdf, png
from tests.browser import Browser
from tests.people import last_code, minute_passes
from tests.pharmacists import (
    Pharmacist,
    add_qualification,
    prove_identity,
    register_account,
    resident_id,
    ticket_of,
)

FRONT, BACK, OTHER = jpeg(), png(), pdf("certificate")  # made once: PDFs carry their creation time
IMPOSTOR_PASSWORD = "Stolen#Name2026"
REAL_PASSWORD = "Mine#Truly2026"
STATEMENT = (
    "我从未注册过执业药师个人账号，今天注册时发现证件号码已被他人注册，"
    "怀疑是以前的工作单位用我的证件复印件注册的。"
)


async def texts(platform, mobile: str, purpose: str | None = None) -> list[str]:
    async with platform.db.national() as session:
        query = select(SentMessage.text).where(SentMessage.mobile == mobile).order_by(SentMessage.id)
        if purpose:
            query = query.where(SentMessage.purpose == purpose)
        return list(await session.scalars(query))


async def victim_and_impostor(
    platform, new_browser, serial: int, *, name: str = "钟离秋", division: str = "440106"
):
    """A pharmacist whose name, ID and certificate number an impostor knew and registered with
    their own mobile number (e.g. an employer holding a copy of the certificate)."""
    person = Pharmacist(name, resident_id(division, date(1987, 9, 9), serial), f"1391234{serial:04d}", "")
    person.qualification_no = await add_qualification(platform, person)
    impostor_browser = new_browser("203.0.113.201")
    as_impostor = Pharmacist(person.name, person.id_number, f"1380000{serial:04d}", person.qualification_no)
    assert (
        await register_account(platform, impostor_browser, as_impostor, IMPOSTOR_PASSWORD)
    ).status_code == 303
    return person, as_impostor, impostor_browser


async def file_dispute(platform, browser: Browser, person: Pharmacist, *, province: str | None = None):
    """The real person's journey: registering finds the ID taken, and the page leads to the dispute."""
    step = await prove_identity(platform, browser, person)
    taken = await browser.post(
        "/account/register/confirm",
        {
            "ticket": ticket_of(step.text),
            "code": await last_code(platform, person.mobile),
            "password": REAL_PASSWORD,
            "password_confirm": REAL_PASSWORD,
        },
    )
    assert taken.status_code == 409 and "该证件号码已有账号" in taken.text
    form = await browser.post("/account/disputes/confirm", {"ticket": ticket_of(taken.text)})
    assert form.status_code == 200 and "账号申诉：证件材料和情况说明" in form.text
    chosen = province or re.search(r'<option value="(\w+)" selected>', form.text).group(1)
    return form, await browser.post(
        "/account/disputes/file",
        {"ticket": ticket_of(form.text), "province": chosen, "statement": STATEMENT},
        files={
            "id_front": ("身份证人像面.jpg", FRONT, "image/jpeg"),
            "id_back": ("身份证国徽面.png", BACK, "image/png"),
            "other": ("资格证书.pdf", OTHER, "application/pdf"),
        },
    )


def dispute_code(html: str) -> str:
    return re.search(r'<code class="secret">([A-Z0-9-]{19})</code>', html).group(1)


async def dispute_id(platform, person: Pharmacist) -> int:
    async with platform.db.national() as session:
        return int(
            await session.scalar(
                select(AccountDispute.id)
                .where(AccountDispute.id_number == person.id_number)
                .order_by(AccountDispute.id.desc())
                .limit(1)
            )
        )


async def open_documents(officer: Browser, slug: str, number: int) -> list[bytes]:
    page = await officer.get(f"/p/{slug}/office/disputes/{number}")
    links = re.findall(rf'href="(/p/{slug}/office/disputes/{number}/documents/\d+)"', page.text)
    assert len(links) == 3
    return [(await officer.get(link)).content for link in links]


async def test_an_upheld_dispute_takes_the_account_from_the_impostor(platform, new_browser) -> None:
    person, impostor, impostor_browser = await victim_and_impostor(platform, new_browser, 401)
    assert "钟离秋，您好" in (await impostor_browser.get("/account/")).text

    real = new_browser("198.51.100.201")
    form, filed = await file_dispute(platform, real, person)
    # The province was suggested from the person's ID document (issued in Guangdong).
    assert '<option value="gd" selected>' in form.text
    assert filed.status_code == 200 and "申诉已提交" in filed.text
    code = dispute_code(filed.text)
    assert code in (await texts(platform, person.mobile, "dispute_filed"))[0]
    # The account's holder hears of it, and sees it on their account page; nothing else changes.
    assert "提出账号申诉" in (await texts(platform, impostor.mobile, "dispute_filed"))[0]
    home = await impostor_browser.get("/account/")
    assert home.status_code == 200 and "提出了账号申诉" in home.text and "广东省药品监督管理局" in home.text
    tracked = await real.post("/account/disputes/track", {"code": code.lower().replace("-", " ")})
    assert "待核实" in tracked.text

    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.admin")
    listing = await officer.get("/p/gd/office/disputes/")
    number = await dispute_id(platform, person)
    assert f"申诉 {number}" in listing.text and "钟离秋" in listing.text
    notices = await _notices_of(platform, "gd", "gd.admin")
    # The notice's link, relative to the office as the message center shows it, leads to the dispute.
    assert f"disputes/{number}" in notices
    page = await officer.get(f"/p/gd/office/disputes/{number}")  # where 前往办理 on the notice goes
    assert person.id_number not in page.text and impostor.mobile not in page.text  # masked
    assert "138****" in page.text and "已通过短信验证码验证" in page.text
    # No decision on documents nobody opened.
    early = await officer.post(
        f"/p/gd/office/disputes/{number}/decide", {"decision": "upheld", "reason": "证件照片与资格信息一致"}
    )
    assert early.status_code == 400 and "请先逐一查看" in early.text
    assert await open_documents(officer, "gd", number) == [FRONT, BACK, OTHER]
    decided = await officer.post(
        f"/p/gd/office/disputes/{number}/decide", {"decision": "upheld", "reason": "证件照片与资格信息一致"}
    )
    assert decided.status_code == 303
    assert "已作出决定" in (await officer.get(decided.headers["location"])).text

    # The impostor is out: the session ended, the password and the reset by their phone no longer work.
    assert (await impostor_browser.get("/account/")).status_code == 303
    assert "冒用他人身份注册" in (await texts(platform, impostor.mobile, "dispute_decided"))[0]
    assert (
        await impostor_browser.sign_in("/account", person.id_number, IMPOSTOR_PASSWORD)
    ).status_code == 400
    await impostor_browser.get("/account/reset")
    await impostor_browser.post("/account/reset", {"login": person.id_number, "mobile": impostor.mobile})
    assert await texts(platform, impostor.mobile, "password_reset") == []

    # The real person sets a password with a code sent to their own, proven phone.
    assert "核实成立" in (await texts(platform, person.mobile, "dispute_decided"))[0]
    await real.get("/account/reset")
    await real.post("/account/reset", {"login": person.id_number, "mobile": person.mobile})
    reset = await real.post(
        "/account/reset/confirm",
        {
            "login": person.id_number,
            "code": await last_code(platform, person.mobile),
            "password": REAL_PASSWORD,
            "password_confirm": REAL_PASSWORD,
        },
    )
    assert reset.status_code == 303
    assert (await real.sign_in("/account", person.mobile, REAL_PASSWORD)).status_code == 303
    assert "钟离秋，您好" in (await real.get("/account/")).text
    assert (await real.get("/account/credits")).status_code == 200
    assert "申诉成立" in (await real.post("/account/disputes/track", {"code": code})).text

    async with platform.db.national() as session:
        national = list(await session.scalars(select(NationalAuditEntry.action)))
        account = await session.scalar(select(Applicant).where(Applicant.id_number == person.id_number))
    assert "account_dispute_filed" in national
    assert account.mobile == person.mobile and account.verified_by == "qualification"
    tenant = platform.directory.get("gd")
    async with platform.db.tenant(tenant.schema) as session:
        actions = list(
            await session.scalars(
                select(TenantAuditEntry.action).where(TenantAuditEntry.target == f"账号申诉 {number}")
            )
        )
    assert actions.count("account_dispute_document_opened") == 3 and "account_dispute_upheld" in actions


async def _notices_of(platform, slug: str, username: str) -> list[str]:
    from pharmreg.identity.models import Officer

    tenant = platform.directory.get(slug)
    async with platform.db.tenant(tenant.schema) as session:
        officer = await session.scalar(select(Officer).where(Officer.username == username))
        return list(
            await session.scalars(select(OfficeMessage.link).where(OfficeMessage.recipient_id == officer.id))
        )


async def test_a_rejected_dispute_changes_nothing_and_says_why(platform, new_browser) -> None:
    person, holder, holder_browser = await victim_and_impostor(
        platform, new_browser, 402, name="秦少游", division="320102"
    )
    claimant = new_browser("198.51.100.202")
    _form, filed = await file_dispute(platform, claimant, person, province="js")
    code = dispute_code(filed.text)
    officer = new_browser()
    await officer.sign_in("/p/js/office", "js.admin")
    number = await dispute_id(platform, person)
    await open_documents(officer, "js", number)
    missing = await officer.post(
        f"/p/js/office/disputes/{number}/decide", {"decision": "rejected", "reason": ""}
    )
    assert missing.status_code == 400 and "请填写核实意见" in missing.text
    await officer.post(
        f"/p/js/office/disputes/{number}/decide", {"decision": "rejected", "reason": "证件照片与本人资料不符"}
    )
    again = await officer.post(
        f"/p/js/office/disputes/{number}/decide", {"decision": "upheld", "reason": "改变主意"}
    )
    assert again.status_code == 400 and "不能再次决定" in again.text
    assert (await holder_browser.get("/account/")).status_code == 200  # the holder keeps the account
    assert "证件照片与本人资料不符" in (await texts(platform, person.mobile, "dispute_decided"))[0]
    assert "不受影响" in (await texts(platform, holder.mobile, "dispute_decided"))[0]
    tracked = await claimant.post("/account/disputes/track", {"code": code})
    assert "申诉不成立" in tracked.text and "证件照片与本人资料不符" in tracked.text


async def test_one_province_never_sees_another_provinces_disputes(platform, new_browser) -> None:
    person, _impostor, _ = await victim_and_impostor(platform, new_browser, 403, name="欧阳修")
    await file_dispute(platform, new_browser("198.51.100.203"), person, province="gd")
    number = await dispute_id(platform, person)
    other = new_browser()
    await other.sign_in("/p/js/office", "js.admin")
    assert "欧阳修" not in (await other.get("/p/js/office/disputes/")).text
    assert "欧阳修" not in (await other.get("/p/js/office/disputes/?status=decided")).text
    for path in (f"/p/js/office/disputes/{number}", f"/p/js/office/disputes/{number}/documents/1"):
        assert (await other.get(path)).status_code == 404
    decide = await other.post(
        f"/p/js/office/disputes/{number}/decide", {"decision": "upheld", "reason": "越权"}
    )
    assert decide.status_code == 404
    # Nor do officers without the post, or a city's administrator.
    for login in ("gd.accept", "gd.440100.admin"):
        browser = new_browser()
        await browser.sign_in("/p/gd/office", login)
        assert (await browser.get(f"/p/gd/office/disputes/{number}")).status_code == 403, login
    async with platform.db.national() as session:
        assert (await session.get(AccountDispute, number)).status == "open"


async def test_documents_are_checked_by_their_content(platform, new_browser) -> None:
    person, _impostor, _ = await victim_and_impostor(platform, new_browser, 404)
    claimant = new_browser("198.51.100.204")
    step = await prove_identity(platform, claimant, person, start="/account/disputes/new")
    form = await claimant.post(
        "/account/disputes/confirm",
        {"ticket": ticket_of(step.text), "code": await last_code(platform, person.mobile)},
    )
    ticket = ticket_of(form.text)
    fake = await claimant.post(
        "/account/disputes/file",
        {"ticket": ticket, "province": "gd", "statement": "短"},
        files={"id_front": ("身份证.jpg", b"not an image at all", "image/jpeg")},
    )
    assert fake.status_code == 400
    for message in ("文件内容不是 JPG、PNG 或 PDF", "请上传身份证件国徽面", "10 至 1000 字"):
        assert message in fake.text
    assert await texts(platform, person.mobile, "dispute_filed") == []
    filed = await claimant.post(
        "/account/disputes/file",
        {"ticket": ticket, "province": "gd", "statement": STATEMENT},
        files={
            "id_front": ("a.jpg", jpeg(), "image/jpeg"),
            "id_back": ("b.jpg", jpeg("#112233"), "image/jpeg"),
        },
    )
    assert filed.status_code == 200


async def test_one_address_files_five_disputes_a_day_at_most(platform, new_browser, settings) -> None:
    person, _impostor, _ = await victim_and_impostor(platform, new_browser, 407)
    address = "198.51.100.206"
    redis = Redis.from_url(settings.redis_url)
    await redis.set(f"pharmreg:rate:dispute-file:{address}:{int(time.time()) // 86400}", 5, ex=86400)
    await redis.aclose()
    _form, filed = await file_dispute(platform, new_browser(address), person)
    assert filed.status_code == 400 and "本地址今天提交的申诉已达上限" in filed.text
    async with platform.db.national() as session:
        assert (
            await session.scalar(
                select(AccountDispute.id).where(AccountDispute.id_number == person.id_number)
            )
            is None
        )


async def test_a_second_filing_by_the_same_claimant_is_refused(platform, new_browser) -> None:
    person, _impostor, _ = await victim_and_impostor(platform, new_browser, 405)
    await file_dispute(platform, new_browser("198.51.100.207"), person)
    await minute_passes(person.mobile)
    again = new_browser("198.51.100.208")
    step = await prove_identity(platform, again, person, start="/account/disputes/new")
    form = await again.post(
        "/account/disputes/confirm",
        {"ticket": ticket_of(step.text), "code": await last_code(platform, person.mobile)},
    )
    refused = await again.post(
        "/account/disputes/file",
        {"ticket": ticket_of(form.text), "province": "gd", "statement": STATEMENT},
        files={"id_front": ("a.jpg", jpeg(), "image/jpeg"), "id_back": ("b.jpg", jpeg(), "image/jpeg")},
    )
    assert refused.status_code == 400 and "您已就该账号提出申诉" in refused.text


async def test_no_account_to_dispute_leads_to_registration(platform, new_browser) -> None:
    person = Pharmacist("闻人羽", resident_id("440106", date(1991, 1, 1), 406), "13912340406", "")
    person.qualification_no = await add_qualification(platform, person)
    browser = new_browser()
    step = await prove_identity(platform, browser, person, start="/account/disputes/new")
    page = await browser.post(
        "/account/disputes/confirm",
        {"ticket": ticket_of(step.text), "code": await last_code(platform, person.mobile)},
    )
    assert "尚未注册账号" in page.text
    done = await browser.post(
        "/account/register/confirm",
        {"ticket": ticket_of(page.text), "password": REAL_PASSWORD, "password_confirm": REAL_PASSWORD},
    )
    assert done.status_code == 303


async def test_a_dispute_cannot_hijack_a_genuine_account(platform, new_browser, make_pharmacist) -> None:
    """Someone holding a copy of a pharmacist's certificate disputes the genuine account: nothing
    changes for the holder until an officer decides, and the holder is told at once."""
    holder, holder_browser = await make_pharmacist("公孙策", division="440106")
    attacker = new_browser("203.0.113.209")
    as_attacker = Pharmacist(holder.name, holder.id_number, "13800009209", holder.qualification_no)
    _form, filed = await file_dispute(platform, attacker, as_attacker)
    assert filed.status_code == 200
    assert (await holder_browser.get("/account/")).status_code == 200
    assert len(await texts(platform, holder.mobile, "dispute_filed")) == 1
    await holder_browser.post("/account/logout")
    assert (await holder_browser.sign_in("/account", holder.mobile, "Blue#River2026")).status_code == 303
    # Not even the attacker's own code opens anything: a reset goes to the holder's phone only.
    await attacker.get("/account/reset")
    await attacker.post("/account/reset", {"login": holder.id_number, "mobile": "13800009209"})
    assert await texts(platform, "13800009209", "password_reset") == []
