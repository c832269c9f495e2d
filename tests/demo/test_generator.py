"""Demo data looks real: valid ID numbers and credit codes, Chinese names, reproducible."""

import random
from datetime import date

from sqlalchemy import select

from pharmreg.demo import load_demo
from pharmreg.demo.generator import organisation, person, uscc
from pharmreg.demo.loader import DemoReport
from pharmreg.identity import verify_password
from pharmreg.identity.models import Applicant
from pharmreg.kit.codes import check_uscc, parse_resident_id

TODAY = date(2026, 11, 25)


def test_people_have_valid_id_numbers() -> None:
    rng = random.Random(1)
    for _ in range(500):
        someone = person(rng, "440106", today=TODAY)
        parsed = parse_resident_id(someone.id_number, today=TODAY)
        assert parsed.birth_date == someone.birth_date
        assert parsed.sex == someone.sex
        assert 2 <= len(someone.name) <= 3
        assert someone.mobile.startswith("1") and len(someone.mobile) == 11


def test_credit_codes_are_valid() -> None:
    rng = random.Random(2)
    for _ in range(500):
        code = uscc(rng, "320505", public_institution=rng.random() < 0.2)
        assert check_uscc(code) == code
        assert code[2:8] == "320505"


def test_generation_is_reproducible() -> None:
    first = organisation(
        random.Random(3), unit_type="retail", division_code="440106", place="广州市天河区", city="广州市",
        province_abbr="粤", today=TODAY,
    )  # fmt: skip
    second = organisation(
        random.Random(3), unit_type="retail", division_code="440106", place="广州市天河区", city="广州市",
        province_abbr="粤", today=TODAY,
    )  # fmt: skip
    assert first == second
    assert first.name.startswith("广州市天河区") and first.name.endswith("大药房有限公司")


async def test_demo_accounts_exist_with_the_documented_password(platform) -> None:
    from pharmreg.demo import demo_logins
    from pharmreg.identity import list_officers

    logins = demo_logins(platform.directory, platform.index)
    usernames = {login.username for login in logins}
    assert {"nmpa.admin", "gd.admin", "gd.accept", "gd.440100.decide", "bj.110101.accept"} <= usernames
    gd = platform.directory.get("gd")
    async with platform.db.tenant(gd.schema) as session:
        officers = {o.username: o for o in await list_officers(session)}
    assert officers["gd.admin"].positions == ["tenant_admin"]
    assert officers["gd.440100.decide"].unit_name == "广州市市场监督管理局"
    async with platform.db.national() as session:
        applicant = await session.scalar(select(Applicant).where(Applicant.id_type == "resident_id").limit(1))
    assert parse_resident_id(applicant.id_number, today=TODAY).sex == applicant.sex


async def test_extension_b_names_survive_the_database(platform) -> None:
    async with platform.db.national() as session:
        names = set(await session.scalars(select(Applicant.name).where(Applicant.name.like("%𠮷%"))))
        hashes = list(await session.scalars(select(Applicant.password_hash).limit(1)))
    assert names == {"王𠮷"}
    assert verify_password(hashes[0], "Pharmreg#2026")


async def test_loading_again_adds_nothing(platform) -> None:
    """ops/run loads the demo at every start: the second time must leave everything as it was."""
    model = platform.authority_model
    report = await load_demo(
        platform.db, platform.directory, platform.index, today=date.today(), authority_model=model, history=0
    )
    assert report == DemoReport()
