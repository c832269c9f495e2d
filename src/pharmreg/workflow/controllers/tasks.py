"""待办: an officer's task page and the actions on it (claim, release, complete)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from pharmreg.authority import AuthorityPolicy, delegators_for
from pharmreg.chrome import office_page
from pharmreg.identity import require_officer
from pharmreg.kit.form_posts import FormValues, post_form
from pharmreg.kit.rendering import render
from pharmreg.requests import OfficerRequest
from pharmreg.workflow.cases import case_handover
from pharmreg.workflow.service import (
    TASK_ACTIONS,
    TaskActionForm,
    get_task,
    officer_acts_on_task,
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
        office: NamedDependency[OfficerRequest],
        policy: NamedDependency[AuthorityPolicy],
        task_id: FromPath[int],
    ) -> Template:
        if not await visible_to(office.session, task_id, office.officer):
            return await self._handed_over(request, office, task_id)
        return await self._task_page(request, office, policy, task_id)

    async def _handed_over(self, request: HTMXRequest, office: OfficerRequest, task_id: int) -> Template:
        """A task that left the officer's unit pool (authority taken back or delegated): where it went.

        Shows nothing of the case; to anyone whose pool never held it, it answers like a task
        that does not exist.
        """
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        handover = await case_handover(session, officer, task_id=task_id)
        if handover is None:
            raise NotFoundException()
        return render(
            request,
            "office/handed_over.html",
            office_page(tenant, officer, db, handover=handover, what=f"任务 #{task_id}"),
            status_code=410,
        )

    async def _task_page(
        self,
        request: HTMXRequest,
        office: OfficerRequest,
        policy: AuthorityPolicy,
        task_id: int,
        *,
        message: str | None = None,
        status: int = 200,
    ) -> Template:
        tenant, officer, session, db = office.tenant, office.officer, office.session, office.db
        delegators = await delegators_for(session, officer.id)
        return render(
            request,
            "office/task.html",
            office_page(
                tenant,
                officer,
                db,
                task=await get_task(session, task_id, office.divisions),
                history=await task_history(session, task_id),
                permission=await task_permission(session, task_id, officer, policy, delegators),
                message=message,
            ),
            fragment="office/_task_panel.html",
            status_code=status,
        )

    @post("/{task_id:int}/{action:str}")
    async def act(
        self,
        request: HTMXRequest,
        office: NamedDependency[OfficerRequest],
        policy: NamedDependency[AuthorityPolicy],
        task_id: FromPath[int],
        action: FromPath[str],
    ) -> Response[Any]:
        tenant, officer, session, actor = office.tenant, office.officer, office.session, office.actor
        if action not in TASK_ACTIONS:
            raise NotFoundException()
        if not await visible_to(session, task_id, officer):
            # Another unit's task answers like one that does not exist; one that left this
            # unit's pool says where it went (htmx loads that page in full).
            gone = await self._handed_over(request, office, task_id)
            if request.htmx:
                return Response(
                    content=None,
                    status_code=200,
                    headers={"HX-Redirect": f"/p/{tenant.slug}/office/tasks/{task_id}"},
                )
            return gone

        async def write(values: FormValues) -> str:
            form = TaskActionForm(action, _version(values.get("version", "0")), values.get("note", ""))
            return await officer_acts_on_task(
                session, task_id, form=form, officer=officer, policy=policy, actor=actor
            )

        async def again(_values: FormValues, errors: dict[str, str]) -> Template:
            message = next(iter(errors.values()))
            return await self._task_page(request, office, policy, task_id, message=message, status=409)

        async def done(message: str) -> Template:
            return await self._task_page(request, office, policy, task_id, message=message)

        return await post_form(request, session, write=write, again=again, done=done)


def _version(value: str) -> int:
    """The task version the form was made from (0, which no task has, when malformed)."""
    try:
        return int(value)
    except ValueError:
        return 0
