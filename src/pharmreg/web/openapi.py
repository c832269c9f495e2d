"""The JSON API's error answers, documented on every operation in the OpenAPI schema."""

from __future__ import annotations

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from pharmreg.kit.errors import error_response

API_PREFIX = "/api/v1/"
# What any operation of the API may answer besides its result; all in the one ApiError shape.
ERROR_RESPONSES = {
    400: "请求不符合要求：参数缺失、格式或取值错误（message 说明原因）",
    404: "未找到所请求的资源",
    503: "数据库或缓存服务暂时不可用，请稍后重试（见 Retry-After）",
}


def document_api_errors(app: Litestar) -> None:
    """Add the common error answers to every API operation; an operation's own entries win."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith(API_PREFIX):
            continue
        for handler in route.route_handlers:
            assert isinstance(handler, HTTPRouteHandler)
            common = {status: error_response(text) for status, text in ERROR_RESPONSES.items()}
            handler.responses = {**common, **(handler.responses or {})}
