"""The public side of the content system: article lists, search and pages of the national
portal (/articles) and of each province (/p/<slug>/articles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import require_officer, require_staff
from pharmreg.kit.logging import get_logger
from pharmreg.kit.rendering import render
from pharmreg.publishing import repository, service
from pharmreg.publishing.content import CATEGORIES
from pharmreg.publishing.controllers.desk import PublishingDesk, file_response, national_desk, province_desk
from pharmreg.publishing.spaces import Space, national_space, province_space
from pharmreg.tenancy import TenantInfo

log = get_logger(__name__)
PAGE_SIZE = 20
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class Portal:
    space: Space
    session: AsyncSession
    base: str
    tenant: TenantInfo | None


def _national_portal(national_session: NamedDependency[AsyncSession]) -> Portal:
    return Portal(national_space(), national_session, "/articles", None)


def _province_portal(
    tenant: NamedDependency[TenantInfo], tenant_session: NamedDependency[AsyncSession]
) -> Portal:
    return Portal(province_space(tenant.slug), tenant_session, f"/p/{tenant.slug}/articles", tenant)


class ArticlePages(Controller):
    include_in_schema = False

    @get("/")
    async def listing(
        self,
        request: HTMXRequest,
        portal: NamedDependency[Portal],
        category: Annotated[str, QueryParameter(max_length=16)] = "",
        q: Annotated[str, QueryParameter(max_length=40)] = "",
        page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
    ) -> Template:
        """信息公开 by column, newest first; with `q`, the best matches first."""
        chosen = category if category in CATEGORIES else None
        offset = (page - 1) * PAGE_SIZE
        if q.strip():
            rows, total = await service.search_pages(
                portal.session, space=portal.space, q=q, category=chosen, limit=PAGE_SIZE, offset=offset
            )
        else:
            rows = list(
                await repository.latest(
                    portal.session, portal.space, category=chosen, limit=PAGE_SIZE, offset=offset
                )
            )
            total = await repository.count_live(portal.session, portal.space, category=chosen)
        return render(
            request,
            "publishing/listing.html",
            {
                "base": portal.base,
                "tenant": portal.tenant,
                "categories": CATEGORIES,
                "category": chosen or "",
                "q": q.strip(),
                "rows": rows,
                "total": total,
                "page": page,
                "pages": max(1, min(MAX_PAGE, -(-total // PAGE_SIZE))),
            },
            fragment="publishing/_results.html",
        )

    @get("/{article_id:int}")
    async def article(
        self, request: HTMXRequest, portal: NamedDependency[Portal], article_id: FromPath[int]
    ) -> Template:
        live = await repository.live(portal.session, portal.space, article_id)
        if live is None:
            raise NotFoundException()
        intact = service.verify_page(portal.space, live)
        if not intact:
            # Never show a page whose stored content no longer matches what was approved.
            log.error("publishing.page_tampered", space=portal.space.key, article_id=article_id)
        return render(
            request,
            "publishing/page.html",
            {
                "base": portal.base,
                "tenant": portal.tenant,
                "categories": CATEGORIES,
                "page": live,
                "intact": intact,
            },
            status_code=200 if intact else 503,
        )

    @get("/{article_id:int}/files/{attachment_id:int}")
    async def file(
        self, portal: NamedDependency[Portal], article_id: FromPath[int], attachment_id: FromPath[int]
    ) -> Response[bytes]:
        """An attachment of the version on line, served only while it is the approved file."""
        live = await repository.live(portal.session, portal.space, article_id)
        listed = next((f for f in (live.attachments if live else []) if f["id"] == attachment_id), None)
        attachment = (
            await repository.attachment(portal.session, portal.space, article_id, attachment_id)
            if listed
            else None
        )
        if listed is None or attachment is None or attachment.sha256 != listed["sha256"]:
            raise NotFoundException()
        return file_response(attachment)


class NationalArticlePages(ArticlePages):
    path = "/articles"
    dependencies = {"portal": Provide(_national_portal, sync_to_thread=False)}


class ProvinceArticlePages(ArticlePages):
    path = "/p/{slug:str}/articles"
    dependencies = {"portal": Provide(_province_portal, sync_to_thread=False)}


class ProvincePublishingDesk(PublishingDesk):
    path = "/p/{slug:str}/office/publishing"
    guards = [require_officer("publish_content", "review_content")]
    dependencies = {"desk": Provide(province_desk, sync_to_thread=False)}


class NationalPublishingDesk(PublishingDesk):
    path = "/national/publishing"
    guards = [require_staff()]
    dependencies = {"desk": Provide(national_desk, sync_to_thread=False)}


ROUTE_HANDLERS = [NationalArticlePages, ProvinceArticlePages, NationalPublishingDesk, ProvincePublishingDesk]
