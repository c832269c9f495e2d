"""Errors that carry a message for the user, and the one shape of an error in the JSON API."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec


class UserError(HTTPException):
    """A refused request whose `detail` is already a message for the user (Chinese)."""

    status_code = 400


class ApiErrorBody(msgspec.Struct, frozen=True):
    code: Annotated[
        str,
        msgspec.Meta(
            description="错误类别：invalid、unauthenticated、forbidden、not_found、method_not_allowed、"
            "conflict、too_large、rate_limited、internal、unavailable"
        ),
    ]
    message: Annotated[str, msgspec.Meta(description="给使用者的中文说明")]
    request_id: Annotated[str, msgspec.Meta(description="请求编号，联系技术支持时提供")]


class ApiError(msgspec.Struct, frozen=True):
    """Every error answer of the JSON API: `{"error": {"code", "message", "request_id"}}`."""

    error: ApiErrorBody


def error_response(description: str) -> ResponseSpec:
    """An error answer of an API operation, for its `responses` in the OpenAPI schema."""
    return ResponseSpec(data_container=ApiError, description=description, generate_examples=False)
