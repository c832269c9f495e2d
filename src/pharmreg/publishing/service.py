"""Use cases of the content system (信息发布): drafting, review, scheduled publishing,
withdrawal, revision history, attachments, work reminders and progress, and the public side."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.identity import list_officers
from pharmreg.kit.logging import get_logger
from pharmreg.kit.uploads import DOCX, JPEG, PDF, PNG, XLSX, AttachmentError, check_upload
from pharmreg.messaging import notify
from pharmreg.publishing import repository
from pharmreg.publishing.content import (
    ArticleDraft,
    TransitionError,
    content_hash,
    next_status,
    plain_text,
)
from pharmreg.publishing.models import ArticleSpace
from pharmreg.publishing.search import search_query, search_vector

log = get_logger(__name__)

ATTACHMENT_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENTS_PER_ARTICLE = 10
SYSTEM_ACTOR = uuid.UUID(int=0)
SYSTEM_NAME = "系统（定时发布）"


class PublishingError(ValueError):
    """The action is refused; the message tells the person why."""


class StaleEditError(PublishingError):
    """Someone saved the article since this person opened it."""


@dataclass(frozen=True, slots=True)
class Editor:
    """Who acts in the back office, and what they may do there."""

    id: uuid.UUID
    name: str
    department: str
    unit_code: str | None  # None for national staff
    may_publish: bool
    may_review: bool
    reviews_all: bool  # the province bureau's reviewers (or national super-administrators)

    def covers(self, row: Any) -> bool:
        """Whether the article belongs to this person's unit (or they oversee every unit)."""
        return self.reviews_all or self.unit_code is None or row.unit_code == self.unit_code


@dataclass(slots=True)
class Outcome:
    article_id: int
    status: str
    action: str = ""


def _history(
    space: ArticleSpace,
    row: Any,
    action: str,
    actor: Editor | None,
    *,
    note: str = "",
    digest: str | None = None,
) -> Any:
    return space.tables.history(
        article_id=row.id,
        revision=row.revision,
        action=action,
        actor_id=actor.id if actor else SYSTEM_ACTOR,
        actor_name=actor.name if actor else SYSTEM_NAME,
        department=actor.department if actor else row.department,
        note=note[:500],
        category=row.category,
        title=row.title,
        summary=row.summary,
        body_html=row.body_html,
        tags=list(row.tags),
        content_hash=digest,
    )


async def _editable(session: AsyncSession, space: ArticleSpace, editor: Editor, article_id: int) -> Any:
    row = await repository.article(session, space, article_id, lock=True)
    if row is None or not editor.covers(row):
        raise PublishingError("信息不存在或不属于本单位")
    return row


async def create_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, draft: ArticleDraft, now: datetime
) -> int:
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位，不能撰写信息")
    row = space.tables.article(
        category=draft.category,
        title=draft.title,
        summary=draft.summary,
        body_html=draft.body_html,
        tags=list(draft.tags),
        status="draft",
        publish_at=draft.publish_at,
        revision=1,
        author_id=editor.id,
        author_name=editor.name,
        department=editor.department,
        unit_code=editor.unit_code,
        review_note="",
        created_at=now,
        updated_at=now,
    )
    repository.add(session, row)
    await session.flush()
    repository.add(session, _history(space, row, "created", editor))
    return int(row.id)


async def save_article(
    session: AsyncSession,
    *,
    space: ArticleSpace,
    editor: Editor,
    article_id: int,
    draft: ArticleDraft,
    seen_revision: int,
    now: datetime,
) -> None:
    """A new revision of the working copy; a page on line stays as approved until the next approval."""
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位，不能修改信息")
    row = await _editable(session, space, editor, article_id)
    status = next_status("edit", row.status, now=now)
    if row.revision != seen_revision:
        raise StaleEditError(f"此信息已被他人修改（当前第 {row.revision} 版），请刷新后重新编辑")
    row.status = status
    row.category, row.title, row.summary = draft.category, draft.title, draft.summary
    row.body_html, row.tags, row.publish_at = draft.body_html, list(draft.tags), draft.publish_at
    row.revision += 1
    row.updated_at = now
    repository.add(session, _history(space, row, "edited", editor))


