"""Creating refund rows: sequential ids ("RF-000123") and the one-refund-per-order rule."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from assistant.shop.commerce.policy import Policy
from assistant.shop.storage.clock import add_business_days
from assistant.shop.storage.models import Order, Refund

T = TypeVar("T")
REFUND_ID_PREFIX = "RF-"


def format_refund_id(number: int) -> str:
    return f"{REFUND_ID_PREFIX}{number:06d}"


def next_refund_id(session: Session) -> str:
    """The id after the highest one stored (ids are zero-padded, so text order is numeric order)."""
    current = session.scalar(select(func.max(Refund.id)).where(Refund.id.like(f"{REFUND_ID_PREFIX}%")))
    number = int(current[len(REFUND_ID_PREFIX):]) + 1 if current else 1
    return format_refund_id(number)


def existing_refund(session: Session, order_id: str) -> Refund | None:
    return session.scalar(select(Refund).where(Refund.order_id == order_id))


def add_refund(
    session: Session,
    order: Order,
    *,
    amount: Decimal,
    policy: Policy,
    now: datetime,
    status: str = "requested",
    kind: str = "refund",
    reason: str | None = None,
    conversation_id: str | None = None,
) -> Refund:
    """Insert a refund for ``order`` and flush, so a duplicate raises IntegrityError here."""
    refund = Refund(
        id=next_refund_id(session),
        order_id=order.id,
        amount=amount,
        currency=order.currency,
        status=status,
        kind=kind,
        reason=reason,
        created_at=now,
        updated_at=now,
        expected_by=add_business_days(now.date(), policy.refund_processing_days),
        conversation_id=conversation_id,
    )
    session.add(refund)
    session.flush()
    return refund


def retry_on_conflict(operation: Callable[[], T], attempts: int = 5) -> T:
    """Run ``operation`` (one whole transaction) again when a concurrent writer won a unique-key race.

    The retried operation re-reads the database, so it finds the winner's row
    (for example the refund another request just created) instead of duplicating it.
    A locked SQLite database is retried too, after a short pause.
    """
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except IntegrityError:
            if attempt == attempts:
                raise
        except OperationalError as exc:  # SQLite: another writer held the lock past the busy timeout
            if "locked" not in str(exc).lower() or attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
