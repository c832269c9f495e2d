"""消息中心 of national staff: messages from the provinces' officers and from colleagues, and
writing to any active officer of an enabled province or to a national colleague."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.chrome import staff_realm
from pharmreg.identity import (
    StaffAccount,
    get_officer,
    list_officers,
    list_staff,
    load_staff_account,
    require_staff,
    security_rules,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.rendering import render
from pharmreg.kit.spaces import NATIONAL
from pharmreg.messaging import (
    MAILBOXES,
    inbox,
    message_errors,
    open_message,
    send_from_national,
    send_to_staff,
    unread_count,
)
from pharmreg.requests import StaffRequest
from pharmreg.tenancy import TenantDirectory


def _uuid(value: str) -> uuid.UUID | None:
    with contextlib.suppress(ValueError):
        return uuid.UUID(value)
    return None


class NationalInboxController(Controller):
    path = "/national/inbox"
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def inbox(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
    ) -> Template:
        staff, national_session, db = national.staff, national.session, national.db
        return render(
            request,
            "national/inbox.html",
            {
                "realm": staff_realm(db),
                "staff": staff,
                "section": "inbox",
                "messages": await inbox(national_session, MAILBOXES.national(), staff.id),
                "sent": request.query_params.get("sent") == "1",
            },
        )

    @get("/unread")
    async def unread(self, national: NamedDependency[StaffRequest]) -> Response[str]:
        count = await unread_count(national.session, MAILBOXES.national(), national.staff.id)
        return Response(f"消息（{count}）" if count else "消息", media_type="text/html; charset=utf-8")

    @get("/{message_id:int}")
    async def open(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        message_id: FromPath[int],
    ) -> Template:
        staff, national_session, db = national.staff, national.session, national.db
        async with transaction(national_session):
            message = await open_message(national_session, MAILBOXES.national(), staff.id, message_id)
        if message is None:
            raise NotFoundException()
        return render(
            request,
            "national/inbox_message.html",
            {"realm": staff_realm(db), "staff": staff, "section": "inbox", "message": message},
        )

    @get("/new")
    async def compose(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        province: Annotated[str, QueryParameter(max_length=41)] = NATIONAL,
        to: Annotated[str, QueryParameter(max_length=40)] = "",
    ) -> Template:
        staff, national_session, db, directory = (
            national.staff,
            national.session,
            national.db,
            national.directory,
        )
        return await _compose(
            request, staff, national_session, db, directory, {"province": province, "to": to}, {}, 200
        )

    @post("/new")
    async def send(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
    ) -> Template | Redirect:
        staff, national_session, db, directory = (
            national.staff,
            national.session,
            national.db,
            national.directory,
        )
        values = {k: str(v) for k, v in (await request.form()).items()}
        errors = message_errors(values.get("subject", ""), values.get("body", ""))
        province, to = values.get("province", NATIONAL), _uuid(values.get("to", ""))
        subject, body = values.get("subject", "").strip(), values.get("body", "").strip()
        if province == NATIONAL:
            colleague = (
                await load_staff_account(national_session, to, await security_rules(national_session))
                if to
                else None
            )
            if colleague is None or not colleague.active or colleague.id == staff.id:
                errors["to"] = "请选择一位国家局同事"
            if not errors and colleague is not None:
                async with transaction(national_session):
                    send_to_staff(
                        national_session,
                        recipient_id=colleague.id,
                        sender_name=f"国家局 · {staff.name}",
                        sender_staff_id=staff.id,
                        subject=subject,
                        body=body,
                    )
                return Redirect(path="/national/inbox/?sent=1", status_code=303)
        else:
            tenant = directory.get(province)
            if tenant is None or tenant.is_national:
                errors["province"] = "该省份不存在或已停用"
            else:
                async with db.tenant(tenant.schema, tenant.placement) as session:
                    officer = await get_officer(session, to) if to else None
                    if officer is None or not officer.active:
                        errors["to"] = "请选择该省的一位在岗工作人员"
                    if not errors and officer is not None:
                        async with transaction(session):
                            send_from_national(
                                session,
                                staff_id=staff.id,
                                staff_name=staff.name,
                                recipient_id=officer.id,
                                subject=subject,
                                body=body,
                            )
                        return Redirect(path="/national/inbox/?sent=1", status_code=303)
        return await _compose(request, staff, national_session, db, directory, values, errors, 400)


async def _compose(
    request: HTMXRequest,
    staff: StaffAccount,
    national_session: AsyncSession,
    db: Database,
    directory: TenantDirectory,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Template:
    """The form; the recipients list follows the chosen province (an htmx fragment when it changes)."""
    province = values.get("province", NATIONAL)
    recipients: list[tuple[str, str]] = []
    tenant = directory.get(province) if province != NATIONAL else None
    if province == NATIONAL:
        rules = await security_rules(national_session)
        recipients = [
            (str(s.id), f"{s.name}（{s.department}）")
            for s in await list_staff(national_session, rules)
            if s.active and s.id != staff.id
        ]
    elif tenant is not None and not tenant.is_national:
        async with db.tenant(tenant.schema, tenant.placement) as session:
            recipients = [
                (str(o.id), f"{o.name}（{o.unit_name} · {o.username}）")
                for o in await list_officers(session)
                if o.active
            ]
    context: dict[str, Any] = {
        "realm": staff_realm(db),
        "staff": staff,
        "section": "inbox",
        "provinces": directory.provinces(),
        "recipients": recipients,
        "values": values,
        "errors": errors,
    }
    return render(
        request, "national/inbox_new.html", context, fragment="national/_recipients.html", status_code=status
    )
