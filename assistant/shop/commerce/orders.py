"""Orders: reading order ids from free text, looking orders up, cancelling and re-addressing them."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from assistant.shop.commerce.address import Address
from assistant.shop.commerce.order_ids import canonical_order_id
from assistant.shop.commerce.policy import Policy
from assistant.shop.commerce.refund_records import add_refund, existing_refund, retry_on_conflict
from assistant.shop.commerce.views import OrderView, RefundView, order_address, order_view, refund_view
from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import AddressChange, Order

logger = logging.getLogger(__name__)

CancelReason = Literal[
    "cancelled", "already_cancelled", "already_shipped", "already_delivered", "already_returned",
    "not_cancellable", "not_found",
]
AddressChangeReason = Literal[
    "changed", "already_shipped", "cancelled", "not_changeable", "unsupported_country", "not_found",
]

_SHIPPED_REASONS: dict[str, CancelReason] = {
    "shipped": "already_shipped",
    "delivered": "already_delivered",
    "returned": "already_returned",
}


@dataclass(frozen=True)
class CancelResult:
    ok: bool
    reason: CancelReason
    order: OrderView | None
    refund: RefundView | None = None


@dataclass(frozen=True)
class ChangeAddressResult:
    ok: bool
    reason: AddressChangeReason
    order: OrderView | None
    old_address: dict[str, str] | None = None


class OrderService:
    """Order look-ups and the changes a shopper may make before shipment."""

    def __init__(self, session_factory: sessionmaker[Session], policy: Policy) -> None:
        self._sessions = session_factory
        self.policy = policy

    def _view(self, order: Order) -> OrderView:
        return order_view(order, self.policy)

    def get_order(self, order_id: str) -> OrderView | None:
        oid = canonical_order_id(order_id)
        with self._sessions() as session:
            order = session.scalar(
                select(Order)
                .where(Order.id == oid)
                .options(selectinload(Order.items), joinedload(Order.customer))
            )
            return self._view(order) if order is not None else None

    def orders_for_customer(self, customer_id: int) -> list[OrderView]:
        """The customer's orders, newest first."""
        with self._sessions() as session:
            orders = session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .options(selectinload(Order.items), joinedload(Order.customer))
                .order_by(Order.created_at.desc(), Order.id)
            ).all()
            return [self._view(order) for order in orders]

    def cancel_order(self, order_id: str, now: datetime | None = None) -> CancelResult:
        """Cancel an order that has not shipped. A paid order gets an approved refund of its total.

        Idempotent: cancelling a cancelled order returns ok with reason "already_cancelled".
        """
        oid = canonical_order_id(order_id)
        moment = resolve_now(now)
        return retry_on_conflict(lambda: self._cancel(oid, moment))

    def _cancel(self, oid: str, now: datetime) -> CancelResult:
        with self._sessions() as session, session.begin():
            order = session.get(Order, oid, with_for_update=True)
            if order is None:
                return CancelResult(ok=False, reason="not_found", order=None)
            refund = existing_refund(session, oid)
            if order.status == "cancelled":
                return CancelResult(
                    ok=True, reason="already_cancelled", order=self._view(order),
                    refund=refund_view(refund) if refund else None,
                )
            if order.status not in self.policy.cancellable_statuses:
                reason = _SHIPPED_REASONS.get(order.status, "not_cancellable")
                return CancelResult(ok=False, reason=reason, order=self._view(order))
            was_paid = order.status == "paid"
            order.status = "cancelled"
            order.cancelled_at = now
            order.ship_by = None
            if was_paid and refund is None:
                refund = add_refund(
                    session, order, amount=order.total, policy=self.policy, now=now,
                    status="approved", kind="refund", reason="order cancelled before shipment",
                )
            session.flush()
            logger.info("order %s cancelled (was %s)", oid, "paid" if was_paid else "pending")
            return CancelResult(
                ok=True, reason="cancelled", order=self._view(order),
                refund=refund_view(refund) if refund else None,
            )

    def change_address(
        self,
        order_id: str,
        address: Address | Mapping[str, str],
        now: datetime | None = None,
        conversation_id: str | None = None,
    ) -> ChangeAddressResult:
        """Change the shipping address of an order that has not shipped; audits the change.

        ``address`` should come from :func:`assistant.shop.commerce.address.validate_address`.
        """
        oid = canonical_order_id(order_id)
        new = address if isinstance(address, Address) else Address.from_dict(address)
        moment = resolve_now(now)
        with self._sessions() as session, session.begin():
            order = session.get(Order, oid, with_for_update=True)
            if order is None:
                return ChangeAddressResult(ok=False, reason="not_found", order=None)
            if order.status not in self.policy.address_change_statuses:
                reason: AddressChangeReason
                if order.status in ("shipped", "delivered", "returned"):
                    reason = "already_shipped"
                elif order.status == "cancelled":
                    reason = "cancelled"
                else:
                    reason = "not_changeable"
                return ChangeAddressResult(ok=False, reason=reason, order=self._view(order))
            if not self.policy.ships_to(new.country):
                return ChangeAddressResult(ok=False, reason="unsupported_country", order=self._view(order))
            old = order_address(order)
            order.shipping_street = new.street
            order.shipping_city = new.city
            order.shipping_postal_code = new.postal_code
            order.shipping_country = new.country.upper()
            session.add(AddressChange(
                order_id=oid, old=old, new=order_address(order), changed_at=moment,
                conversation_id=conversation_id,
            ))
            session.flush()
            logger.info("order %s: shipping address changed", oid)
            return ChangeAddressResult(ok=True, reason="changed", order=self._view(order), old_address=old)
