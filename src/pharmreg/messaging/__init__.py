"""Text messages (SMS) through a provider interface; development keeps them readable. The
officers' message center: system notifications and direct messages within a province."""

from pharmreg.messaging.center import (
    MessageRead,
    StaffMessageRead,
    inbox,
    message_errors,
    notify,
    open_message,
    open_staff_message,
    resolve_notifications,
    send_direct,
    send_from_national,
    send_to_staff,
    staff_inbox,
    staff_unread_count,
    unread_count,
)
from pharmreg.messaging.models import SentMessage
from pharmreg.messaging.schemas import SMS_PURPOSES, SentMessageRead, purpose_label
from pharmreg.messaging.service import RecordingSmsProvider, SmsProvider, recent_messages

__all__ = [
    "SMS_PURPOSES",
    "MessageRead",
    "RecordingSmsProvider",
    "SentMessage",
    "SentMessageRead",
    "SmsProvider",
    "StaffMessageRead",
    "inbox",
    "message_errors",
    "notify",
    "open_message",
    "open_staff_message",
    "purpose_label",
    "recent_messages",
    "resolve_notifications",
    "send_direct",
    "send_from_national",
    "send_to_staff",
    "staff_inbox",
    "staff_unread_count",
    "unread_count",
]
