"""`pharmreg import qualifications|ce-credits` as an operator runs them: the help lists exactly the
columns accepted, a file goes in whole or not at all, refusals name their line."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pharmreg.kit.codes import resident_id_check_char
from pharmreg.kit.tabular import describe_columns
from pharmreg.qualifications import CREDIT_COLUMNS, QUALIFICATION_COLUMNS
from pharmreg.qualifications.models import CeCredit, Qualification
from tests.test_cli import run

_serial = itertools.count(1)


@pytest.fixture(scope="module")
def env(settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}


def id_number() -> str:
    serial = next(_serial)
    first17 = f"110228198805{serial % 28 + 1:02d}{serial % 1000:03d}"  # a retired county: no demo person
    return first17 + resident_id_check_char(first17)


def csv_file(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path = tmp_path / f"import{next(_serial)}.csv"
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def credits_of(platform, number: str) -> int:
    async with platform.db.national() as session:
        return await session.scalar(select(func.count()).where(CeCredit.id_number == number)) or 0


@pytest.mark.parametrize(
    ("command", "columns"), [("ce-credits", CREDIT_COLUMNS), ("qualifications", QUALIFICATION_COLUMNS)]
)
def test_the_help_lists_every_column_and_header_spelling_accepted(command: str, columns) -> None:
    result = run("import", command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for name, description in describe_columns(columns):
        assert name in text
        for spelling in description.split("；")[1].removeprefix("表头也可写作 ").split("、"):
            assert spelling in text


def credit_row(number: str, certificate: str, hours: str = "30") -> list[str]:
    return [number, "陆𠮷", "2025", "公需科目", hours, "10", "测试施教机构", certificate]


async def test_every_header_spelling_the_help_lists_is_accepted(env, platform, tmp_path) -> None:
    """One file per spelling: the help's second, third … spelling of every column at once."""
    spellings = [column.headers for column in CREDIT_COLUMNS]
    for index in range(max(len(s) for s in spellings)):
        number = id_number()
        header = [s[min(index, len(s) - 1)] for s in spellings]
        path = csv_file(tmp_path, header, [credit_row(number, f"CLI-HEADER-{index}-{number}")])
        result = run("import", "ce-credits", str(path), **env)
        assert result.returncode == 0, (header, result.stderr)
        assert await credits_of(platform, number) == 1


async def test_a_column_named_as_the_old_help_said_is_accepted(env, platform, tmp_path) -> None:
    number = id_number()
    header = ["证件号码", "姓名", "年度", "科目类型", "学时", "学分", "施教机构", "证明编号"]
    path = csv_file(tmp_path, header, [credit_row(number, f"CLI-OLD-{number}")])
    result = run("import", "ce-credits", str(path), **env)
    assert result.returncode == 0, result.stderr
    assert await credits_of(platform, number) == 1


async def test_a_file_with_bad_lines_is_refused_whole_with_every_line_named(env, platform, tmp_path) -> None:
    good, also_good = id_number(), id_number()
    header = [column.label for column in CREDIT_COLUMNS]
    rows = [
        credit_row(good, f"CLI-OK-{good}"),
        credit_row("123", "CLI-SHORT-ID"),  # an ID number of three characters
        credit_row(also_good, f"CLI-TINY-{also_good}", hours="0.000000001"),  # would be stored as 0
        credit_row(also_good, f"CLI-HUGE-{also_good}", hours="1E-100000"),  # was a raw traceback
    ]
    result = run("import", "ce-credits", str(csv_file(tmp_path, header, rows)), **env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "文件有 3 行有误，未导入任何数据" in result.stderr
    assert "第3行：证件号码格式不正确" in result.stderr
    assert "第4行：学时“0.000000001”最多保留 1 位小数" in result.stderr
    assert "第5行：学时“1E-100000”不是有效的数字" in result.stderr
    assert await credits_of(platform, good) == 0  # nothing half-written: the good line went neither
    assert await credits_of(platform, also_good) == 0


async def test_qualification_dates_in_full_width_and_the_usual_forms(env, platform, tmp_path) -> None:
    header = [column.label for column in QUALIFICATION_COLUMNS[:5]]
    people = {
        id_number(): day
        for day in ("２０２１年１０月２３日", "2021/10/23", "2021年10月23日", "２０２１－１０－２３")
    }
    rows = [[f"CLI{n[-8:]}", "陆𠮷", n, "药学", day] for n, day in people.items()]
    result = run("import", "qualifications", str(csv_file(tmp_path, header, rows)), **env)
    assert result.returncode == 0, result.stderr
    assert "新增 4" in result.stdout
    async with platform.db.national() as session:
        days = await session.scalars(
            select(Qualification.obtained_on).where(Qualification.id_number.in_(people))
        )
        assert {day.isoformat() for day in days} == {"2021-10-23"}
