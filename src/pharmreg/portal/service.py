"""Use cases of the portal context: the province's own sites, carried to the national registry."""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.events import Event, record_event
from pharmreg.kit.forms import Problems
from pharmreg.portal import repository
from pharmreg.tenancy import SITE_LABELS, TenantLinks, set_site_links

SITES_CHANGED = "portal.sites_changed"
# What an administrator may set, in the order the form shows them.
SITE_KEYS = ("personnel_exam", "continuing_education", "exam_signup", "website")
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s<>\"'`]*)?")


# --- sites -------------------------------------------------------------------------------------


async def province_sites(session: AsyncSession) -> dict[str, str]:
    """The links the province's administrator set (the others follow the catalogue)."""
    return await repository.site_links(session)


async def update_sites(session: AsyncSession, form: Mapping[str, str], *, actor: Actor) -> dict[str, str]:
    """Set or clear the province's own links (empty: the catalogue's or the national one)."""
    problems = Problems()
    wanted: dict[str, str] = {}
    for key in SITE_KEYS:
        value = form.get(key, "").strip()
        if not value:
            continue
        if len(value) > 300:
            problems.add(key, "网址不能超过 300 个字符")
        elif not _URL.fullmatch(value):
            problems.add(key, "请填写以 http:// 或 https:// 开头的完整网址，如 https://rsks.example.gov.cn")
        else:
            wanted[key] = value
    problems.raise_if_any()
    msgspec.convert(wanted, TenantLinks)  # what the registry accepts; the checks above are stricter
    current = await repository.site_links(session)
    changes = {
        key: [current.get(key), wanted.get(key)] for key in SITE_KEYS if current.get(key) != wanted.get(key)
    }
    if not changes:
        return current
    for key, (_before, after) in changes.items():
        if after is None:
            await repository.drop_site_link(session, key)
        else:
            await repository.put_site_link(session, key, after, actor.name)
    await record_tenant_audit(
        session,
        action="sites_changed",
        actor=actor,
        target="业务办理网站",
        summary="修改" + "、".join(SITE_LABELS[k] for k in changes),
        details={"changes": changes},
    )
    record_event(session, SITES_CHANGED, {"links": wanted})
    return wanted


class SiteLinksProjection:
    """Consumer carrying each province's own links into the national registry (the directory)."""

    name = "portal.site_links"
    topics = frozenset({SITES_CHANGED})

    async def apply(self, session: AsyncSession, event: Event) -> None:
        links = msgspec.convert(event.payload.get("links", {}), TenantLinks)
        await set_site_links(session, event.source.slug, msgspec.to_builtins(links))
