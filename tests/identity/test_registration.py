"""Applicants register themselves, with proof: the real name verified (name, ID number and the
qualification certificate number against the national record) and the mobile number
confirmed by a code. Nothing tells a stranger whether an ID number is registered."""

import asyncio
import re
import time
from datetime import date

import httpx
import msgspec
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from pharmreg.audit import SYSTEM
from pharmreg.identity import SecurityRules, register_applicant_account
from pharmreg.identity.models import Applicant
from pharmreg.identity.service.accounts import IdentityTakenError, MobileTakenError
from pharmreg.identity.service.proof import PendingProof
from pharmreg.messaging.models import SentMessage
from tests.browser import without_volatile
from tests.people import last_code, minute_passes
from tests.pharmacists import (
    Pharmacist,
    add_qualification,
    prove_identity,
    register_account,
    resident_id,
    ticket_of,
)

STRONG = "Blue#River2026"


def identity(person: Pharmacist, **overrides: str) -> dict[str, str]:
    data = {
        "name": person.name,
        "document_type": "resident_id",
        "document_number": person.id_number,
        "certificate_no": person.qualification_no,
        "mobile": person.mobile,
    }
    return data | overrides


async def someone(platform, name: str, serial: int, *, division: str = "510104") -> Pharmacist:
    person = Pharmacist(name, resident_id(division, date(1988, 5, 12), serial), f"1390001{serial:04d}", "")
    person.qualification_no = await add_qualification(platform, person)
    return person


async def applicants(platform) -> int:
    async with platform.db.national() as session:
        return int(await session.scalar(select(func.count()).select_from(Applicant)))


async def texts_to(platform, mobile: str) -> list[SentMessage]:
    async with platform.db.national() as session:
        return list(await session.scalars(select(SentMessage).where(SentMessage.mobile == mobile)))


async def test_register_with_a_code_then_sign_in_and_out(browser, platform, settings) -> None:
    person = await someone(platform, "欧阳明", 3)
    step = await prove_identity(platform, browser, person)
    assert step.status_code == 200 and "验证码已发送至 139****0003" in step.text
    [sms] = await texts_to(platform, person.mobile)
    assert sms.purpose == "register_code" and "5 分钟内有效" in sms.text
    code = await last_code(platform, person.mobile)
    # The code is kept hashed: nothing in Redis holds it in clear.
    redis = Redis.from_url(settings.redis_url)
    stored = [await redis.get(k) async for k in redis.scan_iter("pharmreg:proof:*")]
    await redis.aclose()
    assert stored and not any(code.encode() in (value or b"") for value in stored)

    done = await browser.post(
        "/account/register/confirm",
        {"ticket": ticket_of(step.text), "code": code, "password": STRONG, "password_confirm": STRONG},
    )
    assert done.status_code == 303 and done.headers["location"] == "/account/?welcome=1"
    home = await browser.get("/account/")
    assert "欧阳明，您好" in home.text
    masked = f"{person.id_number[:4]}{'*' * 10}{person.id_number[-4:]}"
    assert masked in home.text and person.id_number not in home.text
    async with platform.db.national() as session:
        account = await session.scalar(select(Applicant).where(Applicant.id_number == person.id_number))
    assert account.mobile_confirmed_at is not None and account.verified_by == "qualification"
    await browser.post("/account/logout")
    assert (await browser.sign_in("/account", person.mobile, STRONG)).status_code == 303


async def test_an_impostor_who_knows_name_and_id_number_cannot_register(browser, platform) -> None:
    """What the old form asked for is no longer enough: the certificate number must match."""
    person = await someone(platform, "司马青", 5)
    before = await applicants(platform)
    impostor = {
        "name": person.name,
        "document_type": "resident_id",
        "document_number": person.id_number,
        "mobile": "13800000555",
        "password": STRONG,
        "password_confirm": STRONG,
    }
    await browser.get("/account/register")
    for guess in ("", "QA0000000000", person.qualification_no[:-1] + "9"):
        refused = await browser.post("/account/register", impostor | {"certificate_no": guess})
        assert refused.status_code == 400
    assert (
        "请填写执业药师职业资格证书上的证书编号"
        in (await browser.post("/account/register", impostor | {"certificate_no": ""})).text
    )
    assert "证书编号与姓名、证件号码在全国执业药师资格数据中不相符" in refused.text
    assert await applicants(platform) == before
    assert await texts_to(platform, "13800000555") == []  # no code for a failed real-name check


async def test_registered_or_not_the_stranger_sees_the_same(platform, new_browser, make_pharmacist) -> None:
    registered, _ = await make_pharmacist("东方白")
    unregistered = await someone(platform, "东方红", 7)
    pages = []
    for person, address in ((registered, "203.0.113.31"), (unregistered, "203.0.113.32")):
        stranger = new_browser(address)
        await stranger.get("/account/register")
        response = await stranger.post(
            "/account/register", identity(person, certificate_no="WRONG-0001", mobile="13800000777")
        )
        pages.append((response.status_code, _without_tokens(response, person)))
    assert pages[0] == pages[1]
    assert "已注册" not in pages[0][1]


