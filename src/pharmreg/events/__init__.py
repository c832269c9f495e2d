"""The transactional outbox in every schema, its relay, and at-least-once delivery."""

from pharmreg.events.delivery import (
    DeliveryOptions,
    SourceBusyError,
    count_pending,
    deliver_pending,
    pending_summary,
    quiesced,
    release_parked,
)
from pharmreg.events.relay import CHANNEL, Relay
from pharmreg.events.schemas import Consumer, Event, PendingEvent, Source
from pharmreg.events.service import delivery_cursors, index_consumers, record_event

__all__ = [
    "CHANNEL",
    "Consumer",
    "DeliveryOptions",
    "Event",
    "PendingEvent",
    "Relay",
    "Source",
    "SourceBusyError",
    "count_pending",
    "deliver_pending",
    "delivery_cursors",
    "index_consumers",
    "pending_summary",
    "quiesced",
    "record_event",
    "release_parked",
]
