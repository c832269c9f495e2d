"""A malformed Host header is a clean 400 on every path, and what follows reads the checked one."""

from __future__ import annotations

import re

import msgspec
import pytest

from pharmreg.kit.errors import ApiError
from pharmreg.web.middleware import normalise_host

MALFORMED = [
    "gd.localhost:-1",
    "gd.localhost:99999",
    "[::1]:x",
    "[::1",
    "[zz]",
    "a b",
    "a@b",
    "a/b",
    ":80",
    "x:0",
]


@pytest.mark.parametrize("host", MALFORMED)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("HEAD", "/health"),
        ("POST", "/health"),
        ("GET", "/no/such/page"),
        ("GET", "/p/gd/"),
    ],
)
async def test_a_malformed_host_is_refused_with_a_clear_400(
    client, host: str, method: str, path: str
) -> None:
    response = await client.request(method, path, headers={"host": host})
    assert response.status_code == 400
    if method != "HEAD":
        assert "请求的主机名（Host）无效" in response.text and "Traceback" not in response.text


async def test_the_api_refuses_a_malformed_host_in_its_error_shape(client) -> None:
    response = await client.get("/api/v1/tenants", headers={"host": "[::1]:x"})
    assert response.status_code == 400
    error = msgspec.json.decode(response.content, type=ApiError).error
    assert error.code == "invalid" and error.message == "请求的主机名（Host）无效"


def _heading(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found is not None
    return found.group(1).strip()


async def test_a_province_host_is_recognised_in_any_spelling(client) -> None:
    province = _heading((await client.get("/p/gd/")).text)
    assert province != _heading((await client.get("/", headers={"host": "testserver.local"})).text)
    for host in ("gd.localhost", "GD.LocalHost", "gd.localhost.", "gd.localhost.:8000"):
        page = await client.get("/", headers={"host": host})
        assert page.status_code == 200 and _heading(page.text) == province, host


@pytest.mark.parametrize(
    ("raw", "checked"),
    [
        ("gd.localhost", "gd.localhost"),
        ("GD.localhost:8000", "gd.localhost:8000"),
        ("gd.localhost.", "gd.localhost"),
        ("[::1]:8000", "[::1]:8000"),
        ("127.0.0.1:8142", "127.0.0.1:8142"),
        ("pharmreg_web:8000", "pharmreg_web:8000"),
        ("a..b", None),
        ("-a.example", None),
        ("xn--fiqs8s.example", "xn--fiqs8s.example"),
        ("例子.example", None),
        ("", None),
        ("gd.localhost:", None),
        ("a" * 64 + ".example", None),
    ],
)
def test_host_names_are_checked_and_made_canonical(raw: str, checked: str | None) -> None:
    assert normalise_host(raw) == checked
