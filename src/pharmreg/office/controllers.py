"""The officers' back office (网上审批): sign-in, to-do and done lists, acting on tasks,
their own account and work delegation."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import (
    AuthorityPolicy,
    Matter,
    WorkDelegationForm,
    create_work_delegation,
    delegators_for,
    end_work_delegation,
    has_work_to_delegate,
    work_delegation_colleagues,
    work_delegations_of,
)
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    OfficerRead,
    Position,
    Realm,
    SecondFactorRoutes,
    StaffAccount,
    get_officer,
    list_officers,
    list_staff,
    load_staff_account,
    require_officer,
    require_staff,
    security_rules,
    staff_realm,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.names import bureau_name
from pharmreg.kit.rendering import render
from pharmreg.messaging import (
    inbox,
    message_errors,
    open_message,
    send_direct,
    send_to_staff,
    unread_count,
)
from pharmreg.office.national_inbox import NationalInboxController
from pharmreg.tenancy import TenantDirectory, TenantInfo
from pharmreg.workflow import (
    HANDLE_CASES,
    TaskConflictError,
    case_handover,
    claim_task,
    complete_task,
    done_list,
    get_task,
    release_task,
    task_history,
    task_permission,
    todo_list,
    visible_to,
)


def officer_realm(tenant: TenantInfo, db: Database) -> Realm:
    base = f"/p/{tenant.slug}/office"
    return Realm(
        kind="officer",
        tenant=tenant.slug,
        base=base,
        home=f"{base}/",
        title=f"{tenant.authority_name} 工作人员登录",
        login_label="用户名",
        open_session=lambda: db.tenant(tenant.schema, tenant.placement),
        brand={
            "brand": f"{tenant.name}执业药师注册 · 网上审批",
            "brand_sub": tenant.authority_name,
            "home": f"{base}/",
        },
    )


def _officer_realm(tenant: NamedDependency[TenantInfo], db: NamedDependency[Database]) -> Realm:
    return officer_realm(tenant, db)


class OfficeSignInController(SecondFactorRoutes):
    """Officers sign in to their own province's office (sign-in, password, reset, TOTP)."""

    path = "/p/{slug:str}/office"
    opt = {"realm_kind": "officer"}
    dependencies = {"realm": Provide(_officer_realm, sync_to_thread=False)}


