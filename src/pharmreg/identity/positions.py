"""Posts (岗位) an officer can hold."""

from __future__ import annotations

from enum import StrEnum


class Position(StrEnum):
    ACCEPTANCE = "acceptance"
    REVIEW = "review"
    DECISION = "decision"
    CERTIFICATE = "certificate"
    PUBLISHING = "publishing"
    PUBLISHING_REVIEW = "publishing_review"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"
    STATISTICS = "statistics"
    TENANT_ADMIN = "tenant_admin"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Position.ACCEPTANCE: "受理",
    Position.REVIEW: "审核",
    Position.DECISION: "审批",
    Position.CERTIFICATE: "制证",
    Position.PUBLISHING: "信息发布",
    Position.PUBLISHING_REVIEW: "信息审核",
    Position.CONSULTATION: "咨询受理",
    Position.COMPLAINT: "投诉处理",
    Position.STATISTICS: "统计",
    Position.TENANT_ADMIN: "系统管理",
}
