"""信息发布 end to end: draft → review → publish (now or scheduled) → public page and search,
revisions, withdrawal, attachments, tamper detection, and provinces kept apart."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from pharmreg.kit.clock import utcnow
from pharmreg.kit.db import transaction
from pharmreg.publishing import province_space, publish_scheduled, tampered_pages
from pharmreg.publishing.models import ProvinceArticle, ProvinceArticleLive
from tests.applications.files import pdf
from tests.people import STRONG, make_officer

DESK = "/p/{slug}/office/publishing"


async def _draft(browser, slug: str, **fields) -> int:
    values = {
        "category": "notice",
        "title": "关于开展执业药师注册工作的通知",
        "body": "<p>各地市局：</p>",
        "tags": "注册",
    }
    response = await browser.post(f"{DESK.format(slug=slug)}/new", {**values, **fields})
    assert response.status_code == 303, response.text[:600]
    return int(re.search(r"/publishing/(\d+)", response.headers["location"]).group(1))


async def _act(browser, slug: str, article_id: int, action: str, note: str = ""):
    return await browser.post(f"{DESK.format(slug=slug)}/{article_id}/{action}", {"note": note})


async def _rows(platform, slug: str):
    async with platform.db.tenant(f"tenant_{slug}") as session:
        return (await session.execute(select(ProvinceArticle.id, ProvinceArticle.title))).all()


async def test_a_notice_goes_from_draft_through_review_to_the_portal_and_its_search(
    new_browser, client
) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    article_id = await _draft(
        writer,
        "gd",
        title="关于2027年度执业药师注册<script>alert(1)</script>工作的通知",
        body='<p onclick="steal()">请各地市局做好变更注册受理工作。</p><script>alert(2)</script>',
        tags="注册 通知",
    )
    # Not public before review.
    assert (await client.get(f"/p/gd/articles/{article_id}")).status_code == 404
    assert (await _act(writer, "gd", article_id, "submit")).status_code == 303
    # The reviewer heard of it in the message center.
    inbox = await reviewer.get("/p/gd/office/messages/")
    assert "信息待审核：关于2027年度执业药师注册" in inbox.text
    desk = await reviewer.get(f"{DESK.format(slug='gd')}/?status=pending")
    assert f"/publishing/{article_id}" in desk.text
    approved = await _act(reviewer, "gd", article_id, "approve", "同意发布")
    assert approved.status_code == 303

    page = await client.get(f"/p/gd/articles/{article_id}")
    assert page.status_code == 200
    assert "请各地市局做好变更注册受理工作。" in page.text
    assert "steal()" not in page.text and "alert(2)" not in page.text
    assert (
        "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    )
    assert re.search(r"内容校验码（SHA-256）：<code>[0-9a-f]{64}</code>", page.text)

    for query in ("变更注册", "注册 通知", "药师", "2027", "药"):
        found = await client.get("/p/gd/articles/", params={"q": query})
        assert f"/p/gd/articles/{article_id}" in found.text, query
    missing = await client.get("/p/gd/articles/", params={"q": "注册变更"})  # the words, not the phrase
    assert f"/p/gd/articles/{article_id}" not in missing.text
    highlighted = await client.get(
        "/p/gd/articles/", params={"q": "变更注册"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in highlighted.text and "条结果" in highlighted.text
    assert "请各地市局做好<mark>变更注册</mark>受理工作。" in highlighted.text
    # The author heard of the approval.
    assert "已审核通过并发布" in (await writer.get("/p/gd/office/messages/")).text
    # Another province sees none of it, in its portal, its search or its back office.
    assert "变更注册受理工作" not in (await client.get(f"/p/js/articles/{article_id}")).text
    assert (
        f"/p/js/articles/{article_id}"
        not in (await client.get("/p/js/articles/", params={"q": "变更注册"})).text
    )
    outsider = new_browser()
    await outsider.sign_in("/p/js/office", "js.publish")
    assert "变更注册受理工作" not in (await outsider.get(f"{DESK.format(slug='js')}/{article_id}")).text
    refused = await outsider.post(f"{DESK.format(slug='gd')}/{article_id}/withdraw", {"note": "x"})
    assert refused.status_code == 303 and "/p/gd/office/login" in refused.headers["location"]
    assert (await client.get(f"/p/gd/articles/{article_id}")).status_code == 200


async def test_edits_of_a_published_page_wait_for_review_and_history_keeps_every_version(
    new_browser, client, platform
) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    article_id = await _draft(
        writer, "gd", title="继续教育学分登记说明", body="<p>第一版内容</p>", category="ce"
    )
    await _act(writer, "gd", article_id, "submit")
    await _act(reviewer, "gd", article_id, "approve")
    form = await writer.get(f"{DESK.format(slug='gd')}/{article_id}/edit")
    revision = re.search(r'name="revision" value="(\d+)"', form.text).group(1)
    edit = {
        "category": "ce",
        "title": "继续教育学分登记说明",
        "body": "<p>第二版内容</p>",
        "revision": revision,
    }
    assert (await writer.post(f"{DESK.format(slug='gd')}/{article_id}/edit", edit)).status_code == 303
    # A second save from the same stale form is refused, and nothing changes.
    stale = await writer.post(f"{DESK.format(slug='gd')}/{article_id}/edit", {**edit, "body": "<p>覆盖</p>"})
    assert stale.status_code == 400 and "已被他人修改" in stale.text
    page = await client.get(f"/p/gd/articles/{article_id}")
    assert "第一版内容" in page.text and "第二版内容" not in page.text
    # Rejecting needs a reason; the reason reaches the author.
    await _act(writer, "gd", article_id, "submit")
    no_reason = await _act(reviewer, "gd", article_id, "reject")
    assert no_reason.status_code == 409 and "退回时请填写修改意见" in no_reason.text
    assert (await _act(reviewer, "gd", article_id, "reject", "请补充办理时限")).status_code == 303
    shown = await writer.get(f"{DESK.format(slug='gd')}/{article_id}")
    assert "审核意见：请补充办理时限" in shown.text
    assert "被退回修改" in (await writer.get("/p/gd/office/messages/")).text
    await _act(writer, "gd", article_id, "submit")
    await _act(reviewer, "gd", article_id, "approve")
    assert "第二版内容" in (await client.get(f"/p/gd/articles/{article_id}")).text

    history = await writer.get(f"{DESK.format(slug='gd')}/{article_id}/history")
    for label in ("新建", "送审", "审核通过", "发布", "修改", "退回修改"):
        assert label in history.text
    first = re.findall(rf"/publishing/{article_id}/history/(\d+)", history.text)[-1]  # oldest last
    assert "第一版内容" in (await writer.get(f"{DESK.format(slug='gd')}/{article_id}/history/{first}")).text

    # Withdrawn: gone from the portal, still in the back office.
    no_note = await _act(writer, "gd", article_id, "withdraw")
    assert no_note.status_code == 409
    assert (await _act(writer, "gd", article_id, "withdraw", "政策调整")).status_code == 303
    assert (await client.get(f"/p/gd/articles/{article_id}")).status_code == 404
    assert "已撤下" in (await writer.get(f"{DESK.format(slug='gd')}/{article_id}")).text

    progress = await writer.get(f"{DESK.format(slug='gd')}/progress")
    assert "各部门工作进度" in progress.text and "广东省药品监督管理局" in progress.text
    bad_period = await writer.get(
        f"{DESK.format(slug='gd')}/progress", params={"from": "2026-12-01", "to": "2026-01-01"}
    )
    assert "结束日期不能早于开始日期" in bad_period.text


async def test_reviewers_do_not_approve_their_own_work_and_publishers_do_not_review(
    new_browser, platform
) -> None:
    await make_officer(platform, "gd", "gd.both", ("publishing", "publishing_review"), name="双岗")
    both, writer = new_browser(), new_browser()
    await both.sign_in("/p/gd/office", "gd.both", STRONG)
    await writer.sign_in("/p/gd/office", "gd.publish")
    article_id = await _draft(both, "gd", title="自审测试")
    await _act(both, "gd", article_id, "submit")
    page = (await both.get(f"{DESK.format(slug='gd')}/{article_id}")).text
    assert f"/{article_id}/approve" not in page and "须由其他审核人员审核" in page
    own = await _act(both, "gd", article_id, "approve")
    assert own.status_code == 409 and "不能审核自己撰写或送审的信息" in own.text
    # Sent for review by a colleague, it is still the reviewer's own writing.
    await _act(both, "gd", article_id, "recall")
    await _act(writer, "gd", article_id, "submit")
    written = await _act(both, "gd", article_id, "approve")
    assert written.status_code == 409 and "不能审核自己撰写或送审的信息" in written.text
    not_reviewer = await _act(writer, "gd", article_id, "approve")
    assert not_reviewer.status_code == 409 and "您没有信息审核岗位" in not_reviewer.text
    pending_edit = await writer.post(
        f"{DESK.format(slug='gd')}/{article_id}/edit",
        {"category": "notice", "title": "改", "body": "<p>x</p>", "revision": "2"},
    )
    assert pending_edit.status_code == 400 and "请先撤回送审" in pending_edit.text
    edit_form = await writer.get(f"{DESK.format(slug='gd')}/{article_id}/edit")
    assert (
        edit_form.status_code == 409
        and "请先撤回送审" in edit_form.text
        and 'name="title"' not in edit_form.text
    )
    reviewer = new_browser()
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    assert f"/{article_id}/approve" in (await reviewer.get(f"{DESK.format(slug='gd')}/{article_id}")).text
    # Officers without either post do not reach the desk at all.
    clerk = new_browser()
    await clerk.sign_in("/p/gd/office", "gd.accept")
    assert (await clerk.get(f"{DESK.format(slug='gd')}/")).status_code == 403


async def test_bad_input_is_refused_with_reasons_and_nothing_is_stored(new_browser, platform) -> None:
    writer = new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    before = await _rows(platform, "gd")
    cases = [
        ({"category": "nonsense", "title": "x", "body": "<p>x</p>"}, "请选择栏目"),
        ({"category": "notice", "title": "", "body": "<p>x</p>"}, "请填写标题"),
        ({"category": "notice", "title": "x", "body": "<script>only()</script>"}, "请填写正文"),
        (
            {"category": "notice", "title": "x", "body": "<p>x</p>", "publish_at": "明天"},
            "发布时间格式不正确",
        ),
        ({"category": "notice", "title": "x", "body": "x" * 200_001}, "正文过长"),
        (
            {"category": "notice", "title": "x", "body": "<p>x</p>", "tags": "a" * 21},
            "每个标签不超过 20 个字",
        ),
    ]
    for form, message in cases:
        response = await writer.post(f"{DESK.format(slug='gd')}/new", form)
        assert response.status_code == 400 and message in response.text, message
    assert await _rows(platform, "gd") == before


async def test_attachments_are_checked_and_served_only_as_approved(new_browser, client) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    article_id = await _draft(writer, "gd", title="2027年度考试报名通知", category="exam")
    base = f"{DESK.format(slug='gd')}/{article_id}/attachments"
    disguised = await writer.post(
        base, {}, files={"file": ("报名表.pdf", b"MZ\x90\x00" + b"\x00" * 300, "application/pdf")}
    )
    assert disguised.status_code == 400 and "文件内容不是" in disguised.text
    oversize = await writer.post(
        base, {}, files={"file": ("大.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024), "application/pdf")}
    )
    assert oversize.status_code == 400 and "文件超过 20 MB" in oversize.text
    renamed = await writer.post(base, {}, files={"file": ("报名表.docx", pdf("form"), "application/pdf")})
    assert renamed.status_code == 400 and "扩展名与内容不符" in renamed.text
    assert (
        await writer.post(base, {}, files={"file": ("报名表.pdf", pdf("form"), "application/pdf")})
    ).status_code == 303
    await _act(writer, "gd", article_id, "submit")
    await _act(reviewer, "gd", article_id, "approve")
    page = await client.get(f"/p/gd/articles/{article_id}")
    link = re.search(rf"/p/gd/articles/{article_id}/files/(\d+)", page.text)
    assert link and "报名表.pdf" in page.text
    download = await client.get(link.group(0))
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download.headers["x-content-type-options"] == "nosniff"
    # The approved file cannot be removed while it is on line.
    removed = await writer.post(f"{base}/{link.group(1)}/delete", {})
    assert removed.status_code == 409 and "正在发布的版本" in removed.text
    assert (await client.get(f"/p/js/articles/{article_id}/files/{link.group(1)}")).status_code == 404


async def test_scheduled_articles_go_on_line_when_due(new_browser, client, platform) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    article_id = await _draft(writer, "gd", title="定时发布的考试安排", publish_at="2099-01-01T09:00")
    await _act(writer, "gd", article_id, "submit")
    await _act(reviewer, "gd", article_id, "approve")
    assert "已排期" in (await writer.get(f"{DESK.format(slug='gd')}/{article_id}")).text
    assert (await client.get(f"/p/gd/articles/{article_id}")).status_code == 404
    ctx = platform.job_ctx([platform.directory.get("gd")])
    await publish_scheduled(ctx)
    assert (await client.get(f"/p/gd/articles/{article_id}")).status_code == 404  # not yet due
    async with platform.db.tenant("tenant_gd") as session, transaction(session):
        await session.execute(
            update(ProvinceArticle)
            .where(ProvinceArticle.id == article_id)
            .values(publish_at=utcnow() - timedelta(minutes=1))
        )
    assert await publish_scheduled(ctx) >= 1
    assert await publish_scheduled(ctx) == 0  # idempotent
    assert "定时发布的考试安排" in (await client.get(f"/p/gd/articles/{article_id}")).text


async def test_a_tampered_page_is_detected_and_not_shown(new_browser, client, platform) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    article_id = await _draft(writer, "gd", title="注册受理时限公告", body="<p>20 个工作日内办结</p>")
    await _act(writer, "gd", article_id, "submit")
    await _act(reviewer, "gd", article_id, "approve")
    async with platform.db.tenant("tenant_gd") as session, transaction(session):
        await session.execute(
            update(ProvinceArticleLive)
            .where(ProvinceArticleLive.article_id == article_id)
            .values(body_html="<p>2 个工作日内办结</p>")
        )
    page = await client.get(f"/p/gd/articles/{article_id}")
    assert page.status_code == 503 and "2 个工作日内办结" not in page.text and "暂停显示" in page.text
    async with platform.db.tenant("tenant_gd") as session:
        assert article_id in await tampered_pages(session, space=province_space("gd"))


async def test_national_staff_publish_on_the_national_portal(new_browser, client) -> None:
    staff, root = new_browser(), new_browser()
    await staff.sign_in("/national", "nmpa.admin")
    await root.sign_in("/national", "nmpa.root")
    response = await staff.post(
        "/national/publishing/new",
        {
            "category": "policy",
            "title": "执业药师注册管理办法（全文）",
            "body": "<p>第一条 为规范执业药师注册管理……</p>",
        },
    )
    assert response.status_code == 303
    article_id = int(response.headers["location"].split("/")[-1].split("?")[0])
    await staff.post(f"/national/publishing/{article_id}/submit", {})
    assert "您没有信息审核岗位" in (await staff.post(f"/national/publishing/{article_id}/approve", {})).text
    assert (await root.post(f"/national/publishing/{article_id}/approve", {})).status_code == 303
    listing = await client.get("/articles/", params={"category": "policy"})
    assert f"/articles/{article_id}" in listing.text
    assert "规范执业药师注册管理" in (await client.get(f"/articles/{article_id}")).text
    # Provinces' officers do not reach the national desk.
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.publish")
    refused = await officer.get("/national/publishing/")
    assert refused.status_code == 303 and "/national/login" in refused.headers["location"]
