"""新任务 notices follow their task: settled for everyone else once a colleague claims it, sent
again when it comes back to the pool, settled when it is completed; a settled notice is no
longer unread and no longer leads to the task."""

from __future__ import annotations

import re
from datetime import timedelta

from pharmreg.authority import Units, load_policy
from pharmreg.kit.clock import china_today
from pharmreg.workflow import TaskSeed, create_task
from tests.people import STRONG, authority_model, make_officer

SLUG = "ah"
OFFICE = f"/p/{SLUG}/office"


async def _officer(platform, new_browser, login: str, name: str):
    await make_officer(platform, SLUG, login, ("acceptance",), "340000", name=name)
    browser = new_browser()
    assert (await browser.sign_in(OFFICE, login, STRONG)).status_code == 303
    return browser


async def _unread(browser) -> int:
    found = re.search(r"消息（(\d+)）", (await browser.get(f"{OFFICE}/messages/unread")).text)
    return int(found.group(1)) if found else 0


async def _notices(browser, subject: str) -> list[tuple[str, str]]:
    """(message id, status column) of the inbox rows with this subject."""
    inbox = (await browser.get(f"{OFFICE}/messages/")).text
    return re.findall(
        rf'href="{OFFICE}/messages/(\d+)">{re.escape(subject)}</a>(?:</strong>)?</td>\s*<td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>',
        inbox,
    )


async def _version(browser, task_id: int) -> str:
    page = (await browser.get(f"{OFFICE}/tasks/{task_id}")).text
    return re.search(r'name="version" value="(\d+)"', page).group(1)


async def test_task_notices_are_settled_when_the_task_leaves_the_pool(platform, new_browser) -> None:
    first = await _officer(platform, new_browser, "ah.notice.first", "甲受理员")
    second = await _officer(platform, new_browser, "ah.notice.second", "乙受理员")
    tenant = platform.directory.get(SLUG)
    async with platform.db.tenant(tenant.schema) as session, session.begin():
        task = await create_task(
            session,
            TaskSeed(
                case_ref="AH-NOTICE-1",
                subject="AH-NOTICE-1 延续注册",
                matter="renewal",
                division_code="340802",
                position="acceptance",
                due_date=china_today() + timedelta(days=5),
            ),
            policy=await load_policy(session, authority_model(platform)),
            units=await Units.load(session),
        )
    subject = "新任务：AH-NOTICE-1 延续注册"
    [(second_notice, status)] = await _notices(second, subject)
    assert status == "未读"
    first_unread, second_unread = await _unread(first), await _unread(second)

    claimed = await first.post(
        f"{OFFICE}/tasks/{task.id}/claim", {"version": await _version(first, task.id)}, htmx=True
    )
    assert "已认领" in claimed.text
    # The colleague's notice says what became of the task; it no longer counts nor links.
    [(_, status)] = await _notices(second, subject)
    assert status.startswith("已失效：") and "已由甲受理员认领办理" in status
    assert await _unread(second) == second_unread - 1
    message = (await second.get(f"{OFFICE}/messages/{second_notice}")).text
    assert "此通知已失效" in message and f'href="{OFFICE}/tasks/{task.id}"' not in message
    # The one who claimed it has read theirs by acting on it; it still leads to the task.
    [(first_notice, status)] = await _notices(first, subject)
    assert status == "已读" and await _unread(first) == first_unread - 1
    assert f'href="{OFFICE}/tasks/{task.id}"' in (await first.get(f"{OFFICE}/messages/{first_notice}")).text

    # Put back in the pool, the colleagues are told again; the one who put it back is not.
    released = await first.post(
        f"{OFFICE}/tasks/{task.id}/release", {"version": await _version(first, task.id)}, htmx=True
    )
    assert "已退回待办池" in released.text
    back = "任务退回待办池：AH-NOTICE-1 延续注册"
    [(_, status)] = await _notices(second, back)
    assert status == "未读"
    assert await _notices(first, back) == []

    await second.post(
        f"{OFFICE}/tasks/{task.id}/claim", {"version": await _version(second, task.id)}, htmx=True
    )
    done = await second.post(
        f"{OFFICE}/tasks/{task.id}/complete",
        {"version": await _version(second, task.id), "note": "已核对"},
        htmx=True,
    )
    assert "已办结" in done.text
    # Completed, every notice of it is settled, the one who did it included.
    [(_, status)] = await _notices(second, back)
    assert status.startswith("已失效：") and "已由乙受理员办结" in status
    [(_, status)] = await _notices(first, subject)
    assert status.startswith("已失效：") and "已由乙受理员认领办理" in status
    assert await _unread(first) == first_unread - 1 and await _unread(second) == second_unread - 1
