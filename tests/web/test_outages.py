"""While PostgreSQL or Redis is away, pages answer 503 with a Chinese message (the API its JSON
error), /ready names what is down, and everything works again once it is back, with no restart.

Each test stops and starts servers of its own (tests/services.py), never the shared ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import msgspec
from litestar.testing import AsyncTestClient

from pharmreg.kit.errors import ApiError
from pharmreg.settings import Settings
from pharmreg.web import create_app
from tests.browser import Browser

UNAVAILABLE = "服务暂时不可用，请稍后再试"


@asynccontextmanager
async def app_on(settings: Settings, **servers: str) -> AsyncIterator[Browser]:
    fields = {f: getattr(settings, f) for f in settings.__struct_fields__}
    app = create_app(Settings.from_env({}, **{**fields, **servers}))
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        client.follow_redirects = False  # as the suite's other browsers
        yield Browser(client)


def _unavailable_page(response) -> None:
    assert response.status_code == 503, response.status_code
    assert UNAVAILABLE in response.text and "Traceback" not in response.text
    assert response.headers["retry-after"] == "10"


async def test_redis_down_gives_503_and_requests_work_again_when_it_is_back(
    settings: Settings, platform, private_redis
) -> None:
    async with app_on(settings, redis_url=private_redis.url) as browser:
        assert (await browser.sign_in("/p/gd/office", "gd.review")).status_code == 303
        assert (await browser.get("/p/gd/office/")).status_code == 200

        private_redis.stop()
        _unavailable_page(await browser.get("/p/gd/office/"))  # the session lives in Redis
        fragment = await browser.http.get("/p/gd/office/", headers={"hx-request": "true"})
        assert fragment.status_code == 503 and fragment.headers["hx-retarget"] == "#messages"
        assert UNAVAILABLE in fragment.text
        # A visitor who is not signed in can open the sign-in page, and a wrong password is still
        # refused (the brake lives in PostgreSQL), but signing in needs the session store.
        signed_in, browser.http.cookies = browser.http.cookies, httpx.Cookies()
        assert (await browser.get("/account/login")).status_code == 200
        wrong = await browser.post("/account/login", {"login": "13800000000", "password": "x"})
        assert wrong.status_code == 400
        _unavailable_page(await browser.sign_in("/p/gd/office", "gd.accept"))
        browser.http.cookies = signed_in
        api = await browser.http.get("/api/v1/verify/", params={"certificate_no": "X", "name": "某人"})
        assert api.status_code == 503
        assert msgspec.json.decode(api.content, type=ApiError).error.code == "unavailable"
        ready = await browser.http.get("/ready")
        assert ready.status_code == 503 and ready.json() == {
            "status": "unavailable",
            "postgres": "ok",
            "redis": "error",
        }

        private_redis.start()
        assert (await browser.http.get("/ready")).status_code == 200
        assert (await browser.get("/p/gd/office/")).status_code == 200  # the same session, still signed in


async def test_postgres_down_gives_503_and_requests_work_again_when_it_is_back(
    settings: Settings, platform, private_postgres
) -> None:
    async with app_on(settings, database_url=private_postgres.url) as browser:
        assert (await browser.get("/")).status_code == 200

        private_postgres.stop()
        _unavailable_page(await browser.get("/"))
        api = await browser.http.get("/api/v1/national/figures")
        assert api.status_code == 503
        assert msgspec.json.decode(api.content, type=ApiError).error.message == UNAVAILABLE
        ready = await browser.http.get("/ready")
        assert ready.status_code == 503 and ready.json()["postgres"] == "error"
        assert ready.json()["redis"] == "ok"

        private_postgres.start()
        assert (await browser.get("/")).status_code == 200
        assert (await browser.http.get("/api/v1/national/figures")).status_code == 200
        assert (await browser.http.get("/ready")).status_code == 200
