"""论坛 pages: a province's boards in its office, the national board reached from every office
and from the national console. One set of handlers serves the three; each controller below
says where its forum lives, who reads it and who moderates it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit, record_tenant_audit
from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.forum.models import NATIONAL_TABLES, PROVINCE_TABLES, ForumTables
from pharmreg.forum.rules import BODY_MAX, HIDDEN_TEXT, REASON_MAX, TITLE_MAX
from pharmreg.forum.schemas import Author, ThreadAuthor
from pharmreg.forum.service import (
    board_page,
    create_board,
    list_boards,
    moderate_post,
    moderate_thread,
    reply_to,
    start_thread,
    tell_thread_author,
    thread_page,
    update_board,
)
from pharmreg.identity import (
    OfficerAccount,
    StaffAccount,
    account_of,
    require_officer,
    require_staff,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.errors import UserError
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.logging import get_logger
from pharmreg.kit.names import bureau_name
from pharmreg.kit.rendering import render
from pharmreg.messaging import send_to_staff
from pharmreg.tenancy import TenantDirectory, TenantInfo

log = get_logger(__name__)
NATIONAL_PROVINCE = "国家药品监督管理局"
Page = Annotated[int, QueryParameter(ge=1, le=100_000)]


class ForumPlace:
    """One forum as a request sees it: its tables, its pages' address, the reader, the layout.

    A plain class, not a dataclass: Litestar would otherwise try to validate it field by field.
    """

    def __init__(
        self,
        *,
        tables: ForumTables,
        base: str,
        viewer: Author,
        moderator: bool,
        national: bool,
        layout: str,
        context: dict[str, Any],
        other: tuple[str, str] | None = None,
    ) -> None:
        self.tables = tables
        self.base = base
        self.viewer = viewer
        self.moderator = moderator
        self.national = national
        self.layout = layout
        self.context = context
        # Where an officer finds the other forum (their province's or the national one).
        self.other = other

    def page(self, **values: Any) -> dict[str, Any]:
        return {
            **self.context,
            "layout": self.layout,
            "forum": self,
            "hidden_text": HIDDEN_TEXT,
            "limits": {"title": TITLE_MAX, "body": BODY_MAX, "reason": REASON_MAX},
            **values,
        }

    async def record(self, session: AsyncSession, actor: Actor, summary: str, target: str) -> None:
        """The moderation goes to the audit log of the forum's own schema."""
        if self.national:
            record_national_audit(
                session, action="forum_moderated", actor=actor, summary=summary, target=target
            )
        else:
            await record_tenant_audit(
                session, action="forum_moderated", actor=actor, summary=summary, target=target
            )


def _officer_author(officer: OfficerAccount, tenant: TenantInfo) -> Author:
    return Author(
        kind="officer",
        id=officer.id,
        tenant=tenant.slug,
        name=officer.name,
        unit=officer.unit_name,
        province=tenant.name,
    )


def _province_place(
    tenant: NamedDependency[TenantInfo],
    officer: NamedDependency[OfficerAccount],
    db: NamedDependency[Database],
) -> ForumPlace:
    base = f"/p/{tenant.slug}/office/forum"
    return ForumPlace(
        tables=PROVINCE_TABLES,
        base=base,
        viewer=_officer_author(officer, tenant),
        moderator=officer.may("moderate_forum") and officer.at_province,
        national=False,
        layout="office/layout.html",
        context={"realm": officer_realm(tenant, db), "tenant": tenant, "officer": officer},
        other=(f"{base}/national/", "全国交流版"),
    )


def _officer_national_place(
    tenant: NamedDependency[TenantInfo],
    officer: NamedDependency[OfficerAccount],
    db: NamedDependency[Database],
) -> ForumPlace:
    base = f"/p/{tenant.slug}/office/forum"
    return ForumPlace(
        tables=NATIONAL_TABLES,
        base=f"{base}/national",
        viewer=_officer_author(officer, tenant),
        moderator=False,  # the national board is moderated by national staff
        national=True,
        layout="office/layout.html",
        context={"realm": officer_realm(tenant, db), "tenant": tenant, "officer": officer},
        other=(f"{base}/", f"{tenant.name}论坛"),
    )


def _staff_place(staff: NamedDependency[StaffAccount], db: NamedDependency[Database]) -> ForumPlace:
    return ForumPlace(
        tables=NATIONAL_TABLES,
        base="/national/forum",
        viewer=Author(
            kind="staff",
            id=staff.id,
            tenant="national",
            name=staff.name,
            unit=staff.department,
            province=NATIONAL_PROVINCE,
        ),
        moderator=True,
        national=True,
        layout="national/layout.html",
        context={"realm": staff_realm(db), "staff": staff, "section": "forum"},
    )


def _tenant_forum_session(tenant_session: NamedDependency[AsyncSession]) -> AsyncSession:
    return tenant_session


def _national_forum_session(national_session: NamedDependency[AsyncSession]) -> AsyncSession:
    return national_session


