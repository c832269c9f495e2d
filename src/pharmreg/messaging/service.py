"""Sending text messages through a provider, and reading what the development provider kept."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from pharmreg.kit.db import Database
from pharmreg.kit.logging import get_logger
from pharmreg.messaging import repository
from pharmreg.messaging.models import SentMessage
from pharmreg.messaging.schemas import SentMessageRead, purpose_label

log = get_logger(__name__)


class SmsProvider(Protocol):
    """Delivers a text message to a mobile number (a telecom gateway in production)."""

    name: str

    async def send(self, *, tenant_slug: str, mobile: str, purpose: str, text: str, secret: str = "") -> None:
        """Send `text`; `secret` is the one-time code within it, which no record may show."""
        ...


class RecordingSmsProvider:
    """Development provider: keeps every message in `national.sent_message` for administrators.

    Where no telecom gateway is configured, the reset and alert flows run end to end against
    this provider, and an administrator reads the messages in the back office.
    """

    name = "recording"

    def __init__(self, db: Database, *, reveal_codes: bool) -> None:
        # Only where no real person can be harmed (development, tests) do records show the
        # codes: there, reading them is how a reset is completed. In production they are masked.
        self._db = db
        self._reveal_codes = reveal_codes

    async def send(self, *, tenant_slug: str, mobile: str, purpose: str, text: str, secret: str = "") -> None:
        kept = text if self._reveal_codes or not secret else text.replace(secret, "*" * len(secret))
        async with self._db.national() as session, session.begin():
            session.add(
                SentMessage(
                    tenant_slug=tenant_slug, mobile=mobile, purpose=purpose, text=kept, provider=self.name
                )
            )
        log.info(
            "sms.recorded", tenant=tenant_slug, purpose=purpose, mobile=mobile[:3] + "****" + mobile[-4:]
        )


async def recent_messages(
    session: AsyncSession, *, tenant_slug: str | None, limit: int = 100
) -> list[SentMessageRead]:
    """The newest recorded messages, of one tenant or (None) of all, each purpose in words."""
    return [
        SentMessageRead(
            at=m.at,
            tenant_slug=m.tenant_slug,
            mobile=m.mobile,
            purpose=m.purpose,
            purpose_label=purpose_label(m.purpose),
            text=m.text,
        )
        for m in await repository.sent_messages(session, tenant_slug=tenant_slug, limit=limit)
    ]
