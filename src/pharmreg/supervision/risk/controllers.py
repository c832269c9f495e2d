"""空挂与频繁变更: risk flags nationally (list, evidence, history, sending to a province, the rules'
settings) and in the province concerned (verification and its outcome)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import record_national_audit, record_tenant_audit
from pharmreg.chrome import office_chrome, staff_realm
from pharmreg.identity import PostPermissions, province_officers_holding, require_officer, require_staff
from pharmreg.kit.db import committed_together, transaction
from pharmreg.kit.form_posts import FormValues, form_values, post_form
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.messaging import notify
from pharmreg.practice import UnitType
from pharmreg.requests import OfficerRequest, StaffRequest
from pharmreg.supervision.risk.rules import OUTCOMES, RULES, SCOPE_LABELS, STATES, UNIT_TYPE_SCOPES
from pharmreg.supervision.risk.service import (
    FlagNotFoundError,
    flag_filter,
    get_flag,
    list_flags,
    record_outcome,
    rule_settings,
    save_rule_settings,
    send_flag,
)

NATIONAL_BASE = "/national/supervision/risk"
# Who verifies flags in a province, and who may read them there.
VERIFY = "verify_risk"
READ = ("verify_risk", "supervise_cases")


def _province_names(national: StaffRequest) -> dict[str, str]:
    return {t.slug: t.name for t in national.directory.provinces(include_disabled=True)}


class NationalRiskController(Controller):
    path = NATIONAL_BASE
    include_in_schema = False
    guards = [require_staff()]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        rule: FromQuery[str] = "",
        province: FromQuery[str] = "",
        status: FromQuery[str] = "",
        page: FromQuery[str] = "1",
    ) -> Template:
        provinces = _province_names(national)
        chosen = flag_filter(rule[:40], province[:41], status[:16], page[:8], tenants=provinces)
        rows, total = await list_flags(national.session, chosen)
        return render(
            request,
            "supervision/risk_list.html",
            {
                "realm": staff_realm(national.db),
                "staff": national.staff,
                "base": NATIONAL_BASE,
                "national_side": True,
                "rows": rows,
                "total": total,
                "chosen": chosen,
                "values": {
                    "rule": chosen.rule or "",
                    "tenant": chosen.tenant or "",
                    "state": chosen.state or "",
                },
                "rules": [(name, r.label) for name, r in RULES.items()],
                "states": list(STATES.items()),
                "provinces": provinces,
            },
            status_code=400 if chosen.errors else 200,
        )

    async def _flag_page(
        self,
        request: HTMXRequest,
        national: StaffRequest,
        flag_id: int,
        *,
        values: FormValues | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        try:
            flag, history = await get_flag(national.session, flag_id)
        except FlagNotFoundError:
            raise NotFoundException() from None
        return render(
            request,
            "supervision/risk_flag.html",
            {
                "realm": staff_realm(national.db),
                "staff": national.staff,
                "base": NATIONAL_BASE,
                "national_side": True,
                "flag": flag,
                "history": history,
                "province": _province_names(national).get(flag.tenant, flag.tenant),
                "may_send": national.staff.is_superadmin and flag.state == "open",
                "values": values or {},
                "errors": errors or {},
                "sent": request.query_params.get("sent") == "1",
            },
            status_code=400 if errors else 200,
        )

    @get("/{flag_id:int}")
    async def flag(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest], flag_id: FromPath[int]
    ) -> Template:
        return await self._flag_page(request, national, flag_id)

    @post("/{flag_id:int}/send", guards=[require_staff(superadmin=True)])
    async def send(
        self,
        request: HTMXRequest,
        national: NamedDependency[StaffRequest],
        permissions: NamedDependency[PostPermissions],
        flag_id: FromPath[int],
    ) -> Response[Any]:
        """Send the flag to its province for verification; the province's verifiers get a notice."""
        sent: dict[str, Any] = {}

        async def write(values: FormValues) -> None:
            try:
                flag = await send_flag(
                    national.session, flag_id, note=values.get("note", ""), actor_name=national.staff.name
                )
            except FlagNotFoundError:
                raise NotFoundException() from None
            record_national_audit(
                national.session,
                action="risk_flag_sent",
                actor=national.actor,
                target=f"risk_flag:{flag.id}",
                summary=f"{national.staff.name} 将风险线索 {flag.id}（{flag.rule_label}）"
                f"转 {flag.tenant} 核实：{values.get('note', '').strip()[:200]}",
                details={"tenant": flag.tenant, "rule": flag.rule},
            )
            sent["flag"] = flag

        async def again(values: FormValues, errors: dict[str, str]) -> Response[Any]:
            return await self._flag_page(request, national, flag_id, values=values, errors=errors)

        response = await post_form(
            request, national.session, write=write, again=again, done=f"{NATIONAL_BASE}/{flag_id}?sent=1"
        )
        flag = sent.get("flag")
        province = national.directory.get(flag.tenant) if flag else None
        if flag is not None and province is not None:
            # After the national commit, as other notices from national staff: the province's
            # message center tells its verifiers, with a link to the flag.
            async with (
                national.db.tenant(province.schema, province.placement) as tenant_session,
                transaction(tenant_session),
            ):
                recipients = await province_officers_holding(
                    tenant_session, permissions.posts_granting(VERIFY)
                )
                notify(
                    tenant_session,
                    recipients,
                    subject=f"国家局转来风险线索待核实（{flag.rule_label}）",
                    body=f"{flag.summary}。请核实后在系统中登记核实结果。",
                    link=f"risk/{flag.id}",  # relative to the office, as the message center shows it
                )
        return response

    async def _rules_page(
        self,
        request: HTMXRequest,
        national: StaffRequest,
        *,
        editing: str | None = None,
        values: FormValues | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return render(
            request,
            "supervision/risk_rules.html",
            {
                "realm": staff_realm(national.db),
                "staff": national.staff,
                "base": NATIONAL_BASE,
                "rules": await rule_settings(national.session),
                "unit_type_scopes": [
                    (UnitType(t).label, "、".join(SCOPE_LABELS[x] for x in sorted(scopes)))
                    for t, scopes in UNIT_TYPE_SCOPES.items()
                ],
                "editing": editing,
                "values": values or {},
                "errors": errors or {},
                "saved": request.query_params.get("saved", "")[:40],
            },
            status_code=400 if errors else 200,
        )

    @get("/rules")
    async def rules(self, request: HTMXRequest, national: NamedDependency[StaffRequest]) -> Template:
        return await self._rules_page(request, national)

    @post("/rules/{rule:str}", guards=[require_staff(superadmin=True)])
    async def save_rule(
        self, request: HTMXRequest, national: NamedDependency[StaffRequest], rule: FromPath[str]
    ) -> Response[Any]:
        """Save one rule's settings (national super-administrators); audited."""
        name = rule[:40]

        async def write(values: FormValues) -> None:
            saved = await save_rule_settings(national.session, name, values, by=national.staff.username)
            record_national_audit(
                national.session,
                action="risk_rules_changed",
                actor=national.actor,
                target=f"risk_rule:{name}",
                summary=f"{national.staff.name} 修改风险规则“{saved.rule.label}”："
                + ("启用" if saved.enabled else "停用")
                + (f"，{saved.description}" if saved.enabled else ""),
                details={"enabled": saved.enabled, **saved.values},
            )

        async def again(values: FormValues, errors: dict[str, str]) -> Response[Any]:
            return await self._rules_page(request, national, editing=name, values=values, errors=errors)

        return await post_form(
            request, national.session, write=write, again=again, done=f"{NATIONAL_BASE}/rules?saved={name}"
        )


class OfficeRiskController(Controller):
    path = "/p/{slug:str}/office/risk"
    include_in_schema = False
    guards = [require_officer(*READ, province_only=True)]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        rule: FromQuery[str] = "",
        status: FromQuery[str] = "sent",
        page: FromQuery[str] = "1",
    ) -> Template:
        tenant = office.tenant
        chosen = flag_filter(
            rule[:40], tenant.slug, status[:16], page[:8], tenants={tenant.slug: tenant.name}
        )
        rows, total = await list_flags(national_session, chosen)
        return render(
            request,
            "supervision/risk_list.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": office.officer,
                "base": f"/p/{tenant.slug}/office/risk",
                "national_side": False,
                "rows": rows,
                "total": total,
                "chosen": chosen,
                "values": {"rule": chosen.rule or "", "status": chosen.state or ""},
                "rules": [(name, r.label) for name, r in RULES.items()],
                "states": list(STATES.items()),
                "provinces": {tenant.slug: tenant.name},
            },
            status_code=400 if chosen.errors else 200,
        )

    async def _flag_page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        national_session: AsyncSession,
        flag_id: int,
        *,
        values: FormValues | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        tenant = office.tenant
        try:
            # Only a flag about this province: any other id is "not found", whether it exists or not.
            flag, history = await get_flag(national_session, flag_id, tenant=tenant.slug)
        except FlagNotFoundError:
            raise NotFoundException() from None
        registrations = sorted(
            {item["registration_id"] for item in flag.evidence if item.get("registration_id")}
            | ({flag.registration_id} if flag.registration_id else set())
        )
        return render(
            request,
            "supervision/risk_office_flag.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": office.officer,
                "base": f"/p/{tenant.slug}/office/risk",
                "flag": flag,
                "history": history,
                "registrations": registrations,
                "may_record": office.officer.may(VERIFY) and flag.state == "sent",
                "outcomes": list(OUTCOMES.items()),
                "values": values or {},
                "errors": errors or {},
                "done": request.query_params.get("done", "")[:16],
            },
            status_code=400 if errors else 200,
        )

    @get("/{flag_id:int}")
    async def flag(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        flag_id: FromPath[int],
    ) -> Template:
        return await self._flag_page(request, office, national_session, flag_id)

    @post("/{flag_id:int}/outcome")
    async def outcome(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        national_session: NamedDependency[AsyncSession],
        flag_id: FromPath[int],
    ) -> Response[Any]:
        """Record the verification's outcome; a confirmation leads on to the ex officio cancellation
        of the registration concerned (its form, with the registration and the ground chosen)."""
        tenant, officer = office.tenant, office.officer
        if not officer.may(VERIFY):
            raise PermissionDeniedException(detail="您没有登记核实结果的权限")
        values = await form_values(request)
        try:
            async with committed_together(office.session, national_session, "risk_outcome"):
                flag = await record_outcome(
                    national_session,
                    flag_id,
                    tenant=tenant.slug,
                    outcome=values.get("outcome", ""),
                    reason=values.get("reason", ""),
                    actor_name=officer.name,
                )
                await record_tenant_audit(
                    office.session,
                    action=f"risk_flag_{flag.state}",
                    actor=office.actor,
                    target=f"risk_flag:{flag.id}",
                    summary=f"{officer.name} 核实风险线索 {flag.id}（{flag.rule_label}）："
                    f"{OUTCOMES[flag.state]}" + (f"，{flag.outcome_reason}" if flag.outcome_reason else ""),
                    details={"rule": flag.rule, "registration_id": flag.registration_id},
                )
        except FlagNotFoundError:
            raise NotFoundException() from None
        except FormErrors as exc:
            return await self._flag_page(
                request, office, national_session, flag_id, values=values, errors=exc.errors
            )
        base = f"/p/{tenant.slug}/office/risk"
        if flag.state == "confirmed" and flag.registration_id is not None:
            return Redirect(
                path=f"/p/{tenant.slug}/office/register/{flag.registration_id}?reason=hanging",
                status_code=303,
            )
        return Redirect(path=f"{base}/{flag.id}?done={flag.state}", status_code=303)
