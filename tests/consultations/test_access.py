"""Confidentiality of complainants within a province, and isolation between provinces."""

from __future__ import annotations

from tests.consultations.helpers import code_of, items_in, latest, submit
from tests.people import make_officer


async def test_only_the_handling_unit_sees_the_complainant(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.440115.complaint", ("complaint",), "440115")
    code_of(
        await submit(
            platform,
            new_browser(),
            kind="complaint",
            category="conduct",
            division="440115",
            title="南沙区工作人员态度",
            name="邝明远",
            mobile="13912340001",
        )
    )
    item = await latest(platform, "gd")

    handler = new_browser()
    await handler.sign_in("/p/gd/office", "gd.440115.complaint", "Green#Hills2026")
    own = await handler.get(f"/p/gd/office/consultations/{item.id}")
    assert "邝明远" in own.text and "13912340001" in own.text

    other_unit = new_browser()
    await other_unit.sign_in("/p/gd/office", "gd.publish")
    province_list = await other_unit.get(
        "/p/gd/office/consultations/", params={"area": "province", "kind": "complaint"}
    )
    assert "南沙区工作人员态度" in province_list.text and "邝明远" not in province_list.text
    seen = await other_unit.get(f"/p/gd/office/consultations/{item.id}")
    assert seen.status_code == 200 and "南沙区工作人员态度" in seen.text
    assert "邝明远" not in seen.text and "13912340001" not in seen.text and "仅办理单位可见" in seen.text

    clerk = new_browser()  # no consultation or complaint post
    await clerk.sign_in("/p/gd/office", "gd.accept")
    assert (await clerk.get(f"/p/gd/office/consultations/{item.id}")).status_code == 403


async def test_one_province_cannot_see_or_touch_anothers_items(platform, new_browser) -> None:
    code_of(
        await submit(platform, new_browser(), province="js", division="320102", title="玄武区继续教育学分")
    )
    js_item = await latest(platform, "js")
    gd_titles = {i.id: i.title for i in await items_in(platform, "gd")}

    gd = new_browser()
    await gd.sign_in("/p/gd/office", "gd.publish")
    assert (
        "玄武区继续教育学分"
        not in (await gd.get("/p/gd/office/consultations/", params={"area": "province"})).text
    )
    guessed = await gd.get(f"/p/gd/office/consultations/{js_item.id}")
    assert "玄武区继续教育学分" not in guessed.text
    assert guessed.status_code == 404 or gd_titles.get(js_item.id, "") in guessed.text
    across = await gd.get(f"/p/js/office/consultations/{js_item.id}", follow_redirects=False)
    assert across.status_code in (302, 303) and "/p/js/office/login" in across.headers["location"]
    acted = await gd.post(f"/p/js/office/consultations/{js_item.id}/reply", {"reply": "越权答复"})
    assert "越权答复" not in acted.text
    assert (await latest(platform, "js")).status == "received"
