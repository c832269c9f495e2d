"""Text messages (SMS) through a provider interface; development keeps them readable. The
message centers: officers' (system notifications, direct messages within a province, messages
from national staff) and national staff's."""

from pharmreg.messaging.center import (
    MAILBOXES,
    Mailbox,
    MessageRead,
    StaffMessageRead,
    inbox,
    message_errors,
    notify,
    open_message,
    resolve_notifications,
    send_direct,
    send_from_national,
    send_to_staff,
    unread_count,
)
from pharmreg.messaging.models import SentMessage
from pharmreg.messaging.schemas import SMS_PURPOSES, SentMessageRead, purpose_label
from pharmreg.messaging.service import RecordingSmsProvider, SmsProvider, recent_messages

__all__ = [
    "MAILBOXES",
    "SMS_PURPOSES",
    "Mailbox",
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
    "purpose_label",
    "recent_messages",
    "resolve_notifications",
    "send_direct",
    "send_from_national",
    "send_to_staff",
    "unread_count",
]