async def submit_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, article_id: int, now: datetime
) -> Outcome:
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位，不能送审")
    row = await _editable(session, space, editor, article_id)
    row.status = next_status("submit", row.status, now=now)
    row.submitted_by = editor.id
    row.review_note = ""
    row.updated_at = now
    repository.add(session, _history(space, row, "submitted", editor))
    return Outcome(row.id, row.status)


async def recall_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, article_id: int, now: datetime
) -> Outcome:
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位")
    row = await _editable(session, space, editor, article_id)
    row.status = next_status("recall", row.status, now=now)
    row.updated_at = now
    repository.add(session, _history(space, row, "recalled", editor))
    return Outcome(row.id, row.status, action="recalled")


async def may_review(session: AsyncSession, space: ArticleSpace, editor: Editor, row: Any) -> bool:
    """Whether this editor may approve or reject this article now (its review form is shown)."""
    if row.status != "pending":
        return False
    try:
        await _reviewable(session, space, editor, row)
    except PublishingError:
        return False
    return True


async def _reviewable(session: AsyncSession, space: ArticleSpace, editor: Editor, row: Any) -> None:
    """Four eyes: who sent it for review, or wrote any of it since the last approval, may not review it."""
    if not editor.may_review:
        raise PublishingError("您没有信息审核岗位")
    wrote = False
    for entry in await repository.history(session, space, row.id):  # newest first
        if entry.action == "approved":
            break
        wrote = wrote or (entry.actor_id == editor.id and entry.action in {"created", "edited"})
    if row.submitted_by == editor.id or wrote:
        raise PublishingError("不能审核自己撰写或送审的信息，请由其他审核人员审核")


async def approve_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, article_id: int, note: str, now: datetime
) -> Outcome:
    """Approved: on line now, or at its scheduled time."""
    row = await _editable(session, space, editor, article_id)
    await _reviewable(session, space, editor, row)
    row.status = next_status("approve", row.status, publish_at=row.publish_at, now=now)
    row.review_note = note.strip()[:500]
    row.updated_at = now
    repository.add(session, _history(space, row, "approved", editor, note=note))
    if row.status == "published":
        await _go_live(session, space, row, editor, now)
    return Outcome(row.id, row.status)


async def reject_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, article_id: int, note: str, now: datetime
) -> Outcome:
    row = await _editable(session, space, editor, article_id)
    await _reviewable(session, space, editor, row)
    if not note.strip():
        raise PublishingError("退回时请填写修改意见")
    row.status = next_status("reject", row.status, now=now)
    row.review_note = note.strip()[:500]
    row.updated_at = now
    repository.add(session, _history(space, row, "rejected", editor, note=note))
    return Outcome(row.id, row.status)


async def withdraw_article(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, article_id: int, note: str, now: datetime
) -> Outcome:
    """Take the page off line (撤下); the working copy and its history stay."""
    if not (editor.may_review or editor.may_publish):
        raise PublishingError("您没有信息发布或审核岗位")
    row = await _editable(session, space, editor, article_id)
    if not note.strip():
        raise PublishingError("撤下时请填写原因")
    if not await repository.remove_live(session, space, article_id):
        raise PublishingError("该信息当前未发布，无需撤下")
    if row.status in {"published", "scheduled"}:
        row.status = "withdrawn"
    row.updated_at = now
    repository.add(session, _history(space, row, "withdrawn", editor, note=note))
    return Outcome(row.id, row.status)


async def publish_due(session: AsyncSession, *, space: ArticleSpace, now: datetime) -> list[int]:
    """Put scheduled articles whose time has come on line (idempotent; run by the worker)."""
    published = []
    for article_id in await repository.due_scheduled(session, space, now):
        row = await repository.article(session, space, article_id, lock=True)
        if row is None or row.status != "scheduled":
            continue
        try:
            row.status = next_status("publish_due", row.status, publish_at=row.publish_at, now=now)
        except TransitionError:
            continue
        await _go_live(session, space, row, None, now)
        published.append(article_id)
    return published


