"""Refunds and returns: eligibility under the policy, idempotent requests, status look-ups."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.shop.commerce.order_ids import canonical_order_id
from assistant.shop.commerce.policy import Policy
from assistant.shop.commerce.refund_records import add_refund, existing_refund, retry_on_conflict
from assistant.shop.commerce.views import OrderItemView, RefundView, item_view, refund_view
from assistant.shop.storage.clock import resolve_now, utcnow
from assistant.shop.storage.column_types import to_money
from assistant.shop.storage.models import REFUND_KINDS, Order, Refund

logger = logging.getLogger(__name__)

EligibilityReason = Literal[
    "eligible", "not_delivered", "window_expired", "final_sale", "already_refunded",
    "cancelled", "returned", "not_found",
]
RefundKind = Literal["refund", "return"]


@dataclass(frozen=True)
class Eligibility:
    """Whether an order can be refunded today, and for how much.

    ``amount`` sums the refundable items; when some items are final sale the order is
    still eligible for the rest, and ``excluded_items`` lists what is left out.
    """

    eligible: bool
    reason: EligibilityReason
    order_id: str
    days_left: int | None = None
    deadline: date | None = None
    amount: Decimal = Decimal("0.00")
    currency: str | None = None
    excluded_items: tuple[OrderItemView, ...] = ()

    @property
    def partial(self) -> bool:
        return self.eligible and bool(self.excluded_items)


@dataclass(frozen=True)
class RefundRequestResult:
    refund: RefundView | None
    created: bool
    eligibility: Eligibility

    @property
    def ok(self) -> bool:
        return self.refund is not None


class RefundService:
    def __init__(self, session_factory: sessionmaker[Session], policy: Policy) -> None:
        self._sessions = session_factory
        self.policy = policy

    # -- eligibility -------------------------------------------------------------------------
    def eligibility(self, order_id: str, today: date | None = None) -> Eligibility:
        """Check the order against the policy.

        The window ends ``return_window_days`` after the delivery date, that last day included.
        """
        oid = canonical_order_id(order_id)
        with self._sessions() as session:
            order = session.scalar(select(Order).where(Order.id == oid).options(selectinload(Order.items)))
            if order is None:
                return Eligibility(eligible=False, reason="not_found", order_id=oid)
            refunded = existing_refund(session, oid) is not None
            return self._assess(order, refunded, today or utcnow().date())

    def _assess(self, order: Order, refunded: bool, today: date) -> Eligibility:
        base = {"order_id": order.id, "currency": order.currency}
        if order.status == "cancelled":
            return Eligibility(eligible=False, reason="cancelled", **base)
        if order.status == "returned":
            return Eligibility(eligible=False, reason="returned", **base)
        if refunded:
            return Eligibility(eligible=False, reason="already_refunded", **base)
        if order.status != "delivered" or order.delivered_at is None:
            return Eligibility(eligible=False, reason="not_delivered", **base)
        deadline = order.delivered_at.date() + timedelta(days=self.policy.return_window_days)
        days_left = (deadline - today).days
        if days_left < 0:
            return Eligibility(
                eligible=False, reason="window_expired", days_left=0, deadline=deadline, **base
            )
        items = [item_view(item) for item in order.items]
        def is_excluded(item: OrderItemView) -> bool:
            return item.final_sale and not self.policy.final_sale_refundable

        excluded = tuple(i for i in items if is_excluded(i))
        refundable = [i for i in items if not is_excluded(i)]
        if not refundable:
            return Eligibility(
                eligible=False, reason="final_sale", days_left=days_left, deadline=deadline,
                excluded_items=excluded, **base,
            )
        amount = to_money(sum((i.line_total for i in refundable), Decimal("0")))
        return Eligibility(
            eligible=True, reason="eligible", days_left=days_left, deadline=deadline,
            amount=amount, excluded_items=excluded, **base,
        )

    # -- requests ----------------------------------------------------------------------------
    def request_refund(
        self,
        order_id: str,
        kind: RefundKind = "refund",
        reason: str | None = None,
        conversation_id: str | None = None,
        now: datetime | None = None,
    ) -> RefundRequestResult:
        """Open a refund (or return) for an eligible order, at most once per order.

        A repeated request returns the existing refund with ``created=False``; an
        ineligible order gets no record and the result carries the eligibility.
        """
        if kind not in REFUND_KINDS:
            raise ValueError(f"kind must be one of {list(REFUND_KINDS)}, got {kind!r}")
        oid = canonical_order_id(order_id)
        moment = resolve_now(now)
        return retry_on_conflict(lambda: self._request(oid, kind, reason, conversation_id, moment))

    def _request(
        self, oid: str, kind: str, reason: str | None, conversation_id: str | None, now: datetime
    ) -> RefundRequestResult:
        with self._sessions() as session, session.begin():
            order = session.scalar(select(Order).where(Order.id == oid).options(selectinload(Order.items)))
            if order is None:
                missing = Eligibility(eligible=False, reason="not_found", order_id=oid)
                return RefundRequestResult(None, False, missing)
            found = existing_refund(session, oid)
            eligibility = self._assess(order, found is not None, now.date())
            if found is not None:
                return RefundRequestResult(refund_view(found), False, eligibility)
            if not eligibility.eligible:
                return RefundRequestResult(None, False, eligibility)
            refund = add_refund(
                session, order, amount=eligibility.amount, policy=self.policy, now=now,
                status="requested", kind=kind, reason=(reason or "").strip()[:500] or None,
                conversation_id=conversation_id,
            )
            logger.info(
                "refund %s requested for order %s (%s %s)", refund.id, oid, refund.amount, refund.currency
            )
            return RefundRequestResult(refund_view(refund), True, eligibility)

    # -- look-ups ----------------------------------------------------------------------------
    def refunds_for_order(self, order_id: str) -> list[RefundView]:
        oid = canonical_order_id(order_id)
        with self._sessions() as session:
            rows = session.scalars(
                select(Refund).where(Refund.order_id == oid).order_by(Refund.created_at, Refund.id)
            ).all()
            return [refund_view(row) for row in rows]

    def refund_status(self, order_id: str) -> RefundView | None:
        """The order's refund (there is at most one), or None."""
        refunds = self.refunds_for_order(order_id)
        return refunds[-1] if refunds else None
