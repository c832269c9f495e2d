"""The SMS log (短信记录): every purpose in words, for the province's administrator and national
super-administrators; one province never reads another's messages."""

from __future__ import annotations

import re
import uuid

from pharmreg.messaging import SMS_PURPOSES, RecordingSmsProvider, purpose_label
from pharmreg.settings import PROJECT_ROOT

_SENT_PURPOSE = re.compile(r"""purpose=["']([a-z_]+)["']""")


def test_every_purpose_a_sender_names_has_a_label() -> None:
    """A new kind of text message cannot reach the log as a raw code: its label must exist."""
    used = {
        purpose
        for path in (PROJECT_ROOT / "src" / "pharmreg").rglob("*.py")
        for purpose in _SENT_PURPOSE.findall(path.read_text(encoding="utf-8"))
    }
    assert {"password_reset", "expiry_reminder", "case_notice"} <= used
    assert used - SMS_PURPOSES.keys() == set()
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in SMS_PURPOSES.values())


def test_a_purpose_nobody_sends_any_more_is_not_shown_as_its_code() -> None:
    assert purpose_label("case_notice") == "申请办理进度通知"
    assert purpose_label("retired_purpose") == "其他短信"


async def test_the_log_shows_purposes_in_words_and_only_the_provinces_own(platform, new_browser) -> None:
    tag = uuid.uuid4().hex[:8]
    sms = RecordingSmsProvider(platform.db, reveal_codes=True)
    for slug, purpose in (("gd", "case_notice"), ("gd", "expiry_reminder"), ("js", "case_notice")):
        text = f"{slug}-{purpose}-{tag}"
        await sms.send(tenant_slug=slug, mobile="13800138000", purpose=purpose, text=text)

    admin = new_browser()
    await admin.sign_in("/p/gd/office", "gd.admin")
    page = (await admin.get("/p/gd/office/admin/messages")).text
    row = re.search(rf"<tr\b[^>]*>(?:(?!</tr>).)*gd-case_notice-{tag}.*?</tr>", page, re.S).group(0)
    assert "申请办理进度通知" in row and ">case_notice<" not in row
    assert re.search(rf"注册到期提醒</td><td[^>]*>gd-expiry_reminder-{tag}", page)
    assert f"js-case_notice-{tag}" not in page  # another province's messages stay there

    root = new_browser()
    await root.sign_in("/national", "nmpa.root")
    national = (await root.get("/national/messages")).text
    row = re.search(rf"<tr\b[^>]*>(?:(?!</tr>).)*js-case_notice-{tag}.*?</tr>", national, re.S).group(0)
    assert "江苏省" in row and "申请办理进度通知" in row and ">case_notice<" not in row