async def _go_live(
    session: AsyncSession, space: ArticleSpace, row: Any, actor: Editor | None, now: datetime
) -> None:
    files = [
        {"id": a.id, "filename": a.filename, "size": a.size, "sha256": a.sha256}
        for a in await repository.attachments(session, space, row.id)
    ]
    published_at = now.replace(microsecond=0)
    digest = live_hash(space, row.id, row.revision, row, published_at, files)
    live = await repository.live(session, space, row.id)
    if live is None:
        live = space.tables.live(article_id=row.id)
        repository.add(session, live)
    live.revision = row.revision
    live.category, live.title, live.summary = row.category, row.title, row.summary
    live.body_html, live.tags = row.body_html, list(row.tags)
    live.published_at = published_at
    live.attachments = files
    live.content_hash = digest
    live.search_vector = search_vector(
        title=row.title, summary=row.summary, body=plain_text(row.body_html), tags=row.tags
    )
    row.updated_at = now
    repository.add(session, _history(space, row, "published", actor, digest=digest))
    log.info(
        "publishing.published", space=space.key, article_id=row.id, revision=row.revision, hash=digest[:16]
    )


def live_hash(
    space: ArticleSpace,
    article_id: int,
    revision: int,
    page: Any,
    published_at: datetime,
    files: list[dict[str, Any]],
) -> str:
    return content_hash(
        space=space.key,
        article_id=article_id,
        revision=revision,
        category=page.category,
        title=page.title,
        summary=page.summary,
        body_html=page.body_html + "".join(f"\n[{f['id']}:{f['sha256']}]" for f in files),
        tags=list(page.tags),
        published_at=published_at,
    )


def verify_page(space: ArticleSpace, live: Any) -> bool:
    """Whether a stored page still matches the hash it was published with."""
    digest = live_hash(space, live.article_id, live.revision, live, live.published_at, live.attachments)
    return bool(digest == live.content_hash)


async def tampered_pages(session: AsyncSession, *, space: ArticleSpace) -> list[int]:
    """Published pages whose stored content no longer matches their hash (or their history)."""
    bad = []
    for live in await repository.all_live(session, space):
        if not verify_page(space, live):
            bad.append(live.article_id)
            continue
        recorded = {
            h.content_hash
            for h in await repository.history(session, space, live.article_id)
            if h.content_hash
        }
        if live.content_hash not in recorded:
            bad.append(live.article_id)
    return bad


# Attachments ---------------------------------------------------------------------------


async def add_attachment(
    session: AsyncSession,
    *,
    space: ArticleSpace,
    editor: Editor,
    article_id: int,
    filename: str,
    data: bytes,
    now: datetime,
) -> int:
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位")
    row = await _editable(session, space, editor, article_id)
    if row.status == "pending":
        raise PublishingError("待审核的信息不能修改附件，请先撤回送审")
    existing = await repository.attachments(session, space, article_id)
    if len(existing) >= ATTACHMENTS_PER_ARTICLE:
        raise AttachmentError(f"每篇信息最多 {ATTACHMENTS_PER_ARTICLE} 个附件")
    checked = check_upload(filename, data, max_bytes=ATTACHMENT_MAX_BYTES, kinds=ATTACHMENT_KINDS)
    if any(a.sha256 == checked.sha256 for a in existing):
        raise AttachmentError("该文件已上传过")
    attachment = space.tables.attachment(
        article_id=article_id,
        filename=checked.filename,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        content=data,
    )
    repository.add(session, attachment)
    row.status = next_status("edit", row.status, now=now)
    row.revision += 1
    row.updated_at = now
    repository.add(session, _history(space, row, "edited", editor, note=f"添加附件：{checked.filename}"))
    await session.flush()
    return int(attachment.id)


async def remove_attachment(
    session: AsyncSession,
    *,
    space: ArticleSpace,
    editor: Editor,
    article_id: int,
    attachment_id: int,
    now: datetime,
) -> None:
    if not editor.may_publish:
        raise PublishingError("您没有信息发布岗位")
    row = await _editable(session, space, editor, article_id)
    if row.status == "pending":
        raise PublishingError("待审核的信息不能修改附件，请先撤回送审")
    live = await repository.live(session, space, article_id)
    if live is not None and any(f["id"] == attachment_id for f in live.attachments):
        raise PublishingError("该附件属于正在发布的版本，请先撤下信息，或在新版本发布后再删除")
    attachment = await repository.attachment(session, space, article_id, attachment_id)
    if attachment is None:
        raise PublishingError("附件不存在")
    await repository.delete_attachment(session, space, article_id, attachment_id)
    row.status = next_status("edit", row.status, now=now)
    row.revision += 1
    row.updated_at = now
    repository.add(session, _history(space, row, "edited", editor, note=f"删除附件：{attachment.filename}"))


