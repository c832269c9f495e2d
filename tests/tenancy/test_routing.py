"""Routing by location: the practice unit's division decides the tenant."""

import pytest

from pharmreg.tenancy import RoutingError, route_division, tenant_divisions


@pytest.mark.parametrize(
    ("code", "slug"),
    [
        ("440106", "gd"),  # 广州市天河区
        ("441900", "gd"),  # 东莞市, no county level
        ("110101", "bj"),  # a municipality's district
        ("650102", "xj"),  # 乌鲁木齐市天山区
        ("659001", "bt"),  # 石河子市: administered by the Corps, carved out of Xinjiang
        ("419001", "ha"),  # 济源市, directly under the province
        ("110228", "bj"),  # a retired code still routes
    ],
)
def test_routes(platform, code: str, slug: str) -> None:
    division, tenant = route_division(platform.directory, platform.index, code)
    assert tenant.slug == slug
    assert division.code == code


@pytest.mark.parametrize(
    ("code", "message"),
    [("4401", "应为6位数字"), ("449999", "未找到"), ("810000", "暂未开通")],
)
def test_refusals(platform, code: str, message: str) -> None:
    with pytest.raises(RoutingError, match=message):
        route_division(platform.directory, platform.index, code)


def test_carve_out_is_excluded_from_xinjiang(platform) -> None:
    xinjiang = {
        d.code for d in tenant_divisions(platform.directory.get("xj"), platform.directory, platform.index)
    }
    corps = {
        d.code for d in tenant_divisions(platform.directory.get("bt"), platform.directory, platform.index)
    }
    assert "659001" in corps and "659001" not in xinjiang
    assert "650100" in xinjiang
    assert not xinjiang & corps


def test_host_lookup(platform) -> None:
    assert platform.directory.for_host("gd.localhost:8000").slug == "gd"
    assert platform.directory.for_host("GD.LOCALHOST").slug == "gd"
    assert platform.directory.for_host("localhost:8000") is None  # the national portal
    assert platform.directory.for_host("unknown.example") is None


async def test_route_api(client) -> None:
    response = await client.get("/api/v1/route", params={"division": "659003"})
    assert response.status_code == 200
    body = response.json()
    assert body["tenant"]["slug"] == "bt"
    assert body["division_name"] == "新疆维吾尔自治区 图木舒克市"
    response = await client.get("/api/v1/route", params={"division": "12"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "行政区划代码应为6位数字"
