"""The `pharmreg` command as an operator runs it: clear results, one clear message on failure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pharmreg.settings import PROJECT_ROOT

PHARMREG = str(Path(sys.executable).parent / "pharmreg")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(env)
    return subprocess.run(
        [PHARMREG, *args], capture_output=True, text=True, env=environment, cwd=PROJECT_ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def env(settings) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("setup", "migrate", "tenants", "divisions", "demo", "users", "events", "serve", "db"):
        assert command in result.stdout


def test_settings_are_documented() -> None:
    result = run("settings")
    assert result.returncode == 0
    assert "DATABASE_URL" in result.stdout and "PHARMREG_OUTBOX_POLL_SECONDS" in result.stdout


def test_route_and_divisions(env, platform) -> None:
    result = run("tenants", "route", "659001", **env)
    assert result.returncode == 0, result.stderr
    assert "新疆维吾尔自治区 石河子市（659001）→ 新疆生产建设兵团市场监督管理局（bt）" in result.stdout
    result = run("divisions", "show", "110228", **env)
    assert "已于 2016-07-31 前停用" in result.stdout
    result = run("divisions", "search", "天河", **env)
    assert "440106 广东省 广州市 天河区" in result.stdout


def test_tenants_list(env, platform) -> None:
    result = run("tenants", "list", **env)
    assert result.returncode == 0
    assert "tenant_gd" in result.stdout and "national" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("divisions", "show", "11010"), "行政区划代码应为6位数字"),
        (("divisions", "show", "119999"), "未找到行政区划代码 119999"),
        (("tenants", "route", "810000"), "暂未开通"),
        (("tenants", "provision", "nowhere"), "未知租户 nowhere"),
        (("tenants", "disable", "nowhere"), "未知租户 nowhere"),
        (("migrate", "--tenant", "nowhere"), "未知租户 nowhere"),
        (("users", "list", "--tenant", "nowhere"), "未知或未开通的租户 nowhere"),
    ],
)
def test_refusals_are_one_clear_message(env, platform, args, message) -> None:
    result = run(*args, **env)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database(platform) -> None:
    result = run(
        "tenants", "list", DATABASE_URL="postgresql://postgres@127.0.0.1:1/pharmreg", REDIS_URL="redis://x"
    )
    assert result.returncode == 1
    assert "无法连接数据库 postgresql://postgres@127.0.0.1:1/pharmreg" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database(env, platform) -> None:
    url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/no_such_database"
    result = run("tenants", "list", DATABASE_URL=url, REDIS_URL=env["REDIS_URL"])
    assert result.returncode == 1
    assert "数据库不存在，请先运行 `pharmreg setup`" in result.stderr


def test_missing_configuration() -> None:
    result = run("tenants", "list")
    assert result.returncode == 1
    assert "配置错误：DATABASE_URL is not set" in result.stderr


def test_broken_catalogue_is_reported_by_file(env, platform, tmp_path: Path) -> None:
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / "tenant.toml").write_text('slug = "zz"\nkind = "province"\n', encoding="utf-8")
    result = run("tenants", "sync", PHARMREG_TENANTS_DIR=str(tmp_path), **env)
    assert result.returncode == 1
    assert "租户目录有误" in result.stderr and "zz/tenant.toml：缺少必填字段 name" in result.stderr


def test_create_officer(env, platform) -> None:
    args = ("users", "create-officer", "--tenant", "hn", "--username", "hn.cli", "--name", "欧阳娜娜",
            "--unit", "430100", "--position", "review", "--password", "Strong#Pass2026")  # fmt: skip
    first = run(*args, **env)
    assert first.returncode == 0, first.stderr
    assert "已创建 hn.cli（欧阳娜娜）" in first.stdout
    again = run(*args, **env)
    assert again.returncode == 1 and "用户名 hn.cli 已存在" in again.stderr
    listed = run("users", "list", "--tenant", "hn", **env)
    assert "hn.cli" in listed.stdout and "长沙市市场监督管理局" in listed.stdout and "审核" in listed.stdout


@pytest.mark.parametrize(
    ("unit", "position", "message"),
    [
        ("440100", "review", "湖南省没有行政区划代码为 440100 的监管单位"),
        ("430100", "boss", "未知岗位：boss"),
    ],
)
def test_create_officer_refusals(env, platform, unit: str, position: str, message: str) -> None:
    result = run(
        "users", "create-officer", "--tenant", "hn", "--username", "hn.bad", "--name", "测试",
        "--unit", unit, "--position", position, "--password", "Strong#Pass2026", **env,
    )  # fmt: skip
    assert result.returncode == 1
    assert message in result.stderr


def test_demo_logins(env, platform) -> None:
    result = run("demo", "logins", **env)
    assert result.returncode == 0
    assert "Pharmreg#2026" in result.stdout and "gd.440100.decide" in result.stdout


def test_events_status(env, platform) -> None:
    result = run("events", "status", **env)
    assert result.returncode == 0
    assert "gd" in result.stdout and "待投递" in result.stdout


def test_supervision_rebuild_recount_and_status(env, platform) -> None:
    rebuilt = run("supervision", "rebuild", "--tenant", "bj", **env)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert rebuilt.stdout.startswith("bj") and "执业单位" in rebuilt.stdout and "行/秒" in rebuilt.stdout
    assert "gd" not in rebuilt.stdout
    recounted = run("supervision", "recount", "--tenant", "bj", **env)
    assert recounted.returncode == 0 and recounted.stdout.strip() == "核对完成", recounted.stdout
    status = run("supervision", "status", **env)
    assert status.returncode == 0 and "数据截至" in status.stdout
    unknown = run("supervision", "rebuild", "--tenant", "nosuch", **env)
    assert unknown.returncode != 0 and "未知或未开通的租户 nosuch" in unknown.stdout + unknown.stderr


def test_db_check_passes(env, platform) -> None:
    result = run("db", "check", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 个与模型不一致" in result.stdout


def test_serve_refuses_to_start_without_a_usable_database(env, platform) -> None:
    url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/no_such_database"
    result = run("serve", "--port", "8099", DATABASE_URL=url, REDIS_URL=env["REDIS_URL"])
    assert result.returncode == 1
    assert "数据库不存在" in result.stderr and "Traceback" not in result.stderr
    result = run(
        "serve", "--port", "8099", DATABASE_URL=env["DATABASE_URL"], REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert result.returncode == 1
    assert "无法连接 Redis" in result.stderr


def test_superadmin_only_from_the_command_line(env, platform) -> None:
    made = run(
        "users",
        "create-superadmin",
        "--username",
        "nmpa.ops",
        "--name",
        "龚志远",
        "--password",
        "Initial#Pass2026",
        **env,
    )
    assert made.returncode == 0, made.stderr
    assert "已创建超级管理员 nmpa.ops（龚志远）" in made.stdout
    again = run(
        "users",
        "create-superadmin",
        "--username",
        "nmpa.ops",
        "--name",
        "龚志远",
        "--password",
        "Initial#Pass2026",
        **env,
    )
    assert again.returncode != 0 and "无法创建" in again.stderr and "Traceback" not in again.stderr
    weak = run(
        "users",
        "create-superadmin",
        "--username",
        "nmpa.weak",
        "--name",
        "龚志远",
        "--password",
        "short",
        **env,
    )
    assert weak.returncode != 0 and "密码长度至少" in weak.stderr
