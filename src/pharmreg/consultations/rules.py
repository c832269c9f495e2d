"""Pure rules: topics and categories, and checking what the public submits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pharmreg.kit.forms import Problems

TOPICS = {
    "exam": "考试",
    "registration": "注册",
    "continuing_education": "继续教育",
    "system": "系统使用",
}
CONSULTATION_CATEGORIES = {**TOPICS, "other": "其他"}
COMPLAINT_CATEGORIES = {
    "conduct": "工作作风",
    "efficiency": "办事效率",
    "system": "系统问题",
    "suggestion": "意见建议",
    "other": "其他",
}
KINDS = {"consultation": "咨询", "complaint": "投诉建议"}
POSTS = {"consultation": "consultation", "complaint": "complaint"}
PERMISSIONS = {"consultation": "handle_consultations", "complaint": "handle_complaints"}
STATUSES = {"received": "已受理", "replied": "已答复", "transferred": "已转出"}
PUBLICATIONS = {"none": "未公开", "draft": "公开草稿", "published": "已公开"}

# Complaints are answered within 15 working days; the unit is warned 3 working days ahead.
COMPLAINT_WORKING_DAYS = 15
WARN_WORKING_DAYS = 3
# A query code keeps working for 180 days after the item is closed.
CODE_VALID_DAYS_AFTER_CLOSE = 180
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def categories_of(kind: str) -> dict[str, str]:
    return COMPLAINT_CATEGORIES if kind == "complaint" else CONSULTATION_CATEGORIES


def category_label(kind: str, category: str) -> str:
    # A published answer keeps only its category: complaints' categories are found too.
    return categories_of(kind).get(category) or COMPLAINT_CATEGORIES.get(category, category)


@dataclass(frozen=True, slots=True)
class Submission:
    kind: str
    category: str
    division_code: str
    title: str
    body: str
    name: str
    mobile: str


def check_submission(kind: str, values: dict[str, str]) -> tuple[Submission, Problems]:
    """The submission as typed in (trimmed), and every problem with it."""
    problems = Problems()
    category = values.get("category", "").strip()
    if category not in categories_of(kind):
        problems.add("category", "请选择类别")
    division = values.get("division", "").strip() or values.get("province_code", "").strip()
    if not re.fullmatch(r"\d{6}", division):
        problems.add("division", "请选择所在地区")
    title = values.get("title", "").strip()
    if not 2 <= len(title) <= 100:
        problems.add("title", "标题应为 2 至 100 个字")
    body = values.get("body", "").strip()
    if not 5 <= len(body) <= 2000:
        problems.add("body", "内容应为 5 至 2000 个字")
    name = values.get("name", "").strip()
    if not 1 <= len(name) <= 50:
        problems.add("name", "请填写姓名或称呼（不超过 50 个字）")
    mobile = values.get("mobile", "").strip()
    if not _MOBILE.fullmatch(mobile):
        problems.add("mobile", "请填写正确的 11 位手机号码，如 13800138000")
    submission = Submission(kind, category, division, title, body, name, mobile)
    return submission, problems


def check_reply(text: str) -> str:
    reply = text.strip()
    if not 2 <= len(reply) <= 4000:
        raise ValueError("答复内容应为 2 至 4000 个字")
    return reply


def check_public_wording(question: str, answer: str) -> tuple[str, str]:
    q, a = question.strip(), answer.strip()
    if not 5 <= len(q) <= 2000:
        raise ValueError("公开的问题应为 5 至 2000 个字")
    if not 2 <= len(a) <= 4000:
        raise ValueError("公开的答复应为 2 至 4000 个字")
    return q, a


def check_faq(topic: str, question: str, answer: str) -> Problems:
    problems = Problems()
    if topic not in TOPICS:
        problems.add("topic", "请选择主题")
    if not 5 <= len(question.strip()) <= 300:
        problems.add("question", "问题应为 5 至 300 个字")
    if not 2 <= len(answer.strip()) <= 4000:
        problems.add("answer", "解答应为 2 至 4000 个字")
    return problems


def deadline_stage(working_days_left: int, overdue: bool) -> str:
    """Which reminder a complaint is due: "" (none yet), "soon" or "overdue"."""
    if overdue:
        return "overdue"
    return "soon" if working_days_left <= WARN_WORKING_DAYS else ""


def keywords(text: str) -> list[str]:
    """Whitespace-separated keywords of a search box (at most five, each at most 20 characters)."""
    return [word[:20] for word in text.split()][:5]
