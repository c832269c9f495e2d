"""Delegating first registration to a city and taking it back, through the pages as officers use them.

Guangdong's administrator delegates first registration to Guangzhou; Guangzhou's acceptance
officer sees and handles Guangzhou's cases; the administrator takes the authority back and
the open tasks return to the province's pool; the audit log shows every step.
"""

import re

from tests.applications.journeys import officer_act
from tests.people import unit_ids

OFFICE = "/p/gd/office"
AUTHORITY = f"{OFFICE}/admin/authority"
CASE = re.compile(
    r'href="/p/gd/office/tasks/(\d+)">(44\d{14})</a></td>\s*<td>首次注册</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>'
)


def first_registrations(page: str) -> dict[int, str]:
    """Task id -> place, for the first-registration rows of a to-do list."""
    return {int(m.group(1)): m.group(3) for m in CASE.finditer(page)}


async def test_delegate_act_take_back_audit(platform, new_browser) -> None:
    units = await unit_ids(platform, "gd")
    admin, city, province = new_browser(), new_browser(), new_browser()
    await admin.sign_in(OFFICE, "gd.admin")
    await city.sign_in(OFFICE, "gd.440100.accept")
    await province.sign_in(OFFICE, "gd.accept")

    before = first_registrations((await province.get(f"{OFFICE}/")).text)
    guangzhou = {i for i, place in before.items() if "广州市" in place}
    assert guangzhou, "the demo has first-registration cases in Guangzhou"
    assert first_registrations((await city.get(f"{OFFICE}/")).text) == {}

    # 1. The administrator opens the Guangzhou × first registration cell and delegates.
    matrix = await admin.get(f"{AUTHORITY}/")
    assert "广州市市场监督管理局" in matrix.text or "广州市" in matrix.text
    cell = await admin.get(
        f"{AUTHORITY}/cell?unit={units['440100']}&matter=first_registration", headers={"HX-Request": "true"}
    )
    assert "下放" in cell.text
    granted = await admin.post(
        f"{AUTHORITY}/delegations",
        {
            "delegate_unit_id": str(units["440100"]),
            "matters": "first_registration",
            "reason": "方便广州市申请人就近办理",
        },
        htmx=True,
    )
    assert granted.status_code == 200, granted.text
    assert f"已下放 1 项事项的审批权限，{len(guangzhou)} 项待办任务已转至受托单位" in granted.text

    # 2. Guangzhou's officer now sees exactly Guangzhou's cases; the province's officer no longer does.
    mine = first_registrations((await city.get(f"{OFFICE}/")).text)
    assert set(mine) == guangzhou
    assert not guangzhou & set(first_registrations((await province.get(f"{OFFICE}/")).text))
    claimed, completed = sorted(guangzhou)[:2]
    # Cases are handled on the case page: a one-time supplement notice sends this one to its applicant.
    page = await city.get(f"{OFFICE}/tasks/{completed}")
    ref = re.search(r'href="/p/gd/office/cases/(\d+)"', page.text).group(1)
    done = await officer_act(city, "gd", ref, "supplement", items="请补充执业单位同意执业证明")
    assert done.status_code == 303
    page = await city.get(f"{OFFICE}/tasks/{claimed}")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    assert (
        "已认领" in (await city.post(f"{OFFICE}/tasks/{claimed}/claim", {"version": version}, htmx=True)).text
    )
    # The province's officer can no longer open or act on Guangzhou's task: they are told where
    # it went, and nothing of the case.
    moved = await province.get(f"{OFFICE}/tasks/{claimed}")
    assert moved.status_code == 410 and "转至 <strong>广州市市场监督管理局</strong> 办理" in moved.text
    held = (await city.get(f"{OFFICE}/tasks/{claimed}")).text
    applicant = re.search(r"<dt>申请</dt><dd>([^<]+) · 首次注册</dd>", held).group(1)
    assert applicant not in moved.text and f'href="{OFFICE}/cases/' not in moved.text
    refused = await province.post(f"{OFFICE}/tasks/{claimed}/complete", {"version": "1"}, htmx=True)
    assert refused.status_code == 200 and refused.headers["HX-Redirect"] == f"{OFFICE}/tasks/{claimed}"

    # 3. Taking back shows the impact first, then needs a confirmation.
    cell = await admin.get(
        f"{AUTHORITY}/cell?unit={units['440100']}&matter=first_registration", headers={"HX-Request": "true"}
    )
    delegation_id = re.search(r"/admin/authority/delegations/(\d+)/revoke", cell.text).group(1)
    open_left = len(guangzhou) - 1
    assert f"{open_left} 项待办任务（{open_left} 个案件）将退回广东省药品监督管理局的待办池" in cell.text
    assert "办理中" in cell.text  # the claimed task is listed with its officer
    unconfirmed = await admin.post(
        f"{AUTHORITY}/delegations/{delegation_id}/revoke",
        {"reason": "试点结束", "unit_id": str(units["440100"])},
        htmx=True,
    )
    assert unconfirmed.status_code == 400 and "请确认已查看收回的影响" in unconfirmed.text
    revoked = await admin.post(
        f"{AUTHORITY}/delegations/{delegation_id}/revoke",
        {"reason": "试点结束", "unit_id": str(units["440100"]), "confirmed": "yes"},
        htmx=True,
    )
    assert revoked.status_code == 200
    assert f"已收回 1 项授权，{len(guangzhou) - 1} 项待办任务已退回" in revoked.text

    # 4. The open tasks, the claimed one included, are back in the province's pool with their history.
    assert first_registrations((await city.get(f"{OFFICE}/")).text) == {}
    # The officer who had claimed it meets a page saying it was taken back, when and to whom.
    gone = await city.get(f"{OFFICE}/tasks/{claimed}")
    assert gone.status_code == 410
    assert "转至 <strong>广东省药品监督管理局</strong> 办理：审批权限收回，任务退回省级待办池" in gone.text
    assert f'href="{OFFICE}/">返回待办</a>' in gone.text
    back = first_registrations((await province.get(f"{OFFICE}/")).text)
    assert guangzhou - {completed} <= set(back)
    history = (await province.get(f"{OFFICE}/tasks/{claimed}")).text
    assert "审批权限下放，任务转至受托单位办理" in history and "审批权限收回，任务退回省级待办池" in history
    assert history.index("认领") < history.index("审批权限收回")

    # 5. The audit log shows it all.
    audit = (await admin.get(f"{OFFICE}/admin/audit")).text
    for label in ("下放审批权限", "收回审批权限", "办理申请"):
        assert label in audit, label
