"""Bad input and actions out of turn: a clear message in Chinese, and nothing changed."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date

import pytest
from sqlalchemy import func, select

from pharmreg.applications.models import Application, Attachment
from pharmreg.kit.db import transaction
from pharmreg.practice import UnitType, practice_unit_by_uscc
from pharmreg.register import (
    Decided,
    Province,
    RegisterConflictError,
    Registrant,
    Terms,
    load_rules,
    person_key,
    register_first,
)
from pharmreg.register.models import RegisterEntry, Registration
from tests.applications.files import jpeg, pdf, png
from tests.applications.journeys import fill, start, upload
from tests.pharmacists import add_unit, seed_registration


async def _attachments(platform, slug: str, ref: str) -> int:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Attachment).join(Application).where(Application.ref == ref)
            )
        )


@pytest.mark.parametrize(
    ("material", "name", "content", "message"),
    [
        ("id_copy", "id.pdf", png(), "扩展名与内容不符：内容是 PNG"),
        ("id_copy", "id.pdf", b"MZ\x90\x00" + b"\x00" * 400, "不是 PDF、JPG 或 PNG"),
        ("id_copy", "id.pdf", b"%PDF-1.7\n" + b"0" * 500, "PDF 文件不完整"),
        ("photo", "photo.pdf", pdf(), "只能上传 JPG 或 PNG"),
        ("id_copy", "big.pdf", b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n", "文件超过 5 MB"),
        ("id_copy", "empty.pdf", b"", "文件为空"),
        ("nonsense", "id.pdf", pdf(), "请选择材料类型"),
    ],
)
async def test_bad_files_are_refused_and_not_stored(
    platform, make_pharmacist, material, name, content, message
) -> None:
    _person, browser = await make_pharmacist("吴可欣", division="320102")
    ref = await start(browser, "js", "first_registration")
    response = await upload(browser, "js", ref, material, name, content, "application/octet-stream")
    assert response.status_code == 400 and message in response.text
    assert await _attachments(platform, "js", ref) == 0


async def test_good_files_are_kept_with_their_hash(platform, make_pharmacist) -> None:
    _person, browser = await make_pharmacist("吴可心", division="320102")
    ref = await start(browser, "js", "first_registration")
    assert (await upload(browser, "js", ref, "photo", "me.JPG", jpeg(), "image/jpeg")).status_code == 200
    duplicate = await upload(browser, "js", ref, "photo", "again.jpg", jpeg(), "image/jpeg")
    assert duplicate.status_code == 400 and "该文件已上传过" in duplicate.text
    async with platform.db.tenant("tenant_js") as session:
        stored = (
            await session.scalars(select(Attachment).join(Application).where(Application.ref == ref))
        ).one()
    assert stored.sha256 == hashlib.sha256(jpeg()).hexdigest() and stored.content_type == "image/jpeg"


async def test_every_rule_of_the_pre_check_speaks_at_once(platform, make_pharmacist) -> None:
    person, browser = await make_pharmacist("郑一鸣", division="320102", birth=date(1950, 1, 1))
    expired = await add_unit(platform, "js", "320102", licence_until=date(2020, 1, 1), name="过期许可证药房")
    hospital = await add_unit(platform, "js", "320102", unit_type=UnitType.MEDICAL, name="玄武区人民医院")
    ref = await start(browser, "js", "first_registration")
    findings = await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy,tcm",
        scope="distribution",
        unit_uscc=expired,
    )
    assert "执业类别“中药学”需要对应类别的执业药师职业资格证书" in findings
    assert "许可证已于 2020-01-01 过期" in findings
    assert "已年满" in findings and "提示" in findings  # an age warning, never a refusal
    findings = await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=hospital,
    )
    assert "该类执业单位只能注册以下执业范围：药品使用" in findings
    bad_code = expired[:-1] + ("0" if expired[-1] != "0" else "1")
    findings = await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=bad_code,
    )
    assert "校验" in findings
    gd_unit = await add_unit(platform, "gd", "440106")
    findings = await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=gd_unit,
    )
    assert "本省执业单位库中没有该单位" in findings  # a unit of another province is not found here


async def test_a_second_active_registration_is_refused(platform, make_pharmacist) -> None:
    person, browser = await make_pharmacist("冯子涵", division="440106")
    unit = await add_unit(platform, "gd", "440106")
    await seed_registration(platform, "gd", person, unit, date(2025, 1, 1))
    js_unit = await add_unit(platform, "js", "320102")
    ref = await start(browser, "js", "first_registration")
    findings = await fill(
        browser,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=js_unit,
        declaration="yes",
    )
    assert "您在广东省已有有效注册" in findings
    refused = await browser.post(f"/account/applications/js/{ref}/submit", {})
    assert refused.status_code == 409
    async with platform.db.tenant("tenant_js") as session:
        assert await session.scalar(select(Application.status).where(Application.ref == ref)) == "draft"


async def test_two_provinces_deciding_at_once_make_one_registration(platform, make_pharmacist) -> None:
    person, _browser = await make_pharmacist("陈若溪", division="440106")
    units = {"gd": await add_unit(platform, "gd", "440106"), "js": await add_unit(platform, "js", "320102")}
    start_line = asyncio.Event()

    async def decide(slug: str):
        tenant = platform.directory.get(slug)
        async with platform.db.tenant(tenant.schema) as session, platform.db.national() as national:
            unit = await practice_unit_by_uscc(session, units[slug])
            rules = await load_rules(session)
            await start_line.wait()
            try:
                async with transaction(session), transaction(national):
                    await register_first(
                        session,
                        national,
                        province=Province(
                            tenant.slug, tenant.name, tenant.authority_name, tenant.division_code
                        ),
                        registrant=Registrant(
                            person_key("resident_id", person.id_number),
                            None,
                            "resident_id",
                            person.id_number,
                            person.name,
                            "F",
                        ),
                        terms=Terms("pharmacy", "distribution", unit.id, unit.name, unit.division_code, "x"),
                        rules=rules,
                        decided=Decided(None, "测试", date.today()),
                    )
            except RegisterConflictError as exc:
                return str(exc)
            return "registered"

    racers = [asyncio.create_task(decide("gd")), asyncio.create_task(decide("js"))]
    await asyncio.sleep(0.05)
    start_line.set()
    outcomes = await asyncio.gather(*racers)
    assert outcomes.count("registered") == 1
    assert any(o.startswith("该人员在全国已有有效注册") for o in outcomes)
    async with platform.db.national() as session:
        active = await session.scalar(
            select(func.count())
            .select_from(RegisterEntry)
            .where(
                RegisterEntry.person_key == f"resident_id:{person.id_number}",
                RegisterEntry.status == "active",
            )
        )
    assert active == 1
    for slug in ("gd", "js"):  # the loser's province kept nothing
        async with platform.db.tenant(f"tenant_{slug}") as session:
            count = await session.scalar(
                select(func.count())
                .select_from(Registration)
                .where(Registration.id_number == person.id_number)
            )
            assert count in (0, 1)
