"""Cross-site request forgery: the token is bound to the visitor's session (or, before sign-in, to
a binding cookie), and unsafe requests must come from one of the site's own origins."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from pharmreg.settings import Settings
from pharmreg.web import create_app
from pharmreg.web.csrf import CsrfMiddleware
from tests.browser import Browser

REFUSED = "页面已过期或来源无效，请刷新页面后重新提交"


async def _signed_in(browser: Browser, login: str = "gd.review") -> Browser:
    response = await browser.sign_in("/p/gd/office", login)
    assert response.status_code == 303
    return browser


async def _still_signed_in(browser: Browser) -> bool:
    return (await browser.http.get("/p/gd/office/")).status_code == 200


async def test_an_attackers_own_cookie_and_token_do_not_work_in_a_victims_session(new_browser) -> None:
    attacker = new_browser()
    await attacker.get("/p/gd/office/login")  # a cookie and token of their own, as any visitor gets
    attacker_cookie = attacker.http.cookies.get("pharmreg_csrf")
    attacker_token = attacker.token
    assert attacker_cookie and attacker_token
    victim, other_device = await _signed_in(new_browser()), await _signed_in(new_browser())
    # The attacker plants their cookie in the victim's browser (a sibling host can set one) and
    # has it submit a form carrying their token.
    victim.http.cookies.set("pharmreg_csrf", attacker_cookie, domain="testserver.local", path="/")
    forged = await victim.http.post("/p/gd/office/logout-everywhere", data={"_csrf_token": attacker_token})
    assert forged.status_code == 403 and REFUSED in forged.text
    by_header = await victim.http.post(
        "/p/gd/office/logout-everywhere", headers={"x-csrf-token": attacker_token, "hx-request": "true"}
    )
    assert by_header.status_code == 403
    assert await _still_signed_in(victim) and await _still_signed_in(other_device)


async def test_the_sign_in_pages_token_stops_working_once_signed_in(browser) -> None:
    await browser.get("/p/gd/office/login")
    anonymous = browser.token
    await _signed_in(browser)
    assert browser.token != anonymous  # the answer named the new one
    stale = await browser.http.post("/p/gd/office/logout", data={"_csrf_token": anonymous})
    assert stale.status_code == 403 and await _still_signed_in(browser)
    page = await browser.get("/p/gd/office/account/")
    assert f'name="_csrf_token" value="{browser.token}"' in page.text
    assert (await browser.post("/p/gd/office/logout")).status_code == 303
    assert not await _still_signed_in(browser)


async def test_a_cross_origin_post_is_refused_even_with_the_right_token(new_browser) -> None:
    victim = await _signed_in(new_browser())
    await victim.get("/p/gd/office/account/")
    token = victim.token
    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "http://testserver.local.evil.example"},
        {"origin": "null"},
        {"referer": "https://evil.example/page"},  # no Origin: the Referer decides
        {"origin": "http://testserver.local:8080"},  # another port is another origin
    ):
        forged = await victim.http.post("/p/gd/office/logout", data={"_csrf_token": token}, headers=headers)
        assert forged.status_code == 403 and REFUSED in forged.text, headers
    assert await _still_signed_in(victim)
    # The site's own origin, and a province's own host name served by the same site, are fine.
    ours = await victim.http.post(
        "/p/gd/office/logout", data={"_csrf_token": token}, headers={"origin": "http://gd.localhost"}
    )
    assert ours.status_code == 303 and not await _still_signed_in(victim)


async def test_an_anonymous_form_from_another_site_is_refused(browser, new_browser) -> None:
    """Login CSRF: signing the victim in to the attacker's account from another site."""
    await browser.get("/p/gd/office/login")
    forged = await browser.http.post(
        "/p/gd/office/login",
        data={"login": "gd.review", "password": "Pharmreg#2026", "_csrf_token": browser.token},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403 and "pharmreg_session" not in browser.http.cookies
    # A post that never saw the site (no binding cookie) has no valid token either.
    without_cookie = await new_browser().http.post(
        "/p/gd/office/login", data={"login": "gd.review", "password": "x", "_csrf_token": browser.token}
    )
    assert without_cookie.status_code == 403


async def test_forms_and_htmx_requests_keep_working(browser) -> None:
    # Anonymous forms: a refused registration is the form's own answer, not a CSRF refusal.
    await browser.get("/account/register")
    refused = await browser.post("/account/register", {"name": "韩梅梅", "id_number": "1"})
    assert refused.status_code == 400 and REFUSED not in refused.text
    await _signed_in(browser)
    # htmx sends the token as a header only.
    answer = await browser.post("/p/gd/office/logout", htmx=True)
    assert answer.status_code == 303 and not await _still_signed_in(browser)


async def test_production_uses_host_prefixed_secure_cookies_and_knows_its_public_address(
    settings: Settings, platform
) -> None:
    fields = {f: getattr(settings, f) for f in settings.__struct_fields__}
    production = Settings.from_env(
        {},
        **{
            **fields,
            "environment": "production",
            "secret_key": "s" * 40,
            "public_url": "https://zyys.example.gov.cn",
        },
    )
    async with AsyncTestClient(app=create_app(production), base_url="https://testserver.local") as client:
        client.follow_redirects = False
        page = await client.get("/p/gd/office/login")
        binding = next(v for k, v in page.headers.multi_items() if k == "set-cookie" and "pharmreg_csrf" in v)
        assert binding.startswith("__Host-pharmreg_csrf=") and "Secure" in binding and "Path=/" in binding
        assert "Domain" not in binding
        token = page.headers["x-csrf-token"]
        form = {
            "login": "gd.review",
            "password": "Pharmreg#2026",
            "next": "/p/gd/office/",
            "_csrf_token": token,
        }
        # Over HTTPS a post that names no origin at all is refused...
        assert (await client.post("/p/gd/office/login", data=form)).status_code == 403
        # ...and one from the public address (a proxy in front of this host) is welcome.
        signed_in = await client.post(
            "/p/gd/office/login", data=form, headers={"origin": "https://zyys.example.gov.cn"}
        )
        assert signed_in.status_code == 303
        session = [v for k, v in signed_in.headers.multi_items() if k == "set-cookie"]
        assert any(
            c.startswith("__Host-pharmreg_session=") and "Secure" in c and "Path=/" in c for c in session
        )
        assert (await client.get("/p/gd/office/")).status_code == 200
        assert page.headers["strict-transport-security"] == "max-age=31536000"


async def test_a_page_that_changes_the_session_carries_the_token_for_the_new_one() -> None:
    csrf = CsrfMiddleware(
        secret="k",
        secure=False,
        session_cookie="pharmreg_session",
        public_url="",
        binding_cookie="pharmreg_csrf",
    )
    binding = "b" * 43
    old = csrf.token(session_token="old-session", binding=binding)
    anonymous = csrf.token(session_token=None, binding=binding)
    sent = []

    async def send(message) -> None:
        sent.append(message)

    wrapped = csrf._sending(send, binding, None, "old-session", old)
    await wrapped(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"set-cookie", b"pharmreg_session=; Max-Age=0; Path=/; HttpOnly"),
            ],
        }
    )
    await wrapped(
        {"type": "http.response.body", "body": f'<input value="{old}">'.encode(), "more_body": False}
    )
    headers = dict(sent[0]["headers"])
    assert headers[b"x-csrf-token"] == anonymous.encode()
    assert sent[1]["body"] == f'<input value="{anonymous}">'.encode()
