"""Use cases inside one province (or the national schema): routing, replying, transferring
within the province, publication wording, complaint reminders, FAQ upkeep. Never commits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.consultations import repository
from pharmreg.consultations.models import (
    ConsultationAttachment,
    ConsultationEvent,
    ConsultationItem,
    NationalFaqEntry,
    ProvinceFaqEntry,
)
from pharmreg.consultations.rules import (
    CODE_VALID_DAYS_AFTER_CLOSE,
    COMPLAINT_WORKING_DAYS,
    KINDS,
    PERMISSIONS,
    POSTS,
    Submission,
    check_public_wording,
    check_reply,
    deadline_stage,
    keywords,
)
from pharmreg.consultations.schemas import AttachmentRead, EventRead, FaqRead, ItemRead, Submitter
from pharmreg.divisions import DivisionIndex
from pharmreg.events import record_event
from pharmreg.identity import OfficerAccount, UnitRead, list_officers, list_units, units_holding_post
from pharmreg.kit.clock import CHINA_TIME
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.logging import get_logger
from pharmreg.kit.question_terms import top_terms
from pharmreg.kit.workdays import CalendarNotCovered, WorkCalendar
from pharmreg.messaging import notify

log = get_logger(__name__)


class ConsultationError(ValueError):
    """The action cannot be done; the message tells the officer why, in Chinese."""


async def handling_unit(
    session: AsyncSession, divisions: DivisionIndex, *, province_code: str, division_code: str, kind: str
) -> UnitRead:
    """The county bureau if one of its officers holds the post, else the city's, else the province's."""
    units = {u.division_code: u for u in await list_units(session) if u.active}
    chain: list[str] = []
    code: str | None = division_code
    while code and code not in chain:
        chain.append(code)
        division = divisions.get(code)
        code = division.parent_code if division else None
    staffed = await staffed_units(session, kind)
    for unit in (units[c] for c in chain if c in units and c != province_code):
        if unit.id in staffed:
            return unit
    if province_code not in units:
        # A province whose bureau unit was deactivated: no one could answer, so nothing is stored.
        raise FormErrors({"division": "该省受理单位暂未设置，暂时无法网上受理，请通过联系方式中的电话咨询"})
    return units[province_code]


async def staffed_units(session: AsyncSession, kind: str) -> set[int]:
    """Units with an active officer holding the post for `kind`: the only ones that can handle it."""
    return await units_holding_post(session, POSTS[kind])


async def transfer_targets(session: AsyncSession, item: ConsultationItem) -> list[UnitRead]:
    """The other units of the province an item can be passed to: active, with someone to answer it."""
    staffed = await staffed_units(session, item.kind)
    return [u for u in await list_units(session) if u.active and u.id != item.unit_id and u.id in staffed]


def record_item(
    session: AsyncSession,
    *,
    submission: Submission,
    unit: UnitRead,
    code_hash: str,
    applicant_id: uuid.UUID | None,
    due_on: date | None,
    files: Sequence[tuple[str, str, int, str, bytes]],
) -> ConsultationItem:
    """A new item with its "received" entry and attachments (id assigned at the next flush)."""
    item = ConsultationItem(
        kind=submission.kind,
        category=submission.category,
        division_code=submission.division_code,
        unit_id=unit.id,
        title=submission.title,
        body=submission.body,
        submitter_name=submission.name,
        submitter_mobile=submission.mobile,
        applicant_id=applicant_id,
        code_hash=code_hash,
        status="received",
        due_on=due_on,
        reminded="",
        publication="none",
    )
    repository.add(session, item)
    add_event(session, item, "received", f"已收到，由{unit.name}办理", actor="系统", public=True)
    for filename, content_type, size, sha256, data in files:
        repository.add(
            session,
            ConsultationAttachment(
                item=item, filename=filename, content_type=content_type, size=size, sha256=sha256, data=data
            ),
        )
    return item


def add_event(
    session: AsyncSession,
    item: ConsultationItem,
    kind: str,
    note: str,
    *,
    actor: str,
    public: bool,
    at: datetime | None = None,
) -> None:
    event = ConsultationEvent(item=item, kind=kind, note=note, actor_name=actor, public=public)
    if at is not None:
        event.at = at
    repository.add(session, event)


async def notify_unit(session: AsyncSession, item: ConsultationItem, unit_id: int, *, subject: str) -> None:
    """Tell the unit's officers holding the post that an item arrived (message center)."""
    recipients = [
        o.id
        for o in await list_officers(session, unit_id=unit_id)
        if o.active and POSTS[item.kind] in o.positions
    ]
    notify(
        session,
        recipients,
        subject=subject,
        body="请在咨询投诉中查看并答复。",
        link=f"consultations/{item.id}",
    )