class OfficeAccountController(Controller):
    """An officer's own account page and their work delegations."""

    path = "/p/{slug:str}/office/account"
    include_in_schema = False

    @get("/", guards=[require_officer()])
    async def account(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await self._account_page(request, tenant, officer, tenant_session, db, errors={}, values={})

    async def _account_page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        *,
        errors: dict[str, str],
        values: dict[str, Any],
        status: int = 200,
    ) -> Template:
        colleagues = await work_delegation_colleagues(session, officer)
        return render(
            request,
            "office/account.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "colleagues": colleagues,
                "may_delegate": has_work_to_delegate(officer),
                "delegations": await work_delegations_of(session, officer.id),
                "matters": list(Matter),
                "errors": errors,
                "values": values,
                "changed": request.query_params.get("changed") == "1",
            },
            status_code=status,
        )

    @post("/work-delegation", guards=[require_officer()])
    async def delegate_work(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        try:
            data = WorkDelegationForm(
                to_officer_id=uuid.UUID(values.get("to_officer_id") or str(uuid.UUID(int=0))),
                valid_from=values.get("valid_from", ""),
                valid_to=values.get("valid_to", ""),
                reason=values.get("reason", ""),
                matters=tuple(str(m) for m in form.getall("matters", [])),
            )
            async with transaction(tenant_session):
                await create_work_delegation(tenant_session, data, officer=officer, actor=actor)
        except (FormErrors, ValueError, msgspec.ValidationError) as exc:
            errors = exc.errors if isinstance(exc, FormErrors) else {"to_officer_id": "请选择受托同事"}
            return await self._account_page(
                request, tenant, officer, tenant_session, db, errors=errors, values=values, status=400
            )
        return Redirect(path=f"/p/{tenant.slug}/office/account/", status_code=303)

    @post("/work-delegation/{delegation_id:int}/end", guards=[require_officer()])
    async def end_delegation(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        delegation_id: FromPath[int],
    ) -> Template | Response[Any]:
        try:
            async with transaction(tenant_session):
                await end_work_delegation(tenant_session, delegation_id, officer=officer, actor=actor)
        except LookupError:
            raise NotFoundException() from None
        except FormErrors as exc:  # ended meanwhile (a second click, an old page)
            return await self._account_page(
                request, tenant, officer, tenant_session, db, errors=exc.errors, values={}, status=409
            )
        return Redirect(path=f"/p/{tenant.slug}/office/account/", status_code=303)


class OfficeTasksController(Controller):
    """待办/已办: the officer's lists and actions on tasks."""

    path = "/p/{slug:str}/office"
    include_in_schema = False
    guards = [require_officer()]

    @get("/")
    async def dashboard(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        divisions: NamedDependency[DivisionIndex],
        db: NamedDependency[Database],
    ) -> Template:
        delegators = await delegators_for(tenant_session, officer.id)
        view = request.query_params.get("view", "todo")
        tasks = []
        if officer.may(HANDLE_CASES):  # other posts handle no case: their home shows none
            tasks = (
                await done_list(tenant_session, officer, divisions)
                if view == "done"
                else await todo_list(tenant_session, officer, delegators, divisions)
            )
        return render(
            request,
            "office/dashboard.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "view": view,
                "tasks": tasks,
                "delegated_from": len(delegators),
            },
            fragment="office/_task_list.html",
        )

    @get("/tasks/{task_id:int}")
    async def task(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        divisions: NamedDependency[DivisionIndex],
        policy: NamedDependency[AuthorityPolicy],
        db: NamedDependency[Database],
        task_id: FromPath[int],
    ) -> Template:
        if not await visible_to(tenant_session, task_id, officer):
            return await self._handed_over(tenant, officer, tenant_session, db, task_id)
        return await self._task_page(request, tenant, officer, tenant_session, divisions, policy, db, task_id)

    async def _handed_over(
        self, tenant: TenantInfo, officer: OfficerAccount, session: AsyncSession, db: Database, task_id: int
    ) -> Template:
        """A task that left the officer's unit pool (authority taken back or delegated): where it went.

        Shows nothing of the case; to anyone whose pool never held it, it answers like a task
        that does not exist.
        """
        handover = await case_handover(session, officer, task_id=task_id)
        if handover is None:
            raise NotFoundException()
        return Template(
            template_name="office/handed_over.html",
            context={
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "handover": handover,
                "what": f"任务 #{task_id}",
            },
            status_code=410,
        )

    async def _task_page(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        divisions: DivisionIndex,
        policy: AuthorityPolicy,
        db: Database,
        task_id: int,
        *,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        delegators = await delegators_for(session, officer.id)
        return render(
            request,
            "office/task.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "task": await get_task(session, task_id, divisions),
                "history": await task_history(session, task_id),
                "permission": await task_permission(session, task_id, officer, policy, delegators),
                "message": message,
            },
            fragment="office/_task_panel.html",
            status_code=status,
        )

    @post("/tasks/{task_id:int}/{action:str}")
    async def act(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        divisions: NamedDependency[DivisionIndex],
        policy: NamedDependency[AuthorityPolicy],
        db: NamedDependency[Database],
        actor: NamedDependency[Actor],
        task_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Response[Any]:
        if action not in ("claim", "release", "complete"):
            raise NotFoundException()
        if not await visible_to(tenant_session, task_id, officer):
            # Another unit's task answers like one that does not exist; one that left this
            # unit's pool says where it went (htmx loads that page in full).
            gone = await self._handed_over(tenant, officer, tenant_session, db, task_id)
            if request.htmx:
                return Response(
                    content=None,
                    status_code=200,
                    headers={"HX-Redirect": f"/p/{tenant.slug}/office/tasks/{task_id}"},
                )
            return gone
        form = await request.form()
        try:
            version = int(str(form.get("version", "0")))
        except ValueError:
            version = 0
        delegators = await delegators_for(tenant_session, officer.id)
        try:
            async with transaction(tenant_session):
                if action == "claim":
                    await claim_task(
                        tenant_session,
                        task_id,
                        version,
                        officer=officer,
                        policy=policy,
                        delegators=delegators,
                    )
                elif action == "release":
                    await release_task(tenant_session, task_id, version, officer=officer)
                else:
                    task = await complete_task(
                        tenant_session,
                        task_id,
                        version,
                        officer=officer,
                        policy=policy,
                        delegators=delegators,
                        note=str(form.get("note", "")),
                        actor=actor,
                    )
                    await record_tenant_audit(
                        tenant_session,
                        action="task_acted",
                        actor=actor,
                        target=task.case_ref,
                        summary=(
                            f"{officer.name} 办结了 {task.case_ref} 的{Position(task.position).label}环节"
                        ),
                    )
        except LookupError:
            raise NotFoundException() from None
        except (FormErrors, TaskConflictError) as exc:
            message = next(iter(exc.errors.values())) if isinstance(exc, FormErrors) else str(exc)
            return await self._task_page(
                request,
                tenant,
                officer,
                tenant_session,
                divisions,
                policy,
                db,
                task_id,
                message=message,
                status=409,
            )
        done = {"claim": "已认领，任务已加入您的待办", "release": "已退回待办池", "complete": "已办结"}[
            action
        ]
        return await self._task_page(
            request, tenant, officer, tenant_session, divisions, policy, db, task_id, message=done
        )


# --- 通讯录: officers by unit and post, within one's own province; national staff see every province.


def _groups(officers: list[OfficerRead]) -> list[tuple[str, list[OfficerRead]]]:
    """Active officers grouped by unit, the units in the order the list gives them."""
    groups: dict[str, list[OfficerRead]] = {}
    for officer in officers:
        if officer.active:
            groups.setdefault(officer.unit_name, []).append(officer)
    return list(groups.items())


def _labels(positions: list[str]) -> str:
    return "、".join(Position(p).label for p in positions if p in Position._value2member_map_)


async def _book(db: Database, tenant: TenantInfo, q: str) -> list[tuple[str, list[OfficerRead]]]:
    async with db.tenant(tenant.schema, tenant.placement) as session:
        return _groups(await list_officers(session, text_query=q.strip()[:20] or None))


class OfficeAddressBookController(Controller):
    path = "/p/{slug:str}/office/address-book"
    include_in_schema = False
    guards = [require_officer()]

    @get("/")
    async def book(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        db: NamedDependency[Database],
        q: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        return render(
            request,
            "office/address_book.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "q": q,
                "groups": await _book(db, tenant, q),
                "labels": _labels,
                "base": f"/p/{tenant.slug}/office/address-book/",
            },
            fragment="office/_address_rows.html",
        )


class NationalAddressBookController(Controller):
    path = "/national/address-book"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def book(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        directory: NamedDependency[TenantDirectory],
        province: FromQuery[str] = "",
        q: Annotated[str, QueryParameter(max_length=20)] = "",
    ) -> Template:
        tenant = directory.get(province) if province else None
        return render(
            request,
            "national/address_book.html",
            {
                "realm": staff_realm(db),
                "staff": staff,
                "section": "address-book",
                "provinces": directory.provinces(),
                "tenant": tenant,
                "q": q,
                "groups": await _book(db, tenant, q) if tenant else [],
                "labels": _labels,
                "base": "/national/address-book/",
            },
            fragment="office/_address_rows.html",
        )


class OfficeMessagesController(Controller):
    """消息中心: an officer's notifications and direct messages with colleagues of the province."""

    path = "/p/{slug:str}/office/messages"
    include_in_schema = False
    guards = [require_officer()]

    @get("/")
    async def inbox(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return render(
            request,
            "office/messages.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "messages": await inbox(tenant_session, officer.id),
                "sent": request.query_params.get("sent") == "1",
            },
        )

    @get("/unread")
    async def unread(
        self,
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
    ) -> Response[str]:
        """The header's badge, polled by htmx."""
        count = await unread_count(tenant_session, officer.id)
        return Response(f"消息（{count}）" if count else "消息", media_type="text/html; charset=utf-8")

    async def _compose(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        db: Database,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        colleagues = [o for o in await list_officers(session) if o.active and o.id != officer.id]
        async with db.national() as national:
            staff = [s for s in await list_staff(national, await security_rules(national)) if s.active]
        return render(
            request,
            "office/message_new.html",
            {
                "realm": officer_realm(tenant, db),
                "tenant": tenant,
                "officer": officer,
                "colleagues": colleagues,
                "staff": staff,
                "values": values or {"to": request.query_params.get("to", "")},
                "errors": errors or {},
            },
            status_code=status,
        )

    @get("/new")
    async def compose(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template:
        return await self._compose(request, tenant, officer, tenant_session, db)

    @post("/new")
    async def send(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
    ) -> Template | Response[Any]:
        values = {k: str(v) for k, v in (await request.form()).items()}
        to = values.get("to", "")
        errors = message_errors(values.get("subject", ""), values.get("body", ""))
        if to.startswith("staff:"):
            # To the national bureau: written into the national schema, answerable from there.
            async with db.national() as national:
                person = None
                with contextlib.suppress(ValueError):
                    person = await load_staff_account(
                        national, uuid.UUID(to.removeprefix("staff:")), await security_rules(national)
                    )
                if person is None or not person.active:
                    errors["to"] = "请选择一位国家局工作人员"
                if errors or person is None:
                    return await self._compose(
                        request, tenant, officer, tenant_session, db, values=values, errors=errors, status=400
                    )
                async with transaction(national):
                    send_to_staff(
                        national,
                        recipient_id=person.id,
                        sender_name=f"{bureau_name(tenant.name, officer.unit_name)} · {officer.name}",
                        sender_tenant=tenant.slug,
                        sender_officer_id=officer.id,
                        subject=values["subject"].strip(),
                        body=values["body"].strip(),
                    )
            return Redirect(path=f"/p/{tenant.slug}/office/messages/?sent=1", status_code=303)
        recipient = None
        with contextlib.suppress(ValueError):  # a malformed id is no colleague
            recipient = await get_officer(tenant_session, uuid.UUID(to))
        if recipient is None or not recipient.active or recipient.id == officer.id:
            errors["to"] = "请选择本省的一位同事"  # another province's officer is simply not found here
        subject, body = values.get("subject", "").strip(), values.get("body", "").strip()
        if errors or recipient is None:
            return await self._compose(
                request, tenant, officer, tenant_session, db, values=values, errors=errors, status=400
            )
        async with transaction(tenant_session):
            send_direct(
                tenant_session,
                sender_id=officer.id,
                sender_name=officer.name,
                recipient_id=recipient.id,
                subject=subject,
                body=body,
            )
        return Redirect(path=f"/p/{tenant.slug}/office/messages/?sent=1", status_code=303)

    @get("/{message_id:int}")
    async def open(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        db: NamedDependency[Database],
        message_id: FromPath[int],
    ) -> Template:
        async with transaction(tenant_session):
            message = await open_message(tenant_session, officer.id, message_id)
        if message is None:
            raise NotFoundException()  # someone else's message answers like a missing one
        return render(
            request,
            "office/message.html",
            {"realm": officer_realm(tenant, db), "tenant": tenant, "officer": officer, "message": message},
        )


ROUTE_HANDLERS = [
    NationalInboxController,
    OfficeSignInController,
    OfficeAccountController,
    OfficeTasksController,
    OfficeAddressBookController,
    NationalAddressBookController,
    OfficeMessagesController,
]
