"""Every error becomes a Chinese message: JSON for the API, a page or fragment for the UI."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from pharmreg.identity import PasswordChangeRequired, SignInRequired
from pharmreg.kit.backing import unavailable_service
from pharmreg.kit.errors import ApiError, ApiErrorBody, UserError
from pharmreg.kit.logging import get_logger
from pharmreg.kit.validation import describe_validation_error

log = get_logger("pharmreg.errors")

MESSAGES = {
    400: "请求内容不符合要求",
    401: "请先登录",
    403: "您没有权限执行此操作",
    404: "未找到您要访问的页面或资源",
    405: "不支持该请求方式",
    409: "数据已被他人修改，请刷新后重试",
    413: "上传的内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "系统繁忙，请稍后再试",
    503: "服务暂时不可用，请稍后再试",
}
# A failed CSRF or origin check: the form is stale (signed out or in since) or came from elsewhere.
CSRF_MESSAGE = "页面已过期或来源无效，请刷新页面后重新提交"


# The `code` of an API error, by status.
API_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}
# While PostgreSQL or Redis is away: ask the browser or program to come back shortly.
RETRY_AFTER_SECONDS = 10


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")


def _is_api(request: Request[Any, Any, Any]) -> bool:
    # The path as routed, never `request.url`: that is rebuilt from the Host header.
    return is_api_path(request.scope["path"])


def api_error(status: int, message: str, request_id: str) -> ApiError:
    code = API_CODES.get(status, "internal" if status >= 500 else "invalid")
    return ApiError(error=ApiErrorBody(code=code, message=message, request_id=request_id))


_MISSING = re.compile(r"Missing required (?P<where>\w+) parameter '(?P<name>[^']+)'")


def _validation_message(exc: ValidationException) -> str:
    missing = _MISSING.search(str(exc.detail))
    if missing:
        return f"缺少必填参数 {missing['name']}"
    extra = exc.extra if isinstance(exc.extra, list) else []
    messages = []
    for item in extra:
        if isinstance(item, dict):
            text = describe_validation_error(str(item.get("message", "")))
            key = item.get("key")
            messages.append(f"参数 {key}：{text}" if key and "字段" not in text else text)
    return "；".join(messages) or MESSAGES[400]


def _respond(
    request: Request[Any, Any, Any], status: int, message: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    request_id = request.scope.get("state", {}).get("request_id", "")
    headers = dict(headers or {})
    if _is_api(request):
        return Response(
            api_error(status, message, request_id),
            status_code=status,
            media_type=MediaType.JSON,
            headers=headers,
        )
    template = "errors/page.html"
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true":
        # htmx swaps only 2xx by default: send the message to the page's message area instead.
        template = "errors/_message.html"
        headers.update({"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
    return Template(
        template_name=template,
        context={"status": status, "message": message, "request_id": request_id},
        status_code=status,
        headers=headers,
    )


def sign_in_path(realm: str, tenant: str | None) -> str:
    return {"officer": f"/p/{tenant}/office/login", "staff": "/national/login"}.get(realm, "/account/login")


def password_path(realm: str, tenant: str | None, page: str = "/password") -> str:
    """Where a person goes first: the password to replace, or the second factor to enrol."""
    return f"{sign_in_path(realm, tenant).removesuffix('/login')}{page}"


def _redirect(request: Request[Any, Any, Any], location: str) -> Response[Any]:
    """See other: a normal redirect, or for htmx a full-page navigation it performs itself."""
    if request.headers.get("hx-request") == "true":
        return Response(content=None, status_code=200, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


def handle_sign_in_required(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    if _is_api(request):
        return _respond(request, 401, MESSAGES[401])
    query = request.scope.get("query_string", b"").decode("latin-1")
    target = request.scope["path"] + (f"?{query}" if query else "")
    return _redirect(request, f"{sign_in_path(exc.realm, exc.tenant)}?next={quote(target, safe='/')}")


def handle_password_change_required(
    request: Request[Any, Any, Any], exc: PasswordChangeRequired
) -> Response[Any]:
    if _is_api(request):
        return _respond(request, 403, str(exc.detail))
    return _redirect(request, password_path(exc.realm, exc.tenant, exc.page))


def _passed_on_headers(exc: HTTPException) -> dict[str, str]:
    """Headers an error carries for the client (Allow of a 405, Retry-After of a 429)."""
    headers = {name.lower(): value for name, value in (exc.headers or {}).items()}
    allow = headers.get("allow")
    if allow is not None:
        # Every GET route answers HEAD as well (HeadAsGetMiddleware).
        methods = [m.strip() for m in allow.split(",") if m.strip()]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        headers["allow"] = ", ".join(methods)
    return {name: value for name, value in headers.items() if name in ("allow", "retry-after")}


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 403 and "CSRF" in str(exc.detail):
        return _respond(request, 403, CSRF_MESSAGE)
    if isinstance(exc, ValidationException):
        message = _validation_message(exc)
    elif isinstance(exc, UserError) or (status < 500 and exc.detail and _is_chinese(exc.detail)):
        message = exc.detail
    else:
        message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if status >= 500:
        log.error("http.error", status=status, detail=exc.detail)
    return _respond(request, status, message, _passed_on_headers(exc))


def handle_not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
    # One answer for every kind of "not here": unknown tenant, unknown object, unknown path.
    return _respond(request, 404, MESSAGES[404])


# PostgreSQL refuses text it cannot store (a NUL character, SQLSTATE 22021) whatever the field:
# the person typed or pasted something invisible, and the transaction was rolled back.
_UNSTORABLE_TEXT = "22021"


def _unstorable_text(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 5:
        if getattr(exc, "sqlstate", None) == _UNSTORABLE_TEXT:
            return True
        exc, seen = exc.__cause__ or getattr(exc, "orig", None), seen + 1
    return False


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    path = request.scope["path"]
    if _unstorable_text(exc):
        log.info("http.unstorable_text", path=path)
        return _respond(request, 400, "输入内容含有无法保存的控制字符，请删除后重试（未保存任何内容）")
    service = unavailable_service(exc)
    if service is not None:
        # PostgreSQL or Redis is away (restarting, network): not a bug, and it passes by itself.
        log.warning(
            "http.service_unavailable", service=service, path=path, error=f"{type(exc).__name__}: {exc}"
        )
        return _respond(
            request, HTTP_503_SERVICE_UNAVAILABLE, MESSAGES[503], {"retry-after": str(RETRY_AFTER_SECONDS)}
        )
    log.error("http.unhandled", path=path, exc_info=exc)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR, MESSAGES[500])


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    SignInRequired: handle_sign_in_required,
    PasswordChangeRequired: handle_password_change_required,
    NotFoundException: handle_not_found,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
