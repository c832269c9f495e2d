"""消息中心: new tasks arrive as notifications; colleagues write to each other; nobody reads another's."""

from __future__ import annotations

import re

from sqlalchemy import select

from pharmreg.identity.models import Officer
from tests.applications.journeys import fill, start, upload_required
from tests.pharmacists import add_unit


async def _officer_id(platform, slug: str, username: str) -> str:
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return str(await session.scalar(select(Officer.id).where(Officer.username == username)))


async def test_a_new_case_notifies_the_pool_and_colleagues_write(
    platform, make_pharmacist, new_browser
) -> None:
    clerk = new_browser()
    await clerk.sign_in("/p/js/office", "js.accept")
    before = (await clerk.get("/p/js/office/messages/unread")).text
    person, applicant = await make_pharmacist("方知远", division="320102")
    unit = await add_unit(platform, "js", "320102")
    ref = await start(applicant, "js", "first_registration")
    await fill(
        applicant,
        "js",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        declaration="yes",
    )
    await upload_required(applicant, "js", ref)
    assert (await applicant.post(f"/account/applications/js/{ref}/submit", {})).status_code == 303

    badge = (await clerk.get("/p/js/office/messages/unread")).text
    assert badge.startswith("消息（") and badge != before
    inbox = await clerk.get("/p/js/office/messages/")
    assert "新任务：方知远 · 首次注册" in inbox.text
    message_id = re.search(r'/p/js/office/messages/(\d+)">新任务：方知远', inbox.text).group(1)
    opened = await clerk.get(f"/p/js/office/messages/{message_id}")
    assert "前往办理" in opened.text and re.search(r'href="/p/js/office/tasks/\d+"', opened.text)

    reviewer_id = await _officer_id(platform, "js", "js.review")
    empty = await clerk.post(
        "/p/js/office/messages/new", {"to": reviewer_id, "subject": "", "body": "请协助"}
    )
    assert empty.status_code == 400 and "主题应为" in empty.text
    foreign = await clerk.post(
        "/p/js/office/messages/new",
        {"to": await _officer_id(platform, "gd", "gd.review"), "subject": "你好", "body": "跨省"},
    )
    assert foreign.status_code == 400 and "请选择本省的一位同事" in foreign.text
    sent = await clerk.post(
        "/p/js/office/messages/new", {"to": reviewer_id, "subject": "关于方知远的申请", "body": "请优先审核"}
    )
    assert sent.status_code == 303

    reviewer = new_browser()
    await reviewer.sign_in("/p/js/office", "js.review")
    page = await reviewer.get("/p/js/office/messages/")
    direct = re.search(r'/p/js/office/messages/(\d+)">关于方知远的申请', page.text).group(1)
    assert "请优先审核" in (await reviewer.get(f"/p/js/office/messages/{direct}")).text
    # Another colleague, and another province's officer, cannot open it.
    assert (await clerk.get(f"/p/js/office/messages/{direct}")).status_code == 404
    outsider = new_browser()
    await outsider.sign_in("/p/gd/office", "gd.review")
    elsewhere = await outsider.get(f"/p/gd/office/messages/{direct}")
    assert "请优先审核" not in elsewhere.text  # ids are per province: at most a message of gd.review's own


async def test_national_staff_and_officers_write_to_each_other(platform, new_browser) -> None:
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    reviewer_id = await _officer_id(platform, "gd", "gd.review")
    form = await staff.get("/national/inbox/new", params={"province": "gd"}, headers={"HX-Request": "true"})
    assert "<html" not in form.text and reviewer_id in form.text  # the recipients of the chosen province
    refused = [
        ({"province": "nowhere", "to": reviewer_id}, "该省份不存在或已停用"),
        ({"province": "js", "to": reviewer_id}, "请选择该省的一位在岗工作人员"),  # gd's officer is not in js
        ({"province": "gd", "to": "not-an-id"}, "请选择该省的一位在岗工作人员"),
        ({"province": "national", "to": reviewer_id}, "请选择一位国家局同事"),
    ]
    for fields, message in refused:
        response = await staff.post("/national/inbox/new", {**fields, "subject": "抽查", "body": "请报送"})
        assert response.status_code == 400 and message in response.text, message
    sent = await staff.post(
        "/national/inbox/new",
        {
            "province": "gd",
            "to": reviewer_id,
            "subject": "关于挂证整治进展",
            "body": "请于本周五前报送<b>数据</b>",
        },
    )
    assert sent.status_code == 303

    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.review")
    inbox = await officer.get("/p/gd/office/messages/")
    message_id = re.search(r'/p/gd/office/messages/(\d+)">关于挂证整治进展', inbox.text).group(1)
    opened = await officer.get(f"/p/gd/office/messages/{message_id}")
    assert "国家局 · 周建华" in opened.text and "请于本周五前报送&lt;b&gt;数据&lt;/b&gt;" in opened.text
    reply_link = re.search(r'href="/p/gd/office/messages/new\?to=(staff:[0-9a-f-]+)"', opened.text)
    assert reply_link
    compose = await officer.get(f"/p/gd/office/messages/new?to={reply_link.group(1)}")
    assert "国家药品监督管理局" in compose.text
    answered = await officer.post(
        "/p/gd/office/messages/new",
        {"to": reply_link.group(1), "subject": "回复：挂证整治", "body": "已报送"},
    )
    assert answered.status_code == 303
    bogus = await officer.post(
        "/p/gd/office/messages/new",
        {"to": "staff:00000000-0000-0000-0000-000000000000", "subject": "x", "body": "y"},
    )
    assert bogus.status_code == 400 and "请选择一位国家局工作人员" in bogus.text

    assert (await staff.get("/national/inbox/unread")).text.startswith("消息（")
    staff_inbox = await staff.get("/national/inbox/")
    reply_id = re.search(r'/national/inbox/(\d+)">回复：挂证整治', staff_inbox.text).group(1)
    shown = await staff.get(f"/national/inbox/{reply_id}")
    assert "广东省药品监督管理局 · " in shown.text and "已报送" in shown.text
    assert "广东省 · 广东省" not in shown.text  # the bureau is named once
    assert f"province=gd&amp;to={reviewer_id}" in shown.text  # answered where it came from
    colleague = new_browser()
    await colleague.sign_in("/national", "nmpa.analyst")
    assert (await colleague.get(f"/national/inbox/{reply_id}")).status_code == 404
    # Another province's officer never sees the national message.
    outsider = new_browser()
    await outsider.sign_in("/p/js/office", "js.review")
    assert "关于挂证整治进展" not in (await outsider.get(f"/p/js/office/messages/{message_id}")).text
