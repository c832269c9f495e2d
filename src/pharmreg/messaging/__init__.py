"""Text messages (SMS) through a provider interface; development keeps them readable."""

from pharmreg.messaging.models import SentMessage
from pharmreg.messaging.service import RecordingSmsProvider, SmsProvider, recent_messages

__all__ = ["RecordingSmsProvider", "SentMessage", "SmsProvider", "recent_messages"]
