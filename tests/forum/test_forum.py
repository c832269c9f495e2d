"""论坛: province boards for their own officers, the national board for everyone, moderation."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from pharmreg.forum.models import NationalForumPost, NationalForumThread, TenantForumPost, TenantForumThread
from pharmreg.messaging.models import OfficeMessage
from tests.people import audit_actions

HIDDEN = "该内容已被管理员隐藏"


async def _first_board(browser, base: str) -> str:
    page = await browser.get(f"{base}/")
    assert page.status_code == 200, page.text[:300]
    return re.search(rf'href="{re.escape(base)}/boards/(\d+)"', page.text).group(1)


async def _post_thread(browser, base: str, board: str, title: str, body: str) -> str:
    response = await browser.post(f"{base}/boards/{board}/new", {"title": title, "body": body})
    assert response.status_code == 303, response.text[:500]
    return re.search(r"/threads/(\d+)$", response.headers["location"]).group(1)


async def _count(platform, schema: str | None, model, **where) -> int:
    session = platform.db.national() if schema is None else platform.db.tenant(schema)
    async with session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def _signed_in(new_browser, base: str, login: str, password: str = "Pharmreg#2026"):
    browser = new_browser()
    assert (await browser.sign_in(base, login, password)).status_code == 303
    return browser


async def test_threads_replies_pinning_locking_and_the_reply_notice(platform, new_browser) -> None:
    author = await _signed_in(new_browser, "/p/gd/office", "gd.review")
    colleague = await _signed_in(new_browser, "/p/gd/office", "gd.decide")
    admin = await _signed_in(new_browser, "/p/gd/office", "gd.admin")
    base = "/p/gd/office/forum"
    board = await _first_board(author, base)
    tag = uuid.uuid4().hex[:6]

    first = await _post_thread(author, base, board, f"首次注册材料核验 {tag}", "第一行\n第二行")
    second = await _post_thread(colleague, base, board, f"变更注册时限 {tag}", "请教各位")
    listing = (await author.get(f"{base}/boards/{board}")).text
    assert listing.index(f"变更注册时限 {tag}") < listing.index(
        f"首次注册材料核验 {tag}"
    )  # newest activity first

    replied = await colleague.post(f"{base}/threads/{first}/reply", {"body": "按指南第三条办理"})
    assert replied.status_code == 303
    await colleague.post(f"{base}/threads/{first}/reply", {"body": "补充：需核对原件"})
    page = (await author.get(f"{base}/threads/{first}")).text
    assert page.index("按指南第三条办理") < page.index("补充：需核对原件")  # replies oldest first
    assert "回复（2）" in page and "第一行\n第二行" in page
    listing = (await author.get(f"{base}/boards/{board}")).text
    assert listing.index(f"首次注册材料核验 {tag}") < listing.index(
        f"变更注册时限 {tag}"
    )  # bumped by replies

    # The author hears of replies by others in the message center, not of their own.
    inbox = (await author.get("/p/gd/office/messages/")).text
    assert "论坛：" in inbox and f"回复了您的主题“首次注册材料核验 {tag}”" in inbox
    notice = re.search(rf'href="(/p/gd/office/messages/\d+)">论坛：[^<]*首次注册材料核验 {tag}', inbox)
    body = (await author.get(notice.group(1))).text
    assert "广东省药品监督管理局 " in body and "广东省广东省" not in body  # the bureau named once
    assert (await colleague.post(f"{base}/threads/{second}/reply", {"body": "自己补充"})).status_code == 303
    assert f"回复了您的主题“变更注册时限 {tag}”" not in (await colleague.get("/p/gd/office/messages/")).text

    # Pinned threads come first; only moderators pin.
    refused = await author.post(f"{base}/threads/{second}/moderate", {"action": "pin"})
    assert refused.status_code == 403 and "系统管理员" in refused.text
    assert (await admin.post(f"{base}/threads/{second}/moderate", {"action": "pin"})).status_code == 303
    listing = (await author.get(f"{base}/boards/{board}")).text
    assert listing.index(f"变更注册时限 {tag}") < listing.index(f"首次注册材料核验 {tag}")
    assert "置顶" in listing

    # A locked thread refuses replies, clearly, and stores nothing.
    assert (await author.post(f"{base}/threads/{first}/moderate", {"action": "lock"})).status_code == 403
    assert (await admin.post(f"{base}/threads/{first}/moderate", {"action": "lock"})).status_code == 303
    before = await _count(platform, "tenant_gd", TenantForumPost, thread_id=int(first))
    locked = await colleague.post(f"{base}/threads/{first}/reply", {"body": "还能回复吗"})
    assert locked.status_code == 400 and "该主题已被锁定，不能回复" in locked.text
    assert await _count(platform, "tenant_gd", TenantForumPost, thread_id=int(first)) == before
    assert await audit_actions(platform, "gd", f"thread:{first}") == ["forum_moderated"]  # the lock
    assert await audit_actions(platform, "gd", f"thread:{second}") == ["forum_moderated"]  # the pin


async def test_hidden_content_shows_a_placeholder_to_readers_and_the_text_to_moderators(
    platform, new_browser
) -> None:
    writer = await _signed_in(new_browser, "/p/js/office", "js.review")
    reader = await _signed_in(new_browser, "/p/js/office", "js.accept")
    admin = await _signed_in(new_browser, "/p/js/office", "js.admin")
    base = "/p/js/office/forum"
    board = await _first_board(writer, base)
    tag = uuid.uuid4().hex[:6]
    thread = await _post_thread(writer, base, board, f"关于继续教育学分 {tag}", "原帖内容")
    await reader.post(f"{base}/threads/{thread}/reply", {"body": f"不当言论 {tag}"})
    await writer.post(f"{base}/threads/{thread}/reply", {"body": f"引用原帖的补充 {tag}"})
    page = (await admin.get(f"{base}/threads/{thread}")).text
    post_id = re.search(r'action="/p/js/office/forum/posts/(\d+)/moderate"', page).group(1)

    assert (
        await reader.post(f"{base}/posts/{post_id}/moderate", {"action": "hide", "reason": "x"})
    ).status_code == 403
    no_reason = await admin.post(f"{base}/posts/{post_id}/moderate", {"action": "hide", "reason": " "})
    assert no_reason.status_code == 400 and "请填写隐藏原因" in no_reason.text
    hidden = await admin.post(f"{base}/posts/{post_id}/moderate", {"action": "hide", "reason": "与业务无关"})
    assert hidden.status_code == 303

    seen = (await reader.get(f"{base}/threads/{thread}")).text
    assert HIDDEN in seen and f"不当言论 {tag}" not in seen and "与业务无关" not in seen
    moderated = (await admin.get(f"{base}/threads/{thread}")).text
    assert f"不当言论 {tag}" in moderated and "与业务无关" in moderated
    assert "forum_moderated" in await audit_actions(platform, "js", f"post:{post_id}")

    # A hidden thread: placeholder in the list and on its page; nobody can reply.
    assert (
        await admin.post(f"{base}/threads/{thread}/moderate", {"action": "hide", "reason": "重复发帖"})
    ).status_code == 303
    listing = (await reader.get(f"{base}/boards/{board}")).text
    assert f"关于继续教育学分 {tag}" not in listing and HIDDEN in listing
    page = (await reader.get(f"{base}/threads/{thread}")).text
    assert "原帖内容" not in page and HIDDEN in page
    assert f"引用原帖的补充 {tag}" not in page  # its replies are hidden with it
    assert f"引用原帖的补充 {tag}" in (await admin.get(f"{base}/threads/{thread}")).text
    assert f"关于继续教育学分 {tag}" in (await admin.get(f"{base}/boards/{board}")).text
    refused = await writer.post(f"{base}/threads/{thread}/reply", {"body": "补充"})
    assert refused.status_code == 400 and "该主题已被管理员隐藏，不能回复" in refused.text
    assert await _count(platform, "tenant_js", TenantForumPost, thread_id=int(thread)) == 2


async def test_bad_input_is_refused_clearly_and_nothing_is_stored(platform, new_browser) -> None:
    officer = await _signed_in(new_browser, "/p/gd/office", "gd.cert")
    base = "/p/gd/office/forum"
    board = await _first_board(officer, base)
    before = await _count(platform, "tenant_gd", TenantForumThread)

    empty = await officer.post(f"{base}/boards/{board}/new", {"title": "  ", "body": "正文"})
    assert empty.status_code == 400 and "请填写标题" in empty.text
    long_title = await officer.post(f"{base}/boards/{board}/new", {"title": "长" * 81, "body": "正文"})
    assert long_title.status_code == 400 and "标题不能超过 80 个字" in long_title.text
    long_body = await officer.post(f"{base}/boards/{board}/new", {"title": "标题", "body": "字" * 5001})
    assert long_body.status_code == 400 and "正文不能超过 5000 个字" in long_body.text
    no_body = await officer.post(f"{base}/boards/{board}/new", {"title": "标题", "body": " \n"})
    assert no_body.status_code == 400 and "请填写正文" in no_body.text
    nul_body = await officer.post(f"{base}/boards/{board}/new", {"title": "标题", "body": "\x00 \n"})
    assert nul_body.status_code == 400 and "无法保存的控制字符" in nul_body.text
    assert await _count(platform, "tenant_gd", TenantForumThread) == before
    missing_board = await officer.post(f"{base}/boards/987654/new", {"title": "标题", "body": "正文"})
    assert missing_board.status_code == 404

    # Markup is shown as text, never run.
    markup = '<script>alert("x")</script><b>粗体</b>'
    thread = await _post_thread(officer, base, board, markup, markup)
    page = (await officer.get(f"{base}/threads/{thread}")).text
    assert "<script>alert" not in page and "<b>粗体</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;粗体&lt;/b&gt;" in page
    assert "&lt;script&gt;" in (await officer.get(f"{base}/boards/{board}")).text

    empty_reply = await officer.post(f"{base}/threads/{thread}/reply", {"body": " \r\n "})
    assert empty_reply.status_code == 400 and "请填写回复内容" in empty_reply.text
    long_reply = await officer.post(f"{base}/threads/{thread}/reply", {"body": "字" * 5001})
    assert long_reply.status_code == 400 and "回复内容不能超过 5000 个字" in long_reply.text
    assert await _count(platform, "tenant_gd", TenantForumPost, thread_id=int(thread)) == 0
    missing = await officer.post(f"{base}/threads/987654/reply", {"body": "有人吗"})
    assert missing.status_code == 404
    assert (await officer.get(f"{base}/threads/987654")).status_code == 404
    assert (await officer.get(f"{base}/boards/{board}?page=abc")).status_code == 400


async def test_boards_are_kept_by_the_province_administrators(platform, new_browser) -> None:
    admin = await _signed_in(new_browser, "/p/gd/office", "gd.admin")
    clerk = await _signed_in(new_browser, "/p/gd/office", "gd.accept")
    city_admin = await _signed_in(new_browser, "/p/gd/office", "gd.440100.admin")
    base = "/p/gd/office/forum"
    name = f"政策{uuid.uuid4().hex[:4]}"
    assert (await clerk.post(f"{base}/boards", {"title": name})).status_code == 403
    assert (await city_admin.post(f"{base}/boards", {"title": name})).status_code == 403
    assert (await admin.post(f"{base}/boards", {"title": ""})).status_code == 400
    assert (await admin.post(f"{base}/boards", {"title": "业务交流"})).status_code == 400  # taken
    assert (await admin.post(f"{base}/boards", {"title": name, "description": "政策解读"})).status_code == 303
    page = (await clerk.get(f"{base}/")).text
    board = re.search(rf'/boards/(\d+)">{name}<', page).group(1)
    closed = await admin.post(f"{base}/boards/{board}/edit", {"title": f"{name}档", "closed": "1"})
    assert closed.status_code == 303
    assert f"{name}档" in (await clerk.get(f"{base}/")).text
    refused = await clerk.post(f"{base}/boards/{board}/new", {"title": "新主题", "body": "正文"})
    assert refused.status_code == 400 and "该版块已关闭" in refused.text


async def test_a_province_cannot_see_or_touch_another_provinces_forum(platform, new_browser) -> None:
    gd = await _signed_in(new_browser, "/p/gd/office", "gd.review")
    js_admin = await _signed_in(new_browser, "/p/js/office", "js.admin")
    secret = f"广东内部讨论 {uuid.uuid4().hex[:6]}"
    board = await _first_board(gd, "/p/gd/office/forum")
    thread = await _post_thread(gd, "/p/gd/office/forum", board, secret, f"{secret} 正文")
    gd_posts = await _count(platform, "tenant_gd", TenantForumPost, thread_id=int(thread))

    # Through gd's addresses: sent to sign in, nothing shown or done.
    for path in (
        "/p/gd/office/forum/",
        f"/p/gd/office/forum/boards/{board}",
        f"/p/gd/office/forum/threads/{thread}",
    ):
        response = await js_admin.get(path)
        assert secret not in response.text and response.status_code in (302, 303, 401)
    for path, data in (
        (f"/p/gd/office/forum/threads/{thread}/reply", {"body": "越权回复"}),
        (f"/p/gd/office/forum/threads/{thread}/moderate", {"action": "hide", "reason": "越权"}),
    ):
        assert (await js_admin.post(path, data)).status_code in (302, 303, 401, 403)
    # Guessing the same ids in js: js's own rows (or none), never gd's.
    for path in (f"/p/js/office/forum/boards/{board}", f"/p/js/office/forum/threads/{thread}"):
        assert secret not in (await js_admin.get(path)).text
    await js_admin.post(f"/p/js/office/forum/threads/{thread}/reply", {"body": "越权回复"})
    await js_admin.post(f"/p/js/office/forum/threads/{thread}/moderate", {"action": "hide", "reason": "越权"})
    assert await _count(platform, "tenant_gd", TenantForumPost, thread_id=int(thread)) == gd_posts
    async with platform.db.tenant("tenant_gd") as session:
        row = await session.get(TenantForumThread, int(thread))
        assert row.hidden_at is None and row.title == secret


async def test_the_national_board_is_shared_by_every_province_and_national_staff(
    platform, new_browser
) -> None:
    gd = await _signed_in(new_browser, "/p/gd/office", "gd.review")
    js = await _signed_in(new_browser, "/p/js/office", "js.accept")
    js_admin = await _signed_in(new_browser, "/p/js/office", "js.admin")
    staff = await _signed_in(new_browser, "/national", "nmpa.analyst")
    tag = uuid.uuid4().hex[:6]
    board = await _first_board(gd, "/p/gd/office/forum/national")
    thread = await _post_thread(
        gd, "/p/gd/office/forum/national", board, f"跨省变更注册衔接 {tag}", "各省如何衔接？"
    )

    # js reads and replies through its own office; staff read and reply in the console.
    page = (await js.get(f"/p/js/office/forum/national/threads/{thread}")).text
    assert f"跨省变更注册衔接 {tag}" in page and "广东省" in page
    assert (
        await js.post(f"/p/js/office/forum/national/threads/{thread}/reply", {"body": "江苏按转入地受理"})
    ).status_code == 303
    console = (await staff.get(f"/national/forum/threads/{thread}")).text
    assert "江苏按转入地受理" in console and "江苏省" in console
    assert (
        await staff.post(f"/national/forum/threads/{thread}/reply", {"body": "国家局将出台指引"})
    ).status_code == 303
    assert await _count(platform, None, NationalForumPost, thread_id=int(thread)) == 2

    # The gd author hears of both replies in gd's message center.
    async with platform.db.tenant("tenant_gd") as session:
        notices = await session.scalar(
            select(func.count()).where(
                OfficeMessage.subject.contains(f"跨省变更注册衔接 {tag}"),
                OfficeMessage.link == f"forum/national/threads/{thread}",
            )
        )
    assert notices == 2

    # Province administrators do not moderate the national board; national staff do.
    for path in (
        f"/p/js/office/forum/national/threads/{thread}/moderate",
        "/p/js/office/forum/national/boards",
    ):
        assert (await js_admin.post(path, {"action": "pin"})).status_code in (404, 405)
    assert (
        await staff.post(f"/national/forum/threads/{thread}/moderate", {"action": "lock"})
    ).status_code == 303
    locked = await gd.post(f"/p/gd/office/forum/national/threads/{thread}/reply", {"body": "再补充"})
    assert locked.status_code == 400 and "该主题已被锁定" in locked.text
    assert await _count(platform, None, NationalForumThread, id=int(thread), locked=True) == 1
