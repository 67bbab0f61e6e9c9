"""Frozen snapshots of shop records: what services hand out instead of ORM objects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from assistant.shop.commerce.address import Address
from assistant.shop.commerce.policy import Policy
from assistant.shop.storage.models import Order, OrderItem, Refund


@dataclass(frozen=True)
class OrderItemView:
    sku: str
    name: str
    color: str | None
    size: str | None
    quantity: int
    unit_price: Decimal
    final_sale: bool

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    created_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    cancelled_at: datetime | None
    returned_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    estimated_delivery: date | None
    ship_by: date | None
    items: tuple[OrderItemView, ...]
    subtotal: Decimal
    shipping_cost: Decimal
    total: Decimal
    currency: str
    shipping_address: dict[str, str]
    customer_id: int
    customer_email: str
    customer_name: str

    @property
    def address(self) -> Address:
        return Address.from_dict(self.shipping_address)


@dataclass(frozen=True)
class RefundView:
    id: str
    order_id: str
    amount: Decimal
    currency: str
    status: str
    kind: str
    created_at: datetime
    expected_by: date | None
    reason: str | None = None
    updated_at: datetime | None = None


def item_view(item: OrderItem) -> OrderItemView:
    return OrderItemView(
        sku=item.sku,
        name=item.name,
        color=item.color,
        size=item.size,
        quantity=item.quantity,
        unit_price=item.unit_price,
        final_sale=bool(item.final_sale),
    )


def order_address(order: Order) -> dict[str, str]:
    return {
        "street": order.shipping_street,
        "city": order.shipping_city,
        "postal_code": order.shipping_postal_code or "",
        "country": order.shipping_country,
    }


def order_view(order: Order, policy: Policy) -> OrderView:
    """Snapshot ``order`` (its items and customer must be loadable in the open session)."""
    return OrderView(
        id=order.id,
        status=order.status,
        created_at=order.created_at,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        cancelled_at=order.cancelled_at,
        returned_at=order.returned_at,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        tracking_url=policy.tracking_url(order.carrier, order.tracking_number),
        estimated_delivery=order.estimated_delivery,
        ship_by=order.ship_by,
        items=tuple(item_view(item) for item in order.items),
        subtotal=order.subtotal,
        shipping_cost=order.shipping_cost,
        total=order.total,
        currency=order.currency,
        shipping_address=order_address(order),
        customer_id=order.customer_id,
        customer_email=order.customer.email,
        customer_name=order.customer.name,
    )


def refund_view(refund: Refund) -> RefundView:
    return RefundView(
        id=refund.id,
        order_id=refund.order_id,
        amount=refund.amount,
        currency=refund.currency,
        status=refund.status,
        kind=refund.kind,
        created_at=refund.created_at,
        expected_by=refund.expected_by,
        reason=refund.reason,
        updated_at=refund.updated_at,
    )
