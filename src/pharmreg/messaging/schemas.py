"""Text messages as the back office shows them, and what each kind of message is for."""

from __future__ import annotations

from datetime import datetime

import msgspec

# Why a text message was sent (the `purpose` every sender names), as administrators read it in
# the SMS log. Every purpose a sender uses has its label here (a test checks the senders).
SMS_PURPOSES = {
    "password_reset": "找回密码验证码",
    "expiry_reminder": "注册到期提醒",
    "case_notice": "申请办理进度通知",
    "register_code": "注册账号验证码",
    "dispute_code": "账号申诉验证码",
    "dispute_filed": "账号申诉受理通知",
    "dispute_decided": "账号申诉结果通知",
    "sign_in_alert": "登录异常提醒",
}


def purpose_label(purpose: str) -> str:
    """A purpose in words; one no sender uses any more is shown as "其他短信", never as its code."""
    return SMS_PURPOSES.get(purpose, "其他短信")


class SentMessageRead(msgspec.Struct, frozen=True):
    at: datetime
    tenant_slug: str
    mobile: str
    purpose: str
    purpose_label: str
    text: str
