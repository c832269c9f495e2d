"""Every read and write of consultations that spans schemas: a province and the national
locator or Q&A, or two provinces when an item is transferred. Nothing else here opens or
commits sessions of more than one schema.

Provinces may live on different servers, so there is no shared transaction: each use case
writes the receiving side first and commits in the order that leaves, on a failure in
between, at worst an unreachable row, never a public one that its province does not hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.consultations import repository
from pharmreg.consultations.models import (
    ConsultationAttachment,
    ConsultationItem,
    ConsultationLocator,
    PublishedAnswer,
)
from pharmreg.consultations.rules import KINDS, Submission, keywords
from pharmreg.consultations.schemas import FaqRead, QaRead, TrackView
from pharmreg.consultations.service import (
    ConsultationError,
    add_event,
    complaint_due,
    enquiry_changed,
    faq_list,
    handling_unit,
    history,
    item_for,
    notify_unit,
    publication_wording,
    record_item,
    reply_to,
    require_handling_unit,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import OfficerAccount, list_units
from pharmreg.kit.db import Database, commit_in_order
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.logging import get_logger
from pharmreg.kit.names import bureau_name
from pharmreg.kit.query_codes import code_hash, new_query_code, plausible_code
from pharmreg.tenancy import TenantDirectory, TenantInfo
from pharmreg.workflow import load_calendar

log = get_logger(__name__)


class TrackError(LookupError):
    """The query code leads nowhere (unknown, malformed or expired); `str()` is for people."""


class MalformedCode(TrackError):
    """What was typed cannot be a query code at all."""


async def submit(
    db: Database,
    directory: TenantDirectory,
    divisions: DivisionIndex,
    *,
    submission: Submission,
    files: Sequence[tuple[str, str, int, str, bytes]],
    applicant_id: uuid.UUID | None,
    today: date,
) -> tuple[str, TenantInfo, str]:
    """Store a consultation or complaint in the province of its region; (query code, province, bureau)."""
    division = divisions.get(submission.division_code)
    routed = directory.route(submission.division_code) if division and division.current else None
    tenant = directory.get(routed.slug) if routed is not None else None
    if tenant is None or tenant.is_national:
        raise FormErrors({"division": "所选地区暂未开通网上咨询投诉，请重新选择"})
    code = new_query_code()
    hashed = code_hash(code)
    async with db.tenant(tenant.schema, tenant.placement) as session, db.national() as national:
        due_on = (
            complaint_due(await load_calendar(national), today) if submission.kind == "complaint" else None
        )
        unit = await handling_unit(
            session,
            divisions,
            province_code=tenant.division_code,
            division_code=submission.division_code,
            kind=submission.kind,
        )
        item = record_item(
            session,
            submission=submission,
            unit=unit,
            code_hash=hashed,
            applicant_id=applicant_id,
            due_on=due_on,
            files=files,
        )
        await session.flush()
        await enquiry_changed(session, item)
        await notify_unit(session, item, unit.id, subject=f"新{KINDS[item.kind]}：{item.title}")
        repository.add(
            national, ConsultationLocator(code_hash=hashed, tenant_slug=tenant.slug, item_id=item.id)
        )
        # The province first: a locator without its item would only answer "not found".
        await commit_in_order(session, national, what="submit")
    log.info("consultations.submitted", tenant=tenant.slug, item=item.id, kind=submission.kind)
    return code, tenant, bureau_name(tenant.name, unit.name)


async def track(db: Database, directory: TenantDirectory, code: str, *, now: datetime) -> TrackView:
    """What the holder of a query code may see, wherever the item lives now."""
    if not plausible_code(code):
        raise MalformedCode(
            "查询码格式不正确：应为 16 位字母和数字（如 ABCD-EFGH-JKMN-PQRS），请核对后重新输入"
        )
    async with db.national() as national:
        found = await repository.locator(national, code_hash(code))
    tenant = directory.any_state(found.tenant_slug) if found is not None else None
    if found is None or tenant is None:
        raise TrackError("未找到该查询码对应的事项，请核对后重新输入")
    if found.expires_at is not None and found.expires_at <= now:
        raise TrackError("该查询码已过期：事项办结 180 天后不再提供查询，如有需要请重新提交咨询")
    async with db.tenant(tenant.schema, tenant.placement) as session:
        item = await repository.item(session, found.item_id)
        if item is None or item.code_hash != found.code_hash:
            raise TrackError("未找到该查询码对应的事项，请核对后重新输入")
        return TrackView(
            kind=item.kind,
            category=item.category,
            title=item.title,
            status=item.status,
            province_name=tenant.name,
            submitted_at=item.submitted_at,
            events=await history(session, item.id, public_only=True),
        )


async def _unit_name(session: AsyncSession, unit_id: int) -> str:
    return next((u.name for u in await list_units(session) if u.id == unit_id), "")


async def reply(
    session: AsyncSession,
    national: AsyncSession,
    officer: OfficerAccount,
    item_id: int,
    text: str,
    *,
    now: datetime,
) -> None:
    """Answer an item of the officer's unit; its query code then expires after the grace period."""
    item = await item_for(session, officer, item_id, lock=True)
    expires = reply_to(
        item, session, officer, text, now=now, unit_name=await _unit_name(session, item.unit_id)
    )
    await enquiry_changed(session, item)
    await repository.expire_locator(national, item.code_hash, at=expires)
    await commit_in_order(session, national, what="reply")


