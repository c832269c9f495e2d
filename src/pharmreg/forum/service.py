"""Use cases of the forum: boards, threads, replies and moderation.

Every function works on the space it is given: a province's own boards or the national
board, which officers of every province and national staff share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.forum import repository
from pharmreg.forum.models import ForumSpace
from pharmreg.forum.rules import (
    check_board,
    check_body,
    check_reason,
    check_thread,
    clean_line,
)
from pharmreg.forum.schemas import (
    Author,
    BoardPage,
    BoardRead,
    PostRead,
    ThreadAuthor,
    ThreadRead,
    ThreadSummary,
)
from pharmreg.kit.clock import utcnow
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.names import bureau_name
from pharmreg.messaging import notify

THREADS_PER_PAGE = 20
REPLIES_PER_PAGE = 30
THREAD_ACTIONS = {
    "pin": "置顶",
    "unpin": "取消置顶",
    "lock": "锁定",
    "unlock": "解除锁定",
    "hide": "隐藏",
    "unhide": "恢复显示",
}
POST_ACTIONS = {"hide": "隐藏", "unhide": "恢复显示"}


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _board_read(row: Any, threads: int, latest: datetime | None) -> BoardRead:
    return BoardRead(
        id=row.id,
        title=row.title,
        description=row.description,
        closed=row.closed,
        threads=threads,
        last_activity_at=latest,
    )


async def list_boards(session: AsyncSession, space: ForumSpace) -> list[BoardRead]:
    return [_board_read(row, n, latest) for row, n, latest in await repository.boards(session, space)]


async def _board(session: AsyncSession, space: ForumSpace, board_id: int) -> BoardRead:
    row = await repository.board(session, space, board_id)
    if row is None:
        raise LookupError(board_id)
    return _board_read(row, *await repository.board_stats(session, space, board_id))


async def create_board(session: AsyncSession, space: ForumSpace, *, title: str, description: str) -> int:
    title, description = check_board(title, description)
    if await repository.board_title_taken(session, space, title):
        raise FormErrors({"title": f"已有名为“{title}”的版块"})
    row = space.tables.board(
        title=title, description=description, position=await repository.next_board_position(session, space)
    )
    repository.add(session, row)
    await session.flush()
    return int(row.id)


async def update_board(
    session: AsyncSession, space: ForumSpace, board_id: int, *, title: str, description: str, closed: bool
) -> str:
    """Rename, describe, close or reopen a board; returns a summary for the audit log."""
    row = await repository.board(session, space, board_id)
    if row is None:
        raise LookupError(board_id)
    title, description = check_board(title, description)
    if await repository.board_title_taken(session, space, title, except_id=board_id):
        raise FormErrors({"title": f"已有名为“{title}”的版块"})
    old_title = row.title
    row.title, row.description, row.closed = title, description, closed
    state = "已关闭" if closed else "开放"
    return f"版块“{old_title}”改为“{title}”（{state}）"


def _post_read(row: Any, *, viewer: Author, moderator: bool) -> PostRead:
    hidden = row.hidden_at is not None
    own = row.author_kind == viewer.kind and row.author_id == viewer.id and row.author_tenant == viewer.tenant
    return PostRead(
        id=row.id,
        author_name=row.author_name,
        author_unit=row.author_unit,
        author_province=row.author_province,
        created_at=row.created_at,
        body=row.body if moderator or not hidden else None,
        hidden=hidden,
        hidden_reason=row.hidden_reason if moderator else None,
        hidden_by=row.hidden_by if moderator else None,
        own=own,
    )


async def board_page(
    session: AsyncSession, space: ForumSpace, board_id: int, *, page: int, moderator: bool
) -> BoardPage:
    """A page of a board's threads; hidden titles are kept from readers who do not moderate."""
    board = await _board(session, space, board_id)
    pages = _pages(board.threads, THREADS_PER_PAGE)
    page = min(max(page, 1), pages)
    rows = await repository.threads(
        session, space, board_id, offset=(page - 1) * THREADS_PER_PAGE, limit=THREADS_PER_PAGE
    )
    threads = [
        ThreadSummary(
            id=row.id,
            title=row.title if moderator or row.hidden_at is None else None,
            author_name=row.author_name,
            author_unit=row.author_unit,
            author_province=row.author_province,
            pinned=row.pinned,
            locked=row.locked,
            hidden=row.hidden_at is not None,
            reply_count=row.reply_count,
            created_at=row.created_at,
            last_activity_at=row.last_activity_at,
        )
        for row in rows
    ]
    return BoardPage(board=board, threads=threads, page=page, pages=pages)


