"""The public menu's own entries: sign-in and registration for visitors, a discreet office
sign-in on province pages, and for a signed-in person the public menu plus their own area."""

from __future__ import annotations

import re

_LINKS = re.compile(r'<a [^>]*href="([^"]+)"')


def _menu(html: str) -> str:
    found = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert found, "the page has no main navigation"
    return found.group(1)


def _links(html: str) -> set[str]:
    return set(_LINKS.findall(_menu(html)))


PUBLIC_PAGES = (
    "/",
    "/region",
    "/contacts",
    "/guides",
    "/verify",
    "/query/scores",
    "/faq",
    "/articles/",
    "/p/gd/",
    "/p/gd/results/",
    "/account/login",
    "/account/register",
)


async def test_every_public_page_offers_sign_in_and_registration(new_browser) -> None:
    visitor = new_browser()
    for path in PUBLIC_PAGES:
        page = await visitor.get(path)
        assert page.status_code == 200, path
        links = _links(page.text)
        assert {"/account/login", "/account/register", "/region", "/contacts"} <= links, path
    # The office sign-in of the province is offered on its pages only, and leads there.
    province = _links((await visitor.get("/p/gd/")).text)
    assert "/p/gd/office/login" in province and not any("/p/js/" in link for link in province)
    assert not any(link.endswith("/office/login") for link in _links((await visitor.get("/")).text))
    office = await visitor.get("/p/gd/office/login")
    assert office.status_code == 200 and 'name="password"' in office.text
    register = await visitor.get("/account/register")
    assert 'action="/account/register"' in register.text


async def test_a_signed_in_pharmacist_keeps_the_public_menu_and_their_own_entries(
    make_pharmacist,
) -> None:
    person, browser = await make_pharmacist("柯以恒", division="440106")
    for path in ("/", "/p/gd/", "/contacts", "/account/", "/account/applications"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        menu = _menu(page.text)
        links = _links(page.text)
        assert {"/region", "/contacts", "/guides", "/articles/", "/account/applications"} <= links, path
        assert "/account/login" not in links and "/account/register" not in links, path
        assert 'action="/account/logout"' in menu and "退出" in menu and person.name in menu, path
    signed_out = await browser.post("/account/logout", {})
    assert signed_out.status_code in (302, 303)
    after = _links((await browser.get("/")).text)
    assert "/account/login" in after and "/account/applications" not in after


async def test_a_signed_in_officer_sees_the_way_back_to_the_office(new_browser) -> None:
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.accept")
    page = await officer.get("/p/gd/")
    menu = _menu(page.text)
    assert "/p/gd/office/" in _links(page.text) and 'action="/p/gd/office/logout"' in menu
    assert "/account/login" not in _links(page.text)
