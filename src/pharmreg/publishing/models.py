"""The content system's tables, declared once and placed twice: in the national schema for the
national portal and in every tenant schema for the province's own space."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, declared_attr, deferred, mapped_column

from pharmreg.kit.db import NationalBase, TenantBase
from pharmreg.kit.spaces import Space, Spaces


def _article_fk(cls: Any) -> ForeignKey:
    schema = cls.metadata.schema
    return ForeignKey(f"{schema}.article.id" if schema else "article.id", ondelete="CASCADE")


class ArticleColumns:
    """The working copy of an article (信息): what publishers edit and reviewers approve."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300), default="")
    body_html: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    # draft, pending (待审核), scheduled (已排期), published, withdrawn (已撤下)
    status: Mapped[str] = mapped_column(String(16), index=True)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[uuid.UUID] = mapped_column()
    author_name: Mapped[str] = mapped_column(String(50))
    department: Mapped[str] = mapped_column(String(100))
    # The division code of the author's unit (provinces only): city and county bureaus' own
    # reviewers handle their unit's items, the province bureau's reviewers any.
    unit_code: Mapped[str | None] = mapped_column(String(12))
    submitted_by: Mapped[uuid.UUID | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HistoryColumns:
    """Append-only history of an article: every action, with the content as it then stood."""

    __tablename__ = "article_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)

    @declared_attr
    def article_id(cls) -> Mapped[int]:
        return mapped_column(_article_fk(cls), index=True)

    revision: Mapped[int] = mapped_column(Integer)
    # created, edited, submitted, approved, rejected, published, withdrawn
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID] = mapped_column()
    actor_name: Mapped[str] = mapped_column(String(50))
    department: Mapped[str] = mapped_column(String(100), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class AttachmentColumns:
    """A file attached to an article (报名表, 通知原文 ...), served with the published page."""

    __tablename__ = "article_attachment"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)

    @declared_attr
    def article_id(cls) -> Mapped[int]:
        return mapped_column(_article_fk(cls), index=True)

    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    @declared_attr
    def content(cls) -> Mapped[bytes]:
        return deferred(mapped_column(LargeBinary, nullable=False), raiseload=True)

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LiveColumns:
    """What the portal shows: one row per article on line, copied from an approved revision."""

    __tablename__ = "article_live"

    @declared_attr
    def article_id(cls) -> Mapped[int]:
        return mapped_column(_article_fk(cls), primary_key=True)

    revision: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    body_html: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The attachments of the approved version: [{"id", "filename", "size", "sha256"}].
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # sha256 over the canonical page content; recomputed to detect tampering with this row.
    content_hash: Mapped[str] = mapped_column(String(64))

    @declared_attr
    def search_vector(cls) -> Mapped[str]:
        # Only searches read it: pages load without it (it is as large as the text again).
        return deferred(mapped_column(TSVECTOR, nullable=False), raiseload=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (
            Index("ix_article_live_search", "search_vector", postgresql_using="gin"),
            Index("ix_article_live_listing", "category", "published_at"),
            Index("ix_article_live_recent", "published_at"),
        )


class NationalArticle(ArticleColumns, NationalBase):
    pass


class NationalArticleHistory(HistoryColumns, NationalBase):
    pass


class NationalArticleAttachment(AttachmentColumns, NationalBase):
    pass


class NationalArticleLive(LiveColumns, NationalBase):
    pass


class ProvinceArticle(ArticleColumns, TenantBase):
    pass


class ProvinceArticleHistory(HistoryColumns, TenantBase):
    pass


class ProvinceArticleAttachment(AttachmentColumns, TenantBase):
    pass


class ProvinceArticleLive(LiveColumns, TenantBase):
    pass


@dataclass(frozen=True, slots=True)
class ArticleTables:
    """The four tables of one publishing space: the national portal's or a province's."""

    article: type[NationalArticle] | type[ProvinceArticle]
    history: type[NationalArticleHistory] | type[ProvinceArticleHistory]
    attachment: type[NationalArticleAttachment] | type[ProvinceArticleAttachment]
    live: type[NationalArticleLive] | type[ProvinceArticleLive]


# A publishing space: "national", or a province's slug (its tables are in the session's schema).
ArticleSpace = Space[ArticleTables]

ARTICLES = Spaces(
    national_tables=ArticleTables(
        NationalArticle, NationalArticleHistory, NationalArticleAttachment, NationalArticleLive
    ),
    province_tables=ArticleTables(
        ProvinceArticle, ProvinceArticleHistory, ProvinceArticleAttachment, ProvinceArticleLive
    ),
)
national_space = ARTICLES.national
province_space = ARTICLES.province
