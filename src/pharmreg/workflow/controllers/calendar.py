"""节假日维护: national super-administrators keep the working-day calendar beyond the package's years."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.audit import Actor, record_national_audit
from pharmreg.chrome import staff_realm
from pharmreg.identity import StaffAccount, require_staff
from pharmreg.kit.clock import china_today
from pharmreg.kit.db import Database, transaction
from pharmreg.kit.rendering import render
from pharmreg.workflow.cases import clear_workday, declare_year, load_calendar, set_workday, workday_overrides


class WorkdayController(Controller):
    path = "/national/admin/workdays"
    include_in_schema = False
    guards = [require_staff(superadmin=True)]

    async def _page(
        self,
        request: HTMXRequest,
        staff: StaffAccount,
        db: Database,
        session: AsyncSession,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        overrides, years = await workday_overrides(session)
        calendar = await load_calendar(session)
        today = china_today()
        return render(
            request,
            "administration/workdays.html",
            {
                "realm": staff_realm(db),
                "staff": staff,
                "section": "workdays",
                "overrides": overrides,
                "declared": years,
                "coverage": [(y, calendar.covers(y)) for y in range(today.year - 1, today.year + 3)],
                "errors": errors or {},
                "values": values or {},
                "saved": request.query_params.get("saved") == "1",
            },
            status_code=status,
        )

    @get("/")
    async def index(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
    ) -> Template:
        return await self._page(request, staff, db, national_session)

    @post("/")
    async def change(
        self,
        request: HTMXRequest,
        staff: NamedDependency[StaffAccount],
        db: NamedDependency[Database],
        national_session: NamedDependency[AsyncSession],
        actor: NamedDependency[Actor],
    ) -> Template | Response[Any]:
        """Set a day as working or off, clear an override, or declare a year complete."""
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        operation = values.get("operation", "")
        errors: dict[str, str] = {}
        summary = ""
        async with transaction(national_session):
            if operation in ("set", "clear"):
                try:
                    day = date.fromisoformat(values.get("day", ""))
                except ValueError:
                    errors["day"] = "请填写有效日期，如 2027-01-01"
                else:
                    if not 2004 <= day.year <= 2100:
                        errors["day"] = "日期超出可维护范围（2004–2100 年）"
                    elif operation == "clear":
                        await clear_workday(national_session, day)
                        summary = f"取消 {day} 的节假日设置"
                    elif values.get("working") not in ("1", "0"):
                        errors["working"] = "请选择上班或休息"
                    else:
                        working = values["working"] == "1"
                        await set_workday(
                            national_session,
                            day,
                            working=working,
                            note=values.get("note", ""),
                            by=staff.username,
                        )
                        summary = f"将 {day} 设为{'工作日' if working else '休息日'}"
            elif operation in ("declare", "undeclare"):
                year = int(values["year"]) if values.get("year", "").isdecimal() else 0
                if not 2004 <= year <= 2100:
                    errors["year"] = "请填写有效年份"
                else:
                    await declare_year(
                        national_session, year, declared=operation == "declare", by=staff.username
                    )
                    summary = (
                        f"{'确认' if operation == 'declare' else '撤销确认'} {year} 年节假日安排已完整录入"
                    )
            else:
                errors[""] = "不支持的操作"
            if errors:
                await national_session.rollback()
            else:
                record_national_audit(
                    national_session,
                    action="workdays_changed",
                    actor=actor,
                    target="workdays",
                    summary=summary,
                )
        if errors:
            return await self._page(
                request, staff, db, national_session, errors=errors, values=values, status=400
            )
        return Redirect(path="/national/admin/workdays/?saved=1", status_code=303)
