"""网上申报: an applicant's applications, drafts, pre-check, mock application, materials and documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.applications.checks import CANCEL_REASONS, REISSUE_REASONS, Person, precheck
from pharmreg.applications.materials import materials_for
from pharmreg.applications.models import Application
from pharmreg.applications.pages import (
    CertificateSource,
    PdfUnavailableError,
    certificate_pdf,
    form_values,
    notice_response,
    receipt_pdf,
    rules_of,
)
from pharmreg.applications.service.checking import check_application, gather
from pharmreg.applications.service.common import ApplicationError, Routing
from pharmreg.applications.service.drafts import (
    add_attachment,
    clean_form,
    remove_attachment,
    save_draft,
    start_application,
)
from pharmreg.applications.service.reading import (
    applicant_provinces,
    application_by_ref,
    application_read,
    applications_of,
    attachment_content,
    attachments_of,
    notices_of,
    timeline,
)
from pharmreg.applications.service.submission import (
    resubmit_application,
    submit_application,
    withdraw_application,
)
from pharmreg.authority import AuthorityPolicy, Matter, Units
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import ApplicantAccount, require_applicant
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import committed_together, transaction
from pharmreg.kit.downloads import download
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.kit.uploads import AttachmentError
from pharmreg.qualifications import Category, categories_label
from pharmreg.register import (
    EDUCATION_LEVELS,
    MAJORS,
    PracticeScope,
    get_registration,
    national_active,
    person_key,
    province_of,
    provinces_of_person,
    registration_history,
    registrations_of,
)
from pharmreg.requests import ApplicantRequest, CertificateLinks
from pharmreg.tenancy import TenantDirectory, TenantInfo
from pharmreg.workflow import Status, load_calendar

LISTS: dict[str, tuple[str, set[Status]]] = {
    "drafts": ("暂存", {Status.DRAFT}),
    "todo": ("待我处理", {Status.SUPPLEMENT}),
    "done": ("已提交", {s for s in Status if s not in (Status.DRAFT, Status.SUPPLEMENT)}),
}


def _choices() -> dict[str, Any]:
    return {
        "categories": list(Category),
        "scopes": list(PracticeScope),
        "category_labels": {c.value: c.label for c in Category},
        "scope_labels": {s.value: s.label for s in PracticeScope},
        "cancel_reasons": CANCEL_REASONS,
        "reissue_reasons": REISSUE_REASONS,
        "education_levels": EDUCATION_LEVELS,
        "majors": MAJORS,
    }


class ApplicantApplicationsController(Controller):
    """The applicant's lists, new applications, mock applications."""

    path = "/account"
    include_in_schema = False
    guards = [require_applicant()]

    @get("/applications")
    async def lists(
        self,
        request: HTMXRequest,
        account: NamedDependency[ApplicantRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        applicant, directory, db = account.applicant, account.directory, account.db
        tab = request.query_params.get("tab", "drafts")
        if tab not in LISTS:
            tab = "drafts"
        rows = []
        counts = dict.fromkeys(LISTS, 0)
        for slug in await applicant_provinces(national_session, applicant.id):
            tenant = directory.get(slug)
            if tenant is None:
                continue
            async with db.tenant(tenant.schema, tenant.placement) as session:
                for app in await applications_of(session, applicant.id):
                    for name, (_label, statuses) in LISTS.items():
                        if Status(app.status) in statuses:
                            counts[name] += 1
                            if name == tab:
                                rows.append((tenant, app))
        rows.sort(key=lambda pair: pair[1].updated_at, reverse=True)
        return render(
            request,
            "applications/list.html",
            {
                "applicant": applicant,
                "tab": tab,
                "lists": LISTS,
                "counts": counts,
                "rows": [
                    {
                        "tenant": t,
                        "ref": a.ref,
                        "matter_label": Matter(a.matter).label,
                        "status_label": "已中止" if a.suspended else Status(a.status).label,
                        "status": a.status,
                        "updated_at": a.updated_at,
                    }
                    for t, a in rows
                ],
            },
        )

    @get("/apply")
    async def start_form(
        self,
        request: HTMXRequest,
        account: NamedDependency[ApplicantRequest],
        national_session: NamedDependency[AsyncSession],
        mock: FromQuery[bool] = False,
        matter: FromQuery[str | None] = None,
    ) -> Template:
        applicant, directory = account.applicant, account.directory
        return render(
            request,
            "applications/start.html",
            await self._start_context(applicant, national_session, directory, mock=mock, matter=matter),
        )

    async def _start_context(
        self,
        applicant: ApplicantAccount,
        national: AsyncSession,
        directory: TenantDirectory,
        *,
        mock: bool,
        matter: str | None,
        errors: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        held = await national_active(national, person_key(applicant.id_type, applicant.id_number))
        guess = held.tenant if held else None
        if guess is None and applicant.id_type == "resident_id":
            routed = directory.route(applicant.id_number[:6])
            guess = routed.slug if routed else None
        return {
            "applicant": applicant,
            "provinces": directory.provinces(),
            "matters": list(Matter),
            "held": held,
            "guess": guess,
            "mock": mock,
            "matter": matter or ("change" if held else "first_registration"),
            "errors": errors or {},
        }

    @post("/apply")
    async def start(
        self,
        request: HTMXRequest,
        account: NamedDependency[ApplicantRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template | Response[Any]:
        applicant, directory, db = account.applicant, account.directory, account.db
        form = await request.form()
        slug, matter = str(form.get("province", "")), str(form.get("matter", ""))
        mock = form.get("mock") == "1"
        tenant = directory.get(slug)
        errors = {}
        if tenant is None or tenant.is_national:
            errors["province"] = "请选择执业单位所在省份"
        if matter not in {m.value for m in Matter}:
            errors["matter"] = "请选择申请事项"
        if errors or tenant is None:
            context = await self._start_context(
                applicant, national_session, directory, mock=mock, matter=matter, errors=errors
            )
            return render(request, "applications/start.html", context, status_code=400)
        if mock:
            return Redirect(path=f"/account/mock/{tenant.slug}/{matter}", status_code=303)
        async with db.tenant(tenant.schema, tenant.placement) as session:
            try:
                async with committed_together(session, national_session, "start"):
                    rules = await rules_of(session)
                    app = await start_application(
                        session,
                        national_session,
                        province=province_of(tenant),
                        applicant=applicant,
                        matter=matter,
                        rules=rules,
                    )
            except ApplicationError as exc:
                context = await self._start_context(
                    applicant,
                    national_session,
                    directory,
                    mock=mock,
                    matter=matter,
                    errors={"matter": str(exc)},
                )
                return render(request, "applications/start.html", context, status_code=400)
        return Redirect(path=f"/account/applications/{tenant.slug}/{app.ref}", status_code=303)

    @get("/mock/{slug:str}/{matter:str}")
    async def mock_form(
        self,
        request: HTMXRequest,
        applicant: NamedDependency[ApplicantAccount],
        tenant: NamedDependency[TenantInfo],
        matter: FromPath[str],
    ) -> Template:
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        return render(request, "applications/mock.html", _mock_context(applicant, tenant, matter, {}, None))

    @post("/mock/{slug:str}/{matter:str}")
    async def mock_check(
        self,
        request: HTMXRequest,
        applicant: NamedDependency[ApplicantAccount],
        tenant: NamedDependency[TenantInfo],
        tenant_session: NamedDependency[AsyncSession],
        national_session: NamedDependency[AsyncSession],
        matter: FromPath[str],
    ) -> Template:
        """Every check of a real application; nothing is saved or submitted."""
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        form = clean_form(form_values(await request.form()))
        rules = await rules_of(tenant_session)
        data = await gather(
            tenant_session,
            national_session,
            province=province_of(tenant),
            matter=matter,
            form=form,
            person=Person(applicant.name, applicant.id_type, applicant.id_number, applicant.birth_date),
            rules=rules,
            today=china_today(),
        )
        findings = precheck(data)
        context = _mock_context(applicant, tenant, matter, form, findings)
        return render(request, "applications/mock.html", context, fragment="applications/_findings.html")


def _mock_context(
    applicant: ApplicantAccount, tenant: TenantInfo, matter: str, form: dict[str, Any], findings: Any
) -> dict[str, Any]:
    return {
        "applicant": applicant,
        "tenant": tenant,
        "matter": matter,
        "matter_label": Matter(matter).label,
        "form": form,
        "findings": findings,
        "checked": findings is not None,
        "mock_mode": True,
        "message": None,
        "materials": materials_for(matter),
        "action": f"/account/mock/{tenant.slug}/{matter}",
        **_choices(),
    }


@dataclass
class OwnCase:
    """One request on one of the applicant's own applications: who, where, which case."""

    request: HTMXRequest
    tenant: TenantInfo
    session: AsyncSession
    national: AsyncSession
    divisions: DivisionIndex
    applicant: ApplicantAccount
    app: Application

    @property
    def base(self) -> str:
        return f"/account/applications/{self.tenant.slug}/{self.app.ref}"

    async def withdraw_step(self, *, errors: dict[str, str] | None = None, status: int = 200) -> Template:
        """The confirmation asked before withdrawing: a page of its own, or the step inline (htmx)."""
        app = self.app
        if sa_inspect(app).expired_attributes:
            await self.reload()
        context = {
            "applicant": self.applicant,
            "tenant": self.tenant,
            "app": await application_read(self.session, province_of(self.tenant), app, self.divisions),
            "withdrawable": app.status in (Status.SUBMITTED, Status.SUPPLEMENT),
            "errors": errors or {},
            "base": self.base,
        }
        return render(
            self.request,
            "applications/withdraw.html",
            context,
            fragment="applications/_withdraw_confirm.html",
            status_code=status,
        )

    async def reload(self) -> None:
        """After a failed write rolled the session back: read the case afresh."""
        await self.session.refresh(self.app)

    async def page(
        self,
        *,
        errors: dict[str, str] | None = None,
        message: str | None = None,
        status: int = 200,
        fragment: str | None = None,
    ) -> Template:
        app, session = self.app, self.session
        if sa_inspect(app).expired_attributes:  # a failed write rolled back and expired it
            await self.reload()
        province = province_of(self.tenant)
        rules = await rules_of(session)
        editable = app.status in (Status.DRAFT, Status.SUPPLEMENT)
        findings = (
            await check_application(
                session, self.national, province=province, app=app, rules=rules, today=china_today()
            )
            if editable
            else None
        )
        notices = await notices_of(session, app)
        events = await timeline(session, app)
        context = {
            "applicant": self.applicant,
            "tenant": self.tenant,
            "app": await application_read(session, province, app, self.divisions),
            "form": app.form,
            "matter": app.matter,
            "mock_mode": False,
            "editable": editable,
            "findings": findings,
            "attachments": await attachments_of(session, app),
            "materials": materials_for(app.matter),
            "timeline": events,
            "notices": notices,
            "supplement_items": _supplement_items(events),
            "errors": errors or {},
            "message": message,
            "base": self.base,
            "action": f"{self.base}/save",
            **_choices(),
        }
        return render(self.request, "applications/case.html", context, fragment=fragment, status_code=status)


async def provide_own_case(
    request: HTMXRequest,
    tenant: NamedDependency[TenantInfo],
    tenant_session: NamedDependency[AsyncSession],
    national_session: NamedDependency[AsyncSession],
    divisions: NamedDependency[DivisionIndex],
    applicant: NamedDependency[ApplicantAccount],
    ref: FromPath[str],
) -> OwnCase:
    app = await application_by_ref(tenant_session, ref)
    if app is None or app.applicant_id != applicant.id:
        raise NotFoundException()  # someone else's application answers like a missing one
    return OwnCase(request, tenant, tenant_session, national_session, divisions, applicant, app)


class ApplicantCaseController(Controller):
    """One application of the applicant: edit the draft, upload, submit, withdraw, supplement, documents."""

    path = "/account/applications/{slug:str}/{ref:str}"
    include_in_schema = False
    guards = [require_applicant()]
    dependencies = {"case": Provide(provide_own_case)}

    @get("/")
    async def show(self, case: NamedDependency[OwnCase]) -> Template:
        return await case.page()

    @post("/save")
    async def save(self, case: NamedDependency[OwnCase]) -> Template:
        """Keep the draft (暂存) and answer with the pre-check of what was entered."""
        try:
            async with transaction(case.session):
                await save_draft(case.session, case.app, form_values(await case.request.form()))
        except ApplicationError as exc:
            return await case.page(
                errors={"": str(exc)}, message=str(exc), status=409, fragment="applications/_findings.html"
            )
        return await case.page(message="已暂存", fragment="applications/_findings.html")

    @post("/attachments")
    async def upload(self, case: NamedDependency[OwnCase]) -> Template:
        form = await case.request.form()
        upload = form.get("file")
        errors: dict[str, str] = {}
        if not isinstance(upload, UploadFile):
            errors["file"] = "请选择要上传的文件"
        else:
            rules = await rules_of(case.session)
            data = await upload.read(rules.max_attachment_bytes + 1)
            try:
                async with transaction(case.session):
                    await add_attachment(
                        case.session,
                        case.app,
                        material_key=str(form.get("material", "")),
                        filename=upload.filename or "",
                        data=data,
                        rules=rules,
                    )
            except (AttachmentError, ApplicationError) as exc:
                errors["file"] = str(exc)
        return await case.page(
            errors=errors,
            status=400 if errors else 200,
            message=None if errors else "已上传",
            fragment="applications/_attachments.html",
        )

    @post("/attachments/{attachment_id:int}/delete")
    async def delete_attachment(
        self, case: NamedDependency[OwnCase], attachment_id: FromPath[int]
    ) -> Template:
        errors = {}
        try:
            async with transaction(case.session):
                await remove_attachment(case.session, case.app, attachment_id)
        except ApplicationError as exc:
            errors["file"] = str(exc)
        return await case.page(
            errors=errors, status=409 if errors else 200, fragment="applications/_attachments.html"
        )

    @get("/attachments/{attachment_id:int}")
    async def download_attachment(
        self, case: NamedDependency[OwnCase], attachment_id: FromPath[int]
    ) -> Response[bytes]:
        found = await attachment_content(case.session, case.app, attachment_id)
        if found is None:
            raise NotFoundException()
        return download(*found)

    @get("/withdraw")
    async def withdraw_form(self, case: NamedDependency[OwnCase]) -> Template:
        """Withdrawing ends the application: the applicant confirms first (no script needed)."""
        return await case.withdraw_step()

    @post("/withdraw")
    async def withdraw(self, case: NamedDependency[OwnCase]) -> Template | Response[Any]:
        """Withdraw before acceptance, once confirmed; an unconfirmed request only asks again."""
        form = await case.request.form()
        if form.get("confirm") != "yes":
            return await case.withdraw_step(errors={"confirm": "请确认撤回申请"}, status=400)
        session, national = case.session, case.national
        try:
            async with committed_together(session, national, "withdraw"):
                await withdraw_application(session, national, province=province_of(case.tenant), app=case.app)
        except ApplicationError as exc:  # accepted meanwhile, or withdrawn already
            await case.reload()
            # htmx swaps only 2xx: the inline step then shows why, in place.
            return await case.withdraw_step(errors={"": str(exc)}, status=200 if case.request.htmx else 409)
        if case.request.htmx:  # the confirmation was inline: show the whole page again
            return Response(
                content=None, status_code=200, headers={"HX-Redirect": f"{case.base}?done=withdrawn"}
            )
        return Redirect(path=f"{case.base}?done=withdrawn", status_code=303)

    @get("/receipt")
    async def receipt(
        self, case: NamedDependency[OwnCase], certificate_links: NamedDependency[CertificateLinks]
    ) -> Response[bytes]:
        """申请材料接收凭证 (PDF): what the authority received at the latest submission, and when."""
        read = await application_read(case.session, province_of(case.tenant), case.app, case.divisions)
        base_url = certificate_links.base_url(str(case.request.base_url)).rstrip("/")
        try:
            pdf = await receipt_pdf(
                case.session,
                case.app,
                authority=case.tenant.authority_name,
                unit_name=read.unit_name,
                follow_url=f"{base_url}{case.base}",
            )
        except PdfUnavailableError as exc:
            return Response(str(exc).encode(), status_code=503, media_type="text/plain; charset=utf-8")
        return download(f"申请材料接收凭证-{case.app.ref}.pdf", "application/pdf", pdf, inline=False)

    @post("/{action:str}")
    async def act(
        self, case: NamedDependency[OwnCase], policy: NamedDependency[AuthorityPolicy], action: FromPath[str]
    ) -> Template | Response[Any]:
        """Submit, or resubmit after a supplement notice."""
        if action not in ("submit", "resubmit"):
            raise NotFoundException()
        session, national, province = case.session, case.national, province_of(case.tenant)
        try:
            async with committed_together(session, national, action):
                run = submit_application if action == "submit" else resubmit_application
                await run(
                    session,
                    national,
                    province=province,
                    app=case.app,
                    rules=await rules_of(session),
                    calendar=await load_calendar(national),
                    routing=Routing(policy, await Units.load(session)),
                    today=china_today(),
                )
        except (ApplicationError, FormErrors) as exc:
            await case.reload()
            return await case.page(
                errors=exc.errors if isinstance(exc, FormErrors) else {"": str(exc)}, status=409
            )
        done = {"submit": "submitted", "resubmit": "resubmitted"}[action]
        return Redirect(path=f"{case.base}?done={done}", status_code=303)

    @get("/notices/{notice_id:int}")
    async def notice(self, case: NamedDependency[OwnCase], notice_id: FromPath[int]) -> Response[bytes]:
        return await notice_response(case.session, case.app, notice_id)


def _supplement_items(events: list[Any]) -> list[str]:
    for event in reversed(events):
        if event.action == "supplement":
            return list(event.items)
    return []


class ApplicantRegisterController(Controller):
    """The pharmacist's own registrations in every province, their history and the electronic certificate."""

    path = "/account/registrations"
    include_in_schema = False
    guards = [require_applicant()]

    @get("/")
    async def registrations(
        self,
        request: HTMXRequest,
        account: NamedDependency[ApplicantRequest],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        applicant, directory, db = account.applicant, account.directory, account.db
        key = person_key(applicant.id_type, applicant.id_number)
        today = china_today()
        blocks = []
        for slug in await provinces_of_person(national_session, key):
            tenant = directory.any_state(slug)
            if tenant is None:
                continue
            async with db.tenant(tenant.schema, tenant.placement) as session:
                rows = await registrations_of(session, slug, key, today)
                history = await registration_history(session, [r.id for r in rows])
            blocks.append({"tenant": tenant, "registrations": rows, "history": history})
        return render(
            request,
            "applications/registrations.html",
            {"applicant": applicant, "blocks": blocks, "today": today},
        )

    @get("/{slug:str}/{registration_id:int}/certificate")
    async def certificate(
        self,
        request: HTMXRequest,
        applicant: NamedDependency[ApplicantAccount],
        tenant: NamedDependency[TenantInfo],
        tenant_session: NamedDependency[AsyncSession],
        certificate_links: NamedDependency[CertificateLinks],
        registration_id: FromPath[int],
    ) -> Response[bytes]:
        """The electronic registration certificate (PDF) with its verification QR code."""
        row = await get_registration(tenant_session, registration_id)
        if row is None or row.person_key != person_key(applicant.id_type, applicant.id_number):
            raise NotFoundException()
        if row.status != "active":
            return Response(
                "该注册已注销或转出，不能下载注册证".encode(),
                status_code=410,
                media_type="text/plain; charset=utf-8",
            )
        source = CertificateSource(
            row,
            tenant.authority_name,
            tenant.name,
            categories_label(row.categories),
            PracticeScope(row.scope).label,
        )
        try:
            pdf = await certificate_pdf(
                tenant_session,
                source,
                base_url=certificate_links.base_url(str(request.base_url)),
                verification_key=certificate_links.verification_key,
            )
        except PdfUnavailableError as exc:
            return Response(str(exc).encode(), status_code=503, media_type="text/plain; charset=utf-8")
        return download(f"执业药师注册证-{row.certificate_no}.pdf", "application/pdf", pdf, inline=False)
