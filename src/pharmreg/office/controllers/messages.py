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
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import office_page
from pharmreg.identity import (
    get_officer,
    list_officers,
    list_staff,
    load_staff_account,
    require_officer,
    security_rules,
)
from pharmreg.kit.db import transaction
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.names import bureau_name
from pharmreg.kit.rendering import render
from pharmreg.messaging import (
    MAILBOXES,
    inbox,
    message_errors,
    open_message,
    send_direct,
    send_to_staff,
    unread_count,
)
from pharmreg.requests import OfficerRequest


class OfficeMessagesController(Controller):
    """消息中心: an officer's notifications and direct messages with colleagues of the province."""

    path = "/p/{slug:str}/office/messages"
    include_in_schema = False
    guards = [require_officer()]

    @get("/")
    async def inbox(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        messages = await inbox(session, MAILBOXES.province(officer.tenant), officer.id)
        sent = request.query_params.get("sent") == "1"
        return render(
            request, "office/messages.html", office_page(tenant, officer, db, messages=messages, sent=sent)
        )

    @get("/unread")
    async def unread(self, office: NamedDependency[OfficerRequest]) -> Response[str]:
        """The header's badge, polled by htmx."""
        officer, session = office.officer, office.session
        count = await unread_count(session, MAILBOXES.province(officer.tenant), officer.id)
        return Response(f"消息（{count}）" if count else "消息", media_type="text/html; charset=utf-8")

    async def _compose(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        colleagues = [o for o in await list_officers(session) if o.active and o.id != officer.id]
        async with db.national() as national:
            staff = [s for s in await list_staff(national, await security_rules(national)) if s.active]
        return render(
            request,
            "office/message_new.html",
            office_page(
                tenant,
                officer,
                db,
                colleagues=colleagues,
                staff=staff,
                values=values or {"to": request.query_params.get("to", "")},
                errors=errors or {},
            ),
            status_code=status,
        )

    @get("/new")
    async def compose(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Template:
        return await self._compose(request, office)

    @post("/new")
    async def send(self, request: HTMXRequest, office: NamedDependency[OfficerRequest]) -> Response[Any]:
        tenant, session, db = office.tenant, office.session, office.db
        to = str((await request.form()).get("to", ""))

        async def again(values: FormValues, errors: dict[str, str]) -> Template:
            return await self._compose(request, office, values=values, errors=errors, status=400)

        done = f"/p/{tenant.slug}/office/messages/?sent=1"
        if to.startswith("staff:"):
            # To the national bureau: written into the national schema, answerable from there.
            async with db.national() as national:

                async def to_staff(values: FormValues) -> None:
                    await _send_to_staff(national, office, values)

                return await post_form(request, national, write=to_staff, again=again, done=done)

        async def to_colleague(values: FormValues) -> None:
            await _send_to_colleague(office, values)

        return await post_form(request, session, write=to_colleague, again=again, done=done)

    @get("/{message_id:int}")
    async def open(
        self, request: HTMXRequest, office: NamedDependency[OfficerRequest], message_id: FromPath[int]
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        async with transaction(session):
            message = await open_message(session, MAILBOXES.province(officer.tenant), officer.id, message_id)
        if message is None:
            raise NotFoundException()  # someone else's message answers like a missing one
        return render(request, "office/message.html", office_page(tenant, officer, db, message=message))


async def _send_to_staff(national: AsyncSession, office: OfficerRequest, values: FormValues) -> None:
    """A message to a member of the national staff, in the national schema."""
    tenant, officer = office.tenant, office.officer
    errors = message_errors(values.get("subject", ""), values.get("body", ""))
    person = None
    with contextlib.suppress(ValueError):
        staff_id = uuid.UUID(values.get("to", "").removeprefix("staff:"))
        person = await load_staff_account(national, staff_id, await security_rules(national))
    if person is None or not person.active:
        errors["to"] = "请选择一位国家局工作人员"
    if errors or person is None:
        raise FormErrors(errors)
    send_to_staff(
        national,
        recipient_id=person.id,
        sender_name=f"{bureau_name(tenant.name, officer.unit_name)} · {officer.name}",
        sender_tenant=tenant.slug,
        sender_officer_id=officer.id,
        subject=values["subject"].strip(),
        body=values["body"].strip(),
    )


async def _send_to_colleague(office: OfficerRequest, values: FormValues) -> None:
    """A message to a colleague of the province."""
    officer, session = office.officer, office.session
    errors = message_errors(values.get("subject", ""), values.get("body", ""))
    recipient = None
    with contextlib.suppress(ValueError):  # a malformed id is no colleague
        recipient = await get_officer(session, uuid.UUID(values.get("to", "")))
    if recipient is None or not recipient.active or recipient.id == officer.id:
        errors["to"] = "请选择本省的一位同事"  # another province's officer is simply not found here
    if errors or recipient is None:
        raise FormErrors(errors)
    send_direct(
        session,
        sender_id=officer.id,
        sender_name=officer.name,
        recipient_id=recipient.id,
        subject=values.get("subject", "").strip(),
        body=values.get("body", "").strip(),
    )
