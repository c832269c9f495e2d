"""A visitor asks; the question reaches the right unit; the unit answers and publishes it; the
visitor follows it by query code and finds it in the public Q&A without anyone's identity."""

from __future__ import annotations

import re

from tests.consultations.helpers import code_of, items_in, latest, submit
from tests.people import make_officer, unit_ids


async def test_routing_reply_publish_and_track(platform, new_browser, make_pharmacist) -> None:
    await make_officer(platform, "gd", "gd.440105.consult", ("consultation",), "440105", name="海珠答疑员")
    await make_officer(platform, "gd", "gd.440300.consult", ("consultation",), "440300")
    units = await unit_ids(platform, "gd")
    visitor = new_browser()

    county = code_of(await submit(platform, visitor, division="440105", title="海珠区的注册问题"))
    assert (await latest(platform, "gd")).unit_id == units["440105"]
    # No officer of 福田 holds the post: the city bureau of 深圳 answers.
    code_of(await submit(platform, visitor, division="440304", title="福田区的注册问题"))
    assert (await latest(platform, "gd")).unit_id == units["440300"]
    # Neither 顺德 nor 佛山 has one: the province bureau answers.
    code_of(await submit(platform, visitor, division="440606", title="顺德区的注册问题"))
    assert (await latest(platform, "gd")).unit_id == units["440000"]

    person, applicant = await make_pharmacist("韩悦宁", division="440106")
    page = await applicant.get("/consult/new")
    assert person.mobile in page.text  # a signed-in pharmacist's contact is filled in
    code_of(await submit(platform, applicant, division="440606", name=person.name, mobile=person.mobile))
    assert (await latest(platform, "gd")).applicant_id is not None

    item = next(i for i in await items_in(platform, "gd") if i.title == "海珠区的注册问题")
    assert county.replace("-", "") not in str(item.code_hash)  # only the hash is kept

    # The province's consultation officer may read it, not answer for 海珠.
    province = new_browser()
    await province.sign_in("/p/gd/office", "gd.publish")
    seen = await province.get(f"/p/gd/office/consultations/{item.id}")
    assert seen.status_code == 200 and "海珠区的注册问题" in seen.text and "石文静" not in seen.text
    refused = await province.post(f"/p/gd/office/consultations/{item.id}/reply", {"reply": "越俎代庖"})
    assert refused.status_code == 409 and "您所在单位不能办理" in refused.text
    assert (await latest_by_id(platform, item.id)).status == "received"

    officer = new_browser()
    assert (await officer.sign_in("/p/gd/office", "gd.440105.consult", "Green#Hills2026")).status_code == 303
    listed = await officer.get("/p/gd/office/consultations/")
    assert "海珠区的注册问题" in listed.text and "福田区的注册问题" not in listed.text
    opened = await officer.get(f"/p/gd/office/consultations/{item.id}")
    assert "石文静" in opened.text and "13812345678" in opened.text
    # The unit was told, and the notice leads to the item.
    inbox = await officer.get("/p/gd/office/messages/")
    message_id = re.search(r'/p/gd/office/messages/(\d+)">新咨询：海珠区的注册问题', inbox.text).group(1)
    notice = await officer.get(f"/p/gd/office/messages/{message_id}")
    link = re.search(r'href="(/p/gd/office/consultations/\d+)"', notice.text).group(1)
    assert link == f"/p/gd/office/consultations/{item.id}"
    assert "海珠区的注册问题" in (await officer.get(link)).text
    empty = await officer.post(f"/p/gd/office/consultations/{item.id}/reply", {"reply": " "})
    assert empty.status_code == 409 and "答复内容应为" in empty.text
    replied = await officer.post(
        f"/p/gd/office/consultations/{item.id}/reply", {"reply": "变更注册自受理之日起 10 个工作日内办结。"}
    )
    assert replied.status_code == 303
    again = await officer.post(f"/p/gd/office/consultations/{item.id}/reply", {"reply": "再答一次"})
    assert again.status_code == 409 and "不能重复答复" in again.text

    draft = await officer.post(
        f"/p/gd/office/consultations/{item.id}/publication",
        {
            "public_question": "变更执业单位后，变更注册多久办结？",
            "public_answer": "10 个工作日内办结。",
            "action": "draft",
        },
    )
    assert draft.status_code == 303
    assert "变更注册多久办结" not in (await visitor.get("/qa")).text  # a draft is not public
    for leaky in ("石文静问：变更注册多久办结？", "请回电 13812345678", "请回电 13900001111"):
        refused = await officer.post(
            f"/p/gd/office/consultations/{item.id}/publication",
            {"public_question": leaky, "public_answer": "10 个工作日内办结。", "action": "publish"},
        )
        assert refused.status_code == 409 and "个人信息" in refused.text, leaky
    published = await officer.post(
        f"/p/gd/office/consultations/{item.id}/publication",
        {
            "public_question": "变更执业单位后，变更注册多久办结？",
            "public_answer": "10 个工作日内办结。",
            "action": "publish",
        },
    )
    assert published.status_code == 303
    qa = await visitor.get("/qa", params={"q": "变更 办结", "province": "gd"})
    assert "变更执业单位后，变更注册多久办结？" in qa.text and "10 个工作日内办结。" in qa.text
    assert "石文静" not in qa.text and "13812345678" not in qa.text
    assert "变更执业单位后" not in (await visitor.get("/qa", params={"province": "js"})).text
    assert "变更执业单位后" not in (await visitor.get("/qa", params={"q": "变更 考试报名"})).text

    tracked = await new_browser().post("/consult/track", {"code": county.lower()})
    assert tracked.status_code == 200 and "已答复" in tracked.text
    assert "变更注册自受理之日起 10 个工作日内办结。" in tracked.text and "石文静" not in tracked.text
    assert re.search(r"已收到，由.*海珠区.*办理", tracked.text)


async def latest_by_id(platform, item_id: int):
    return next(i for i in await items_in(platform, "gd") if i.id == item_id)


async def test_the_confirmation_names_the_handling_bureau_once(platform, new_browser) -> None:
    visitor = new_browser()
    at_province = await submit(platform, visitor, division="440606", title="顺德区的注册问题")
    code_of(at_province)
    assert "由广东省药品监督管理局办理" in at_province.text
    at_city = await submit(
        platform, visitor, kind="complaint", category="efficiency", division="440106", title="天河区窗口排队"
    )
    code_of(at_city)
    assert "由广东省广州市市场监督管理局办理" in at_city.text
    for page in (at_province, at_city):
        assert "广东省广东省" not in page.text
