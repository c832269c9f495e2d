"""A minimal browser for tests: cookies, the CSRF token the pages embed, and form posts."""

from __future__ import annotations

import re
from typing import Any

import httpx

_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


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

    async def sign_in(self, base: str, login: str, password: str = "Pharmreg#2026") -> httpx.Response:
        await self.get(f"{base}/login")
        return await self.post(f"{base}/login", {"login": login, "password": password, "next": f"{base}/"})
