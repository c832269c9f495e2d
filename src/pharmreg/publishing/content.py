"""Pure rules of the content system: categories, the form, sanitising rich text, the state
machine of an article and the content hash of a published page."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import datetime

import nh3

CATEGORIES = {
    "policy": "政策法规",
    "notice": "通知公告",
    "exam": "考试信息",
    "ce": "继续教育",
}
STATUS_LABELS = {
    "draft": "草稿",
    "pending": "待审核",
    "scheduled": "已排期",
    "published": "已发布",
    "withdrawn": "已撤下",
}
ACTION_LABELS = {
    "created": "新建",
    "edited": "修改",
    "submitted": "送审",
    "recalled": "撤回送审",
    "approved": "审核通过",
    "rejected": "退回修改",
    "published": "发布",
    "withdrawn": "撤下",
}

TITLE_MAX = 120
SUMMARY_MAX = 300
BODY_MAX = 200_000
TAGS_MAX = 8
TAG_MAX = 20

# Rich text as the desk's editor (Trix) or a pasted document produces it: structure, emphasis,
# links, tables, images by address.
_TAGS = {
    "p",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "code",
    "hr",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "span",
    "div",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_SCHEMES = {"http", "https", "mailto"}
_BLANK = re.compile(r"\s+")
_TAG_SPLIT = re.compile(r"[,，;；、\s]+")


def sanitize(body: str) -> str:
    """Rich text reduced to a safe subset: no script, no event handlers, no foreign schemes."""
    return nh3.clean(
        body,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def plain_text(body_html: str) -> str:
    """The words of a page without its markup, for search and summaries."""
    text = nh3.clean(body_html, tags=set(), strip_comments=True)
    return _BLANK.sub(" ", html.unescape(text)).strip()


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    category: str
    title: str
    summary: str
    body_html: str
    tags: tuple[str, ...]
    publish_at: datetime | None


def check_draft(
    *,
    category: str,
    title: str,
    summary: str,
    body: str,
    tags: str,
    publish_at: datetime | None,
) -> tuple[ArticleDraft | None, dict[str, str]]:
    """The cleaned article, or the errors by field (in Chinese)."""
    errors: dict[str, str] = {}
    title = _BLANK.sub(" ", title).strip()
    summary = _BLANK.sub(" ", summary).strip()
    if category not in CATEGORIES:
        errors["category"] = "请选择栏目"
    if not title:
        errors["title"] = "请填写标题"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"标题不能超过 {TITLE_MAX} 个字"
    if len(summary) > SUMMARY_MAX:
        errors["summary"] = f"摘要不能超过 {SUMMARY_MAX} 个字"
    if len(body) > BODY_MAX:
        errors["body"] = "正文过长，请拆分为多篇或改为附件"
    clean = sanitize(body) if "body" not in errors else ""
    if "body" not in errors and not plain_text(clean) and "<img" not in clean:
        errors["body"] = "请填写正文"
    tag_list = tuple(dict.fromkeys(t for t in _TAG_SPLIT.split(tags.strip()) if t))
    if len(tag_list) > TAGS_MAX:
        errors["tags"] = f"标签最多 {TAGS_MAX} 个"
    elif any(len(t) > TAG_MAX for t in tag_list):
        errors["tags"] = f"每个标签不超过 {TAG_MAX} 个字"
    if errors:
        return None, errors
    # Markup typed into the one-line fields is kept as text and escaped when shown.
    summary = summary or plain_text(clean)[:120]
    return ArticleDraft(category, title, summary, clean, tag_list, publish_at), {}


class TransitionError(ValueError):
    """The action does not apply to the article as it stands; the message says why."""


# action -> (statuses it applies to, message when it does not)
_FROM: dict[str, tuple[frozenset[str], str]] = {
    "edit": (
        frozenset({"draft", "scheduled", "published", "withdrawn"}),
        "待审核的信息不能修改，请先撤回送审",
    ),
    "submit": (frozenset({"draft"}), "只有草稿可以送审"),
    "recall": (frozenset({"pending"}), "只有待审核的信息可以撤回"),
    "approve": (frozenset({"pending"}), "该信息不在待审核状态，可能已被他人处理"),
    "reject": (frozenset({"pending"}), "该信息不在待审核状态，可能已被他人处理"),
    "publish_due": (frozenset({"scheduled"}), "该信息不在排期状态"),
}


def next_status(action: str, status: str, *, publish_at: datetime | None = None, now: datetime) -> str:
    """The working copy's status after `action`, or TransitionError."""
    allowed, message = _FROM[action]
    if status not in allowed:
        raise TransitionError(message)
    if action == "approve":
        return "scheduled" if publish_at is not None and publish_at > now else "published"
    if action == "publish_due":
        if publish_at is not None and publish_at > now:
            raise TransitionError("排期时间未到")
        return "published"
    return {"edit": "draft", "submit": "pending", "recall": "draft", "reject": "draft"}[action]


def content_hash(
    *,
    space: str,
    article_id: int,
    revision: int,
    category: str,
    title: str,
    summary: str,
    body_html: str,
    tags: list[str] | tuple[str, ...],
    published_at: datetime,
) -> str:
    """sha256 over the canonical form of a published page (who, which version, what, when)."""
    canonical = json.dumps(
        {
            "space": space,
            "id": article_id,
            "revision": revision,
            "category": category,
            "title": title,
            "summary": summary,
            "body": body_html,
            "tags": list(tags),
            "published_at": published_at.isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
