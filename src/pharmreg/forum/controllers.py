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
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit, record_tenant_audit
from pharmreg.chrome import officer_realm, staff_realm
from pharmreg.forum.models import FORUMS, ForumSpace
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
from pharmreg.kit.db import Database
from pharmreg.kit.errors import UserError
from pharmreg.kit.form_posts import FormValues, post_form, see_other
from pharmreg.kit.logging import get_logger
from pharmreg.kit.names import bureau_name
from pharmreg.kit.rendering import render
from pharmreg.messaging import send_to_staff
from pharmreg.requests import OfficerRequest, StaffRequest
from pharmreg.tenancy import TenantDirectory, TenantInfo

log = get_logger(__name__)
NATIONAL_PROVINCE = "国家药品监督管理局"
Page = Annotated[int, QueryParameter(ge=1, le=100_000)]


class ForumPlace:
    """One forum as a request sees it: its space and the session open on it, its pages' address,
    the reader, the layout, and who acts (for the audit log).

    A plain class, not a dataclass: Litestar would otherwise try to validate it field by field.
    """

    def __init__(
        self,
        *,
        space: ForumSpace,
        session: AsyncSession,
        base: str,
        viewer: Author,
        actor: Actor,
        db: Database,
        directory: TenantDirectory,
        moderator: bool,
        layout: str,
        context: dict[str, Any],
        other: tuple[str, str] | None = None,
    ) -> None:
        self.space = space
        self.session = session
        self.base = base
        self.viewer = viewer
        self.actor = actor
        # Where a reply's notice goes when its thread's author is in another schema.
        self.db = db
        self.directory = directory
        self.moderator = moderator
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

    async def record(self, summary: str, target: str) -> None:
        """The moderation goes to the audit log of the forum's own schema."""
        session, actor = self.session, self.actor
        if self.space.national:
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


def _officer_place(
    office: OfficerRequest, space: ForumSpace, session: AsyncSession, **where: Any
) -> ForumPlace:
    tenant, officer = office.tenant, office.officer
    return ForumPlace(
        space=space,
        session=session,
        viewer=_officer_author(officer, tenant),
        actor=office.actor,
        db=office.db,
        directory=office.directory,
        layout="office/layout.html",
        context={"realm": officer_realm(tenant, office.db), "tenant": tenant, "officer": officer},
        **where,
    )


def _province_place(office: NamedDependency[OfficerRequest]) -> ForumPlace:
    base = f"/p/{office.tenant.slug}/office/forum"
    return _officer_place(
        office,
        FORUMS.province(office.tenant.slug),
        office.session,
        base=base,
        moderator=office.officer.may("moderate_forum") and office.officer.at_province,
        other=(f"{base}/national/", "全国交流版"),
    )


def _officer_national_place(
    office: NamedDependency[OfficerRequest], national_session: NamedDependency[AsyncSession]
) -> ForumPlace:
    base = f"/p/{office.tenant.slug}/office/forum"
    return _officer_place(
        office,
        FORUMS.national(),
        national_session,
        base=f"{base}/national",
        moderator=False,  # the national board is moderated by national staff
        other=(f"{base}/", f"{office.tenant.name}论坛"),
    )


def _staff_place(national: NamedDependency[StaffRequest]) -> ForumPlace:
    staff = national.staff
    return ForumPlace(
        space=FORUMS.national(),
        session=national.session,
        base="/national/forum",
        viewer=Author(
            kind="staff",
            id=staff.id,
            tenant="national",
            name=staff.name,
            unit=staff.department,
            province=NATIONAL_PROVINCE,
        ),
        actor=national.actor,
        db=national.db,
        directory=national.directory,
        moderator=True,
        layout="national/layout.html",
        context={"realm": staff_realm(national.db), "staff": staff, "section": "forum"},
    )