def complaint_due(calendar: WorkCalendar, submitted_on: date) -> date:
    return calendar.add_working_days(submitted_on, COMPLAINT_WORKING_DAYS).due


def may_see(officer: OfficerAccount, item: ConsultationItem) -> bool:
    return officer.may(PERMISSIONS[item.kind])


async def item_for(
    session: AsyncSession, officer: OfficerAccount, item_id: int, *, lock: bool = False
) -> ConsultationItem:
    """An item of the province this officer may look at; LookupError otherwise (a 404)."""
    item = await repository.item(session, item_id, lock=lock)
    if item is None or not may_see(officer, item):
        raise LookupError(item_id)
    return item


def require_handling_unit(officer: OfficerAccount, item: ConsultationItem, unit_name: str) -> None:
    if item.status == "transferred":
        raise ConsultationError("该事项已转至其他省份办理，此处仅保留转办记录")
    if item.unit_id != officer.unit_id:
        raise ConsultationError(f"该事项由{unit_name}办理，您所在单位不能办理")


async def read_item(
    session: AsyncSession, item: ConsultationItem, officer: OfficerAccount | None, *, today: date
) -> ItemRead:
    units = {u.id: u for u in await list_units(session)}
    handled_here = officer is not None and officer.unit_id == item.unit_id and item.status != "transferred"
    return ItemRead(
        id=item.id,
        kind=item.kind,
        category=item.category,
        division_code=item.division_code,
        unit_id=item.unit_id,
        unit_name=units[item.unit_id].name if item.unit_id in units else "",
        title=item.title,
        body=item.body,
        status=item.status,
        submitted_at=item.submitted_at,
        due_on=item.due_on,
        overdue=item.status == "received" and item.due_on is not None and item.due_on < today,
        reply=item.reply,
        replied_at=item.replied_at,
        replied_by=item.replied_by,
        transferred_to=item.transferred_to,
        origin=item.origin,
        publication=item.publication,
        public_question=item.public_question,
        public_answer=item.public_answer,
        # Only the unit handling it now: not other units, nor a province that transferred it away.
        submitter=Submitter(item.submitter_name, item.submitter_mobile, item.applicant_id is not None)
        if handled_here
        else None,
        handled_here=handled_here,
    )


async def history(session: AsyncSession, item_id: int, *, public_only: bool) -> list[EventRead]:
    return [
        EventRead(at=e.at, kind=e.kind, note=e.note, actor_name=e.actor_name, public=e.public)
        for e in await repository.events(session, item_id, public_only=public_only)
    ]


async def attachments_of(session: AsyncSession, item_id: int) -> list[AttachmentRead]:
    return [
        AttachmentRead(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size)
        for a in await repository.attachments(session, item_id)
    ]


async def attachment_content(
    session: AsyncSession, officer: OfficerAccount, item_id: int, attachment_id: int
) -> tuple[str, str, bytes] | None:
    """An attachment's file, for the handling unit only (it may name the complainant)."""
    item = await repository.item(session, item_id)
    if (
        item is None
        or not may_see(officer, item)
        or item.unit_id != officer.unit_id
        or item.status == "transferred"
    ):
        return None
    found = await repository.attachment(session, item_id, attachment_id)
    return (found.filename, found.content_type, found.data) if found else None


async def officer_list(
    session: AsyncSession,
    officer: OfficerAccount,
    *,
    kind: str,
    status: str,
    overdue: bool,
    whole_province: bool,
    today: date,
) -> list[ItemRead]:
    kinds = [k for k, p in PERMISSIONS.items() if officer.may(p) and (not kind or k == kind)]
    if not kinds:
        return []
    rows = await repository.items(
        session,
        kinds=kinds,
        unit_id=None if whole_province else officer.unit_id,
        status=status or None,
        overdue_on=today if overdue else None,
    )
    return [await read_item(session, row, officer, today=today) for row in rows]


