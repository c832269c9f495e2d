"""通讯录: officers see their own province's colleagues by unit and post; national staff any province."""

from __future__ import annotations


async def test_officers_see_their_own_province_only(new_browser) -> None:
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.440100.accept")
    book = await clerk.get("/p/gd/office/address-book/")
    assert book.status_code == 200
    assert "广东省药品监督管理局" in book.text and "gd.decide" in book.text and "审批" in book.text
    assert "js.accept" not in book.text  # another province's officers are not listed
    found = await clerk.get(
        "/p/gd/office/address-book/", params={"q": "gd.440103"}, headers={"HX-Request": "true"}
    )
    assert "gd.440103.accept" in found.text and "gd.admin" not in found.text and "<html" not in found.text
    assert (await clerk.get("/p/js/office/address-book/")).status_code in (303, 401)


async def test_national_staff_choose_any_province(new_browser) -> None:
    staff = new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    assert "请选择省份" in (await staff.get("/national/address-book/")).text
    book = await staff.get("/national/address-book/", params={"province": "js"})
    assert "js.accept" in book.text and "gd.accept" not in book.text
