"""Errors that carry a message for the user."""

from __future__ import annotations

from litestar.exceptions import HTTPException


class UserError(HTTPException):
    """A refused request whose `detail` is already a message for the user (Chinese)."""

    status_code = 400
