"""The visitor's province: chosen and remembered, recognised from a place or a full address, or
guessed from the network address; its sites (national defaults, the administrator's own links)."""

from __future__ import annotations

import re

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


def _site(html: str, key: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="noopener" data-site="{key}">([^<]+)</a>', html)
    return f"{found.group(1)} {found.group(2)}" if found else None


async def test_a_chosen_province_is_remembered_with_its_sites(new_browser) -> None:
    browser = new_browser()
    first = await browser.get("/region")
    assert first.status_code == 200 and "请输入执业" in first.text
    chosen = await browser.post("/region", {"province": "js", "next": "//evil.example/"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/region"  # never off-site
    assert REGION_COOKIE in chosen.headers.get("set-cookie", "")
    page = await browser.get("/region")
    assert "您所在的地区：<strong>江苏省</strong>" in page.text
    assert "/guides?province=js" in page.text and "/p/js/results/" in page.text
    # The province's own personnel-exam site; the national sites where it has none of its own.
    assert _site(page.text, "personnel_exam") == "http://jshrss.jiangsu.gov.cn 江苏省人事考试网"
    assert _site(page.text, "exam_signup") == "http://www.cpta.com.cn 执业药师职业资格考试报名"
    assert _site(page.text, "continuing_education") == "https://www.cqlp.org.cn 继续教育（全国）"
    contacts = await browser.get("/contacts")  # the remembered province by default
    assert "江苏省药品监督管理局" in contacts.text
    cleared = await browser.post("/region", {"province": "nowhere"})
    assert cleared.status_code == 303 and "请输入执业" in (await browser.get("/region")).text


async def test_every_province_leads_to_its_own_personnel_exam_site(platform, new_browser) -> None:
    seen = {}
    for tenant in platform.directory.provinces():
        assert tenant.links.personnel_exam and "personnel_exam" not in tenant.national_links, tenant.slug
        seen[tenant.slug] = tenant.links.personnel_exam
    assert len(set(seen.values())) == len(seen)  # not one national site for all
    home = await new_browser().get("/p/sc/")
    assert 'href="http://www.scpta.com.cn"' in home.text and "四川省人事考试网" in home.text


async def test_a_full_address_routes_the_visitor_to_the_province_and_the_bureaus_of_the_place(
    new_browser,
) -> None:
    for typed in ("广东省广州市荔湾区中山七路", "广州市荔湾区", "广州荔湾", "荔湾区"):
        browser = new_browser()
        routed = await browser.post("/region", {"place": typed})
        assert routed.status_code == 303, typed
        page = await browser.get("/region")
        assert "您所在的地区：<strong>广东省 广州市 荔湾区</strong>" in page.text, typed
        assert _site(page.text, "personnel_exam") == "http://rsks.gd.gov.cn 广东省人事考试网"
        chain = re.findall(r'<article class="panel contact" aria-label="([^"]+)"', page.text)
        assert chain == ["广州市荔湾区市场监督管理局", "广州市市场监督管理局", "广东省药品监督管理局"], typed
    # The remembered place also decides what the contacts page shows first.
    contacts = await browser.get("/contacts")
    assert "广东省 广州市 荔湾区 · 为您服务的单位" in contacts.text


async def test_an_ambiguous_or_unknown_place_is_asked_about_not_guessed(new_browser) -> None:
    browser = new_browser()
    asked = await browser.post("/region", {"place": "朝阳区"})
    assert asked.status_code == 200 and "对应多个地区" in asked.text
    options = re.findall(
        r'name="division" value="(\d{6})"><button type="submit" class="link">([^<]+)<', asked.text
    )
    assert ("110105", "北京市 朝阳区（北京市药品监督管理局）") in options
    assert any(code == "220104" for code, _label in options)
    picked = await browser.post("/region", {"division": "110105"})
    assert picked.status_code == 303
    assert "您所在的地区：<strong>北京市 朝阳区</strong>" in (await browser.get("/region")).text
    unknown = await browser.post("/region", {"place": "火星基地一号"})
    assert unknown.status_code == 400 and "未能识别“火星基地一号”" in unknown.text
    forged = await browser.post("/region", {"division": "999999"})
    assert forged.status_code == 400 and "请从列表中选择地区" in forged.text
    # Still in Beijing: a failed attempt changes nothing remembered.
    assert "北京市 朝阳区" in (await browser.get("/region")).text


async def test_the_home_page_search_recognises_a_full_address(new_browser) -> None:
    browser = new_browser()
    for typed in ("广州市天河区", "广东省广州市天河区体育西路"):
        found = await browser.get("/divisions/search", params={"q": typed})
        assert found.status_code == 200 and "广东省 广州市 天河区" in found.text, typed
        assert "由广东省药品监督管理局受理" in found.text and "没有找到" not in found.text, typed
