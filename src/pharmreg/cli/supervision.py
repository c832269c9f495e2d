"""`pharmreg supervision`: the national statistics' analytic facts, rebuilt or recounted by hand."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import click

from pharmreg.cli.common import CliError, async_command, deliver_once, load_settings, with_db
from pharmreg.kit.db import Database
from pharmreg.settings import Settings

# A province whose events are still on their way is tried again this many times, a second apart.
BUSY_TRIES = 10

_KINDS = {"registration": "注册事件", "case": "办件", "enquiry": "咨询投诉", "practice_unit": "执业单位"}


@click.group("supervision")
def group() -> None:
    """National supervision: the analytic facts fed from every province."""


async def _each_province(db: Database, only: str | None, work: Callable[[Any], Awaitable[None]]) -> None:
    from pharmreg.events import SourceBusyError
    from pharmreg.tenancy import load_directory

    async with db.national() as session:
        directory = await load_directory(session)
    sources = [s for s in directory.event_sources() if not s.is_national and only in (None, s.slug)]
    if not sources:
        raise CliError(f"未知或未开通的租户 {only}")
    for source in sources:
        for attempt in range(BUSY_TRIES):
            try:
                await work(source)
                break
            except SourceBusyError:
                if attempt + 1 == BUSY_TRIES:
                    click.echo(
                        f"{source.slug:<9}尚有未投递或已搁置的事件，本次未处理（见 pharmreg events status）"
                    )
                else:
                    await asyncio.sleep(1)


async def build_missing_facts(settings: Settings, db: Database) -> list[str]:
    """Build the analytic facts of every province that never had them built (a database that
    predates them, or a new province); returns their slugs. Call after delivering the outbox."""
    from pharmreg.events import SourceBusyError
    from pharmreg.supervision import fact_freshness, rebuild_facts
    from pharmreg.tenancy import load_directory
    from pharmreg.wiring import analytic_facts

    async with db.national() as session:
        directory = await load_directory(session)
        sources = [s for s in directory.event_sources() if not s.is_national]
        freshness = await fact_freshness(session, sources)
    facts = analytic_facts(settings)
    built = []
    for source in sources:
        if freshness[source.slug].rebuilt_at is None:
            try:
                await rebuild_facts(db, source, facts)
            except SourceBusyError:
                continue  # the worker delivers its events; the nightly recount completes the rest
            built.append(source.slug)
    return built


@group.command("rebuild")
@click.option("--tenant", "only", metavar="SLUG", help="Only this province (the others stay untouched).")
@async_command
async def supervision_rebuild(only: str | None) -> None:
    """Rebuild the analytic facts from the provinces' own tables, from scratch."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.supervision import rebuild_facts
        from pharmreg.wiring import analytic_facts

        facts = analytic_facts(settings)
        await deliver_once(settings, db)
        started, total = time.monotonic(), 0

        async def rebuild(source: Any) -> None:
            nonlocal total
            written = await rebuild_facts(db, source, facts)
            total += sum(written.values())
            shown = "，".join(f"{_KINDS.get(kind, kind)} {count}" for kind, count in written.items())
            click.echo(f"{source.slug:<9}{shown}")

        await _each_province(db, only, rebuild)
        seconds = time.monotonic() - started
        click.echo(f"重建完成：{total} 行，用时 {seconds:.1f} 秒（{total / max(seconds, 0.001):.0f} 行/秒）")

    await with_db(settings, work)


@group.command("recount")
@click.option("--tenant", "only", metavar="SLUG", help="Only this province.")
@async_command
async def supervision_recount(only: str | None) -> None:
    """Recount the analytic facts from the provinces' own tables and correct any drift (as nightly)."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.supervision import recount_facts
        from pharmreg.wiring import analytic_facts

        facts = analytic_facts(settings)
        await deliver_once(settings, db)

        async def recount(source: Any) -> None:
            for item in await recount_facts(db, source, facts):
                click.echo(
                    f"{source.slug:<9}{_KINDS.get(item.kind, item.kind)}：补 {item.missing}，"
                    f"删 {item.extra}，改 {item.changed}"
                )

        await _each_province(db, only, recount)
        click.echo("核对完成")

    await with_db(settings, work)


@group.command("status")
@async_command
async def supervision_status() -> None:
    """How current each province's part of the analytic facts is (数据截至), and its upkeep."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.kit.clock import china_time
        from pharmreg.supervision import fact_freshness
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            sources = [s for s in directory.event_sources() if not s.is_national]
            shown = await fact_freshness(session, sources)
        for source in sources:
            item = shown[source.slug]
            click.echo(
                f"{source.slug:<9}数据截至 {china_time(item.as_of, '%Y-%m-%d %H:%M:%S')}"
                f"  重建 {china_time(item.rebuilt_at)}  核对 {china_time(item.recounted_at)}"
            )

    await with_db(settings, work)


@group.group("risk")
def risk() -> None:
    """Risk flags of hanging certificates and frequent changes (空挂与频繁变更)."""


@risk.command("scan")
@async_command
async def supervision_risk_scan() -> None:
    """Run every enabled risk rule over the national facts now (as nightly); idempotent."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.kit.clock import china_today
        from pharmreg.supervision import RISK_RULE_LABELS, scan_risks

        async with db.national() as session, session.begin():
            report = await scan_risks(session, today=china_today())
        for name, found in report.found.items():
            click.echo(
                f"{RISK_RULE_LABELS.get(name, name)}：命中 {found}，新增 {report.opened.get(name, 0)}，"
                f"补充新情况 {report.updated.get(name, 0)}，重新打开 {report.reopened.get(name, 0)}"
            )
        click.echo("风险扫描完成")

    await with_db(settings, work)