async def thread_page(
    session: AsyncSession,
    space: ForumSpace,
    thread_id: int,
    *,
    page: int,
    viewer: Author,
    moderator: bool,
) -> ThreadRead:
    row = await repository.thread(session, space, thread_id)
    if row is None:
        raise LookupError(thread_id)
    total = await repository.reply_total(session, space, thread_id)
    pages = _pages(total, REPLIES_PER_PAGE)
    page = min(max(page, 1), pages)
    replies = await repository.replies(
        session, space, thread_id, offset=(page - 1) * REPLIES_PER_PAGE, limit=REPLIES_PER_PAGE
    )
    return ThreadRead(
        id=row.id,
        board=await _board(session, space, row.board_id),
        title=row.title if moderator or row.hidden_at is None else None,
        pinned=row.pinned,
        locked=row.locked,
        hidden=row.hidden_at is not None,
        opening=_post_read(row, viewer=viewer, moderator=moderator),
        # A hidden thread hides its replies too (they may quote it), except from moderators.
        replies=[]
        if row.hidden_at is not None and not moderator
        else [_post_read(r, viewer=viewer, moderator=moderator) for r in replies],
        reply_count=total,
        page=page,
        pages=pages,
    )


def _authored(author: Author) -> dict[str, Any]:
    return {
        "author_kind": author.kind,
        "author_id": author.id,
        "author_tenant": author.tenant,
        "author_name": author.name[:50],
        "author_unit": author.unit[:100],
        "author_province": author.province[:50],
    }


async def start_thread(
    session: AsyncSession, space: ForumSpace, board_id: int, *, author: Author, title: str, body: str
) -> int:
    """A new thread on an open board; returns its id."""
    board = await repository.board(session, space, board_id)
    if board is None:
        raise LookupError(board_id)
    title, body = check_thread(title, body)
    if board.closed:
        raise FormErrors({"": "该版块已关闭，不能发表新主题"})
    now = utcnow()
    row = space.tables.thread(
        board_id=board_id, title=title, body=body, created_at=now, last_activity_at=now, **_authored(author)
    )
    repository.add(session, row)
    await session.flush()
    return int(row.id)


async def reply_to(
    session: AsyncSession, space: ForumSpace, thread_id: int, *, author: Author, body: str
) -> ThreadAuthor | None:
    """A reply to an open, visible thread; returns the thread's author to tell, unless it is the replier."""
    row = await repository.thread(session, space, thread_id, for_update=True)  # a lock waits for us
    if row is None:
        raise LookupError(thread_id)
    board = await repository.board(session, space, row.board_id)
    if row.hidden_at is not None:
        raise FormErrors({"": "该主题已被管理员隐藏，不能回复"})
    if row.locked:
        raise FormErrors({"": "该主题已被锁定，不能回复"})
    if board is None or board.closed:
        raise FormErrors({"": "该版块已关闭，不能回复"})
    body = check_body(body)
    now = utcnow()
    repository.add(
        session, space.tables.post(thread_id=thread_id, body=body, created_at=now, **_authored(author))
    )
    await repository.count_reply(session, space, thread_id, now)
    if row.author_kind == author.kind and row.author_id == author.id and row.author_tenant == author.tenant:
        return None
    return ThreadAuthor(
        thread_id=row.id, title=row.title, kind=row.author_kind, id=row.author_id, tenant=row.author_tenant
    )


def tell_thread_author(session: AsyncSession, author: ThreadAuthor, *, replier: Author, link: str) -> None:
    """A message-center notification to the thread's author (an officer), in the caller's transaction."""
    notify(
        session,
        [author.id],
        subject=f"论坛：{replier.name}回复了您的主题“{author.title}”",
        body=f"{bureau_name(replier.province, replier.unit)} {replier.name} "
        f"回复了您在论坛发表的主题“{author.title}”。",
        link=link,
    )


def _hide(row: Any, reason: str, moderator: str) -> None:
    row.hidden_at, row.hidden_reason, row.hidden_by = utcnow(), check_reason(reason), moderator[:50]


def _unhide(row: Any) -> None:
    row.hidden_at, row.hidden_reason, row.hidden_by = None, None, None


async def moderate_thread(
    session: AsyncSession, space: ForumSpace, thread_id: int, *, action: str, reason: str, moderator: str
) -> str:
    """Pin, unpin, lock, unlock, hide (with a reason) or show again; returns the audit summary."""
    if action not in THREAD_ACTIONS:
        raise FormErrors({"": "未知的管理操作"})
    row = await repository.thread(session, space, thread_id, for_update=True)
    if row is None:
        raise LookupError(thread_id)
    if action == "hide":
        _hide(row, reason, moderator)
    elif action == "unhide":
        _unhide(row)
    elif action in ("pin", "unpin"):
        row.pinned = action == "pin"
    else:
        row.locked = action == "lock"
    why = f"（原因：{clean_line(reason)}）" if action == "hide" else ""
    return f"{THREAD_ACTIONS[action]}主题“{row.title}”{why}"


async def moderate_post(
    session: AsyncSession, space: ForumSpace, post_id: int, *, action: str, reason: str, moderator: str
) -> tuple[int, str]:
    """Hide a reply (with a reason) or show it again; returns its thread and the audit summary."""
    if action not in POST_ACTIONS:
        raise FormErrors({"": "未知的管理操作"})
    row = await repository.post(session, space, post_id, for_update=True)
    if row is None:
        raise LookupError(post_id)
    if action == "hide":
        _hide(row, reason, moderator)
    else:
        _unhide(row)
    why = f"（原因：{clean_line(reason)}）" if action == "hide" else ""
    return int(row.thread_id), f"{POST_ACTIONS[action]}{row.author_name}的回复 #{row.id}{why}"
