"""`pharmreg users`: officer and national staff accounts."""

from __future__ import annotations

import click

from pharmreg.cli.common import CliError, async_command, load_settings, with_db
from pharmreg.kit.db import Database


@click.group("users")
def group() -> None:
    """Officer and national staff accounts."""


@group.command("list")
@click.option("--tenant", "slug", required=True, metavar="SLUG", help="The province whose officers to list.")
@async_command
async def users_list(slug: str) -> None:
    """Officers of a province with their units and posts."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.identity import Position, list_officers
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        tenant = directory.any_state(slug)
        if tenant is None or tenant.is_national or not tenant.provisioned:
            raise CliError(f"未知或未开通的租户 {slug}")
        async with db.tenant(tenant.schema, tenant.placement) as session:
            officers = await list_officers(session)
        for officer in officers:
            posts = "、".join(Position(p).label for p in officer.positions)
            click.echo(f"{officer.username:<24}{officer.name:<6}{officer.unit_name}  [{posts}]")
        click.echo(f"共 {len(officers)} 人")

    await with_db(settings, work)


@group.command("create-officer")
@click.option("--tenant", "slug", required=True, metavar="SLUG")
@click.option("--username", required=True)
@click.option("--name", required=True, help="Full name in Chinese.")
@click.option(
    "--unit",
    "unit_code",
    required=True,
    metavar="CODE",
    help="Division code of the officer's unit.",
)
@click.option("--position", "positions", multiple=True, help="A post to grant; repeatable.")
@click.password_option(help="Prompted for when not given.")
@async_command
async def users_create_officer(
    slug: str, username: str, name: str, unit_code: str, positions: tuple[str, ...], password: str
) -> None:
    """Create an officer in a province's unit."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.identity import (
            OfficerCreate,
            Position,
            UnknownUnitError,
            create_officer,
            hash_password,
        )
        from pharmreg.tenancy import load_directory

        valid = {p.value for p in Position}
        unknown = [p for p in positions if p not in valid]
        if unknown:
            raise CliError(f"未知岗位：{', '.join(unknown)}；可选：{', '.join(sorted(valid))}")
        async with db.national() as session:
            directory = await load_directory(session)
        tenant = directory.any_state(slug)
        if tenant is None or tenant.is_national or not tenant.provisioned:
            raise CliError(f"未知或未开通的租户 {slug}")
        data = OfficerCreate(
            username=username,
            name=name,
            unit_division_code=unit_code,
            password_hash=hash_password(password),
            positions=positions,
        )
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            try:
                officer = await create_officer(session, data)
            except UnknownUnitError:
                raise CliError(f"{tenant.name}没有行政区划代码为 {unit_code} 的监管单位") from None
        if officer is None:
            raise CliError(f"用户名 {username} 已存在")
        click.echo(f"已创建 {username}（{name}）")

    await with_db(settings, work)


@group.command("create-superadmin")
@click.option("--username", required=True)
@click.option("--name", required=True, help="Full name in Chinese.")
@click.option("--department", default="国家药品监督管理局", show_default=True)
@click.option("--mobile", default="", help="For password reset by SMS code.")
@click.password_option(help="Prompted for when not given.")
@async_command
async def users_create_superadmin(
    username: str, name: str, department: str, mobile: str, password: str
) -> None:
    """Create a platform super-administrator (the only way one can be made)."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.audit import SYSTEM
        from pharmreg.identity import StaffForm, create_staff_account, security_rules
        from pharmreg.kit.forms import FormErrors

        form = StaffForm(
            username=username, name=name, department=department, password=password, mobile=mobile
        )
        async with db.national() as session:
            try:
                async with session.begin():
                    rules = await security_rules(session)
                    await create_staff_account(session, form, rules=rules, actor=SYSTEM, role="superadmin")
            except FormErrors as exc:
                raise CliError("无法创建：" + "；".join(exc.errors.values())) from None
        click.echo(f"已创建超级管理员 {username}（{name}）")

    await with_db(settings, work)
