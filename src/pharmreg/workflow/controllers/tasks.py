"""待办: an officer's task page and the actions on it (claim, release, complete)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_tenant_audit
from pharmreg.authority import (
    AuthorityPolicy,
    delegators_for,
)
from pharmreg.chrome import officer_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    Position,
    require_officer,
)
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.forms import FormErrors
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow.cases import case_handover
from pharmreg.workflow.service import (
    TaskConflictError,
    claim_task,
    complete_task,
    get_task,
    release_task,
    task_history,
    task_permission,
    visible_to,
)


class OfficeTasksController(Controller):
    """An officer's task: its page, claiming, releasing and completing it."""

    path = "/p/{slug:str}/office/tasks"
    include_in_schema = False
    guards = [require_officer()]

    @get("/{task_id:int}")
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

    @post("/{task_id:int}/{action:str}")
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
