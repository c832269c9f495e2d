"""Every query of consultations, complaints, the FAQ and the published Q&A."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from pharmreg.consultations.models import (
    ConsultationAttachment,
    ConsultationEvent,
    ConsultationItem,
    ConsultationLocator,
    NationalFaqEntry,
    ProvinceFaqEntry,
    PublishedAnswer,
)

FaqModel = type[NationalFaqEntry] | type[ProvinceFaqEntry]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def keyword_match(words: Sequence[str], *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """Every keyword must occur in one of `columns` (escaped ILIKE).

    The one place search is decided. FAQ entries and published answers number hundreds per
    province, where a scan costs little, and a substring match finds exactly what the
    articles' bigram phrase search (pharmreg.publishing.search) finds; switch to that index
    here if these tables ever grow to the articles' size.
    """
    conditions = [
        or_(*(column.ilike(f"%{_escape_like(word)}%", escape="\\") for column in columns)) for word in words
    ]
    return and_(True, *conditions)


def add(session: AsyncSession, row: object) -> None:
    session.add(row)


async def item(session: AsyncSession, item_id: int, *, lock: bool = False) -> ConsultationItem | None:
    query = select(ConsultationItem).where(ConsultationItem.id == item_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def items(
    session: AsyncSession,
    *,
    kinds: Collection[str],
    unit_id: int | None,
    status: str | None,
    overdue_on: date | None,
    limit: int = 200,
) -> Sequence[ConsultationItem]:
    query = select(ConsultationItem).where(ConsultationItem.kind.in_(list(kinds)))
    if unit_id is not None:
        query = query.where(ConsultationItem.unit_id == unit_id)
    if status:
        query = query.where(ConsultationItem.status == status)
    if overdue_on is not None:
        query = query.where(ConsultationItem.status == "received", ConsultationItem.due_on < overdue_on)
    return (await session.scalars(query.order_by(ConsultationItem.id.desc()).limit(limit))).all()


async def events(session: AsyncSession, item_id: int, *, public_only: bool) -> Sequence[ConsultationEvent]:
    query = select(ConsultationEvent).where(ConsultationEvent.item_id == item_id)
    if public_only:
        query = query.where(ConsultationEvent.public.is_(True))
    return (await session.scalars(query.order_by(ConsultationEvent.at, ConsultationEvent.id))).all()


async def attachments(session: AsyncSession, item_id: int) -> Sequence[ConsultationAttachment]:
    query = (
        select(ConsultationAttachment)
        .where(ConsultationAttachment.item_id == item_id)
        .order_by(ConsultationAttachment.id)
    )
    return (await session.scalars(query)).all()


async def attachment(
    session: AsyncSession, item_id: int, attachment_id: int
) -> ConsultationAttachment | None:
    query = select(ConsultationAttachment).where(
        ConsultationAttachment.id == attachment_id, ConsultationAttachment.item_id == item_id
    )
    return await session.scalar(query)


async def open_complaint_ids(session: AsyncSession) -> list[int]:
    query = select(ConsultationItem.id).where(
        ConsultationItem.kind == "complaint",
        ConsultationItem.status == "received",
        ConsultationItem.due_on.is_not(None),
    )
    return list(await session.scalars(query.order_by(ConsultationItem.id)))


async def faq_entries(
    session: AsyncSession, model: FaqModel, *, topic: str | None, words: Sequence[str], active_only: bool
) -> Sequence[NationalFaqEntry | ProvinceFaqEntry]:
    query = select(model).where(keyword_match(words, model.question, model.answer))
    if topic:
        query = query.where(model.topic == topic)
    if active_only:
        query = query.where(model.active.is_(True))
    rows: Sequence[NationalFaqEntry | ProvinceFaqEntry] = (
        await session.scalars(query.order_by(model.topic, model.id).limit(300))
    ).all()  # type: ignore[assignment]  # one of the two FAQ tables, as `model` says
    return rows


async def faq_entry(
    session: AsyncSession, model: FaqModel, entry_id: int
) -> NationalFaqEntry | ProvinceFaqEntry | None:
    return await session.get(model, entry_id)


async def published(
    session: AsyncSession,
    *,
    tenant_slug: str | None,
    category: str | None,
    words: Sequence[str],
    limit: int = 100,
) -> Sequence[PublishedAnswer]:
    query = select(PublishedAnswer).where(
        keyword_match(words, PublishedAnswer.question, PublishedAnswer.answer)
    )
    if tenant_slug:
        query = query.where(PublishedAnswer.tenant_slug == tenant_slug)
    if category:
        query = query.where(PublishedAnswer.category == category)
    return (await session.scalars(query.order_by(PublishedAnswer.published_at.desc()).limit(limit))).all()


async def published_answer(session: AsyncSession, tenant_slug: str, item_id: int) -> PublishedAnswer | None:
    query = select(PublishedAnswer).where(
        PublishedAnswer.tenant_slug == tenant_slug, PublishedAnswer.item_id == item_id
    )
    return await session.scalar(query)


async def remove_published(session: AsyncSession, tenant_slug: str, item_id: int) -> None:
    await session.execute(
        delete(PublishedAnswer).where(
            PublishedAnswer.tenant_slug == tenant_slug, PublishedAnswer.item_id == item_id
        )
    )


async def locator(session: AsyncSession, code_hash: str) -> ConsultationLocator | None:
    return await session.get(ConsultationLocator, code_hash)


async def move_locator(session: AsyncSession, code_hash: str, *, tenant_slug: str, item_id: int) -> None:
    await session.execute(
        update(ConsultationLocator)
        .where(ConsultationLocator.code_hash == code_hash)
        .values(tenant_slug=tenant_slug, item_id=item_id)
    )


async def expire_locator(session: AsyncSession, code_hash: str, *, at: datetime) -> None:
    await session.execute(
        update(ConsultationLocator).where(ConsultationLocator.code_hash == code_hash).values(expires_at=at)
    )


async def all_items(session: AsyncSession) -> Sequence[ConsultationItem]:
    return (await session.scalars(select(ConsultationItem).order_by(ConsultationItem.id))).all()


async def transfer_times(session: AsyncSession, item_ids: Sequence[int] | None) -> dict[int, datetime]:
    """Item id -> when it was last transferred (to another bureau or province), for these items or all."""
    query = (
        select(ConsultationEvent.item_id, func.max(ConsultationEvent.at))
        .where(ConsultationEvent.kind == "transferred")
        .group_by(ConsultationEvent.item_id)
    )
    if item_ids is not None:
        query = query.where(ConsultationEvent.item_id.in_(list(item_ids)))
    return {row[0]: row[1] for row in (await session.execute(query)).all()}
