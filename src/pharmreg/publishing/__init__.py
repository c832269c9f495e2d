"""信息发布: the content system of the national and provincial portals (drafts, review,
scheduled publishing, revisions, attachments, search, content hashes) and its back office."""

from pharmreg.publishing.content import CATEGORIES, check_draft
from pharmreg.publishing.controllers import ROUTE_HANDLERS
from pharmreg.publishing.jobs import publish_scheduled
from pharmreg.publishing.models import ArticleSpace, national_space, province_space
from pharmreg.publishing.repository import latest as latest_pages
from pharmreg.publishing.service import (
    Editor,
    approve_article,
    create_article,
    has_articles,
    submit_article,
    tampered_pages,
)

__all__ = [
    "CATEGORIES",
    "ROUTE_HANDLERS",
    "ArticleSpace",
    "Editor",
    "approve_article",
    "check_draft",
    "create_article",
    "has_articles",
    "latest_pages",
    "national_space",
    "province_space",
    "publish_scheduled",
    "submit_article",
    "tampered_pages",
]
