"""账号申诉 in the back office: the province bureau's officers who decide disputes see their
province's disputes (never another's), open the documents and decide."""

from __future__ import annotations

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
    STATUS_LABELS,
    DisputeDecided,
    Principal,
    Tools,
    decide_dispute,
    open_dispute_document,
    province_dispute,
    province_disputes,
    require_officer,
)
from pharmreg.kit.db import transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.form_posts import FormValues, post_form, see_other
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest
from pharmreg.tenancy import TenantInfo


class DisputesController(Controller):
    path = "/p/{slug:str}/office/disputes"
    include_in_schema = False
    guards = [require_officer("handle_disputes", province_only=True)]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        tenant, officer, db = office.tenant, office.officer, office.db
        status = "decided" if request.query_params.get("status") == "decided" else "open"
        disputes = await province_disputes(national_session, tenant.slug, status=status)
        return render(
            request,
            "administration/disputes.html",
            office_page(tenant, officer, db, disputes=disputes, status=status, labels=STATUS_LABELS),
        )

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        session: AsyncSession,
        dispute_id: int,
        *,
        errors: dict[str, str],
        values: dict[str, str],
        status: int = 200,
    ) -> Template:
        tenant, officer, db = office.tenant, office.officer, office.db
        view = await province_dispute(session, tenant.slug, dispute_id)
        if view is None:  # another province's dispute looks exactly like none
            raise NotFoundException()
        return render(
            request,
            "administration/dispute.html",
            office_page(
                tenant,
                officer,
                db,
                view=view,
                errors=errors,
                values=values,
                decided=request.query_params.get("decided") == "1",
            ),
            status_code=status,
        )

    @get("/{dispute_id:int}")
    async def show(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        dispute_id: FromPath[int],
    ) -> Template:
        return await self._page(request, office, national_session, dispute_id, errors={}, values={})

    @get("/{dispute_id:int}/documents/{document_id:int}")
    async def document(
        self,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        dispute_id: FromPath[int],
        document_id: FromPath[int],
    ) -> Response[bytes]:
        """The document itself, recorded as opened (who and when) in the province's log."""
        tenant, tenant_session, actor = office.tenant, office.session, office.actor
        async with transaction(national_session), transaction(tenant_session):
            found = await open_dispute_document(
                national_session,
                tenant_session,
                province=tenant.slug,
                dispute_id=dispute_id,
                document_id=document_id,
                actor=actor,
            )
        if found is None:
            raise NotFoundException()
        filename, content_type, data = found
        return download(filename, content_type, data)

    @post("/{dispute_id:int}/decide")
    async def decide(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        tools: NamedDependency[Tools],
        dispute_id: FromPath[int],
    ) -> Template | Response[Any]:
        tenant, tenant_session, actor = office.tenant, office.session, office.actor

        async def write(form: FormValues) -> DisputeDecided:
            # The province's log is committed first: a decision never stands without its entry.
            async with transaction(tenant_session):
                return await decide_dispute(
                    national_session,
                    tenant_session,
                    province=tenant.slug,
                    dispute_id=dispute_id,
                    decision=form.get("decision", ""),
                    reason=form.get("reason", ""),
                    actor=actor,
                )

        async def again(form: FormValues, errors: dict[str, str]) -> Template:
            return await self._page(
                request, office, national_session, dispute_id, errors=errors, values=form, status=400
            )

        async def done(decided: DisputeDecided) -> Response[Any]:
            await _tell_decided(tenant, tools, decided)
            return see_other(f"/p/{tenant.slug}/office/disputes/{dispute_id}?decided=1")

        return await post_form(request, national_session, write=write, again=again, done=done)


async def _tell_decided(tenant: TenantInfo, tools: Tools, decided: DisputeDecided) -> None:
    """After a decision: an upheld dispute ends the holder's sessions and reset codes; both sides are told."""
    authority = tenant.authority_name
    if decided.upheld:
        # Whoever held the account is out at once: sessions, pending reset codes.
        await tools.sessions.destroy_all(Principal("applicant", str(decided.account_id), "", "national"))
        await tools.reset_codes.revoke("applicant:national", str(decided.account_id))
        claimant = (
            f"【执业药师注册】您的账号申诉经{authority}核实成立，证件号码 {decided.masked_id} "
            "的账号已改由本手机号码登录。请在平台“找回密码”用证件号码和本手机号码设置密码，"
            "登录后核对账号中的申请和注册。"
        )
        holder = (
            f"【执业药师注册】证件号码 {decided.masked_id} 的执业药师个人账号经{authority}"
            f"核实系冒用他人身份注册，已停止由本手机号码登录。如有异议，请联系{authority}。"
        )
    else:
        claimant = (
            f"【执业药师注册】您的账号申诉经{authority}核实不成立，理由：{decided.reason[:200]}。"
            f"如有疑问，请联系{authority}。"
        )
        holder = (
            f"【执业药师注册】针对证件号码 {decided.masked_id} 的执业药师个人账号的申诉"
            f"经{authority}核实不成立，您的账号不受影响。"
        )
    await tools.sms.send(
        tenant_slug=tenant.slug, mobile=decided.claimant_mobile, purpose="dispute_decided", text=claimant
    )
    await tools.sms.send(
        tenant_slug=tenant.slug, mobile=decided.account_mobile, purpose="dispute_decided", text=holder
    )
