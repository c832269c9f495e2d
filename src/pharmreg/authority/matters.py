"""Matters (事项): the kinds of application an authority decides."""

from __future__ import annotations

from enum import StrEnum


class Matter(StrEnum):
    FIRST_REGISTRATION = "first_registration"
    CHANGE = "change"
    RENEWAL = "renewal"
    CANCELLATION = "cancellation"
    REISSUE = "reissue"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Matter.FIRST_REGISTRATION: "首次注册",
    Matter.CHANGE: "变更注册",
    Matter.RENEWAL: "延续注册",
    Matter.CANCELLATION: "注销注册",
    Matter.REISSUE: "补办注册证",
}
