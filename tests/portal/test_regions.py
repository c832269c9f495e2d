"""The visitor's province: chosen and remembered, or guessed from the address; its sites and contacts."""

from __future__ import annotations

from pharmreg.kit.ipranges import IpRanges
from pharmreg.portal import REGION_COOKIE, guess_province


def test_the_address_suggests_a_province(platform) -> None:
    ranges = IpRanges.load(platform.settings.tenants_dir / "reference" / "ip_provinces.tsv")
    assert len(ranges) > 10_000
    guangdong = guess_province(ranges, platform.directory, "113.108.0.1")
    assert guangdong is not None and guangdong.slug == "gd"
    assert guess_province(ranges, platform.directory, "::ffff:113.108.0.1").slug == "gd"
    for address in ("8.8.8.8", "127.0.0.1", "10.1.2.3", "2001:db8::1", "not an address", None):
        assert guess_province(ranges, platform.directory, address) is None


async def test_a_chosen_province_is_remembered_with_its_sites(new_browser) -> None:
    browser = new_browser()
    first = await browser.get("/region")
    assert first.status_code == 200 and "请选择您执业" in first.text
    chosen = await browser.post("/region", {"province": "js", "next": "//evil.example/"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/region"  # never off-site
    assert REGION_COOKIE in chosen.headers.get("set-cookie", "")
    page = await browser.get("/region")
    assert "您选择的地区：<strong>江苏省</strong>" in page.text
    assert "执业药师职业资格考试报名" in page.text and "/guides?province=js" in page.text
    contacts = await browser.get("/contacts")  # the remembered province by default
    assert "江苏省药品监督管理局" in contacts.text
    cleared = await browser.post("/region", {"province": "nowhere"})
    assert cleared.status_code == 303 and "请选择您执业" in (await browser.get("/region")).text


async def test_contacts_are_searchable_by_unit_or_place(new_browser) -> None:
    browser = new_browser()
    page = await browser.get("/contacts", params={"region": "gd", "q": "天河"})
    assert page.status_code == 200 and "天河区" in page.text and "广东省药品监督管理局" not in page.text
    fragment = await browser.get(
        "/contacts", params={"region": "gd", "q": "<script>"}, headers={"HX-Request": "true"}
    )
    assert "没有找到“&lt;script&gt;”相关的单位" in fragment.text and "<html" not in fragment.text
    assert "请选择省份" in (await browser.get("/contacts", params={"region": "zz"})).text