def _without_tokens(response: httpx.Response, person: Pharmacist) -> str:
    return without_volatile(response).replace(person.name, "X").replace(person.id_number, "Y")


async def test_the_code_is_single_use_expires_and_allows_few_attempts(browser, platform, settings) -> None:
    person = await someone(platform, "慕容雪", 9)
    step = await prove_identity(platform, browser, person)
    ticket = ticket_of(step.text)
    code = await last_code(platform, person.mobile)
    wrong = "000000" if code != "000000" else "111111"
    data = {"ticket": ticket, "password": STRONG, "password_confirm": STRONG}
    for left in (4, 3, 2, 1):
        refused = await browser.post("/account/register/confirm", data | {"code": wrong})
        assert refused.status_code == 400 and f"还可以再试 {left} 次" in refused.text
    fifth = await browser.post("/account/register/confirm", data | {"code": wrong})
    assert "验证码错误次数过多" in fifth.text
    assert "重新获取" in (await browser.post("/account/register/confirm", data | {"code": code})).text
    # A new code works (after the minute's pause), and only once.
    await minute_passes(person.mobile)
    resent = await browser.post("/account/register/resend", {"ticket": ticket})
    assert "新的验证码已发送" in resent.text
    fresh = await last_code(platform, person.mobile)
    # ... but not after five minutes.
    await _age_code(settings, ticket, seconds=301)
    late = await browser.post("/account/register/confirm", data | {"code": fresh})
    assert late.status_code == 400 and "验证码已过期" in late.text
    assert await applicants_with(platform, person) == 0


async def applicants_with(platform, person: Pharmacist) -> int:
    async with platform.db.national() as session:
        return int(
            await session.scalar(select(func.count()).where(Applicant.id_number == person.id_number)) or 0
        )


async def _age_code(settings, ticket: str, *, seconds: int) -> None:
    """As if the code had been sent `seconds` earlier."""
    import hashlib

    redis = Redis.from_url(settings.redis_url)
    key = f"pharmreg:proof:{hashlib.sha256(ticket.encode()).hexdigest()}"
    proof = msgspec.json.decode(await redis.get(key), type=PendingProof)
    proof.code_sent_at = time.time() - seconds
    await redis.set(key, msgspec.json.encode(proof), keepttl=True)
    await redis.aclose()


async def test_codes_cannot_flood_a_phone(new_browser, platform, settings) -> None:
    person = await someone(platform, "欧阳锋", 11)
    browser = new_browser("203.0.113.33")
    await prove_identity(platform, browser, person)
    again = await prove_identity(platform, browser, person)
    assert again.status_code == 400 and "秒后再重新获取" in again.text
    for _ in range(4):
        await minute_passes(person.mobile)
        assert (await prove_identity(platform, new_browser(), person)).status_code == 200
    await minute_passes(person.mobile)
    sixth = await prove_identity(platform, new_browser(), person)
    assert sixth.status_code == 400 and "接收验证码的次数已达上限" in sixth.text
    assert len(await texts_to(platform, person.mobile)) == 5


async def test_real_name_checks_are_limited_per_address_and_per_id_number(new_browser, platform) -> None:
    """Nobody guesses certificate numbers: 20 checks an hour from an address, 10 per ID number."""
    person = await someone(platform, "上官燕", 13)
    browser = new_browser("203.0.113.34")
    await browser.get("/account/register")
    for n in range(20):
        other = resident_id("510104", date(1980, 1, 1), 500 + n)
        wrong = await browser.post("/account/register", identity(person, document_number=other))
        assert "不相符" in wrong.text
    limited = await browser.post("/account/register", identity(person))
    assert limited.status_code == 400 and "核验过于频繁" in limited.text
    for n in range(9):  # the tenth check of this ID number was the refused one above
        guesser = new_browser(f"203.0.113.{140 + n}")
        await guesser.get("/account/register")
        wrong = await guesser.post("/account/register", identity(person, certificate_no=f"GUESS{n:04d}"))
        assert "不相符" in wrong.text
    last = new_browser("203.0.113.150")
    await last.get("/account/register")
    assert "核验过于频繁" in (await last.post("/account/register", identity(person))).text
    assert await texts_to(platform, person.mobile) == []


async def test_every_problem_at_once_and_values_kept(browser, platform) -> None:
    before = await applicants(platform)
    await browser.get("/account/register")
    response = await browser.post(
        "/account/register",
        {
            "name": "x",
            "document_type": "resident_id",
            "document_number": "510104198805120030",
            "mobile": "2345",
        },
    )
    assert response.status_code == 400
    for message in (
        "与证件一致的姓名",
        "校验码错误",
        "请填写执业药师职业资格证书上的证书编号",
        "手机号码应为 11 位数字",
    ):
        assert message in response.text
    assert 'value="510104198805120030"' in response.text  # what was typed is kept
    assert await applicants(platform) == before