def moderators_only(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Province boards: the province bureau's administrators (moderate_forum); national: its staff."""
    account = account_of(connection)
    if isinstance(account, StaffAccount):
        return
    if not (isinstance(account, OfficerAccount) and account.may("moderate_forum") and account.at_province):
        raise PermissionDeniedException(detail="只有省级药品监管部门的系统管理员可以管理本省论坛")


def _form_values(form: Any) -> dict[str, str]:
    return {k: str(v) for k, v in form.items()}


class ForumPages(Controller):
    """Reading and writing: boards, threads and replies."""

    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
    ) -> Template:
        boards = await list_boards(forum_session, place.tables)
        return render(request, "forum/index.html", place.page(boards=boards, errors={}, values={}))

    @get("/boards/{board_id:int}")
    async def board(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        board_id: FromPath[int],
        page: Page = 1,
    ) -> Template:
        try:
            listing = await board_page(
                forum_session, place.tables, board_id, page=page, moderator=place.moderator
            )
        except LookupError:
            raise NotFoundException() from None
        return render(
            request,
            "forum/board.html",
            place.page(listing=listing, errors={}),
            fragment="forum/_threads.html",
        )

    async def _new_thread_page(
        self,
        request: HTMXRequest,
        place: ForumPlace,
        session: AsyncSession,
        board_id: int,
        *,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        try:
            listing = await board_page(session, place.tables, board_id, page=1, moderator=place.moderator)
        except LookupError:
            raise NotFoundException() from None
        return render(
            request,
            "forum/thread_new.html",
            place.page(board=listing.board, values=values, errors=errors),
            status_code=status,
        )

    @get("/boards/{board_id:int}/new")
    async def new_thread_form(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        board_id: FromPath[int],
    ) -> Template:
        return await self._new_thread_page(request, place, forum_session, board_id, values={}, errors={})

    @post("/boards/{board_id:int}/new")
    async def new_thread(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        board_id: FromPath[int],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                thread_id = await start_thread(
                    forum_session,
                    place.tables,
                    board_id,
                    author=place.viewer,
                    title=values.get("title", ""),
                    body=values.get("body", ""),
                )
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await self._new_thread_page(
                request, place, forum_session, board_id, values=values, errors=exc.errors, status=400
            )
        log.info("forum.thread_started", national=place.national, thread=thread_id)
        return Redirect(path=f"{place.base}/threads/{thread_id}", status_code=303)

    async def _thread_page(
        self,
        request: HTMXRequest,
        place: ForumPlace,
        session: AsyncSession,
        thread_id: int,
        *,
        page: int = 1,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        try:
            thread = await thread_page(
                session, place.tables, thread_id, page=page, viewer=place.viewer, moderator=place.moderator
            )
        except LookupError:
            raise NotFoundException() from None
        return render(
            request,
            "forum/thread.html",
            place.page(thread=thread, values=values or {}, errors=errors or {}, message=message),
            status_code=status,
        )

    @get("/threads/{thread_id:int}")
    async def thread(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        thread_id: FromPath[int],
        page: Page = 1,
    ) -> Template:
        done = {"replied": "回复已发表。", "moderated": "管理操作已完成。"}
        message = done.get(request.query_params.get("done", ""))
        return await self._thread_page(request, place, forum_session, thread_id, page=page, message=message)

    @post("/threads/{thread_id:int}/reply")
    async def reply(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        thread_id: FromPath[int],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                author = await reply_to(
                    forum_session, place.tables, thread_id, author=place.viewer, body=values.get("body", "")
                )
                if author is not None and not place.national:
                    tell_thread_author(
                        forum_session, author, replier=place.viewer, link=f"forum/threads/{thread_id}"
                    )
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await self._thread_page(
                request, place, forum_session, thread_id, values=values, errors=exc.errors, status=400
            )
        if author is not None and place.national:
            await _tell_across(db, directory, author, replier=place.viewer)
        return Redirect(
            path=f"{place.base}/threads/{thread_id}?page=100000&done=replied#reply", status_code=303
        )


async def _tell_across(
    db: Database, directory: TenantDirectory, author: ThreadAuthor, *, replier: Author
) -> None:
    """A reply on the national board reaches its author's message center: an officer's in their
    province, national staff's in the national schema.

    The reply is committed by then (another schema, perhaps another server): the notice is a
    courtesy written afterwards, and its failure is logged, never shown to the replier.
    """
    if author.kind == "staff":
        try:
            async with db.national() as session, session.begin():
                send_to_staff(
                    session,
                    recipient_id=author.id,
                    sender_name=f"论坛 · {bureau_name(replier.province, replier.unit)} {replier.name}",
                    subject=f"论坛：{replier.name}回复了您的主题“{author.title}”",
                    body=f"请到“论坛 · 全国交流”查看主题“{author.title}”的回复。",
                )
        except Exception as exc:  # the reply stands; only the courtesy notice is lost
            log.warning("forum.notify_failed", tenant="national", thread=author.thread_id, error=str(exc))
        return
    tenant = directory.get(author.tenant)
    if tenant is None or tenant.is_national:
        return  # a closed province reads nothing
    try:
        async with db.tenant(tenant.schema, tenant.placement) as session, session.begin():
            link = f"forum/national/threads/{author.thread_id}"  # within their office
            tell_thread_author(session, author, replier=replier, link=link)
    except Exception as exc:  # the reply stands; only the courtesy notice is lost
        log.warning("forum.notify_failed", tenant=author.tenant, thread=author.thread_id, error=str(exc))


class ForumModeration(ForumPages):
    """The same pages, with moderation: boards opened, renamed and closed; threads pinned,
    locked or hidden; replies hidden. Each change goes to the forum's own audit log."""

    async def _index_page(
        self,
        request: HTMXRequest,
        place: ForumPlace,
        session: AsyncSession,
        *,
        values: dict[str, str],
        errors: dict[str, str],
        status: int,
    ) -> Template:
        boards = await list_boards(session, place.tables)
        return render(
            request,
            "forum/index.html",
            place.page(boards=boards, errors=errors, values=values),
            status_code=status,
        )

    @post("/boards", guards=[moderators_only])
    async def create_board(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                board_id = await create_board(
                    forum_session,
                    place.tables,
                    title=values.get("title", ""),
                    description=values.get("description", ""),
                )
                await place.record(
                    forum_session, actor, f"开设版块“{values.get('title', '').strip()}”", f"board:{board_id}"
                )
        except FormErrors as exc:
            return await self._index_page(
                request, place, forum_session, values=values, errors=exc.errors, status=400
            )
        return Redirect(path=f"{place.base}/", status_code=303)

    @post("/boards/{board_id:int}/edit", guards=[moderators_only])
    async def update_board(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        board_id: FromPath[int],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                summary = await update_board(
                    forum_session,
                    place.tables,
                    board_id,
                    title=values.get("title", ""),
                    description=values.get("description", ""),
                    closed=values.get("closed") == "1",
                )
                await place.record(forum_session, actor, summary, f"board:{board_id}")
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            errors = {f"board-{board_id}": next(iter(exc.errors.values()))}
            return await self._index_page(request, place, forum_session, values={}, errors=errors, status=400)
        return Redirect(path=f"{place.base}/", status_code=303)

    @post("/threads/{thread_id:int}/moderate", guards=[moderators_only])
    async def moderate_thread(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        thread_id: FromPath[int],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                summary = await moderate_thread(
                    forum_session,
                    place.tables,
                    thread_id,
                    action=values.get("action", ""),
                    reason=values.get("reason", ""),
                    moderator=place.viewer.name,
                )
                await place.record(forum_session, actor, f"论坛：{summary}", f"thread:{thread_id}")
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            message = next(iter(exc.errors.values()))
            return await self._thread_page(
                request, place, forum_session, thread_id, errors={"moderate": message}, status=400
            )
        return Redirect(path=f"{place.base}/threads/{thread_id}?done=moderated", status_code=303)

    @post("/posts/{post_id:int}/moderate", guards=[moderators_only])
    async def moderate_post(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        forum_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        post_id: FromPath[int],
    ) -> Template | Response[Any]:
        values = _form_values(await request.form())
        try:
            async with transaction(forum_session):
                thread_id, summary = await moderate_post(
                    forum_session,
                    place.tables,
                    post_id,
                    action=values.get("action", ""),
                    reason=values.get("reason", ""),
                    moderator=place.viewer.name,
                )
                await place.record(forum_session, actor, f"论坛：{summary}", f"post:{post_id}")
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:
            message = next(iter(exc.errors.values()))
            raise UserError(detail=f"未完成：{message}") from None
        return Redirect(
            path=f"{place.base}/threads/{thread_id}?done=moderated#post-{post_id}", status_code=303
        )


class OfficeForumController(ForumModeration):
    """A province's own boards, for its officers; moderated by the province bureau's administrators."""

    path = "/p/{slug:str}/office/forum"
    guards = [require_officer()]
    dependencies = {
        "place": Provide(_province_place, sync_to_thread=False),
        "forum_session": Provide(_tenant_forum_session, sync_to_thread=False),
    }


class OfficeNationalForumController(ForumPages):
    """The national board as officers of every province reach it from their office (no moderation)."""

    path = "/p/{slug:str}/office/forum/national"
    guards = [require_officer()]
    dependencies = {
        "place": Provide(_officer_national_place, sync_to_thread=False),
        "forum_session": Provide(_national_forum_session, sync_to_thread=False),
    }


class NationalForumController(ForumModeration):
    """The national board in the national console, moderated by national staff."""

    path = "/national/forum"
    guards = [require_staff()]
    dependencies = {
        "place": Provide(_staff_place, sync_to_thread=False),
        "forum_session": Provide(_national_forum_session, sync_to_thread=False),
    }


ROUTE_HANDLERS = [OfficeForumController, OfficeNationalForumController, NationalForumController]