def reply_to(
    item: ConsultationItem,
    session: AsyncSession,
    officer: OfficerAccount,
    text: str,
    *,
    now: datetime,
    unit_name: str,
) -> datetime:
    """Answer the item (which closes it); the moment its query code stops working."""
    require_handling_unit(officer, item, unit_name)
    if item.status != "received":
        raise ConsultationError("该事项已答复，不能重复答复")
    try:
        reply = check_reply(text)
    except ValueError as exc:
        raise ConsultationError(str(exc)) from None
    item.reply, item.replied_at, item.replied_by, item.status = reply, now, officer.name, "replied"
    add_event(session, item, "replied", reply, actor=unit_name, public=True, at=now)
    return now + timedelta(days=CODE_VALID_DAYS_AFTER_CLOSE)


async def transfer_within(
    session: AsyncSession,
    item: ConsultationItem,
    officer: OfficerAccount,
    *,
    unit_id: int,
    note: str,
    unit_name: str,
) -> UnitRead:
    require_handling_unit(officer, item, unit_name)
    if item.status != "received":
        raise ConsultationError("已答复的事项不能再转办")
    target = next((u for u in await list_units(session) if u.id == unit_id and u.active), None)
    if target is None:
        raise ConsultationError("请选择本省的一个在用单位")
    if target.id == item.unit_id:
        raise ConsultationError("该事项已由此单位办理，请选择其他单位")
    if target.id not in await staffed_units(session, item.kind):
        raise ConsultationError(f"{target.name}没有在岗的{KINDS[item.kind]}办理人员，请选择其他单位")
    item.unit_id = target.id
    item.reminded = ""
    add_event(session, item, "transferred", f"已转交{target.name}办理", actor=unit_name, public=True)
    if note.strip():
        add_event(session, item, "note", f"转办说明：{note.strip()[:500]}", actor=officer.name, public=False)
    await enquiry_changed(session, item)
    return target


# A mainland mobile number anywhere in the text published on /qa.
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def publication_wording(
    item: ConsultationItem,
    officer: OfficerAccount,
    *,
    question: str,
    answer: str,
    action: str,
    unit_name: str,
) -> None:
    """Save the public wording as a draft, publish it, or withdraw it (the caller syncs /qa)."""
    require_handling_unit(officer, item, unit_name)
    if action == "withdraw":
        item.publication = "none" if item.publication == "none" else "draft"
        return
    if item.status != "replied":
        raise ConsultationError("答复后才能公开")
    try:
        item.public_question, item.public_answer = check_public_wording(question, answer)
    except ValueError as exc:
        raise ConsultationError(str(exc)) from None
    wording = f"{item.public_question}\n{item.public_answer}"
    identity = [v for v in (item.submitter_name, item.submitter_mobile) if v and len(v) >= 2]
    if action == "publish" and (any(v in wording for v in identity) or _MOBILE.search(wording)):
        raise ConsultationError("公开内容中含有提问人的姓名或手机号码等个人信息，请删除后再发布")
    item.publication = "published" if action == "publish" else "draft"


async def remind_complaints_in(
    session: AsyncSession, *, calendar: WorkCalendar, today: date
) -> dict[str, int]:
    """Tell the handling unit's complaint officers once when a complaint is due soon, once when overdue."""
    done = {"soon": 0, "overdue": 0}
    for item_id in await repository.open_complaint_ids(session):
        item = await repository.item(session, item_id, lock=True)
        if item is None or item.status != "received" or item.due_on is None:
            continue
        try:
            left, _provisional = calendar.working_days_between(today, item.due_on)
        except CalendarNotCovered:
            left = (item.due_on - today).days
        stage = deadline_stage(left, item.due_on < today)
        if not stage or stage == item.reminded or (item.reminded == "overdue"):
            continue
        recipients = [
            o.id
            for o in await list_officers(session, unit_id=item.unit_id)
            if o.active and POSTS["complaint"] in o.positions
        ]
        subject = (
            f"投诉已超期：{item.title}"
            if stage == "overdue"
            else f"投诉办理期限将至（{item.due_on}）：{item.title}"
        )
        notify(
            session,
            recipients,
            subject=subject,
            body=f"办理期限 {item.due_on}，请及时答复。",
            link=f"consultations/{item.id}",
        )
        item.reminded = stage
        add_event(session, item, "reminded", subject, actor="系统", public=False)
        done[stage] += 1
    return done


