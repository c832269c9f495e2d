"""消息中心 of officers: notifications and direct messages with colleagues and national staff."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import officer_realm
from pharmreg.identity import (
    OfficerAccount,
    get_officer,
    list_officers,
    list_staff,
    load_staff_account,
    require_officer,
    security_rules,
)
from pharmreg.kit.db import Database, transaction
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
from pharmreg.tenancy import TenantInfo


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
