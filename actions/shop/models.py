"""Declarative models of the demo shop: customers, products, orders, refunds, tickets.

Instants are stored as naive UTC and read back as aware UTC (:class:`UTCDateTime`);
money is ``NUMERIC(10, 2)`` read back as Decimal (:class:`Money`). ORM objects never
leave the services: callers get the frozen views from :mod:`actions.shop.views`.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from actions.shop.clock import utcnow
from actions.shop.column_types import Money, UTCDateTime

ORDER_STATUSES: tuple[str, ...] = ("pending", "paid", "shipped", "delivered", "cancelled", "returned")
REFUND_STATUSES: tuple[str, ...] = ("requested", "approved", "refunded", "rejected")
REFUND_KINDS: tuple[str, ...] = ("refund", "return")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: JSON}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")

    @validates("email")
    def _lowercase_email(self, _key: str, value: str) -> str:
        return value.strip().lower()


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(80), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    colors: Mapped[list[str]] = mapped_column(JSON, default=list)
    sizes: Mapped[list[str]] = mapped_column(JSON, default=list)
    stock: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rating: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(500))
    image: Mapped[str | None] = mapped_column(String(500))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint(_in("status", ORDER_STATUSES), name="ck_orders_status"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    ship_by: Mapped[date | None] = mapped_column(Date)
    shipping_street: Mapped[str] = mapped_column(String(200))
    shipping_city: Mapped[str] = mapped_column(String(100))
    shipping_postal_code: Mapped[str] = mapped_column(String(20), default="")
    shipping_country: Mapped[str] = mapped_column(String(2))
    subtotal: Mapped[Decimal]
    shipping_cost: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    total: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    refunds: Mapped[list[Refund]] = relationship(back_populates="order", order_by="Refund.created_at")
    address_changes: Mapped[list[AddressChange]] = relationship(
        back_populates="order", order_by="AddressChange.id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_items_quantity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal]
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)

    order: Mapped[Order] = relationship(back_populates="items")


class Refund(Base):
    """A refund or return request; at most one per order (unique ``order_id``)."""

    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_refunds_order_id"),
        CheckConstraint(_in("status", REFUND_STATUSES), name="ck_refunds_status"),
        CheckConstraint(_in("kind", REFUND_KINDS), name="ck_refunds_kind"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    kind: Mapped[str] = mapped_column(String(8), default="refund")
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expected_by: Mapped[date | None] = mapped_column(Date)
    conversation_id: Mapped[str | None] = mapped_column(String(120))

    order: Mapped[Order] = relationship(back_populates="refunds")


class AddressChange(Base):
    """Audit trail: one row per shipping-address change."""

    __tablename__ = "address_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    old: Mapped[dict[str, Any]] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    conversation_id: Mapped[str | None] = mapped_column(String(120))

    order: Mapped[Order] = relationship(back_populates="address_changes")


class Ticket(Base):
    """A support ticket (a handoff to a person). Kept minimal; handoff extends it."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str | None] = mapped_column(String(120), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