def faq_read(entry: NationalFaqEntry | ProvinceFaqEntry) -> FaqRead:
    return FaqRead(
        id=entry.id,
        topic=entry.topic,
        question=entry.question,
        answer=entry.answer,
        active=entry.active,
        national=isinstance(entry, NationalFaqEntry),
        updated_at=entry.updated_at,
        updated_by=entry.updated_by,
    )


async def faq_list(
    session: AsyncSession, *, national: bool, topic: str = "", query: str = "", active_only: bool = True
) -> list[FaqRead]:
    model = NationalFaqEntry if national else ProvinceFaqEntry
    rows = await repository.faq_entries(
        session, model, topic=topic or None, words=keywords(query), active_only=active_only
    )
    return [faq_read(r) for r in rows]


async def save_faq(
    session: AsyncSession,
    *,
    national: bool,
    entry_id: int | None,
    topic: str,
    question: str,
    answer: str,
    active: bool,
    by: str,
    now: datetime,
) -> None:
    """Create or update an entry (already checked by `check_faq`); LookupError for an unknown id."""
    model = NationalFaqEntry if national else ProvinceFaqEntry
    if entry_id is None:
        entry: NationalFaqEntry | ProvinceFaqEntry = model(
            topic=topic, question=question.strip(), answer=answer.strip(), updated_by=by
        )
        repository.add(session, entry)
        return
    found = await repository.faq_entry(session, model, entry_id)
    if found is None:
        raise LookupError(entry_id)
    found.topic, found.question, found.answer = topic, question.strip(), answer.strip()
    found.active, found.updated_by, found.updated_at = active, by, now


# --- the item as the national statistics see it --------------------------------------------------

# Every change of a complaint or consultation, for the national statistics (analytic facts).
ENQUIRY_FACT = "consultations.item_changed"


def enquiry_fact(item: ConsultationItem, unit_name: str, transferred_at: datetime | None) -> dict[str, Any]:
    """Category, place, handling bureau and timing of an item, and the main terms of its question
    (for the national topic analysis): never its text or who sent it."""
    replied_on = item.replied_at.astimezone(CHINA_TIME).date() if item.replied_at else None
    within = None if replied_on is None or item.due_on is None else replied_on <= item.due_on
    closed_at = item.replied_at or (transferred_at if item.status == "transferred" else None)
    return {
        "kind": item.kind,
        "enquiry_id": item.id,
        "category": item.category,
        "division_code": item.division_code,
        "handling_unit": unit_name or None,
        "status": item.status,
        "received_at": item.submitted_at.isoformat(),
        "replied_at": item.replied_at.isoformat() if item.replied_at else None,
        "closed_at": closed_at.isoformat() if closed_at else None,
        "within_limit": within,
        "transferred": transferred_at is not None,
        # Received from another province: the origin province counts it, this one handles it.
        "transferred_in": item.origin is not None,
        "published": item.publication == "published",
        "terms": top_terms(item.title, item.body),
    }


async def enquiry_changed(session: AsyncSession, item: ConsultationItem) -> None:
    """Tell the national statistics how the item stands now, in the change's own transaction."""
    await session.flush()
    units = {u.id: u.name for u in await list_units(session)}
    transferred = await repository.transfer_times(session, [item.id])
    fact = enquiry_fact(item, units.get(item.unit_id, ""), transferred.get(item.id))
    record_event(session, ENQUIRY_FACT, fact)


async def enquiry_facts(session: AsyncSession) -> list[dict[str, Any]]:
    """Every complaint and consultation of the province, as `ENQUIRY_FACT` events carry them."""
    units = {u.id: u.name for u in await list_units(session)}
    items = await repository.all_items(session)
    transferred = await repository.transfer_times(session, None)
    return [enquiry_fact(i, units.get(i.unit_id, ""), transferred.get(i.id)) for i in items]
