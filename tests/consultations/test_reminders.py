"""Complaint time limits: the handling unit is told once when due soon and once when overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from pharmreg.consultations import remind_complaints
from pharmreg.consultations.service import remind_complaints_in
from pharmreg.kit.db import transaction
from pharmreg.messaging.models import OfficeMessage
from pharmreg.workflow import load_calendar
from tests.consultations.helpers import code_of, latest, submit
from tests.people import make_officer


async def _messages(platform, officer_id) -> list[str]:
    async with platform.db.tenant("tenant_gd") as session:
        rows = await session.scalars(
            select(OfficeMessage.subject)
            .where(OfficeMessage.recipient_id == officer_id)
            .order_by(OfficeMessage.id)
        )
        return list(rows)


async def _remind(platform, today) -> dict[str, int]:
    async with platform.db.national() as national:
        calendar = await load_calendar(national)
    async with platform.db.tenant("tenant_gd") as session, transaction(session):
        return await remind_complaints_in(session, calendar=calendar, today=today)


async def test_due_and_overdue_complaints_are_reminded_once(platform, new_browser) -> None:
    officer = await make_officer(platform, "gd", "gd.440113.complaint", ("complaint",), "440113")
    code_of(
        await submit(
            platform,
            new_browser(),
            kind="complaint",
            category="efficiency",
            division="440113",
            title="番禺区窗口办事拖延",
        )
    )
    item = await latest(platform, "gd")
    assert item.due_on is not None and item.due_on > item.submitted_at.date() + timedelta(days=14)
    assert [s for s in await _messages(platform, officer.id) if "番禺区窗口办事拖延" in s] == [
        "新投诉建议：番禺区窗口办事拖延"
    ]

    early = item.due_on - timedelta(days=20)
    assert (await _remind(platform, early))["soon"] == 0
    two_days_before = item.due_on - timedelta(days=1)
    first = await _remind(platform, two_days_before)
    second = await _remind(platform, two_days_before)
    assert first["soon"] >= 1 and second == {"soon": 0, "overdue": 0}
    late = item.due_on + timedelta(days=1)
    assert (await _remind(platform, late))["overdue"] >= 1
    assert (await _remind(platform, late + timedelta(days=3)))["overdue"] == 0
    mine = [s for s in await _messages(platform, officer.id) if "番禺区窗口办事拖延" in s]
    assert mine == [
        "新投诉建议：番禺区窗口办事拖延",
        f"投诉办理期限将至（{item.due_on}）：番禺区窗口办事拖延",
        "投诉已超期：番禺区窗口办事拖延",
    ]


async def test_the_worker_job_runs_over_every_province(platform) -> None:
    provinces = [t for t in platform.directory.provinces() if t.provisioned]

    done = await remind_complaints(platform.job_ctx(provinces))
    assert set(done) == {"soon", "overdue"}
    async with platform.db.tenant("tenant_js") as session:
        assert await session.scalar(select(func.count()).select_from(OfficeMessage)) is not None