async def publish(
    session: AsyncSession,
    national: AsyncSession,
    tenant: TenantInfo,
    officer: OfficerAccount,
    item_id: int,
    *,
    question: str,
    answer: str,
    action: str,
) -> str:
    """Save the public wording as a draft, publish it to /qa, or withdraw it; the new state."""
    item = await item_for(session, officer, item_id, lock=True)
    publication_wording(
        item,
        officer,
        question=question,
        answer=answer,
        action=action,
        unit_name=await _unit_name(session, item.unit_id),
    )
    await enquiry_changed(session, item)
    await repository.remove_published(national, tenant.slug, item.id)
    if item.publication == "published":
        repository.add(
            national,
            PublishedAnswer(
                tenant_slug=tenant.slug,
                item_id=item.id,
                category=item.category,
                question=item.public_question or "",
                answer=item.public_answer or "",
            ),
        )
    state = item.publication
    # Never a public answer that its province does not hold: publish province first, and take
    # down from /qa first.
    if state == "published":
        await commit_in_order(session, national, what="publish")
    else:
        await commit_in_order(national, session, what="withdraw")
    return state


async def transfer_to_province(
    db: Database,
    directory: TenantDirectory,
    origin: TenantInfo,
    session: AsyncSession,
    officer: OfficerAccount,
    item_id: int,
    *,
    target_slug: str,
    note: str,
    today: date,
) -> TenantInfo:
    """Move an item, its whole history and attachments to another province, keeping a record here."""
    target = directory.get(target_slug) if target_slug else None
    if target is None or target.is_national:
        raise ConsultationError("所选省份不存在或未开通，不能转办")
    if target.slug == origin.slug:
        raise ConsultationError("本省内转办请选择单位")
    item = await item_for(session, officer, item_id, lock=True)
    origin_unit = await _unit_name(session, item.unit_id)
    require_handling_unit(officer, item, origin_unit)
    if item.status != "received":
        raise ConsultationError("已答复的事项不能再转办")
    events = await history(session, item.id, public_only=False)
    files = [
        (a.filename, a.content_type, a.size, a.sha256, a.data)
        for a in await repository.attachments(session, item.id)
    ]
    async with db.tenant(target.schema, target.placement) as receiving, db.national() as national:
        units = {u.division_code: u for u in await list_units(receiving) if u.active}
        unit = units.get(target.division_code)
        if unit is None:
            raise ConsultationError(f"{target.name}的省级受理单位暂未设置，暂时不能转至该省")
        copy = ConsultationItem(
            kind=item.kind,
            category=item.category,
            division_code=item.division_code,
            unit_id=unit.id,
            title=item.title,
            body=item.body,
            submitter_name=item.submitter_name,
            submitter_mobile=item.submitter_mobile,
            applicant_id=item.applicant_id,
            code_hash=item.code_hash,
            status="received",
            submitted_at=item.submitted_at,
            due_on=complaint_due(await load_calendar(national), today) if item.kind == "complaint" else None,
            reminded="",
            origin=origin.name,
            publication="none",
        )
        repository.add(receiving, copy)
        for event in events:
            add_event(
                receiving,
                copy,
                event.kind,
                event.note,
                actor=event.actor_name,
                public=event.public,
                at=event.at,
            )
        add_event(
            receiving,
            copy,
            "transferred",
            f"由{origin.name}转至{target.name}，由{unit.name}办理",
            actor=origin_unit,
            public=True,
        )
        if note.strip():
            add_event(
                receiving, copy, "note", f"转办说明：{note.strip()[:500]}", actor=officer.name, public=False
            )
        for filename, content_type, size, sha256, data in files:
            repository.add(
                receiving,
                ConsultationAttachment(
                    item=copy,
                    filename=filename,
                    content_type=content_type,
                    size=size,
                    sha256=sha256,
                    data=data,
                ),
            )
        await receiving.flush()
        await enquiry_changed(receiving, copy)
        await notify_unit(receiving, copy, unit.id, subject=f"外省转来：{copy.title}")
        item.status, item.transferred_to = "transferred", target.name
        add_event(session, item, "transferred", f"已转至{target.name}办理", actor=origin_unit, public=True)
        await enquiry_changed(session, item)
        await repository.move_locator(national, item.code_hash, tenant_slug=target.slug, item_id=copy.id)
        await commit_in_order(receiving, national, session, what="transfer_to_province")
    log.info("consultations.transferred", origin=origin.slug, target=target.slug, item=item_id)
    return target


async def public_faq(
    db: Database, tenant: TenantInfo | None, *, topic: str, query: str
) -> tuple[list[FaqRead], list[FaqRead]]:
    """(national entries, the province's own entries) matching the topic and keywords."""
    async with db.national() as national:
        nationwide = await faq_list(national, national=True, topic=topic, query=query)
    own: list[FaqRead] = []
    if tenant is not None:
        async with db.tenant(tenant.schema, tenant.placement) as session:
            own = await faq_list(session, national=False, topic=topic, query=query)
    return nationwide, own


async def published_answers(
    national: AsyncSession, directory: TenantDirectory, *, province: str, category: str, query: str
) -> list[QaRead]:
    rows = await repository.published(
        national, tenant_slug=province or None, category=category or None, words=keywords(query)
    )
    names = {t.slug: t.name for t in directory.provinces(include_disabled=True)}
    return [
        QaRead(
            id=r.id,
            tenant_slug=r.tenant_slug,
            province_name=names.get(r.tenant_slug, ""),
            category=r.category,
            question=r.question,
            answer=r.answer,
            published_at=r.published_at,
        )
        for r in rows
        if r.tenant_slug in names
    ]
