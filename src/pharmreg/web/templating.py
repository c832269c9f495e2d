"""Jinja2 set-up and the one helper that renders a full page or, for htmx, a fragment."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from pharmreg.kit.clock import china_time, until_label
from pharmreg.kit.names import bureau_name


def _asset_versions(static_dir: Path) -> dict[str, str]:
    """A short content hash per static file, appended to URLs so caches never serve stale files."""
    versions = {}
    for path in static_dir.rglob("*"):
        if path.is_file():
            versions[path.relative_to(static_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[
                :10
            ]
    return versions


def highlight(text: str, query: str) -> Markup:
    """The text, escaped, with each word of the search query marked (<mark>)."""
    words = sorted({w for w in query.split() if w}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group())
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@pass_context
def csp_nonce(context: Context) -> str:
    """This page's Content-Security-Policy nonce (SecurityHeadersMiddleware), for the styles
    scripts insert (Trix reads it from `<meta name="csp-nonce">`)."""
    request = context.get("request")
    return str(request.scope.get("state", {}).get("csp_nonce", "")) if request is not None else ""


def template_config(web_dir: Path, **globals_: Any) -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(web_dir / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    versions = _asset_versions(web_dir / "static")

    def static(path: str) -> str:
        return f"/static/{path}?v={versions.get(path, '0')}"

    environment.globals.update(static=static, bureau_name=bureau_name, csp_nonce=csp_nonce, **globals_)
    environment.filters["china_time"] = china_time
    environment.filters["until"] = until_label
    environment.filters["highlight"] = highlight
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))
