"""The officer's home page: the to-do and done lists of tasks."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.authority import (
    delegators_for,
)
from pharmreg.chrome import officer_realm
from pharmreg.divisions import DivisionIndex
from pharmreg.identity import (
    OfficerAccount,
    require_officer,
)
from pharmreg.kit.db import Database
from pharmreg.kit.rendering import render
from pharmreg.tenancy import TenantInfo
from pharmreg.workflow import (
    HANDLE_CASES,
    done_list,
    todo_list,
)


class OfficeDashboardController(Controller):
    """The officer's home: their to-do or done list (待办/已办)."""

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
