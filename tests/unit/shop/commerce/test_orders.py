from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from assistant.shop.commerce.address import Address
from assistant.shop.commerce.orders import OrderService
from assistant.shop.commerce.views import OrderItemView, OrderView
from assistant.shop.storage.models import AddressChange, Base, Refund
from tests.unit.shop_fixtures import NOW, ShopDB

NEW_ADDRESS = Address(street="Hauptstraße 5", city="Munich", postal_code="80331", country="DE")


def count(shop: ShopDB, model, **where) -> int:
    with shop.sessions() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return session.scalar(query)


def test_get_order_returns_a_frozen_snapshot(shop: ShopDB, policy) -> None:
    order = OrderService(shop.sessions, policy).get_order("#so-100003")
    assert isinstance(order, OrderView)
    assert order.id == "SO100003" and order.status == "shipped"
    assert order.carrier == "UPS" and order.tracking_number == "1Z999AA10123456784"
    assert order.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert order.customer_email == "jane.doe@example.com" and order.customer_name == "Jane Doe"
    assert order.shipping_address == {"street": "Lindenstraße 12", "city": "Berlin", "postal_code": "10115",
                                      "country": "DE"}
    assert order.total == Decimal("55.95") and order.currency == "USD"
    assert order.created_at.tzinfo is not None
    assert isinstance(order.estimated_delivery, date)
    assert all(isinstance(item, OrderItemView) for item in order.items)
    assert not any(isinstance(value, Base) for value in dataclasses.astuple(order))
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.status = "delivered"  # type: ignore[misc]


def test_get_order_unknown(shop: ShopDB, policy) -> None:
    assert OrderService(shop.sessions, policy).get_order("SO999999") is None


def test_orders_for_customer(shop: ShopDB, policy) -> None:
    service = OrderService(shop.sessions, policy)
    assert [o.id for o in service.orders_for_customer(2)] == ["SO200001"]
    assert len(service.orders_for_customer(1)) == 11
    assert service.orders_for_customer(99) == []


def test_cancel_pending_order(shop: ShopDB, policy) -> None:
    result = OrderService(shop.sessions, policy).cancel_order("SO100001", now=NOW)
    assert result.ok and result.reason == "cancelled"
    assert result.order.status == "cancelled" and result.order.cancelled_at == NOW
    assert result.order.ship_by is None
    assert result.refund is None
    assert count(shop, Refund, order_id="SO100001") == 0


def test_cancel_paid_order_creates_an_approved_refund(shop: ShopDB, policy) -> None:
    result = OrderService(shop.sessions, policy).cancel_order("SO100002", now=NOW)
    assert result.ok and result.reason == "cancelled"
    refund = result.refund
    assert refund is not None
    assert refund.status == "approved" and refund.kind == "refund"
    assert refund.amount == Decimal("45.95") == result.order.total
    assert refund.id == "RF-000003"  # after the two fixture refunds
    assert refund.expected_by == date(2025, 3, 19)  # 5 business days after Wednesday 12 March


def test_cancel_is_idempotent(shop: ShopDB, policy) -> None:
    service = OrderService(shop.sessions, policy)
    first = service.cancel_order("SO100002", now=NOW)
    second = service.cancel_order("SO100002", now=NOW)
    assert second.ok and second.reason == "already_cancelled"
    assert second.refund == first.refund
    assert count(shop, Refund, order_id="SO100002") == 1


@pytest.mark.parametrize(
    ("order_id", "reason"),
    [("SO100003", "already_shipped"), ("SO100004", "already_delivered"), ("SO100010", "already_returned"),
     ("SO999999", "not_found")],
)
def test_cancel_refused_after_shipment(shop: ShopDB, policy, order_id: str, reason: str) -> None:
    result = OrderService(shop.sessions, policy).cancel_order(order_id, now=NOW)
    assert not result.ok and result.reason == reason and result.refund is None
    if result.order is not None:
        assert result.order.status != "cancelled"


def test_change_address_before_shipment_writes_audit_row(shop: ShopDB, policy) -> None:
    result = OrderService(shop.sessions, policy).change_address("SO100002", NEW_ADDRESS, now=NOW,
                                                                conversation_id="conv-1")
    assert result.ok and result.reason == "changed"
    assert result.order.address == NEW_ADDRESS
    assert result.old_address["city"] == "Berlin"
    with shop.sessions() as session:
        audit = session.scalars(select(AddressChange).where(AddressChange.order_id == "SO100002")).one()
        assert audit.old["street"] == "Lindenstraße 12"
        assert audit.new == NEW_ADDRESS.as_dict()
        assert audit.changed_at == NOW and audit.conversation_id == "conv-1"


def test_change_address_accepts_a_mapping(shop: ShopDB, policy) -> None:
    result = OrderService(shop.sessions, policy).change_address("SO100001", NEW_ADDRESS.as_dict(), now=NOW)
    assert result.ok and result.order.shipping_address == NEW_ADDRESS.as_dict()


@pytest.mark.parametrize(
    ("order_id", "reason"),
    [("SO100003", "already_shipped"), ("SO100004", "already_shipped"), ("SO100009", "cancelled"),
     ("SO999999", "not_found")],
)
def test_change_address_refused(shop: ShopDB, policy, order_id: str, reason: str) -> None:
    result = OrderService(shop.sessions, policy).change_address(order_id, NEW_ADDRESS, now=NOW)
    assert not result.ok and result.reason == reason
    assert count(shop, AddressChange) == 0


def test_change_address_to_an_unsupported_country(shop: ShopDB, policy) -> None:
    brazil = Address(street="Avenida Paulista 1000", city="São Paulo", postal_code="01310-100", country="BR")
    result = OrderService(shop.sessions, policy).change_address("SO100001", brazil, now=NOW)
    assert not result.ok and result.reason == "unsupported_country"
    assert result.order.shipping_address["country"] == "DE"
    assert count(shop, AddressChange) == 0
