"""Pages, fragments, tenant resolution, errors and operational endpoints."""

import pytest
from litestar.testing import AsyncTestClient

from pharmreg.settings import Settings
from pharmreg.web import create_app
from tests.browser import without_volatile


async def test_national_home_lists_provinces_with_figures(client, platform) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="zh-CN">' in page
    assert "各省（区、市）注册数据" in page
    for slug in ("gd", "bt", "xz"):
        tenant = platform.directory.get(slug)
        assert f'<a href="/p/{slug}/">{tenant.name}</a>' in page
    assert "htmx-2.0.11.min.js" in page
    # htmx must swap error answers too, or their Chinese messages would never be shown.
    assert '{"code":"[45]..","swap":true,"error":true}' in page


async def test_province_home_shows_its_own_data(client) -> None:
    response = await client.get("/p/gd/")
    assert response.status_code == 200
    page = response.text
    assert "<h1>广东省执业药师注册</h1>" in page
    assert "广东省药品监督管理局" in page
    assert "广州市" in page and "深圳市" in page and "东莞市" in page
    assert "12315" in page  # complaint hotline from tenant.toml
    assert "北京市" not in page.split("<main")[1]


async def test_municipality_lists_districts(client) -> None:
    page = (await client.get("/p/bj/")).text
    assert "东城区" in page and "朝阳区" in page


async def test_city_fragment_for_htmx_and_page_otherwise(client) -> None:
    fragment = await client.get("/p/gd/divisions/440100", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "广州市天河区市场监督管理局" in fragment.text
    page = await client.get("/p/gd/divisions/440100")
    assert "<html" in page.text and "广州市天河区市场监督管理局" in page.text


async def test_city_of_another_province_is_not_found(client) -> None:
    assert (await client.get("/p/gd/divisions/320500")).status_code == 404
    assert (await client.get("/p/gd/divisions/440106")).status_code == 404  # a county, not a city


async def test_division_search_fragment(client) -> None:
    response = await client.get("/divisions/search", params={"q": "石河子"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "新疆生产建设兵团市场监督管理局受理" in response.text
    empty = await client.get("/divisions/search", params={"q": "火星"}, headers={"HX-Request": "true"})
    assert "没有找到名称以“火星”开头的地区" in empty.text


async def test_host_name_selects_the_province(client) -> None:
    response = await client.get("/", headers={"Host": "js.localhost:8000"})
    assert "<h1>江苏省执业药师注册</h1>" in response.text
    response = await client.get("/divisions/320500", headers={"Host": "js.localhost"})
    assert response.status_code == 200 and "苏州市" in response.text
    # Global paths stay global on a province host.
    assert (await client.get("/health", headers={"Host": "js.localhost"})).json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path", ["/p/nowhere/", "/p/national/", "/p/GD/", "/no/such/page", "/p/gd/no-such-page"]
)
async def test_unknown_tenants_and_paths_look_the_same(client, path: str) -> None:
    reference = await client.get("/no/such/page")
    response = await client.get(path)
    assert response.status_code == 404
    body = without_volatile(response)
    assert body == without_volatile(reference)
    assert "未找到您要访问的页面或资源" in body


async def test_unknown_tenant_in_api_is_plain_not_found(client) -> None:
    for path in (
        "/api/v1/tenants/nowhere/units",
        "/api/v1/tenants/national/units",
        "/api/v1/tenants/nowhere",
    ):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_htmx_errors_go_to_the_message_area(client) -> None:
    response = await client.get("/p/gd/divisions/999999", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "#messages"
    assert "<html" not in response.text and "未找到" in response.text


async def test_tenant_list_api(client, fresh_app_directory) -> None:
    tenants = (await client.get("/api/v1/tenants")).json()
    assert tenants[0]["kind"] == "national"
    assert len(tenants) == 1 + len(fresh_app_directory.provinces())
    gd = next(t for t in tenants if t["slug"] == "gd")
    assert gd["home_url"] == "/p/gd/"
    assert gd["links"]["exam_signup"].startswith("http")


async def test_national_figures_api(client, fresh_app_directory) -> None:
    figures = {f["slug"]: f for f in (await client.get("/api/v1/national/figures")).json()}
    assert set(figures) == {t.slug for t in fresh_app_directory.provinces()}
    assert figures["gd"]["units"] > 100
    assert figures["gd"]["as_of"] is not None


async def test_request_ids(client) -> None:
    given = await client.get("/health", headers={"X-Request-ID": "abc-123-def-456"})
    assert given.headers["x-request-id"] == "abc-123-def-456"
    made = await client.get("/health", headers={"X-Request-ID": "<script>"})
    assert made.headers["x-request-id"] != "<script>" and len(made.headers["x-request-id"]) == 32


async def test_health_and_ready(client) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}


async def test_ready_reports_an_unreachable_redis(settings: Settings) -> None:
    broken = Settings.from_env({}, **{**_fields(settings), "redis_url": "redis://127.0.0.1:1/0"})
    async with AsyncTestClient(app=create_app(broken), base_url="http://testserver.local") as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "postgres": "ok", "redis": "error"}


async def test_server_errors_hide_details(settings: Settings, platform) -> None:
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        # Simulate a province whose schema went missing behind the registry's back.
        platform_state = app.state.platform
        gd = platform_state.directory.get("gd")
        broken = type(gd)(**{**_fields(gd), "schema": "tenant_missing"})
        platform_state.directory._by_slug["gd"] = broken
        page = await client.get("/p/gd/")
        api = await client.get("/api/v1/tenants/gd/units")
    assert page.status_code == 500
    assert "系统繁忙，请稍后再试" in page.text
    assert "Traceback" not in page.text and "tenant_missing" not in page.text
    assert api.status_code == 500
    assert api.json()["error"]["message"] == "系统繁忙，请稍后再试"
    assert "tenant_missing" not in api.text


async def test_openapi_describes_the_json_api_only(client) -> None:
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {"/api/v1/tenants", "/api/v1/route", "/api/v1/divisions/{code}", "/health", "/ready"} <= paths
    assert "/" not in paths and "/p/{slug}" not in paths


async def test_static_files_are_served(client) -> None:
    response = await client.get("/static/vendor/htmx-2.0.11.min.js")
    assert response.status_code == 200
    assert response.text.startswith("var htmx=")


def _fields(struct) -> dict:
    names = getattr(struct, "__struct_fields__", None) or struct.__slots__
    return {name: getattr(struct, name) for name in names}
