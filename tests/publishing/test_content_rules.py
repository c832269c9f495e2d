"""The content system's pure rules: sanitising, the form, the state machine, search terms, hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pharmreg.publishing.content import TransitionError, check_draft, content_hash, next_status, sanitize
from pharmreg.publishing.search import query_literal, vector_literal

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_rich_text_keeps_structure_and_loses_script() -> None:
    dirty = (
        '<h2 onclick="x()">通知</h2><p style="color:red">正文<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">链接</a><a href="https://www.nmpa.gov.cn/">国家局</a>'
        '<img src="x" onerror="steal()"><iframe src="https://evil"></iframe><table><tr><td>表</td></tr></table>'
    )
    clean = sanitize(dirty)
    for gone in ("script", "onclick", "onerror", "javascript:", "iframe", "style="):
        assert gone not in clean
    assert "<h2>通知</h2>" in clean and "<td>表</td>" in clean
    assert '<a href="https://www.nmpa.gov.cn/" rel="noopener noreferrer">国家局</a>' in clean


def test_the_form_refuses_what_it_must_and_cleans_the_rest() -> None:
    draft, errors = check_draft(
        category="x", title=" ", summary="", body="<script>1</script>", tags="", publish_at=None
    )
    assert draft is None and set(errors) == {"category", "title", "body"}
    _, errors = check_draft(
        category="notice",
        title="标" * 121,
        summary="",
        body="<p>正文</p>",
        tags="a b c d e f g h i",
        publish_at=None,
    )
    assert errors["title"] == "标题不能超过 120 个字" and errors["tags"] == "标签最多 8 个"
    draft, errors = check_draft(
        category="notice",
        title="关于  <b>注册</b>\n的通知",
        summary="",
        body="<p>执业药师注册<script>x</script>工作</p>",
        tags="注册，通知 注册",
        publish_at=None,
    )
    assert not errors and draft is not None
    assert draft.title == "关于 <b>注册</b> 的通知"  # kept as text, escaped when shown
    assert draft.tags == ("注册", "通知") and draft.summary == "执业药师注册工作"


@pytest.mark.parametrize(
    ("action", "status", "publish_at", "expected"),
    [
        ("submit", "draft", None, "pending"),
        ("approve", "pending", None, "published"),
        ("approve", "pending", NOW + timedelta(hours=2), "scheduled"),
        ("approve", "pending", NOW - timedelta(hours=2), "published"),
        ("reject", "pending", None, "draft"),
        ("recall", "pending", None, "draft"),
        ("edit", "published", None, "draft"),
        ("publish_due", "scheduled", NOW, "published"),
    ],
)
def test_state_machine(action: str, status: str, publish_at: datetime | None, expected: str) -> None:
    assert next_status(action, status, publish_at=publish_at, now=NOW) == expected


@pytest.mark.parametrize(
    ("action", "status"),
    [("edit", "pending"), ("submit", "pending"), ("approve", "draft"), ("reject", "published")],
)
def test_state_machine_refuses(action: str, status: str) -> None:
    with pytest.raises(TransitionError):
        next_status(action, status, now=NOW)
    with pytest.raises(TransitionError, match="排期时间未到"):
        next_status("publish_due", "scheduled", publish_at=NOW + timedelta(minutes=1), now=NOW)


def test_search_terms_are_bigrams_with_phrases_and_prefixes() -> None:
    vector = vector_literal(title="执业药师", summary="", body="2026年 CE 学分", tags=[])
    assert "'执业':1A" in vector and "'业药':2A" in vector and "'药师':3A" in vector and "'师':4A" in vector
    assert "'2026':" in vector and "'ce':" in vector and "'学分':" in vector
    assert query_literal("执业药师 注册") == "('执业' <-> '业药' <-> '药师') & ('注册')"
    assert query_literal("药") == "'药':*"
    assert query_literal("  ！？  ") is None
    assert query_literal("'); drop table x; --") == "'drop' & 'table' & 'x'"


def test_content_hash_changes_with_any_part_of_the_page() -> None:
    base = {
        "space": "gd",
        "article_id": 1,
        "revision": 2,
        "category": "notice",
        "title": "通知",
        "summary": "摘要",
        "body_html": "<p>正文</p>",
        "tags": ["注册"],
        "published_at": NOW,
    }
    digest = content_hash(**base)
    assert len(digest) == 64 and digest == content_hash(**base)
    for key, value in (("space", "js"), ("body_html", "<p>正文。</p>"), ("title", "通知 "), ("revision", 3)):
        assert content_hash(**{**base, key: value}) != digest
