"""State transitions write their outbox row in the same transaction; claims, deliveries and the email
outbox hold up against a second worker and a restart."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.notifications.events import record_event
from assistant.shop.storage.models import NotificationDelivery, OrderEvent, Refund
from tests.unit.shop_fixtures import NOW, TODAY, standard_shop


@pytest.fixture()
def shop(tmp_path: Path) -> Shop:
    standard_shop(tmp_path).engine.dispose()
    opened = Shop.open(ShopConfig(f"sqlite:///{tmp_path / 'db' / 'shop.db'}"))
    yield opened
    opened.close()


def events(shop: Shop) -> list[OrderEvent]:
    with shop.sessions() as session:
        return list(session.scalars(select(OrderEvent).order_by(OrderEvent.id)))


def test_shipping_a_paid_order_records_one_event_with_the_tracking_details(shop: Shop) -> None:
    result = shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    assert result.ok and result.event_recorded and result.status == "shipped"
    [event] = events(shop)
    assert (event.kind, event.order_id, event.customer_id, event.dedupe_key) == ("shipped", "SO100002", 1,
                                                                                 "shipped:SO100002")
    assert event.payload["tracking_number"] == "1Z999AA10123456784" and event.payload["carrier"] == "UPS"
    assert event.payload["estimated_delivery"] > TODAY.isoformat()
    # shipping it again (a retried warehouse call) changes nothing and records nothing
    again = shop.fulfilment.mark_shipped("so-100002", "UPS", "1Z999AA10123456784", now=NOW)
    assert again.ok and again.reason == "already" and not again.event_recorded
    assert len(events(shop)) == 1


@pytest.mark.parametrize(("order_id", "carrier", "tracking", "reason"), [
    ("SO100001", "UPS", "1Z1", "wrong_status"),        # not paid yet
    ("SO100002", "Pigeon", "1Z1", "unknown_carrier"),
    ("SO100002", "UPS", "<script>", "bad_tracking_number"),
    ("SO100002", "UPS", "", "bad_tracking_number"),
    ("SO999999", "UPS", "1Z1", "not_found"),
])
def test_a_refused_change_records_no_event(shop: Shop, order_id: str, carrier: str, tracking: str,
                                           reason: str) -> None:
    result = shop.fulfilment.mark_shipped(order_id, carrier, tracking, now=NOW)
    assert not result.ok and result.reason == reason
    assert events(shop) == []


def test_a_failed_transaction_leaves_neither_the_change_nor_the_event(shop: Shop, monkeypatch) -> None:
    import assistant.shop.commerce.fulfilment as fulfilment

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fulfilment, "record_event", broken)
    with pytest.raises(RuntimeError):
        shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    assert shop.orders.get_order("SO100002").status == "paid"
    assert events(shop) == []


def test_delay_delivery_return_and_refund_each_record_their_event(shop: Shop) -> None:
    assert shop.fulfilment.mark_delayed("SO100003", TODAY + timedelta(days=9), now=NOW).event_recorded
    assert not shop.fulfilment.mark_delayed("SO100003", TODAY + timedelta(days=9), now=NOW).ok  # not later
    assert shop.fulfilment.mark_delivered("SO100003", now=NOW).event_recorded
    assert shop.fulfilment.receive_return("SO100011", now=NOW).event_recorded
    assert shop.fulfilment.issue_refund("SO100011", now=NOW).event_recorded
    assert shop.fulfilment.issue_refund("SO100011", now=NOW).reason == "already"
    assert not shop.fulfilment.receive_return("SO100004", now=NOW).ok  # no return was asked for
    assert [e.kind for e in events(shop)] == ["delayed", "delivered", "return_received", "refund_issued"]
    with shop.sessions() as session:
        assert session.get(Refund, "RF-000002").status == "refunded"
    assert shop.orders.get_order("SO100011").status == "returned"


def test_overdue_shipments_are_flagged_once(shop: Shop) -> None:
    eta = shop.orders.get_order("SO100003").estimated_delivery
    today = eta + timedelta(days=1)
    assert shop.fulfilment.flag_overdue(today) == ["SO100003"]
    assert shop.fulfilment.flag_overdue(today) == []  # the new estimate is in the future now
    assert shop.fulfilment.flag_overdue(eta + timedelta(days=30)) == []  # long past: not a fresh delay


def test_the_dedupe_key_makes_a_repeated_event_one(shop: Shop) -> None:
    with shop.sessions() as session, session.begin():
        assert record_event(session, kind="shipped", order_id="SO100002", customer_id=1, dedupe_key="k",
                            payload={}, now=NOW)
        assert not record_event(session, kind="shipped", order_id="SO100002", customer_id=1, dedupe_key="k",
                                payload={}, now=NOW)
    with pytest.raises(ValueError):
        with shop.sessions() as session, session.begin():
            record_event(session, kind="bogus", order_id="x", customer_id=1, dedupe_key="b", payload={}, now=NOW)


def test_a_claimed_event_is_not_claimed_again_until_its_lease_runs_out(shop: Shop) -> None:
    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    [claimed] = shop.outbox.claim("worker-a", now=NOW)
    assert claimed.attempts == 1
    assert shop.outbox.claim("worker-b", now=NOW + timedelta(seconds=30)) == []
    # worker-a died: after the lease another worker takes it; worker-a's late finish is ignored
    [taken] = shop.outbox.claim("worker-b", now=NOW + timedelta(seconds=61))
    assert taken.id == claimed.id and taken.attempts == 2
    assert not shop.outbox.finish(claimed.id, "worker-a", "late")
    assert shop.outbox.finish(taken.id, "worker-b", "delivered")
    assert shop.outbox.claim("worker-c", now=NOW + timedelta(hours=1)) == []


def test_a_held_event_comes_back_when_due_without_counting_an_attempt(shop: Shop) -> None:
    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    [event] = shop.outbox.claim("w", now=NOW)
    assert shop.outbox.hold(event.id, "w", NOW + timedelta(hours=8), "quiet hours")
    assert shop.outbox.claim("w", now=NOW + timedelta(hours=7)) == []
    [again] = shop.outbox.claim("w", now=NOW + timedelta(hours=8))
    assert again.attempts == 1


def test_one_delivery_row_per_event_and_target(shop: Shop) -> None:
    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    [event] = shop.outbox.claim("w", now=NOW)
    first = shop.outbox.begin_delivery(event.id, "telegram|telegram:42", "telegram", "telegram:42", "en", "message")
    second = shop.outbox.begin_delivery(event.id, "telegram|telegram:42", "telegram", "telegram:42", "en", "message")
    assert first.id == second.id and second.status == "sending"
    shop.outbox.mark(first.id, "delivered", attempted=True)
    assert shop.outbox.begin_delivery(event.id, "telegram|telegram:42", "telegram", "telegram:42", "en",
                                      "message").status == "delivered"
    with shop.sessions() as session:
        assert session.scalar(select(func.count()).select_from(NotificationDelivery)) == 1


def test_the_email_fallback_is_queued_once(shop: Shop) -> None:
    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    [event] = shop.outbox.claim("w", now=NOW)
    jane = shop.outbox.recipient(1)
    assert shop.outbox.queue_email(event.id, jane, "subject", "body", "en", NOW)
    assert not shop.outbox.queue_email(event.id, jane, "subject", "body", "en", NOW)
    assert shop.outbox.emails_for(1) == [("jane.doe@example.com", "subject", "body")]
    [delivery] = shop.outbox.deliveries(event.id)
    assert (delivery.target, delivery.status) == ("email", "delivered")


def test_preferences_default_and_change(tmp_path: Path) -> None:
    standard_shop(tmp_path).engine.dispose()
    shop = Shop.open(ShopConfig(f"sqlite:///{tmp_path / 'db' / 'shop.db'}", notify_default_opt_in=False))
    try:
        prefs = shop.notification_preferences
        assert not prefs.wants_updates(1)
        assert prefs.set(1, True, via="telegram")
        assert not prefs.set(1, True)
        assert prefs.wants_updates(1) and not prefs.wants_updates(2)
        with pytest.raises(LookupError):
            prefs.set(999, False)
    finally:
        shop.close()


def test_the_event_date_is_iso(shop: Shop) -> None:
    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", estimated_delivery=date(2025, 3, 20),
                                 now=NOW)
    assert events(shop)[0].payload["estimated_delivery"] == "2025-03-20"


def test_erasing_a_customer_deletes_their_queued_update_emails(shop: Shop) -> None:
    from assistant.shop.support.privacy import PrivacyService

    shop.fulfilment.mark_shipped("SO100002", "UPS", "1Z999AA10123456784", now=NOW)
    [event] = shop.outbox.claim("w", now=NOW)
    shop.outbox.queue_email(event.id, shop.outbox.recipient(1), "subject", "body", "en", NOW)
    PrivacyService(shop.sessions).erase(1)
    assert shop.outbox.emails_for(1) == []
