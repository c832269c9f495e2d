"""流程配置: a province's administrators adapt the approval process of each matter (new versions)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import Matter
from pharmreg.chrome import office_chrome
from pharmreg.identity import OfficerAccount, Position, require_officer
from pharmreg.kit.db import transaction
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow.cases import current_process, process_versions, save_process
from pharmreg.workflow.process import (
    OPTIONAL_ACTIONS,
    POSITIONS_BY_KIND,
    REQUIRED_ACTIONS,
    Action,
    Process,
    Step,
    StepKind,
    validate_process,
)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def process_from_form(matter: str, current: Process, form: Any) -> Process:
    """The edited process: existing steps (review steps may be dropped) plus an optional new review step."""
    steps = []
    count = _int(form.get("step_count"), len(current.steps))
    for index in range(min(count, 10)):
        kind = (
            StepKind(str(form.get(f"kind_{index}", "review")))
            if form.get(f"kind_{index}") in {k.value for k in StepKind}
            else StepKind.REVIEW
        )
        if kind is StepKind.REVIEW and form.get(f"drop_{index}") == "1":
            continue
        actions = set(REQUIRED_ACTIONS[kind])
        for optional in OPTIONAL_ACTIONS[kind]:
            if form.get(f"{optional.value}_{index}") == "1":
                actions.add(optional)
        steps.append(
            Step(
                key=str(form.get(f"key_{index}", f"step{index}"))[:32],
                label=str(form.get(f"label_{index}", "")).strip(),
                kind=kind,
                position=str(form.get(f"position_{index}", "")),
                limit_days=_int(form.get(f"limit_{index}")),
                actions=frozenset(actions),
            )
        )
    if str(form.get("new_label", "")).strip():
        keys = {s.key for s in steps}
        key = next(f"review{n}" for n in range(2, 20) if f"review{n}" not in keys)
        new = Step(
            key,
            str(form.get("new_label")).strip(),
            StepKind.REVIEW,
            str(form.get("new_position", "review")),
            _int(form.get("new_limit"), 5),
            REQUIRED_ACTIONS[StepKind.REVIEW] | {Action.RETURN, Action.COMMENT},
        )
        steps.insert(len(steps) - 1 if steps else 0, new)
    return Process(
        matter=matter,
        version=current.version + 1,
        steps=tuple(steps),
        acceptance_days=_int(form.get("acceptance_days")),
        statutory_days=_int(form.get("statutory_days")),
        promised_days=_int(form.get("promised_days")),
    )


class ProcessAdminController(Controller):
    path = "/p/{slug:str}/office/admin/processes"
    include_in_schema = False
    guards = [require_officer("manage_processes", province_only=True)]

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
    ) -> Template:
        rows = []
        async with transaction(tenant_session):
            for matter in Matter:
                _id, process = await current_process(tenant_session, matter.value)
                rows.append((matter, process))
        return render(
            request,
            "applications/processes.html",
            {"realm": office_chrome(tenant), "tenant": tenant, "officer": officer, "rows": rows},
        )

    async def _edit(
        self,
        request: HTMXRequest,
        tenant: TenantInfo,
        officer: OfficerAccount,
        session: AsyncSession,
        matter: str,
        *,
        process: Process | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        async with transaction(session):
            _id, current = await current_process(session, matter)
        versions = await process_versions(session, matter)
        return render(
            request,
            "applications/process_edit.html",
            {
                "realm": office_chrome(tenant),
                "tenant": tenant,
                "officer": officer,
                "matter": Matter(matter),
                "process": process or current,
                "current": current,
                "versions": [(p, row) for _i, p, row in versions],
                "positions": {k.value: [Position(p) for p in v] for k, v in POSITIONS_BY_KIND.items()},
                "optional": {k.value: sorted(OPTIONAL_ACTIONS[k], key=lambda a: a.value) for k in StepKind},
                "errors": errors or {},
                "saved": request.query_params.get("saved") == "1",
            },
            status_code=status,
        )

    @get("/{matter:str}")
    async def edit(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        matter: FromPath[str],
    ) -> Template:
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        return await self._edit(request, tenant, officer, tenant_session, matter)

    @post("/{matter:str}")
    async def save(
        self,
        request: HTMXRequest,
        tenant: NamedDependency[TenantInfo],
        officer: NamedDependency[OfficerAccount],
        tenant_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
        matter: FromPath[str],
    ) -> Template | Response[Any]:
        """Save a new version; cases already running stay on the version they started with."""
        if matter not in {m.value for m in Matter}:
            raise NotFoundException()
        form = await request.form()
        async with transaction(tenant_session):
            _id, current = await current_process(tenant_session, matter)
        edited = process_from_form(matter, current, form)
        errors = validate_process(edited)
        if errors:
            errors[""] = "流程未保存：" + "；".join(errors.values())
            return await self._edit(
                request, tenant, officer, tenant_session, matter, process=edited, errors=errors, status=400
            )
        async with transaction(tenant_session):
            row = await save_process(
                tenant_session,
                edited,
                created_by=officer.username,
                note=str(form.get("note", "")).strip()[:200] or None,
            )
            await record_tenant_audit(
                tenant_session,
                action="process_changed",
                actor=actor,
                target=Matter(matter).label,
                summary=f"{officer.name} 将{Matter(matter).label}流程修改为第 {row.version} 版："
                + " → ".join(s.label for s in edited.steps),
            )
        return Redirect(path=f"/p/{tenant.slug}/office/admin/processes/{matter}?saved=1", status_code=303)
