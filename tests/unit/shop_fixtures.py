"""Tiny shop databases for unit tests: explicit customers, products and orders with fixed dates."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.db import init_db, make_engine, session_factory
from assistant.shop.storage.models import Customer, Order, OrderItem, Product, Refund

TODAY = date(2025, 3, 12)  # a Wednesday
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)

JANE = {"id": 1, "name": "Jane Doe", "email": "jane.doe@example.com"}
BOB = {"id": 2, "name": "Bob Stone", "email": "bob@example.org"}


@dataclass(frozen=True)
class ShopDB:
    engine: Engine
    sessions: sessionmaker[Session]


def days_ago(days: int, hour: int = 15) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), time(hour, 0), tzinfo=timezone.utc)


def new_shop(tmp_path: Path) -> ShopDB:
    engine = make_engine(f"sqlite:///{tmp_path / 'db' / 'shop.db'}")
    init_db(engine)
    return ShopDB(engine=engine, sessions=session_factory(engine))


def add_customer(shop: ShopDB, *, id: int, name: str, email: str, country: str = "DE") -> None:
    with shop.sessions() as session, session.begin():
        session.add(Customer(
            id=id, name=name, email=email, phone="+49 30 1234567", language="en",
            street="Lindenstraße 12", city="Berlin", postal_code="10115", country=country,
            created_at=days_ago(400),
        ))


def add_product(
    shop: ShopDB, sku: str, price: str, *, final_sale: bool = False, name: str | None = None
) -> None:
    with shop.sessions() as session, session.begin():
        session.add(Product(
            sku=sku, name=name or f"Product {sku}", category="Tops", subcategory="T-Shirts",
            description="A test product.", price=Decimal(price), currency="USD",
            colors=["black", "white"], sizes=["S", "M", "L"], stock={"S": 1, "M": 2, "L": 0},
            rating=4.5, review_count=10, final_sale=final_sale, url="/p/" + sku, image="/i/" + sku,
        ))


def add_order(
    shop: ShopDB,
    order_id: str,
    *,
    status: str,
    items: Sequence[tuple[str, int]],
    customer_id: int = 1,
    delivered_days_ago: int | None = None,
    shipping_cost: str = "5.95",
    **extra: Any,
) -> None:
    """Insert an order; ``items`` are (sku, quantity) using the product's price and final-sale flag."""
    with shop.sessions() as session, session.begin():
        lines = []
        for sku, quantity in items:
            product = session.get(Product, sku)
            assert product is not None, f"add the product {sku} first"
            lines.append(OrderItem(
                sku=sku, name=product.name, color="black", size="M", quantity=quantity,
                unit_price=product.price, final_sale=product.final_sale,
            ))
        subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        fields: dict[str, Any] = {
            "created_at": days_ago(40), "ship_by": None,
            "shipping_street": "Lindenstraße 12", "shipping_city": "Berlin",
            "shipping_postal_code": "10115", "shipping_country": "DE",
        }
        if status != "pending":
            fields["paid_at"] = days_ago(40, hour=16)
        if status in ("pending", "paid"):
            fields["ship_by"] = TODAY + timedelta(days=2)
        if status in ("shipped", "delivered", "returned"):
            fields.update(carrier="UPS", tracking_number="1Z999AA10123456784", shipped_at=days_ago(45),
                          estimated_delivery=TODAY + timedelta(days=2))
        if delivered_days_ago is not None:
            fields["delivered_at"] = days_ago(delivered_days_ago)
        if status == "cancelled":
            fields["cancelled_at"] = days_ago(39)
        fields.update(extra)
        session.add(Order(
            id=order_id, customer_id=customer_id, status=status, items=lines,
            subtotal=subtotal, shipping_cost=Decimal(shipping_cost),
            total=subtotal + Decimal(shipping_cost), currency="USD", **fields,
        ))


def add_refund(shop: ShopDB, refund_id: str, order_id: str, amount: str, *, status: str = "requested",
               kind: str = "refund") -> None:
    with shop.sessions() as session, session.begin():
        session.add(Refund(
            id=refund_id, order_id=order_id, amount=Decimal(amount), currency="USD", status=status,
            kind=kind, created_at=days_ago(2), updated_at=days_ago(2), expected_by=TODAY + timedelta(days=5),
        ))


def standard_shop(tmp_path: Path) -> ShopDB:
    """Two customers, three products (one final sale) and one order per case the tests need.

    | order | status | notes |
    | --- | --- | --- |
    | SO100001 | pending | 1 x TEE |
    | SO100002 | paid | 2 x TEE, total 45.95 |
    | SO100003 | shipped | UPS |
    | SO100004 | delivered 10 days ago | TEE + JEANS = 70.00 refundable |
    | SO100005 | delivered 30 days ago | last day of the window |
    | SO100006 | delivered 31 days ago | window expired |
    | SO100007 | delivered 5 days ago | final-sale items only |
    | SO100008 | delivered 5 days ago | JEANS + 2 x SALE: 50.00 refundable |
    | SO100009 | cancelled | |
    | SO100010 | returned | refund RF-000001 refunded |
    | SO100011 | delivered 3 days ago | refund RF-000002 requested |
    | SO200001 | delivered 8 days ago | Bob's order |
    """
    shop = new_shop(tmp_path)
    add_customer(shop, **JANE)
    add_customer(shop, **BOB, country="US")
    add_product(shop, "TEE", "20.00", name="Classic Tee")
    add_product(shop, "JEANS", "50.00", name="Slim Jeans")
    add_product(shop, "SALE", "15.00", final_sale=True, name="Clearance Scarf")
    add_order(shop, "SO100001", status="pending", items=[("TEE", 1)])
    add_order(shop, "SO100002", status="paid", items=[("TEE", 2)])
    add_order(shop, "SO100003", status="shipped", items=[("JEANS", 1)])
    add_order(shop, "SO100004", status="delivered", items=[("TEE", 1), ("JEANS", 1)], delivered_days_ago=10)
    add_order(shop, "SO100005", status="delivered", items=[("TEE", 1)], delivered_days_ago=30)
    add_order(shop, "SO100006", status="delivered", items=[("TEE", 1)], delivered_days_ago=31)
    add_order(shop, "SO100007", status="delivered", items=[("SALE", 1)], delivered_days_ago=5)
    add_order(shop, "SO100008", status="delivered", items=[("JEANS", 1), ("SALE", 2)], delivered_days_ago=5)
    add_order(shop, "SO100009", status="cancelled", items=[("TEE", 1)])
    add_order(shop, "SO100010", status="returned", items=[("TEE", 1)], delivered_days_ago=20,
              returned_at=days_ago(12))
    add_order(shop, "SO100011", status="delivered", items=[("TEE", 1)], delivered_days_ago=3)
    add_order(shop, "SO200001", status="delivered", items=[("JEANS", 1)], customer_id=2, delivered_days_ago=8)
    add_refund(shop, "RF-000001", "SO100010", "20.00", status="refunded", kind="return")
    add_refund(shop, "RF-000002", "SO100011", "20.00", status="requested")
    return shop
