"""Applicants register themselves: checked fields, one account per document, nothing half-made."""

import asyncio
from datetime import date

import pytest
from sqlalchemy import func, select

from pharmreg.audit import SYSTEM
from pharmreg.identity import ApplicantRegistration, SecurityRules, register_applicant_account
from pharmreg.identity.models import Applicant
from pharmreg.kit.codes import resident_id_check_char
from pharmreg.kit.forms import FormErrors

STRONG = "Blue#River2026"


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "欧阳明",
        "document_type": "resident_id",
        "document_number": resident_id("51010419880512003"),
        "mobile": "13900001234",
        "password": STRONG,
        "password_confirm": STRONG,
    }
    data.update(overrides)
    return data


async def applicants(platform) -> int:
    async with platform.db.national() as session:
        return int(await session.scalar(select(func.count()).select_from(Applicant)))


async def test_register_sign_in_and_out(browser, platform) -> None:
    await browser.get("/account/register")
    response = await browser.post("/account/register", form())
    assert response.status_code == 303 and response.headers["location"] == "/account/?welcome=1"
    home = await browser.get("/account/")
    assert "欧阳明，您好" in home.text
    number = resident_id("51010419880512003")
    assert f"510{'*' * 11}{number[-4:]}" in home.text and number not in home.text  # masked
    await browser.post("/account/logout")
    assert (await browser.get("/account/")).status_code == 303
    signed_in = await browser.sign_in("/account", "13900001234", STRONG)
    assert signed_in.status_code == 303
    assert "欧阳明，您好" in (await browser.get("/account/")).text


async def test_foreign_document_needs_birth_date_and_sex(browser) -> None:
    await browser.get("/account/register")
    missing = await browser.post(
        "/account/register", form(document_type="passport", document_number="E98765432", mobile="13900004321")
    )
    assert missing.status_code == 400
    assert "请填写正确的出生日期" in missing.text and "请选择性别" in missing.text
    ok = await browser.post(
        "/account/register",
        form(
            document_type="passport",
            document_number="E98765432",
            mobile="13900004321",
            birth_date="1979-03-02",
            sex="F",
        ),
    )
    assert ok.status_code == 303


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        ({"document_number": "510104198805120030"}, ["校验码错误"]),
        ({"document_number": resident_id("51010420300101003")}, ["出生日期不合理"]),
        ({"document_number": "12345"}, ["应为18位"]),
        ({"name": "x"}, ["与证件一致的姓名"]),
        ({"mobile": "2345"}, ["手机号码应为 11 位数字"]),
        ({"password": "short", "password_confirm": "short"}, ["密码长度至少 10 位"]),
        ({"password_confirm": "Other#River2026"}, ["两次输入的密码不一致"]),
        # Every problem of the form at once, not one per submission.
        ({"name": "", "mobile": "1", "document_number": "1"}, ["姓名", "手机号码", "应为18位"]),
    ],
)
async def test_refusals_change_nothing(browser, platform, overrides, messages) -> None:
    before = await applicants(platform)
    await browser.get("/account/register")
    response = await browser.post("/account/register", form(**overrides))
    assert response.status_code == 400
    for message in messages:
        assert message in response.text
    assert STRONG not in response.text  # passwords are never echoed back
    assert await applicants(platform) == before


async def test_one_account_per_document_and_per_mobile(browser, new_browser, platform) -> None:
    data = form(document_number=resident_id("32050519900909004"), mobile="13900005555", name="李娜")
    await browser.get("/account/register")
    assert (await browser.post("/account/register", data)).status_code == 303
    second = new_browser()
    await second.get("/account/register")
    again = await second.post("/account/register", data)
    assert again.status_code == 400
    assert "该证件号码已注册" in again.text and "该手机号码已用于其他账号" in again.text


async def test_two_people_racing_for_one_mobile_number(platform) -> None:
    """Both pass the checks at the same moment; the database lets one in and the other is told."""
    rules = SecurityRules()

    def registration(first17: str, name: str) -> ApplicantRegistration:
        return ApplicantRegistration(
            **form(document_number=resident_id(first17), mobile="13900009999", name=name)
        )

    async with platform.db.national() as first, platform.db.national() as second:
        await first.begin()
        await second.begin()
        await register_applicant_account(
            first, registration("44010619900101003", "甲某某"), rules=rules, today=date.today(), actor=SYSTEM
        )
        racing = asyncio.create_task(
            register_applicant_account(
                second,
                registration("44010619900101011", "乙某某"),
                rules=rules,
                today=date.today(),
                actor=SYSTEM,
            )
        )
        await asyncio.sleep(0.3)
        await first.commit()
        with pytest.raises(FormErrors, match="刚刚已被注册"):
            await racing
        await second.rollback()
    async with platform.db.national() as session:
        holders = await session.scalar(select(func.count()).where(Applicant.mobile == "13900009999"))
    assert holders == 1
