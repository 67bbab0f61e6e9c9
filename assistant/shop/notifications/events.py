"""The order events that notify a shopper, and how a state change records one (the outbox row)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.shop.storage.models import OrderEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventKind:
    name: str
    urgent: bool  # urgent events are sent during quiet hours too


# The one list of notification kinds. A delay is urgent: someone may be staying home for the parcel.
KINDS: dict[str, EventKind] = {kind.name: kind for kind in (
    EventKind("shipped", urgent=False),
    EventKind("delayed", urgent=True),
    EventKind("delivered", urgent=False),
    EventKind("refund_issued", urgent=False),
    EventKind("return_received", urgent=False),
)}


def record_event(session: Session, *, kind: str, order_id: str, customer_id: int, dedupe_key: str,
                 payload: Mapping[str, Any], now: datetime) -> bool:
    """Adds the outbox row for ``kind`` to ``session``'s transaction; False when ``dedupe_key`` exists.

    Call it inside the transaction that makes the change, so both commit or neither does. A concurrent
    writer with the same key makes the flush raise ``IntegrityError``: the caller's transaction retries
    (``retry_on_conflict``) and then finds the row.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; known: {sorted(KINDS)}")
    if session.scalar(select(OrderEvent.id).where(OrderEvent.dedupe_key == dedupe_key)) is not None:
        logger.debug("order event %s already recorded", dedupe_key)
        return False
    session.add(OrderEvent(kind=kind, order_id=order_id, customer_id=customer_id, payload=dict(payload),
                           dedupe_key=dedupe_key, urgent=KINDS[kind].urgent, status="pending",
                           created_at=now, attempts=0))
    session.flush()
    logger.info("order %s: %s event recorded", order_id, kind)
    return True
