"""Text messages (SMS) through a provider interface; development keeps them readable. The
officers' message center: system notifications and direct messages within a province."""

from pharmreg.messaging.center import MessageRead, inbox, notify, open_message, send_direct, unread_count
from pharmreg.messaging.models import SentMessage
from pharmreg.messaging.service import RecordingSmsProvider, SmsProvider, recent_messages

__all__ = [
    "MessageRead",
    "RecordingSmsProvider",
    "SentMessage",
    "SmsProvider",
    "inbox",
    "notify",
    "open_message",
    "recent_messages",
    "send_direct",
    "unread_count",
]