async def has_articles(session: AsyncSession, *, space: ArticleSpace) -> bool:
    return await repository.any_article(session, space)


# Reading for the back office ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminders:
    """工作提醒: what waits for this person."""

    to_review: int
    scheduled_soon: int
    returned: int
    drafts: int


async def reminders(
    session: AsyncSession, *, space: ArticleSpace, editor: Editor, now: datetime
) -> Reminders:
    unit = None if editor.reviews_all or editor.unit_code is None else editor.unit_code
    counts = await repository.count_by_status(session, space, unit_code=unit)
    mine = await repository.articles(session, space, statuses=["draft"], author_id=editor.id)
    return Reminders(
        to_review=counts.get("pending", 0) if editor.may_review else 0,
        scheduled_soon=await repository.scheduled_before(session, space, now + timedelta(days=1)),
        returned=sum(1 for a in mine if a.review_note),
        drafts=len(mine),
    )


@dataclass(frozen=True, slots=True)
class ProgressRow:
    department: str
    person: str
    drafted: int
    submitted: int
    published: int


async def progress(
    session: AsyncSession, *, space: ArticleSpace, start: datetime, end: datetime
) -> list[ProgressRow]:
    """各部门工作进度: what each person drafted, sent for review and got published in [start, end)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for department, person, action, count in await repository.progress(session, space, start, end):
        counts.setdefault((department, person), {})[action] = count
    published = await repository.published_by_author(session, space, start, end)
    for department, person, count in published:
        counts.setdefault((department, person), {})["live"] = count
    return [
        ProgressRow(department, person, c.get("created", 0), c.get("submitted", 0), c.get("live", 0))
        for (department, person), c in sorted(counts.items())
        if any(c.get(k) for k in ("created", "submitted", "live"))
    ]


async def search_pages(
    session: AsyncSession, *, space: ArticleSpace, q: str, category: str | None, limit: int, offset: int = 0
) -> tuple[list[Any], int]:
    query = search_query(q)
    if query is None:
        return [], 0
    # One character says little about relevance and matches much of everything: newest first,
    # which PostgreSQL answers by walking the date index instead of ranking every match.
    broad = len("".join(q.split())) == 1
    rows, total = await repository.search(
        session, space, query, category=category, limit=limit, offset=offset, by_date=broad
    )
    return list(rows), total


async def notify_about(
    session: AsyncSession, *, space: ArticleSpace, outcome: Outcome, editor: Editor
) -> int:
    """消息中心 (provinces): reviewers hear of submissions, authors of their article's review."""
    if space.national:
        return 0
    row = await repository.article(session, space, outcome.article_id)
    link = f"publishing/{row.id}"
    if outcome.status == "pending":
        reviewers = [
            o.id
            for o in await list_officers(session)
            if o.active
            and "publishing_review" in o.positions
            and o.id != editor.id
            # the province bureau's reviewers, and those of the author's own unit
            and (o.unit_parent_id is None or o.unit_name == editor.department)
        ]
        subject, body = (
            f"信息待审核：{row.title}",
            f"{editor.name}（{editor.department}）送审了《{row.title}》。",
        )
        return notify(session, reviewers, subject=subject, body=body, link=link)
    if row.author_id == editor.id or outcome.action == "recalled":
        return 0
    verdict = {
        "published": "已审核通过并发布",
        "scheduled": "已审核通过，将按排期发布",
        "draft": "被退回修改",
    }
    if outcome.status not in verdict:
        return 0
    subject = f"《{row.title}》{verdict[outcome.status]}"
    body = f"审核人：{editor.name}。" + (f"意见：{row.review_note}" if row.review_note else "")
    return notify(session, [row.author_id], subject=subject, body=body, link=link)
