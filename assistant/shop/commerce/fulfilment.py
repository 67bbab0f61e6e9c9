"""The warehouse's and the carrier's side of an order: shipping, delays, delivery, returns, refunds paid.

Each change writes its notification event (``order_events``) in the same transaction
(:func:`assistant.shop.notifications.events.record_event`), so a shopper is told about every change that
committed and about nothing that did not. Repeating a change is harmless: it returns ``ok`` with the
reason ``already`` and records nothing new (the event's dedupe key holds too).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.commerce.order_ids import canonical_order_id
from assistant.shop.commerce.policy import Policy
from assistant.shop.commerce.refund_records import existing_refund, retry_on_conflict
from assistant.shop.notifications.events import record_event
from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import Order

logger = logging.getLogger(__name__)

FulfilmentReason = Literal[
    "done", "already", "not_found", "wrong_status", "unknown_carrier", "bad_tracking_number",
    "not_later", "no_refund", "no_return_request",
]
MAX_TRACKING_LENGTH = 40


@dataclass(frozen=True)
class FulfilmentResult:
    ok: bool
    reason: FulfilmentReason
    order_id: str
    status: str | None = None           # the order's status afterwards
    event_recorded: bool = False


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class FulfilmentService:
    """State transitions after payment; every one that reaches the shopper records an order event."""

    def __init__(self, session_factory: sessionmaker[Session], policy: Policy) -> None:
        self._sessions = session_factory
        self.policy = policy

    def _run(self, order_id: str, now: datetime | None, change: Any) -> FulfilmentResult:
        oid = canonical_order_id(order_id)
        moment = resolve_now(now)

        def transaction() -> FulfilmentResult:
            with self._sessions() as session, session.begin():
                order = session.get(Order, oid, with_for_update=True)
                if order is None:
                    return FulfilmentResult(False, "not_found", oid)
                return change(session, order, moment)

        return retry_on_conflict(transaction)

    # -- shipping ------------------------------------------------------------------------------
    def mark_shipped(self, order_id: str, carrier: str, tracking_number: str,
                     estimated_delivery: date | None = None, now: datetime | None = None) -> FulfilmentResult:
        """A paid order leaves the warehouse with ``carrier`` and ``tracking_number``."""
        if carrier not in self.policy.carriers:
            return FulfilmentResult(False, "unknown_carrier", canonical_order_id(order_id))
        tracking = str(tracking_number or "").strip()
        if not tracking or len(tracking) > MAX_TRACKING_LENGTH or not tracking.replace("-", "").isalnum():
            return FulfilmentResult(False, "bad_tracking_number", canonical_order_id(order_id))

        def change(session: Session, order: Order, now: datetime) -> FulfilmentResult:
            if order.status == "shipped" and order.tracking_number == tracking:
                return FulfilmentResult(True, "already", order.id, order.status)
            if order.status != "paid":
                return FulfilmentResult(False, "wrong_status", order.id, order.status)
            eta = estimated_delivery or now.date() + timedelta(days=self.policy.carriers[carrier].transit_days)
            order.status, order.shipped_at, order.ship_by = "shipped", now, None
            order.carrier, order.tracking_number, order.estimated_delivery = carrier, tracking, eta
            recorded = record_event(
                session, kind="shipped", order_id=order.id, customer_id=order.customer_id,
                dedupe_key=f"shipped:{order.id}", now=now,
                payload={"order_id": order.id, "carrier": carrier, "tracking_number": tracking,
                         "tracking_url": self.policy.carriers[carrier].tracking_link(tracking),
                         "estimated_delivery": eta.isoformat()})
            logger.info("order %s shipped with %s", order.id, carrier)
            return FulfilmentResult(True, "done", order.id, order.status, recorded)

        return self._run(order_id, now, change)

    def mark_delayed(self, order_id: str, new_estimate: date, now: datetime | None = None) -> FulfilmentResult:
        """A shipped order will arrive after its expected date: the new estimate must be later."""

        def change(session: Session, order: Order, now: datetime) -> FulfilmentResult:
            if order.status != "shipped":
                return FulfilmentResult(False, "wrong_status", order.id, order.status)
            previous = order.estimated_delivery
            if previous is not None and new_estimate <= previous:
                return FulfilmentResult(False, "not_later", order.id, order.status)
            order.estimated_delivery = new_estimate
            recorded = record_event(
                session, kind="delayed", order_id=order.id, customer_id=order.customer_id,
                dedupe_key=f"delayed:{order.id}:{new_estimate.isoformat()}", now=now,
                payload={"order_id": order.id, "carrier": order.carrier, "tracking_number": order.tracking_number,
                         "previous_estimate": previous.isoformat() if previous else None,
                         "estimated_delivery": new_estimate.isoformat()})
            logger.info("order %s delayed", order.id)
            return FulfilmentResult(True, "done", order.id, order.status, recorded)

        return self._run(order_id, now, change)

    def flag_overdue(self, today: date, grace_days: int = 1, look_back_days: int = 3,
                     now: datetime | None = None) -> list[str]:
        """Shipped orders whose expected date passed (within the last ``look_back_days``): each gets a
        delay event and a new estimate ``grace_days`` from today. Returns their ids."""
        with self._sessions() as session:
            overdue = session.scalars(select(Order.id).where(
                Order.status == "shipped", Order.estimated_delivery < today,
                Order.estimated_delivery >= today - timedelta(days=look_back_days))).all()
        flagged = []
        for oid in overdue:
            if self.mark_delayed(oid, today + timedelta(days=grace_days), now=now).event_recorded:
                flagged.append(oid)
        return flagged

    def mark_delivered(self, order_id: str, now: datetime | None = None) -> FulfilmentResult:
        """The carrier delivered a shipped order."""

        def change(session: Session, order: Order, now: datetime) -> FulfilmentResult:
            if order.status == "delivered":
                return FulfilmentResult(True, "already", order.id, order.status)
            if order.status != "shipped":
                return FulfilmentResult(False, "wrong_status", order.id, order.status)
            order.status, order.delivered_at = "delivered", now
            recorded = record_event(
                session, kind="delivered", order_id=order.id, customer_id=order.customer_id,
                dedupe_key=f"delivered:{order.id}", now=now,
                payload={"order_id": order.id, "carrier": order.carrier, "delivered_on": now.date().isoformat(),
                         "return_by": (now.date() + timedelta(days=self.policy.return_window_days)).isoformat()})
            logger.info("order %s delivered", order.id)
            return FulfilmentResult(True, "done", order.id, order.status, recorded)

        return self._run(order_id, now, change)

    # -- returns and refunds -------------------------------------------------------------------
    def receive_return(self, order_id: str, now: datetime | None = None) -> FulfilmentResult:
        """The returned parcel of a delivered order arrived back: the order is returned and its open
        return or refund request approved (the money follows with :meth:`issue_refund`)."""

        def change(session: Session, order: Order, now: datetime) -> FulfilmentResult:
            if order.status == "returned":
                return FulfilmentResult(True, "already", order.id, order.status)
            refund = existing_refund(session, order.id)
            if order.status != "delivered":
                return FulfilmentResult(False, "wrong_status", order.id, order.status)
            if refund is None or refund.status not in ("requested", "approved"):
                return FulfilmentResult(False, "no_return_request", order.id, order.status)
            order.status, order.returned_at = "returned", now
            refund.status, refund.updated_at = "approved", now
            recorded = record_event(
                session, kind="return_received", order_id=order.id, customer_id=order.customer_id,
                dedupe_key=f"return_received:{order.id}", now=now,
                payload={"order_id": order.id, "refund_id": refund.id, "amount": _money(refund.amount),
                         "currency": refund.currency,
                         "expected_by": refund.expected_by.isoformat() if refund.expected_by else None})
            logger.info("order %s: return received", order.id)
            return FulfilmentResult(True, "done", order.id, order.status, recorded)

        return self._run(order_id, now, change)

    def issue_refund(self, order_id: str, now: datetime | None = None) -> FulfilmentResult:
        """The money of the order's approved (or requested) refund is paid back."""

        def change(session: Session, order: Order, now: datetime) -> FulfilmentResult:
            refund = existing_refund(session, order.id)
            if refund is None:
                return FulfilmentResult(False, "no_refund", order.id, order.status)
            if refund.status == "refunded":
                return FulfilmentResult(True, "already", order.id, order.status)
            if refund.status not in ("requested", "approved"):
                return FulfilmentResult(False, "wrong_status", order.id, order.status)
            refund.status, refund.updated_at = "refunded", now
            recorded = record_event(
                session, kind="refund_issued", order_id=order.id, customer_id=order.customer_id,
                dedupe_key=f"refund_issued:{refund.id}", now=now,
                payload={"order_id": order.id, "refund_id": refund.id, "amount": _money(refund.amount),
                         "currency": refund.currency})
            logger.info("order %s: refund %s paid", order.id, refund.id)
            return FulfilmentResult(True, "done", order.id, order.status, recorded)

        return self._run(order_id, now, change)
