"""Transfers: to another unit of the province, and to another province with the whole history."""

from __future__ import annotations

import re

from sqlalchemy import insert

from pharmreg.consultations.models import ConsultationItem
from pharmreg.consultations.service import transfer_targets
from pharmreg.identity import OfficerCreate, create_officer, list_units
from pharmreg.identity.models import Officer
from pharmreg.tenancy import set_enabled
from tests.consultations.helpers import code_of, count_items, items_in, latest, submit
from tests.people import make_officer, unit_ids


async def test_transfer_within_the_province_and_to_another(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.440112.consult", ("consultation",), "440112", name="黄埔答疑员")
    units = await unit_ids(platform, "gd")
    visitor = new_browser()
    code = code_of(await submit(platform, visitor, division="440606", title="跨省执业的注册问题"))
    item = await latest(platform, "gd")
    assert item.unit_id == units["440000"]

    province = new_browser()
    await province.sign_in("/p/gd/office", "gd.publish")
    # Nobody of 白云 holds the post: an item sent there would have no one to answer it.
    unstaffed = await province.post(
        f"/p/gd/office/consultations/{item.id}/transfer", {"unit_id": str(units["440111"]), "note": "x"}
    )
    assert unstaffed.status_code == 409 and "没有在岗的咨询办理人员" in unstaffed.text
    moved = await province.post(
        f"/p/gd/office/consultations/{item.id}/transfer",
        {"unit_id": str(units["440112"]), "note": "请黄埔答复"},
    )
    assert moved.status_code == 303
    county = new_browser()
    await county.sign_in("/p/gd/office", "gd.440112.consult", "Green#Hills2026")
    assert "跨省执业的注册问题" in (await county.get("/p/gd/office/consultations/")).text
    assert "已转交" in (await visitor.post("/consult/track", {"code": code})).text

    js_before = await count_items(platform, "js")
    for target, message in (("zz", "所选省份不存在或未开通"), ("gd", "本省内转办请选择单位")):
        refused = await county.post(f"/p/gd/office/consultations/{item.id}/transfer", {"province": target})
        assert refused.status_code == 409 and message in refused.text
    assert await count_items(platform, "js") == js_before

    away = await county.post(
        f"/p/gd/office/consultations/{item.id}/transfer", {"province": "js", "note": "执业单位在江苏"}
    )
    assert away.status_code == 303
    assert await count_items(platform, "js") == js_before + 1
    copy = (await items_in(platform, "js"))[-1]
    assert copy.code_hash == item.code_hash and copy.origin == "广东省"

    origin = await county.get(f"/p/gd/office/consultations/{item.id}")
    assert "已转至江苏省" in origin.text and 'id="r-reply"' not in origin.text
    assert "石文静" not in origin.text and "13812345678" not in origin.text  # identity left with it
    late = await county.post(f"/p/gd/office/consultations/{item.id}/reply", {"reply": "迟到的答复"})
    assert late.status_code == 409 and "已转至其他省份办理" in late.text

    receiver = new_browser()
    await receiver.sign_in("/p/js/office", "js.publish")
    received = await receiver.get(f"/p/js/office/consultations/{copy.id}")
    assert received.status_code == 200 and "跨省执业的注册问题" in received.text
    assert "石文静" in received.text  # the receiving unit now handles it, identity included
    assert "已转交" in received.text and "由广东省转至江苏省" in received.text  # the history travelled
    answered = await receiver.post(
        f"/p/js/office/consultations/{copy.id}/reply", {"reply": "请向江苏省局申请变更注册。"}
    )
    assert answered.status_code == 303

    tracked = await visitor.post("/consult/track", {"code": code})
    assert (
        "江苏省" in tracked.text and "请向江苏省局申请变更注册。" in tracked.text and "已答复" in tracked.text
    )


async def test_a_transfer_to_a_disabled_province_is_refused(platform, app, new_browser) -> None:
    visitor = new_browser()
    code_of(await submit(platform, visitor, division="440606", title="转往停用省份的问题"))
    item = await latest(platform, "gd")
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.publish")
    async with platform.db.national() as session, session.begin():
        await set_enabled(session, "xz", False)
    app.state.platform.directory = await platform.reload_directory()
    try:
        before = await count_items(platform, "xz")
        refused = await officer.post(f"/p/gd/office/consultations/{item.id}/transfer", {"province": "xz"})
        assert refused.status_code == 409 and "所选省份不存在或未开通" in refused.text
        assert await count_items(platform, "xz") == before
        assert (await latest(platform, "gd")).status == "received"  # still here, nothing half-moved
    finally:
        async with platform.db.national() as session, session.begin():
            await set_enabled(session, "xz", True)
        app.state.platform.directory = await platform.reload_directory()


async def test_the_demo_province_bureau_passes_an_item_to_a_city_bureau(platform, new_browser) -> None:
    """As the demo stands: the province's officer finds the city bureaus in the list and transfers."""
    visitor = new_browser()
    code = code_of(await submit(platform, visitor, division="440606", title="佛山的变更注册问题"))
    item = await latest(platform, "gd")
    province = new_browser()
    await province.sign_in("/p/gd/office", "gd.publish")
    page = await province.get(f"/p/gd/office/consultations/{item.id}")
    options = {
        name: value
        for value, name in re.findall(
            r'<option value="(\d+)">([^<]+)</option>', page.text.split('id="t-unit"')[1].split("</select>")[0]
        )
    }
    assert "广州市市场监督管理局" in options and "广东省药品监督管理局" not in options
    moved = await province.post(
        f"/p/gd/office/consultations/{item.id}/transfer",
        {"unit_id": options["广州市市场监督管理局"], "note": "请广州市局答复"},
    )
    assert moved.status_code == 303

    city = new_browser()
    await city.sign_in("/p/gd/office", "gd.440100.consult")
    assert "佛山的变更注册问题" in (await city.get("/p/gd/office/consultations/")).text
    inbox = await city.get("/p/gd/office/messages/")
    assert "转办：佛山的变更注册问题" in inbox.text
    answered = await city.post(
        f"/p/gd/office/consultations/{item.id}/reply", {"reply": "请向新执业单位所在地申请变更注册。"}
    )
    assert answered.status_code == 303
    tracked = await visitor.post("/consult/track", {"code": code})
    assert "已转交广州市市场监督管理局办理" in tracked.text and "已答复" in tracked.text


async def test_transfer_targets_see_every_officer_of_a_large_province(platform) -> None:
    """A province with more officers than one page of the officer list still finds its county staff."""
    async with platform.db.tenant("tenant_hi") as session, session.begin():
        units = {u.division_code: u.id for u in await list_units(session)}
        await session.execute(
            insert(Officer),
            [
                {
                    "username": f"hi.bulk{n:04d}",
                    "name": "测试员",
                    "unit_id": units["460000"],
                    "password_hash": "x",
                }
                for n in range(600)
            ],
        )
        county = await create_officer(
            session,
            OfficerCreate(
                username="hi.460105.consult",
                name="秀英答疑员",
                unit_division_code="460105",
                password_hash="x",
                positions=("consultation",),
            ),
        )
        assert county is not None
        item = ConsultationItem(kind="consultation", unit_id=units["460000"])
        targets = [u.division_code for u in await transfer_targets(session, item)]
        assert targets == ["460105"]
        await session.rollback()