def moderators_only(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Province boards: the province bureau's administrators (moderate_forum); national: its staff."""
    account = account_of(connection)
    if isinstance(account, StaffAccount):
        return
    if not (isinstance(account, OfficerAccount) and account.may("moderate_forum") and account.at_province):
        raise PermissionDeniedException(detail="只有省级药品监管部门的系统管理员可以管理本省论坛")


def _first_error(errors: dict[str, str]) -> str:
    return next(iter(errors.values()))


class ForumPages(Controller):
    """Reading and writing: boards, threads and replies."""

    include_in_schema = False

    @get("/")
    async def index(self, request: HTMXRequest, place: NamedDependency[ForumPlace]) -> Template:
        boards = await list_boards(place.session, place.space)
        return render(request, "forum/index.html", place.page(boards=boards, errors={}, values={}))

    @get("/boards/{board_id:int}")
    async def board(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        board_id: FromPath[int],
        page: Page = 1,
    ) -> Template:
        try:
            listing = await board_page(
                place.session, place.space, board_id, page=page, moderator=place.moderator
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
        board_id: int,
        *,
        values: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        try:
            listing = await board_page(
                place.session, place.space, board_id, page=1, moderator=place.moderator
            )
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
        self, request: HTMXRequest, place: NamedDependency[ForumPlace], board_id: FromPath[int]
    ) -> Template:
        return await self._new_thread_page(request, place, board_id, values={}, errors={})

    @post("/boards/{board_id:int}/new")
    async def new_thread(
        self, request: HTMXRequest, place: NamedDependency[ForumPlace], board_id: FromPath[int]
    ) -> Response[Any]:
        async def write(values: FormValues) -> int:
            title, body = values.get("title", ""), values.get("body", "")
            return await start_thread(
                place.session, place.space, board_id, author=place.viewer, title=title, body=body
            )

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._new_thread_page(
                request, place, board_id, values=values, errors=errors, status=400
            )

        async def done(thread_id: int) -> Response[Any]:
            log.info("forum.thread_started", national=place.space.national, thread=thread_id)
            return see_other(f"{place.base}/threads/{thread_id}")

        return await post_form(request, place.session, write=write, again=again, done=done)

    async def _thread_page(
        self,
        request: HTMXRequest,
        place: ForumPlace,
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
                place.session,
                place.space,
                thread_id,
                page=page,
                viewer=place.viewer,
                moderator=place.moderator,
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
        thread_id: FromPath[int],
        page: Page = 1,
    ) -> Template:
        done = {"replied": "回复已发表。", "moderated": "管理操作已完成。"}
        message = done.get(request.query_params.get("done", ""))
        return await self._thread_page(request, place, thread_id, page=page, message=message)

    @post("/threads/{thread_id:int}/reply")
    async def reply(
        self,
        request: HTMXRequest,
        place: NamedDependency[ForumPlace],
        thread_id: FromPath[int],
    ) -> Response[Any]:
        session = place.session

        async def write(values: FormValues) -> ThreadAuthor | None:
            author = await reply_to(
                session, place.space, thread_id, author=place.viewer, body=values.get("body", "")
            )
            if author is not None and not place.space.national:
                tell_thread_author(session, author, replier=place.viewer, link=f"forum/threads/{thread_id}")
            return author

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._thread_page(
                request, place, thread_id, values=values, errors=errors, status=400
            )

        async def done(author: ThreadAuthor | None) -> Response[Any]:
            if author is not None and place.space.national:
                await _tell_across(place.db, place.directory, author, replier=place.viewer)
            return see_other(f"{place.base}/threads/{thread_id}?page=100000&done=replied#reply")

        return await post_form(request, session, write=write, again=again, done=done)


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
        self, request: HTMXRequest, place: ForumPlace, *, values: dict[str, str], errors: dict[str, str]
    ) -> Template:
        boards = await list_boards(place.session, place.space)
        return render(
            request,
            "forum/index.html",
            place.page(boards=boards, errors=errors, values=values),
            status_code=400,
        )

    @post("/boards", guards=[moderators_only])
    async def create_board(self, request: HTMXRequest, place: NamedDependency[ForumPlace]) -> Response[Any]:
        async def write(values: FormValues) -> None:
            title, description = values.get("title", ""), values.get("description", "")
            board_id = await create_board(place.session, place.space, title=title, description=description)
            await place.record(f"开设版块“{title.strip()}”", f"board:{board_id}")

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._index_page(request, place, values=values, errors=errors)

        return await post_form(request, place.session, write=write, again=again, done=f"{place.base}/")

    @post("/boards/{board_id:int}/edit", guards=[moderators_only])
    async def update_board(
        self, request: HTMXRequest, place: NamedDependency[ForumPlace], board_id: FromPath[int]
    ) -> Response[Any]:
        async def write(values: FormValues) -> None:
            summary = await update_board(
                place.session,
                place.space,
                board_id,
                title=values.get("title", ""),
                description=values.get("description", ""),
                closed=values.get("closed") == "1",
            )
            await place.record(summary, f"board:{board_id}")

        async def again(_values: FormValues, errors: dict[str, str]) -> Template:
            shown = {f"board-{board_id}": _first_error(errors)}
            return await self._index_page(request, place, values={}, errors=shown)

        return await post_form(request, place.session, write=write, again=again, done=f"{place.base}/")

    @post("/threads/{thread_id:int}/moderate", guards=[moderators_only])
    async def moderate_thread(
        self, request: HTMXRequest, place: NamedDependency[ForumPlace], thread_id: FromPath[int]
    ) -> Response[Any]:
        async def write(values: FormValues) -> None:
            summary = await moderate_thread(
                place.session, place.space, thread_id, **_moderation(place, values)
            )
            await place.record(f"论坛：{summary}", f"thread:{thread_id}")

        async def again(_values: FormValues, errors: dict[str, str]) -> Template:
            shown = {"moderate": _first_error(errors)}
            return await self._thread_page(request, place, thread_id, errors=shown, status=400)

        done = f"{place.base}/threads/{thread_id}?done=moderated"
        return await post_form(request, place.session, write=write, again=again, done=done)

    @post("/posts/{post_id:int}/moderate", guards=[moderators_only])
    async def moderate_post(
        self, request: HTMXRequest, place: NamedDependency[ForumPlace], post_id: FromPath[int]
    ) -> Response[Any]:
        async def write(values: FormValues) -> int:
            thread_id, summary = await moderate_post(
                place.session, place.space, post_id, **_moderation(place, values)
            )
            await place.record(f"论坛：{summary}", f"post:{post_id}")
            return thread_id

        async def again(_values: FormValues, errors: dict[str, str]) -> Response[Any]:
            raise UserError(detail=f"未完成：{_first_error(errors)}")

        async def done(thread_id: int) -> Response[Any]:
            return see_other(f"{place.base}/threads/{thread_id}?done=moderated#post-{post_id}")

        return await post_form(request, place.session, write=write, again=again, done=done)


def _moderation(place: ForumPlace, values: FormValues) -> dict[str, str]:
    """What a moderator asked for a thread or a reply, and who they are."""
    return {
        "action": values.get("action", ""),
        "reason": values.get("reason", ""),
        "moderator": place.viewer.name,
    }


class OfficeForumController(ForumModeration):
    """A province's own boards, for its officers; moderated by the province bureau's administrators."""

    path = "/p/{slug:str}/office/forum"
    guards = [require_officer()]
    dependencies = {
        "place": Provide(_province_place, sync_to_thread=False),
    }


class OfficeNationalForumController(ForumPages):
    """The national board as officers of every province reach it from their office (no moderation)."""

    path = "/p/{slug:str}/office/forum/national"
    guards = [require_officer()]
    dependencies = {
        "place": Provide(_officer_national_place, sync_to_thread=False),
    }


class NationalForumController(ForumModeration):
    """The national board in the national console, moderated by national staff."""

    path = "/national/forum"
    guards = [require_staff()]
    dependencies = {
        "place": Provide(_staff_place, sync_to_thread=False),
    }


ROUTE_HANDLERS = [OfficeForumController, OfficeNationalForumController, NationalForumController]
