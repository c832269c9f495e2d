"""A city acting under the province's delegation, as its officers and the applicant meet it:
the receipt and the notices name the city bureau and the delegation, as it stood at the act;
taking the authority back keeps what the administrator typed when the form is refused, sends
the tasks back with their notices settled, and tells the city's officer where the task went."""

from __future__ import annotations

import re

from tests.applications.journeys import fill, officer_act, start, upload_required
from tests.documents.pdfs import pdf_text
from tests.people import STRONG, make_officer, unit_ids
from tests.pharmacists import add_unit

SLUG = "jx"  # Jiangxi: no demo officers or cases, so this test owns its pools
OFFICE = f"/p/{SLUG}/office"
AUTHORITY = f"{OFFICE}/admin/authority"
PROVINCE = "江西省药品监督管理局"
CITY = "南昌市市场监督管理局"
MARK = f"（受{PROVINCE}委托）"


async def _signed_in(platform, new_browser, login: str, positions: tuple[str, ...], unit: str):
    await make_officer(platform, SLUG, login, positions, unit, name=login.split(".")[-1])
    browser = new_browser()
    assert (await browser.sign_in(OFFICE, login, STRONG)).status_code == 303
    return browser


async def _unread(browser) -> int:
    badge = (await browser.get(f"{OFFICE}/messages/unread")).text
    found = re.search(r"消息（(\d+)）", badge)
    return int(found.group(1)) if found else 0


async def _notice_text(browser, page: str, base: str, title: str) -> str:
    link = re.search(rf'<a href="({re.escape(base)}/notices/\d+)"[^>]*>{title}</a>', page)
    assert link, page[page.find("文书") :][:600]
    document = await browser.get(link.group(1))
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    return pdf_text(document.content)


