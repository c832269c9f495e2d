"""The publishing back office (后台管理发布), one set of handlers for two desks: a province's
officers at /p/<slug>/office/publishing and national staff at /national/publishing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import office_page, staff_page
from pharmreg.kit.boundaries import parse_id
from pharmreg.kit.clock import CHINA_TIME, china_today, utcnow
from pharmreg.kit.downloads import download
from pharmreg.kit.form_posts import FormValues, post_form, see_other
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.kit.uploads import AttachmentError
from pharmreg.publishing import repository, service
from pharmreg.publishing.content import (
    ACTION_LABELS,
    CATEGORIES,
    STATUS_LABELS,
    TransitionError,
    check_draft,
)
from pharmreg.publishing.models import ArticleSpace, national_space, province_space
from pharmreg.requests import OfficerRequest, StaffRequest

FILTERS = ("draft", "pending", "scheduled", "published", "withdrawn")


@dataclass(frozen=True, slots=True)
class EditorRequest:
    """Everything a handler needs besides the request: where, who, and the page frame."""

    space: ArticleSpace
    editor: service.Editor
    session: AsyncSession
    base: str
    frame: dict[str, Any]


def province_desk(office: NamedDependency[OfficerRequest]) -> EditorRequest:
    tenant, officer = office.tenant, office.officer
    editor = service.Editor(
        id=officer.id,
        name=officer.name,
        department=officer.unit_name,
        unit_code=officer.unit_code,
        may_publish=officer.may("publish_content"),
        may_review=officer.may("review_content"),
        reviews_all=officer.at_province,
    )
    frame = office_page(tenant, officer, office.db, layout="office/layout.html")
    return EditorRequest(
        province_space(tenant.slug), editor, office.session, f"/p/{tenant.slug}/office/publishing", frame
    )


def national_desk(national: NamedDependency[StaffRequest]) -> EditorRequest:
    staff = national.staff
    editor = service.Editor(
        id=staff.id,
        name=staff.name,
        department=staff.department,
        unit_code=None,
        may_publish=True,
        may_review=staff.is_superadmin,
        reviews_all=True,
    )
    frame = staff_page(staff, national.db, layout="national/layout.html", section="publishing")
    return EditorRequest(national_space(), editor, national.session, "/national/publishing", frame)


def _local(value: str) -> datetime | None:
    """A datetime-local field (China time) as an aware datetime; None when empty or malformed."""
    try:
        return datetime.fromisoformat(value.strip()).replace(tzinfo=CHINA_TIME) if value.strip() else None
    except ValueError:
        return None


def _page(
    request: HTMXRequest, desk: EditorRequest, name: str, http_status: int = 200, **context: Any
) -> Template:
    labels = {"categories": CATEGORIES, "statuses": STATUS_LABELS, "actions": ACTION_LABELS}
    return render(
        request,
        f"publishing/{name}",
        {**desk.frame, **labels, "base": desk.base, "editor": desk.editor, **context},
        status_code=http_status,
    )


async def _article_or_404(desk: EditorRequest, article_id: int) -> Any:
    row = await repository.article(desk.session, desk.space, article_id)
    if row is None or not desk.editor.covers(row):
        raise NotFoundException()  # another unit's (or province's) article answers like a missing one
    return row


class PublishingDesk(Controller):
    """Handlers shared by both desks; each subclass says where and who."""

    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        desk: NamedDependency[EditorRequest],
        status: Annotated[str, QueryParameter(max_length=16)] = "",
        category: Annotated[str, QueryParameter(max_length=16)] = "",
        mine: FromQuery[bool] = False,
    ) -> Template:
        editor = desk.editor
        unit = None if editor.reviews_all or editor.unit_code is None else editor.unit_code
        rows = await repository.articles(
            desk.session,
            desk.space,
            statuses=[status] if status in FILTERS else None,
            author_id=editor.id if mine else None,
            unit_code=unit,
            category=category if category in CATEGORIES else None,
        )
        live = await repository.live_ids(desk.session, desk.space, [r.id for r in rows])
        return _page(
            request,
            desk,
            "desk.html",
            rows=rows,
            live=live,
            status=status,
            category=category,
            mine=mine,
            filters=FILTERS,
            reminders=await service.reminders(desk.session, space=desk.space, editor=editor, now=utcnow()),
        )

    @get("/new")
    async def new(self, request: HTMXRequest, desk: NamedDependency[EditorRequest]) -> Template:
        if not desk.editor.may_publish:
            raise NotFoundException()
        return _page(request, desk, "edit.html", row=None, values={"category": "notice"}, errors={})

    @post("/new")
    async def create(self, request: HTMXRequest, desk: NamedDependency[EditorRequest]) -> Response[Any]:
        async def write(values: FormValues) -> int:
            draft = _checked_draft(values)
            try:
                return await service.create_article(
                    desk.session, space=desk.space, editor=desk.editor, draft=draft, now=utcnow()
                )
            except service.PublishingError as exc:
                raise FormErrors({"": str(exc)}) from exc

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return _page(request, desk, "edit.html", http_status=400, row=None, values=values, errors=errors)

        async def done(article_id: int) -> Response[Any]:
            return see_other(f"{desk.base}/{article_id}?saved=1")

        return await post_form(request, desk.session, write=write, again=again, done=done)

    @get("/{article_id:int}")
    async def show(
        self, request: HTMXRequest, desk: NamedDependency[EditorRequest], article_id: FromPath[int]
    ) -> Template:
        return await _show(request, desk, article_id, notice=_notice(request))

    @get("/{article_id:int}/edit")
    async def edit(
        self, request: HTMXRequest, desk: NamedDependency[EditorRequest], article_id: FromPath[int]
    ) -> Template:
        row = await _article_or_404(desk, article_id)
        if row.status == "pending":
            return await _show(
                request, desk, article_id, error="送审中的信息不能修改，请先撤回送审", status=409
            )
        values = {
            "category": row.category,
            "title": row.title,
            "summary": row.summary,
            "body": row.body_html,
            "tags": " ".join(row.tags),
            "publish_at": row.publish_at.astimezone(CHINA_TIME).strftime("%Y-%m-%dT%H:%M")
            if row.publish_at
            else "",
            "revision": str(row.revision),
        }
        return _page(request, desk, "edit.html", row=row, values=values, errors={})

    @post("/{article_id:int}/edit")
    async def save(
        self, request: HTMXRequest, desk: NamedDependency[EditorRequest], article_id: FromPath[int]
    ) -> Response[Any]:
        await _article_or_404(desk, article_id)

        async def write(values: FormValues) -> None:
            draft = _checked_draft(values)
            try:
                await service.save_article(
                    desk.session,
                    space=desk.space,
                    editor=desk.editor,
                    article_id=article_id,
                    draft=draft,
                    seen_revision=parse_id(values.get("revision")) or 0,
                    now=utcnow(),
                )
            except (service.PublishingError, TransitionError) as exc:
                raise FormErrors({"": str(exc)}) from exc

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            row = await _article_or_404(desk, article_id)
            return _page(request, desk, "edit.html", http_status=400, row=row, values=values, errors=errors)

        done = f"{desk.base}/{article_id}?saved=1"
        return await post_form(request, desk.session, write=write, again=again, done=done)

    @post("/{article_id:int}/{action:str}")
    async def act(
        self,
        request: HTMXRequest,
        desk: NamedDependency[EditorRequest],
        article_id: FromPath[int],
        action: FromPath[str],
    ) -> Response[Any]:
        """送审, 撤回, 审核通过, 退回, 撤下."""
        use_case = _ACTIONS.get(action)
        if use_case is None:
            raise NotFoundException()

        async def change(values: FormValues) -> None:
            kwargs: dict[str, Any] = {"note": values.get("note", "")} if action in _WITH_NOTE else {}
            outcome = await use_case(
                desk.session,
                space=desk.space,
                editor=desk.editor,
                article_id=article_id,
                now=utcnow(),
                **kwargs,
            )
            await service.notify_about(desk.session, space=desk.space, outcome=outcome, editor=desk.editor)

        return await _article_post(request, desk, article_id, change, done=action)

    @post("/{article_id:int}/attachments")
    async def upload(
        self, request: HTMXRequest, desk: NamedDependency[EditorRequest], article_id: FromPath[int]
    ) -> Response[Any]:
        await _article_or_404(desk, article_id)
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile):
            return await _show(request, desk, article_id, error="请选择要上传的文件", status=400)
        data = await upload.read(service.ATTACHMENT_MAX_BYTES + 1)

        async def change(_values: FormValues) -> None:
            await service.add_attachment(
                desk.session,
                space=desk.space,
                editor=desk.editor,
                article_id=article_id,
                filename=upload.filename or "",
                data=data,
                now=utcnow(),
            )

        return await _article_post(request, desk, article_id, change, done="attached", status=400)

    @post("/{article_id:int}/attachments/{attachment_id:int}/delete")
    async def unattach(
        self,
        request: HTMXRequest,
        desk: NamedDependency[EditorRequest],
        article_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> Response[Any]:
        async def change(_values: FormValues) -> None:
            await service.remove_attachment(
                desk.session,
                space=desk.space,
                editor=desk.editor,
                article_id=article_id,
                attachment_id=attachment_id,
                now=utcnow(),
            )

        return await _article_post(request, desk, article_id, change, done="unattached")

    @get("/{article_id:int}/attachments/{attachment_id:int}")
    async def download(
        self, desk: NamedDependency[EditorRequest], article_id: FromPath[int], attachment_id: FromPath[int]
    ) -> Response[bytes]:
        await _article_or_404(desk, article_id)
        attachment = await repository.attachment(desk.session, desk.space, article_id, attachment_id)
        if attachment is None:
            raise NotFoundException()
        return file_response(attachment)

    @get("/{article_id:int}/history")
    async def history(
        self, request: HTMXRequest, desk: NamedDependency[EditorRequest], article_id: FromPath[int]
    ) -> Template:
        row = await _article_or_404(desk, article_id)
        entries = await repository.history(desk.session, desk.space, article_id)
        return _page(request, desk, "history.html", row=row, entries=entries)

    @get("/{article_id:int}/history/{entry_id:int}")
    async def revision(
        self,
        request: HTMXRequest,
        desk: NamedDependency[EditorRequest],
        article_id: FromPath[int],
        entry_id: FromPath[int],
    ) -> Template:
        row = await _article_or_404(desk, article_id)
        entry = await repository.history_entry(desk.session, desk.space, article_id, entry_id)
        if entry is None:
            raise NotFoundException()
        return _page(request, desk, "revision.html", row=row, entry=entry)

    @get("/progress")
    async def progress(
        self,
        request: HTMXRequest,
        desk: NamedDependency[EditorRequest],
        start: Annotated[str, QueryParameter(name="from", max_length=10)] = "",
        end: Annotated[str, QueryParameter(name="to", max_length=10)] = "",
    ) -> Template:
        """各部门工作进度 for a period of days (China time), this month by default."""
        today = china_today()
        first, last = _day(start) or today.replace(day=1), _day(end) or today
        error = "结束日期不能早于开始日期" if last < first else ""
        if error:
            first, last = today.replace(day=1), today
        since = datetime(first.year, first.month, first.day, tzinfo=CHINA_TIME)
        until = datetime(last.year, last.month, last.day, tzinfo=CHINA_TIME) + timedelta(days=1)
        rows = await service.progress(desk.session, space=desk.space, start=since, end=until)
        return _page(request, desk, "progress.html", rows=rows, first=first, last=last, error=error)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


_ACTIONS: dict[str, Any] = {
    "submit": service.submit_article,
    "recall": service.recall_article,
    "approve": service.approve_article,
    "reject": service.reject_article,
    "withdraw": service.withdraw_article,
}
_WITH_NOTE = {"approve", "reject", "withdraw"}
_DONE = {
    "submit": "已送审，等待审核",
    "recall": "已撤回送审，可继续修改",
    "approve": "审核通过",
    "reject": "已退回修改",
    "withdraw": "已撤下",
    "attached": "附件已上传",
    "unattached": "附件已删除",
}


def _notice(request: Request[Any, Any, Any]) -> str:
    if request.query_params.get("saved") == "1":
        return "已保存"
    return _DONE.get(request.query_params.get("done", ""), "")


async def _article_post(
    request: HTMXRequest,
    desk: EditorRequest,
    article_id: int,
    change: Callable[[FormValues], Awaitable[None]],
    *,
    done: str,
    status: int = 409,
) -> Response[Any]:
    """A change to an article the editor may see (then shown with `?done=`), or the article again
    with why it cannot be done."""
    await _article_or_404(desk, article_id)

    async def write(values: FormValues) -> None:
        try:
            await change(values)
        except (service.PublishingError, AttachmentError, TransitionError) as exc:
            raise FormErrors({"": str(exc)}) from exc

    async def again(_values: FormValues, errors: dict[str, str]) -> Template:
        return await _show(request, desk, article_id, error=errors[""], status=status)

    done_at = f"{desk.base}/{article_id}?done={done}"
    return await post_form(request, desk.session, write=write, again=again, done=done_at)


def _checked_draft(values: FormValues) -> Any:
    """The draft the form describes; FormErrors when it has problems."""
    draft, errors = _draft(values)
    if draft is None:
        raise FormErrors(errors)
    return draft


def _draft(values: dict[str, str]) -> tuple[Any, dict[str, str]]:
    publish_at = _local(values.get("publish_at", ""))
    draft, errors = check_draft(
        category=values.get("category", ""),
        title=values.get("title", ""),
        summary=values.get("summary", ""),
        body=values.get("body", ""),
        tags=values.get("tags", ""),
        publish_at=publish_at,
    )
    if values.get("publish_at", "").strip() and publish_at is None:
        errors["publish_at"] = "发布时间格式不正确"
        draft = None
    return draft, errors


async def _show(
    request: HTMXRequest,
    desk: EditorRequest,
    article_id: int,
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Template:
    row = await _article_or_404(desk, article_id)
    live = await repository.live(desk.session, desk.space, article_id)
    attachments = await repository.attachments(desk.session, desk.space, article_id)
    return _page(
        request,
        desk,
        "article.html",
        http_status=status,
        row=row,
        live=live,
        attachments=attachments,
        reviewable=await service.may_review(desk.session, desk.space, desk.editor, row),
        notice=notice,
        error=error,
    )


def file_response(attachment: Any) -> Response[bytes]:
    return download(attachment.filename, attachment.content_type, attachment.content, inline=False)
