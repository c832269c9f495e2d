"""A minimal browser for tests: cookies, the CSRF token the pages embed, and form posts."""

from __future__ import annotations

import os
import re
from typing import Any

import httpx

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')
_CAPTCHA = re.compile(r'name="captcha_token" value="([^"]+)"')


# What differs between two answers to the same request: CSRF tokens (form field and htmx
# header), the CSP nonce, and the request id.
_VOLATILE = re.compile(
    r'name="_csrf_token" value="[^"]*"|value="[0-9a-f]{40,}"|"x-csrf-token": "[^"]*"'
    r'|<meta name="csp-nonce" content="[^"]*">'
)


def without_volatile(response: httpx.Response) -> str:
    """The page as two identical requests would both see it (for "answers alike" checks)."""
    body = response.text.replace(response.headers.get("x-request-id", "\0"), "")
    return _VOLATILE.sub("", body)


def captcha_token(html: str) -> str | None:
    """The token of the picture a page asks to type in, if it asks for one."""
    found = _CAPTCHA.search(html)
    return found.group(1) if found else None


async def captcha_answer(token: str) -> str:
    """What the picture shows, read where the platform keeps it (the test Redis)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["PHARMREG_TEST_REDIS_URL"])
    try:
        value = await redis.get(f"pharmreg:captcha:{token}")
    finally:
        await redis.aclose()
    assert value is not None, "the picture has expired or was used"
    return value.decode()


class Browser:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    def _remember_token(self, response: httpx.Response) -> None:
        # Every answer names the token for the next request (as the site script hands it to
        # htmx); a page's own form token says the same.
        found = _TOKEN.search(response.text)
        token = response.headers.get("x-csrf-token") or (found.group(1) if found else None)
        if token:
            self.token = token

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        self._remember_token(response)
        return response

    async def post(
        self,
        path: str,
        data: dict[str, Any] | list[tuple[str, str]] | None = None,
        *,
        htmx: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """Submit a form like the page would: with the CSRF token (as field, or header for htmx)."""
        if self.token is None:
            await self.get("/account/login")  # any page sets the CSRF cookie and token
        headers = {"HX-Request": "true", "x-csrf-token": self.token} if htmx else {}
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        if not htmx:
            items.append(("_csrf_token", self.token or ""))
        fields: dict[str, list[str]] = {}
        for key, value in items:
            fields.setdefault(key, []).append(value)
        response = await self.http.post(path, data=fields, headers=headers, **kwargs)
        self._remember_token(response)
        return response

    async def sign_in(
        self, base: str, login: str, password: str = "Pharmreg#2026", *, solve: str | None = None
    ) -> httpx.Response:
        """Sign in as a person does; `solve`: the page (HTML) whose picture to type in first."""
        await self.get(f"{base}/login")
        data = {"login": login, "password": password, "next": f"{base}/"}
        token = captcha_token(solve) if solve else None
        if token:
            data |= {"captcha_token": token, "captcha": await captcha_answer(token)}
        return await self.post(f"{base}/login", data)

    async def sign_in_solving(self, base: str, login: str, password: str = "Pharmreg#2026") -> httpx.Response:
        """Sign in, typing in the picture whenever the page asks for one."""
        response = await self.sign_in(base, login, password)
        if (
            response.status_code == 400 and "请输入图中的数字后再登录" in response.text
        ):  # password not checked
            response = await self.sign_in(base, login, password, solve=response.text)
        return response
