"""`pharmreg import practice-units` and the office page share one set of rules and messages."""

from __future__ import annotations

import uuid
from pathlib import Path

from pharmreg.demo.generator import uscc
from tests.practice.test_import_page import _rng, csv_file, row, units_named
from tests.test_cli import run


async def test_the_command_line_refuses_by_line_and_imports_whole_files(
    platform, settings, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    tag = uuid.uuid4().hex[:6]
    good = uscc(_rng, "440106")
    bad = tmp_path / "单位.csv"
    bad.write_bytes(
        csv_file(row(good, f"命令行{tag}"), row(uscc(_rng, "320102"), f"命令行外省{tag}", "320102"))
    )
    refused = run("import", "practice-units", "gd", str(bad), **env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "文件有 1 行有误，未导入任何数据" in refused.stderr
    assert "第3行：所在地代码“320102”不是本省的县级行政区划代码" in refused.stderr
    assert await units_named(platform, "gd", f"命令行{tag}") == {}

    fine = tmp_path / "单位2.csv"
    fine.write_bytes(csv_file(row(good, f"命令行{tag}")))
    done = run("import", "practice-units", "gd", str(fine), **env)
    assert done.returncode == 0, done.stderr
    assert "读取 1 行：新增 1，更新 0" in done.stdout
    assert good in await units_named(platform, "gd", f"命令行{tag}")
