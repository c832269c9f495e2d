"""网上审批: an officer's view of a case, the actions of its current step, documents, deadlines."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.materials import materials_for
from pharmreg.applications.models import Application
from pharmreg.applications.pages import (
    close_at_origin,
    notice_response,
    notify_applicant,
    rules_of,
)
from pharmreg.applications.service.actions import CaseActionForm, officer_acts
from pharmreg.applications.service.checking import check_application
from pharmreg.applications.service.common import ApplicationError
from pharmreg.applications.service.opening import open_material, openings_of, unopened_by
from pharmreg.applications.service.reading import (
    application_by_ref,
    application_read,
    attachments_of,
    deadline_rows,
    notices_of,
    timeline,
)
from pharmreg.authority import AuthorityPolicy, Units, delegators_for
from pharmreg.chrome import office_chrome
from pharmreg.identity import OfficerAccount, Tools, require_officer
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import committed_together, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.register import get_registration, province_of
from pharmreg.requests import OfficerRequest
from pharmreg.workflow import (
    DECIDES_ON_MATERIALS,
    HANDLE_CASES,
    SUPERVISE_CASES,
    Action,
    StepKind,
    case_handover,
    case_permission,
    case_task,
    case_visible_to,
    load_calendar,
    process_of,
    supervised_units,
)

OFFICER_ACTIONS = {
    a.value: a
    for a in (
        Action.ACCEPT,
        Action.SUPPLEMENT,
        Action.NOT_ACCEPT,
        Action.FORWARD,
        Action.RETURN,
        Action.APPROVE,
        Action.REFUSE,
        Action.COMMENT,
        Action.SUSPEND,
        Action.RESUME,
    )
}


def _action_form(form: Any) -> CaseActionForm:
    try:
        version = int(str(form.get("version", "0")))
    except ValueError:
        version = 0
    return CaseActionForm(
        action=OFFICER_ACTIONS.get(str(form.get("action", ""))),
        version=version,
        note=str(form.get("note", "")),
        items=str(form.get("items", "")).splitlines(),
        target=str(form.get("target", "")) or None,
    )


class OfficeCaseController(Controller):
    path = "/p/{slug:str}/office"
    include_in_schema = False
    guards = [require_officer()]

    async def _visible(self, session: AsyncSession, officer: OfficerAccount, ref: str) -> Application:
        app = await application_by_ref(session, ref)
        if app is None or not await case_visible_to(session, app.id, officer):
            raise NotFoundException()  # another unit's case answers like one that does not exist
        return app

    async def _case_or_handover(
        self, request: HTMXRequest, office: OfficerRequest, ref: str
    ) -> Application | Template:
        """The case, or for an officer whose unit's pool it left, where it went (nothing of its content)."""
        tenant, officer, session = office.tenant, office.officer, office.session
        app = await application_by_ref(session, ref)
        if app is not None and await case_visible_to(session, app.id, officer):
            return app
        handover = await case_handover(session, officer, application_id=app.id) if app is not None else None
        if handover is None:
            raise NotFoundException()  # another unit's case answers like one that does not exist
        return render(
            request,
            "office/handed_over.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "handover": handover,
                "what": f"申请 {ref}",
            },
            status_code=410,
        )

    async def _page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        national: AsyncSession,
        policy: AuthorityPolicy,
        app: Application,
        *,
        errors: dict[str, str] | None = None,
        message: str | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session, divisions = office.tenant, office.officer, office.session, office.divisions
        if sa_inspect(app).expired_attributes:  # a failed write rolled back and expired it
            await session.refresh(app)
        province = province_of(tenant)
        process = await process_of(session, app.process_id)
        step = process.step(app.step)
        task = await case_task(session, app.id)
        permission = case_permission(officer, task, policy, await delegators_for(session, officer.id))
        actions = []
        if permission.allowed and step is not None:
            if app.suspended:
                actions = [Action.RESUME, Action.COMMENT]
            else:
                actions = [a for a in OFFICER_ACTIONS.values() if a in step.actions]
                if step.kind is not StepKind.ACCEPTANCE:
                    actions.append(Action.SUSPEND)
                if app.supplement_used and Action.SUPPLEMENT in actions:
                    actions.remove(Action.SUPPLEMENT)
                if Action.RETURN in actions and not process.earlier_than(step.key):
                    actions.remove(Action.RETURN)
        unopened = await unopened_by(session, app, officer.id)
        rules = await rules_of(session)
        current = await get_registration(session, app.registration_id) if app.registration_id else None
        findings = None
        if app.status in ("submitted", "supplement", "processing"):
            findings = await check_application(
                session, national, province=province, app=app, rules=rules, today=china_today()
            )
        return render(
            request,
            "applications/office_case.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "app": await application_read(session, province, app, divisions),
                "step": step,
                "task": task,
                "current": current,
                "permission": permission,
                "actions": actions,
                "return_targets": process.earlier_than(step.key) if step else [],
                "findings": findings,
                "attachments": await attachments_of(session, app),
                "materials": materials_for(app.matter),
                "openings": await openings_of(session, app),
                "unopened": unopened,
                "unopened_ids": {a.id for a in unopened},
                "has_files": bool(unopened) or bool(await attachments_of(session, app)),
                "deciding": DECIDES_ON_MATERIALS,
                "notices": await notices_of(session, app),
                "timeline": await timeline(session, app, openings=True),
                "show_officers": True,
                "editable": False,
                "errors": errors or {},
                "values": values or {},
                "message": message,
                "base": f"/p/{tenant.slug}/office/cases/{app.ref}",
            },
            fragment="applications/_office_actions.html",
            status_code=status,
        )

    @get("/cases/{ref:str}")
    async def case(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        ref: FromPath[str],
    ) -> Template:
        found = await self._case_or_handover(request, office, ref)
        if isinstance(found, Template):
            return found
        return await self._page(request, office, national_session, policy, found)

    @get("/cases/{ref:str}/unopened")
    async def unopened(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        ref: FromPath[str],
    ) -> Template:
        """The materials this officer has still to open (the action panel refreshes it on return)."""
        tenant, officer, tenant_session = office.tenant, office.officer, office.session
        app = await self._visible(tenant_session, officer, ref)
        return render(
            request,
            "applications/_unopened.html",
            {
                "unopened": await unopened_by(tenant_session, app, officer.id),
                "has_files": bool(await attachments_of(tenant_session, app)),
                "base": f"/p/{tenant.slug}/office/cases/{app.ref}",
            },
        )

    @post("/cases/{ref:str}/act")
    async def act(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        policy: NamedDependency[AuthorityPolicy],
        tools: NamedDependency[Tools],
        ref: FromPath[str],
    ) -> Template | Response[Any]:
        found = await self._case_or_handover(request, office, ref)
        if isinstance(found, Template):
            return found
        app, tenant, session = found, office.tenant, office.session
        form = await request.form()
        try:
            async with committed_together(session, national_session, str(form.get("action", ""))):
                after = await officer_acts(
                    session,
                    national_session,
                    province=province_of(tenant),
                    app=app,
                    officer=office.officer,
                    policy=policy,
                    actor=office.actor,
                    form=_action_form(form),
                )
        except (ApplicationError, FormErrors) as exc:
            errors = exc.errors if isinstance(exc, FormErrors) else {"": str(exc)}
            if isinstance(exc, FormErrors) and "" not in errors:
                errors[""] = "；".join(errors.values())
            app = await self._visible(session, office.officer, ref)
            return await self._page(
                request,
                office,
                national_session,
                policy,
                app,
                errors=errors,
                values={k: str(form.get(k, "")) for k in ("action", "items", "note", "target")},
                status=409,
            )
        if after.close_at_origin:
            await close_at_origin(office.db, office.directory, after.close_at_origin)
        if after.notify:
            await notify_applicant(national_session, tools.sms, tenant, app, after.notify)
        return Redirect(
            path=f"/p/{tenant.slug}/office/cases/{ref}?done={after.action.value}", status_code=303
        )

    @get("/cases/{ref:str}/attachments/{attachment_id:int}")
    async def attachment(
        self,
        office: NamedDependency[OfficerRequest],
        ref: FromPath[str],
        attachment_id: FromPath[int],
    ) -> Response[bytes]:
        """An officer opens a material: the opening is recorded (who, when, which version) first."""
        officer, tenant_session = office.officer, office.session
        app = await self._visible(tenant_session, officer, ref)
        async with transaction(tenant_session):
            found = await open_material(tenant_session, app, attachment_id, officer=officer)
        if found is None:
            raise NotFoundException()
        return download(*found)

    @get("/cases/{ref:str}/notices/{notice_id:int}")
    async def notice(
        self,
        office: NamedDependency[OfficerRequest],
        ref: FromPath[str],
        notice_id: FromPath[int],
    ) -> Response[bytes]:
        """通知书打印: the notice as a PDF to print or send."""
        officer, tenant_session = office.officer, office.session
        app = await self._visible(tenant_session, officer, ref)
        return await notice_response(tenant_session, app, notice_id)

    @get("/deadlines", guards=[require_officer(HANDLE_CASES, SUPERVISE_CASES)])
    async def deadlines(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        """Overdue cases and those due soon: the unit's pool; for supervision (督办), the cases of
        the officer's unit and the units below it (the whole province at the province bureau)."""
        tenant, officer, tenant_session = office.tenant, office.officer, office.session
        units = await Units.load(tenant_session)
        unit_ids = supervised_units(officer, units) if officer.may(SUPERVISE_CASES) else [officer.unit_id]
        whole_province = unit_ids is None
        calendar = await load_calendar(national_session)
        today = china_today()
        rows = await deadline_rows(
            tenant_session,
            units=units,
            unit_ids=unit_ids,
            today=today,
            calendar=calendar,
        )
        return render(
            request,
            "applications/deadlines.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "rows": rows,
                "today": today,
                "uncovered": [y for y in (today.year, today.year + 1) if not calendar.covers(y)],
                "whole_province": whole_province,
            },
        )
