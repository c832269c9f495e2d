"""`pharmreg demo`: load the demo data set and print its accounts."""

from __future__ import annotations

import click

from pharmreg.cli.common import CliError, async_command, load_settings, with_db
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database
from pharmreg.wiring import authority_model


@click.group("demo")
def group() -> None:
    """The demo data set."""


@group.command("load")
@async_command
async def demo_load() -> None:
    """Load the demo data (idempotent; refused in production)."""
    settings = load_settings()
    if settings.is_production:
        raise CliError("生产环境不能加载演示数据")

    async def work(db: Database) -> None:
        from pharmreg.demo import load_demo
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        report = await load_demo(
            db, directory, index, today=china_today(), authority_model=authority_model(settings)
        )
        click.echo(
            f"工作人员 {report.officers}，执业单位 {report.practice_units}，申请人 {report.applicants}，"
            f"全国用户 {report.staff}，待办案件 {report.tasks}，门户信息 {report.articles}，"
            f"注册历史 {report.history_registrations} 人（{report.history_events} 个注册事件）"
            "（已存在的不重复创建）"
        )

    await with_db(settings, work)


@group.command("logins")
@async_command
async def demo_logins() -> None:
    """Print the demo accounts and their shared password."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.demo import DEMO_PASSWORD, demo_logins
        from pharmreg.divisions import DivisionIndex
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            index = await DivisionIndex.load(session)
        click.echo(f"所有演示账号的密码：{DEMO_PASSWORD}")
        for login in demo_logins(directory, index):
            click.echo(f"  {login.username:<24}{login.name:<6}{login.role}（{login.where}）")

    await with_db(settings, work)


@group.command("applicants")
@async_command
async def demo_applicants() -> None:
    """Print the demo pharmacists: sign-in mobile, name and qualification number."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.demo import DEMO_PASSWORD, demo_pharmacists

        async with db.national() as session:
            rows = await demo_pharmacists(session)
        click.echo(f"演示申请人在 /account/login 用手机号登录，密码：{DEMO_PASSWORD}")
        for mobile, name, certificate in rows:
            click.echo(f"  {mobile}  {name:<6}资格证书 {certificate}")

    await with_db(settings, work)
