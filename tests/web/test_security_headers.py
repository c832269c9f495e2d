"""Security headers on every answer; a Content-Security-Policy without inline script on pages,
and templates that need none."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from pharmreg.settings import Settings
from pharmreg.web import create_app


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


async def test_pages_carry_a_strict_content_security_policy(client) -> None:
    page = await client.get("/account/login")
    policy = _directives(page.headers["content-security-policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert "unsafe-eval" not in page.headers["content-security-policy"]
    assert policy["frame-ancestors"] == "frame-ancestors 'self'"
    assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'self'"
    # The nonce for inserted styles is the page's own, fresh on every answer.
    nonce = re.search(r"'nonce-([^']+)'", policy["style-src"]).group(1)
    assert f'<meta name="csp-nonce" content="{nonce}">' in page.text
    again = await client.get("/account/login")
    assert nonce not in again.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in page.headers  # not outside production


async def test_every_answer_has_the_security_headers(client) -> None:
    for path in ("/api/v1/tenants", "/static/css/site.css", "/no/such/page", "/health"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path
    assert "content-security-policy" not in (await client.get("/api/v1/tenants")).headers


async def test_production_asks_for_https_only(settings: Settings, platform) -> None:
    fields = {f: getattr(settings, f) for f in settings.__struct_fields__}
    production = Settings.from_env({}, **{**fields, "environment": "production", "secret_key": "k" * 32})
    async with AsyncTestClient(app=create_app(production), base_url="https://testserver.local") as client:
        response = await client.get("/health")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


# What a strict policy refuses: inline handlers, inline styles, javascript: links, inline scripts.
_INLINE = re.compile(
    r"""\son[a-z]+\s*=|\shx-on[:-]|\sstyle\s*=|javascript:|<script(?![^>]*\bsrc=)[^>]*>|<style\b""",
    re.IGNORECASE,
)


def test_templates_have_no_inline_script_or_style(project_root) -> None:
    offending = []
    for template in sorted((project_root / "web" / "templates").rglob("*.html")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if _INLINE.search(line):
                offending.append(f"{template.relative_to(project_root)}:{number}: {line.strip()}")
    assert not offending, "\n".join(offending)
