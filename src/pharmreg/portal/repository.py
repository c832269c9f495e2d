"""Every query of the portal context."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.clock import utcnow
from pharmreg.portal.models import SiteLink


async def site_links(session: AsyncSession) -> dict[str, str]:
    return {row.key: row.url for row in await session.scalars(select(SiteLink))}


async def put_site_link(session: AsyncSession, key: str, url: str, by: str | None) -> None:
    statement = insert(SiteLink).values(key=key, url=url, updated_by=by, updated_at=utcnow())
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SiteLink.key], set_={"url": url, "updated_by": by, "updated_at": utcnow()}
        )
    )


async def drop_site_link(session: AsyncSession, key: str) -> None:
    await session.execute(delete(SiteLink).where(SiteLink.key == key))
