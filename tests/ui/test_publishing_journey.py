"""信息发布 in a real browser: a publisher writes a notice with the rich-text editor and sends it
for review; a reviewer approves it; the visitor reads it, formatted, and finds it by search."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from tests.ui.test_journeys import sign_in


async def test_write_with_the_editor_review_and_read(new_page) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"关于调整注册受理窗口时间的通知 {marker}"
    writer = await new_page()
    await sign_in(writer, "/p/gd/office", "gd.publish")
    await writer.get_by_role("link", name="信息发布").click()
    await writer.get_by_role("link", name="撰写信息").click()
    await writer.get_by_label("栏目").select_option(label="通知公告")
    await writer.get_by_label("标题").fill(title)
    editor = writer.locator("trix-editor")
    await expect(editor).to_be_visible()
    await expect(writer.get_by_role("button", name="加粗")).to_be_visible()  # Chinese toolbar
    await editor.click()
    await editor.type("各地市局：")
    await editor.press("Enter")
    await writer.get_by_role("button", name="加粗").click()
    await editor.type("自下月起")
    await writer.get_by_role("button", name="加粗").click()
    await editor.type("，窗口工作时间调整为工作日 9:00–17:30。")
    await writer.get_by_label("标签（用空格或逗号分隔，最多 8 个）").fill("窗口 通知")
    await writer.get_by_role("button", name="保存草稿").click()
    await expect(writer.get_by_role("status")).to_contain_text("已保存")
    preview = writer.locator("article.prose")
    await expect(preview.locator("strong")).to_have_text("自下月起")
    await writer.get_by_role("button", name="送审").click()
    await expect(writer.get_by_role("status")).to_contain_text("已送审")

    reviewer = await new_page()
    await sign_in(reviewer, "/p/gd/office", "gd.editor")
    await reviewer.get_by_role("link", name="信息发布").click()
    await reviewer.get_by_role("link", name=re.compile("篇待审核")).click()
    await reviewer.get_by_role("link", name=title).click()
    await reviewer.get_by_role("button", name="审核通过").click()
    await expect(reviewer.get_by_role("status")).to_contain_text("审核通过")

    visitor = await new_page()
    await visitor.goto("/p/gd/articles/")
    await visitor.get_by_label("搜索").fill(f"窗口工作时间 {marker}")
    await visitor.get_by_role("button", name="搜索").click()
    await visitor.get_by_role("link", name=title).click()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    await expect(visitor.locator(".prose strong")).to_have_text("自下月起")