async def test_a_foreign_document_needs_birth_date_and_sex(browser, platform) -> None:
    person = Pharmacist("安娜", "E98765432", "13900004321", "")
    person.qualification_no = await add_qualification(platform, person)
    await browser.get("/account/register")
    missing = await browser.post("/account/register", identity(person, document_type="passport"))
    assert missing.status_code == 400
    assert "请填写正确的出生日期" in missing.text and "请选择性别" in missing.text
    step = await browser.post(
        "/account/register", identity(person, document_type="passport", birth_date="1979-03-02", sex="F")
    )
    assert step.status_code == 200
    done = await browser.post(
        "/account/register/confirm",
        {
            "ticket": ticket_of(step.text),
            "code": await last_code(platform, person.mobile),
            "password": STRONG,
            "password_confirm": STRONG,
        },
    )
    assert done.status_code == 303


async def test_a_weak_password_keeps_the_code_and_the_details(browser, platform) -> None:
    person = await someone(platform, "令狐冲", 15)
    step = await prove_identity(platform, browser, person)
    code = await last_code(platform, person.mobile)
    weak = await browser.post(
        "/account/register/confirm",
        {"ticket": ticket_of(step.text), "code": code, "password": "short", "password_confirm": "short"},
    )
    assert weak.status_code == 400 and "密码长度至少 10 位" in weak.text and "short" not in weak.text
    done = await register_step_two(browser, ticket_of(weak.text), code)
    assert done.status_code == 303


async def register_step_two(browser, ticket: str, code: str):
    return await browser.post(
        "/account/register/confirm",
        {"ticket": ticket, "code": code, "password": STRONG, "password_confirm": STRONG},
    )


async def test_back_to_the_form_keeps_what_was_typed(browser, platform) -> None:
    person = await someone(platform, "任盈盈", 17)
    step = await prove_identity(platform, browser, person)
    back = await browser.post("/account/register/back", {"ticket": ticket_of(step.text)})
    assert back.status_code == 200 and f'value="{person.qualification_no}"' in back.text
    # The old ticket and its code are void.
    gone = await register_step_two(browser, ticket_of(step.text), await last_code(platform, person.mobile))
    assert gone.status_code == 400 and "验证已过期" in gone.text


async def test_a_mobile_number_of_another_account(platform, new_browser, make_pharmacist) -> None:
    holder, _ = await make_pharmacist("岳灵珊")
    newcomer = await someone(platform, "林平之", 19)
    newcomer.mobile = holder.mobile
    await minute_passes(holder.mobile)
    browser = new_browser()
    response = await register_account(platform, browser, newcomer, STRONG)
    assert response.status_code == 409 and "该手机号码已注册账号" in response.text


async def test_the_form_is_accessible(browser) -> None:
    page = (await browser.get("/account/register")).text
    for name in ("name", "document_type", "document_number", "certificate_no", "mobile"):
        tag = re.search(rf'<(input|select)[^>]*name="{name}"[^>]*>', page, re.S).group(0)
        assert " required" in tag, name
    assert "data-focus-first-error" in page
    failed = (await browser.post("/account/register", {"document_type": "resident_id"})).text
    for name in ("name", "document_number", "certificate_no", "mobile"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', failed, re.S).group(0)
        assert 'aria-invalid="true"' in tag and f"e-{name}" in tag, name
        assert f'id="e-{name}"' in failed


async def test_two_people_racing_for_one_mobile_number(platform) -> None:
    """Both proved their identity at the same moment; the database lets one in, the other is told."""
    rules = SecurityRules()

    def proof(first17: str, name: str) -> PendingProof:
        return PendingProof(
            purpose="register",
            name=name,
            id_type="resident_id",
            id_number=resident_id(first17[:6], date(1990, 1, 1), int(first17[-3:])),
            birth_date=date(1990, 1, 1),
            sex="M",
            certificate_no="QA-RACE",
            mobile="13900009999",
            verified_by="qualification",
            created_at=time.time(),
            confirmed_at=time.time(),
        )

    async with platform.db.national() as first, platform.db.national() as second:
        await first.begin()
        await second.begin()
        await register_applicant_account(
            first, proof("44010619900101003", "甲某某"), password=STRONG, rules=rules, actor=SYSTEM
        )
        racing = asyncio.create_task(
            register_applicant_account(
                second, proof("44010619900101011", "乙某某"), password=STRONG, rules=rules, actor=SYSTEM
            )
        )
        await asyncio.sleep(0.3)
        await first.commit()
        with pytest.raises((MobileTakenError, IdentityTakenError)):
            await racing
        await second.rollback()
    async with platform.db.national() as session:
        holders = await session.scalar(select(func.count()).where(Applicant.mobile == "13900009999"))
    assert holders == 1
