"""`pharmreg events`: the outbox and the national figures it feeds."""

from __future__ import annotations

import functools

import click

from pharmreg.cli.common import CliError, async_command, deliver_once, load_settings, with_db
from pharmreg.kit.db import Database


@click.group("events")
def group() -> None:
    """The outbox: what is waiting, and delivering it by hand."""


@group.command("status")
@async_command
async def events_status() -> None:
    """Undelivered and parked events per source, and how current the national figures are."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.events import count_pending, delivery_cursors, pending_summary
        from pharmreg.kit.clock import china_time
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
            cursors = await delivery_cursors(session)
        any_parked = False
        for source in directory.event_sources():
            pending = await count_pending(db, source)
            parked = [e for e in await pending_summary(db, source) if e.parked]
            any_parked = any_parked or bool(parked)
            cursor = cursors.get(source.schema)
            as_of = china_time(cursor.caught_up_at if cursor else None, "%Y-%m-%d %H:%M:%S")
            click.echo(f"{source.slug:<9}待投递 {pending:<6}已搁置 {len(parked):<4}数据截至 {as_of}")
            for event in parked:
                click.echo(f"    #{event.id} {event.topic}：{event.last_error}")
        if any_parked:
            click.echo("搁置的事件在排除原因后用 `pharmreg events retry` 重新投递")

    await with_db(settings, work)


@group.command("retry")
@click.argument("slug")
@click.option("--id", "event_id", type=int, help="Only this event (default: every parked event of SLUG).")
@async_command
async def events_retry(slug: str, event_id: int | None) -> None:
    """Put SLUG's parked events back in line, once the cause of their failure is fixed."""
    settings = load_settings()

    async def work(db: Database) -> int:
        from pharmreg.events import release_parked
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        source = next((s for s in directory.event_sources() if s.slug == slug), None)
        if source is None:
            raise CliError(f"未知或未开通的租户 {slug}")
        return await release_parked(db, source, event_id)

    released = await with_db(settings, work)
    if event_id is not None and not released:
        raise CliError(f"{slug} 没有编号为 {event_id} 的搁置事件")
    click.echo(f"已重新排队 {released} 条事件，将由 worker 投递")


@group.command("reconcile")
@click.option("--tenant", "only", metavar="SLUG", help="Only this province.")
@async_command
async def events_reconcile(only: str | None) -> None:
    """Recount each province's national figures from its own tables and correct any drift."""
    settings = load_settings()

    async def work(db: Database) -> None:
        from pharmreg.events import SourceBusyError
        from pharmreg.supervision import reconcile_province
        from pharmreg.tenancy import load_directory

        async with db.national() as session:
            directory = await load_directory(session)
        sources = [s for s in directory.event_sources() if not s.is_national and only in (None, s.slug)]
        if not sources:
            raise CliError(f"未知或未开通的租户 {only}")
        for source in sources:
            try:
                drift = await reconcile_province(db, source)
            except SourceBusyError:
                click.echo(
                    f"{source.slug:<9}尚有未投递或已搁置的事件，本次未核对（见 pharmreg events status）"
                )
                continue
            for item in drift:
                click.echo(f"{source.slug:<9}{item.metric}：{item.recorded} → {item.actual}")
        click.echo("核对完成")

    await with_db(settings, work)


@group.command("deliver")
@async_command
async def events_deliver() -> None:
    """Deliver every pending event now (the worker does this continuously)."""
    settings = load_settings()
    delivered = await with_db(settings, functools.partial(deliver_once, settings))
    click.echo(f"已投递 {delivered} 条")
