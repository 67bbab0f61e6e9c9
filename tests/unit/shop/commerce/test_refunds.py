from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from assistant.shop.commerce import refunds as refunds_module
from assistant.shop.commerce.refunds import RefundService
from assistant.shop.storage.models import Refund
from tests.unit.shop_fixtures import NOW, TODAY, ShopDB, add_refund


def refund_rows(shop: ShopDB, order_id: str) -> int:
    with shop.sessions() as session:
        return session.scalar(select(func.count()).select_from(Refund).where(Refund.order_id == order_id))


def test_eligible_inside_the_window(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).eligibility("SO100004", today=TODAY)
    assert result.eligible and result.reason == "eligible"
    assert result.days_left == 20
    assert result.deadline == TODAY + timedelta(days=20)
    assert result.amount == Decimal("70.00") and result.currency == "USD"
    assert result.excluded_items == () and not result.partial


def test_last_day_of_the_window_is_included(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).eligibility("SO100005", today=TODAY)
    assert result.eligible and result.days_left == 0 and result.deadline == TODAY


def test_window_expired(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).eligibility("SO100006", today=TODAY)
    assert not result.eligible and result.reason == "window_expired"
    assert result.deadline == TODAY - timedelta(days=1)
    assert result.amount == Decimal("0.00")


def test_final_sale_only_order_is_not_refundable(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).eligibility("SO100007", today=TODAY)
    assert not result.eligible and result.reason == "final_sale"
    assert [item.sku for item in result.excluded_items] == ["SALE"]


def test_mixed_order_is_partially_refundable(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).eligibility("SO100008", today=TODAY)
    assert result.eligible and result.reason == "eligible" and result.partial
    assert result.amount == Decimal("50.00")  # jeans only; 2 x final-sale scarf excluded
    assert [(i.sku, i.quantity) for i in result.excluded_items] == [("SALE", 2)]


@pytest.mark.parametrize(
    ("order_id", "reason"),
    [
        ("SO100001", "not_delivered"), ("SO100002", "not_delivered"), ("SO100003", "not_delivered"),
        ("SO100009", "cancelled"), ("SO100010", "returned"), ("SO100011", "already_refunded"),
        ("SO999999", "not_found"),
    ],
)
def test_ineligible_orders(shop: ShopDB, policy, order_id: str, reason: str) -> None:
    result = RefundService(shop.sessions, policy).eligibility(order_id, today=TODAY)
    assert not result.eligible and result.reason == reason


def test_final_sale_refundable_policy_switch(shop: ShopDB, policy) -> None:
    import dataclasses

    generous = dataclasses.replace(policy, final_sale_refundable=True)
    result = RefundService(shop.sessions, generous).eligibility("SO100008", today=TODAY)
    assert result.amount == Decimal("80.00") and not result.partial


def test_request_refund_creates_one_record(shop: ShopDB, policy) -> None:
    service = RefundService(shop.sessions, policy)
    result = service.request_refund("so100004", reason="too small", conversation_id="conv-9", now=NOW)
    assert result.ok and result.created
    refund = result.refund
    assert refund.id == "RF-000003" and refund.order_id == "SO100004"
    assert refund.status == "requested" and refund.kind == "refund"
    assert refund.amount == Decimal("70.00") and refund.currency == "USD"
    assert refund.created_at == NOW
    assert refund.expected_by == date(2025, 3, 19)
    assert result.eligibility.eligible


def test_request_refund_is_idempotent(shop: ShopDB, policy) -> None:
    service = RefundService(shop.sessions, policy)
    first = service.request_refund("SO100004", now=NOW)
    second = service.request_refund("SO100004", kind="return", now=NOW + timedelta(hours=1))
    assert second.refund == first.refund
    assert first.created and not second.created
    assert second.eligibility.reason == "already_refunded"
    assert refund_rows(shop, "SO100004") == 1


def test_request_return_for_partial_order(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).request_refund("SO100008", kind="return", now=NOW)
    assert result.created and result.refund.kind == "return"
    assert result.refund.amount == Decimal("50.00")
    assert result.eligibility.partial


@pytest.mark.parametrize("order_id", ["SO100006", "SO100007", "SO100001", "SO999999"])
def test_ineligible_request_creates_nothing(shop: ShopDB, policy, order_id: str) -> None:
    result = RefundService(shop.sessions, policy).request_refund(order_id, now=NOW)
    assert not result.ok and not result.created and result.refund is None
    assert not result.eligibility.eligible
    assert refund_rows(shop, order_id) == 0


def test_existing_refund_is_returned_not_duplicated(shop: ShopDB, policy) -> None:
    result = RefundService(shop.sessions, policy).request_refund("SO100011", now=NOW)
    assert not result.created and result.refund.id == "RF-000002"


def test_unknown_kind_is_rejected(shop: ShopDB, policy) -> None:
    with pytest.raises(ValueError, match="kind"):
        service = RefundService(shop.sessions, policy)
        service.request_refund("SO100004", kind="exchange")  # type: ignore[arg-type]


def test_database_rejects_a_second_refund_for_an_order(shop: ShopDB) -> None:
    with pytest.raises(IntegrityError):
        add_refund(shop, "RF-000099", "SO100011", "1.00")


def test_race_with_another_request_returns_the_winner(shop: ShopDB, policy, monkeypatch) -> None:
    """Another request inserts its refund between our check and our insert: we return theirs."""
    service = RefundService(shop.sessions, policy)
    real_existing = refunds_module.existing_refund
    calls = {"n": 0}

    def existing_after_race(session, order_id):
        calls["n"] += 1
        if calls["n"] == 1:  # our first look: nothing yet; now the other request wins
            add_refund(shop, "RF-000050", order_id, "70.00")
            return None
        return real_existing(session, order_id)

    monkeypatch.setattr(refunds_module, "existing_refund", existing_after_race)
    result = service.request_refund("SO100004", now=NOW)
    assert not result.created and result.refund.id == "RF-000050"
    assert refund_rows(shop, "SO100004") == 1


def test_concurrent_requests_create_one_refund(shop: ShopDB, policy) -> None:
    service = RefundService(shop.sessions, policy)
    results = []
    barrier = threading.Barrier(4)

    def request() -> None:
        barrier.wait()
        results.append(service.request_refund("SO100004", now=NOW))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(r.created for r in results) == 1
    assert len({r.refund.id for r in results}) == 1
    assert refund_rows(shop, "SO100004") == 1


def test_refund_status_and_listing(shop: ShopDB, policy) -> None:
    service = RefundService(shop.sessions, policy)
    status = service.refund_status("#100010")
    assert status.id == "RF-000001" and status.status == "refunded" and status.kind == "return"
    assert [r.id for r in service.refunds_for_order("SO100011")] == ["RF-000002"]
    assert service.refund_status("SO100004") is None
    assert service.refunds_for_order("SO999999") == []