async def test_acts_under_delegation_are_marked_and_a_take_back_is_handled_cleanly(
    platform, make_pharmacist, new_browser
) -> None:
    units = await unit_ids(platform, SLUG)
    admin = await _signed_in(platform, new_browser, "jx.t.admin", ("tenant_admin",), "360000")
    clerk = await _signed_in(platform, new_browser, "jx.t.nc.accept", ("acceptance",), "360100")
    city_reviewer = await _signed_in(platform, new_browser, "jx.t.nc.review", ("review",), "360100")
    province_reviewer = await _signed_in(platform, new_browser, "jx.t.review", ("review",), "360000")
    decider = await _signed_in(platform, new_browser, "jx.t.decide", ("decision",), "360000")

    await admin.get(
        f"{AUTHORITY}/cell?unit={units['360100']}&matter=first_registration", headers={"HX-Request": "true"}
    )
    granted = await admin.post(
        f"{AUTHORITY}/delegations",
        {
            "delegate_unit_id": str(units["360100"]),
            "matters": "first_registration",
            "reason": "南昌市就近办理",
        },
        htmx=True,
    )
    assert granted.status_code == 200 and "已下放 1 项事项的审批权限" in granted.text

    person, applicant = await make_pharmacist("邹雨桐", division="360102")
    unit = await add_unit(platform, SLUG, "360102", name="南昌市东湖区仁心大药房")
    ref = await start(applicant, SLUG, "first_registration")
    await fill(
        applicant,
        SLUG,
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(applicant, SLUG, ref)
    own = f"/account/applications/{SLUG}/{ref}"
    assert (await applicant.post(f"{own}/submit", {})).status_code == 303

    # The receipt names the bureau that received the materials and the delegation it acts under.
    page = await applicant.get(own)
    assert f"{CITY}{MARK}" in page.text
    receipt = await applicant.get(re.search(rf'href="({re.escape(own)}/receipt)"', page.text).group(1))
    text = pdf_text(receipt.content)
    assert f"接收机关{CITY}{MARK}" in text and ref in text

    # The city's clerk accepts (after opening every material); the notice says who acted and how.
    assert ref in (await clerk.get(f"{OFFICE}/")).text
    assert (await officer_act(clerk, SLUG, ref, "accept", note="材料齐全")).status_code == 303
    case = f"{OFFICE}/cases/{ref}"
    acceptance = await _notice_text(clerk, (await clerk.get(case)).text, case, "受理通知书")
    assert f"{CITY}{MARK}受理通知书" in acceptance
    assert f"本机关受{PROVINCE}委托，在委托范围内实施本项行政许可。" in acceptance
    assert f"{CITY}{MARK}（印章）" in acceptance

    # The review task reached the city's pool and its reviewer was told.
    todo = (await city_reviewer.get(f"{OFFICE}/")).text
    task_id = re.search(rf'href="{OFFICE}/tasks/(\d+)">{ref}<', todo).group(1)
    inbox = (await city_reviewer.get(f"{OFFICE}/messages/")).text
    message_id = re.search(rf'href="{OFFICE}/messages/(\d+)">新任务：邹雨桐', inbox).group(1)
    unread_before = await _unread(city_reviewer)
    assert unread_before >= 1

    # Taking back: a refused form keeps everything the administrator typed.
    cell = await admin.get(
        f"{AUTHORITY}/cell?unit={units['360100']}&matter=first_registration", headers={"HX-Request": "true"}
    )
    revoke = re.search(r"/admin/authority/delegations/(\d+)/revoke", cell.text).group(0)
    reason = "试点结束，审批权限收回省局"
    unconfirmed = await admin.post(
        f"{OFFICE}{revoke}", {"reason": reason, "unit_id": str(units["360100"])}, htmx=True
    )
    assert unconfirmed.status_code == 400 and "请确认已查看收回的影响" in unconfirmed.text
    assert f'value="{reason}"' in unconfirmed.text
    past = await admin.post(
        f"{OFFICE}{revoke}",
        {"reason": reason, "effective": "2020-01-01", "confirmed": "yes", "unit_id": str(units["360100"])},
        htmx=True,
    )
    assert past.status_code == 400 and "定时收回的日期应晚于今天" in past.text
    assert f'value="{reason}"' in past.text and 'value="2020-01-01"' in past.text
    assert re.search(r'name="confirmed" value="yes"[^>]* checked', past.text)
    taken = await admin.post(
        f"{OFFICE}{revoke}",
        {"reason": reason, "confirmed": "yes", "unit_id": str(units["360100"])},
        htmx=True,
    )
    assert taken.status_code == 200 and "已收回 1 项授权，1 项待办任务已退回" in taken.text

    # The city reviewer's notice is settled (no longer unread, no longer a link), and the task
    # page says when and to whom it went, with nothing of the case.
    assert await _unread(city_reviewer) == unread_before - 1
    inbox = (await city_reviewer.get(f"{OFFICE}/messages/")).text
    assert "已失效：" in inbox and f"已转至{PROVINCE}办理" in inbox
    message = (await city_reviewer.get(f"{OFFICE}/messages/{message_id}")).text
    assert "此通知已失效" in message and "前往办理" not in message
    gone = await city_reviewer.get(f"{OFFICE}/tasks/{task_id}")
    assert gone.status_code == 410 and f"转至 <strong>{PROVINCE}</strong> 办理" in gone.text
    assert "邹雨桐" not in gone.text and f"{OFFICE}/cases/" not in gone.text
    assert f'href="{OFFICE}/">返回待办</a>' in gone.text
    # The city's clerk, who accepted it, still reads the case their unit handled.
    assert (await clerk.get(case)).status_code == 200

    # The province's reviewer was told of the task that came back, and the province decides.
    inbox = (await province_reviewer.get(f"{OFFICE}/messages/")).text
    assert re.search(rf'href="{OFFICE}/messages/\d+">新任务：邹雨桐', inbox)
    assert (await officer_act(province_reviewer, SLUG, ref, "forward", note="符合条件")).status_code == 303
    assert (await officer_act(decider, SLUG, ref, "approve", note="准予注册")).status_code == 303
    page = (await applicant.get(own)).text
    approval = await _notice_text(applicant, page, own, "准予注册决定书")
    assert f"{PROVINCE}准予注册决定书" in approval and "委托" not in approval
    # The acceptance notice stays as it was issued: by the city, under the delegation then in force.
    again = await _notice_text(applicant, page, own, "受理通知书")
    assert f"{CITY}{MARK}受理通知书" in again
