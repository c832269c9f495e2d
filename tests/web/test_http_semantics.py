"""HTTP as clients expect it: HEAD wherever GET works, 405 with Allow, and one error shape in the
JSON API, the shape its OpenAPI schema documents on every operation."""

from __future__ import annotations

import msgspec
import pytest

from pharmreg.kit.errors import ApiError


@pytest.mark.parametrize(
    "path", ["/", "/p/gd/", "/health", "/account/login", "/api/v1/tenants", "/static/css/site.css"]
)
async def test_head_answers_wherever_get_does_without_a_body(client, path: str) -> None:
    get = await client.get(path)
    head = await client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


async def test_head_of_an_unknown_page_is_the_same_404(client) -> None:
    assert (await client.head("/no/such/page")).status_code == 404


async def test_a_file_reached_by_a_boosted_link_is_handed_to_the_browser(client) -> None:
    boosted = {"hx-request": "true", "hx-boosted": "true"}
    file = await client.get("/static/css/site.css?v=1", headers=boosted)
    assert file.status_code == 200 and file.content == b""
    assert file.headers["hx-redirect"] == "/static/css/site.css?v=1"  # the browser loads it natively
    page = await client.get("/", headers=boosted)
    assert "hx-redirect" not in page.headers and "<html" in page.text  # pages are swapped as before
    plain = await client.get("/static/css/site.css")
    assert plain.status_code == 200 and plain.content  # without htmx nothing changes


async def test_a_wrong_method_names_the_allowed_ones(client) -> None:
    page = await client.post("/health")
    assert page.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in page.headers["allow"].split(",")}
    assert "不支持该请求方式" in page.text
    api = await client.delete("/api/v1/tenants")
    assert api.status_code == 405 and "GET" in api.headers["allow"]
    error = msgspec.json.decode(api.content, type=ApiError).error
    assert error.code == "method_not_allowed" and error.message == "不支持该请求方式"


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/v1/verify/", {"certificate_no": "NOPE"}, 400, "invalid"),  # neither name nor signature
        ("/api/v1/verify/", {}, 400, "invalid"),
        ("/api/v1/verify/", {"certificate_no": "NOPE", "name": "某人"}, 404, "not_found"),
        ("/api/v1/divisions/44010", {}, 400, "invalid"),
        ("/api/v1/divisions/449999", {}, 404, "not_found"),
        ("/api/v1/tenants/nowhere", {}, 404, "not_found"),
        ("/api/v1/nothing-here", {}, 404, "not_found"),
    ],
)
async def test_every_api_error_has_the_one_shape(client, path, params, status, code) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == status
    body = msgspec.json.decode(response.content, type=ApiError)  # nothing more, nothing less
    assert set(response.json()) == {"error"}
    assert body.error.code == code and body.error.message
    assert body.error.request_id == response.headers["x-request-id"]


async def test_the_rate_limit_of_the_api_answers_in_the_same_shape(new_browser) -> None:
    browser = new_browser()
    params = {"certificate_no": "NOPE", "name": "某人"}
    answers = [await browser.get("/api/v1/verify/", params=params) for _ in range(21)]
    limited = answers[-1]
    assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
    error = msgspec.json.decode(limited.content, type=ApiError).error
    assert error.code == "rate_limited" and "查询过于频繁" in error.message


async def test_the_schema_documents_the_errors_of_every_api_operation(client) -> None:
    schema = (await client.get("/api/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    ]
    assert len(operations) >= 10
    for path, method, operation in operations:
        for status in ("400", "404", "503"):
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}, (path, method, status)
    verify = schema["paths"]["/api/v1/verify"]["get"]["responses"]
    assert verify["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiError"}
    assert verify["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VerificationRead"
    }
    body = schema["components"]["schemas"]["ApiErrorBody"]
    assert set(body["required"]) == {"code", "message", "request_id"}
    ready = schema["paths"]["/ready"]["get"]["responses"]["503"]["content"]["application/json"]
    assert ready["schema"] == {"$ref": "#/components/schemas/Readiness"}
