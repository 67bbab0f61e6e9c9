"""actions/refunds.py through the actions that use it: the refund and return offers and the refund status
(action_run_order_task), and opening the refund on a yes (action_handle_affirm).

"Today" is 2025-03-12 (the ``clock`` fixture), the day tests/unit/shop_fixtures.py dates its orders from.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from actions.confirmation import ActionHandleAffirm
from actions.orders import ActionRunOrderTask
from assistant.shop.storage.models import Refund
from tests.unit.actions.conftest import asked, reply, responses, run, slots_of, tracker, unfilled


def _task(jane, task: str, order_id: str, **slots):
    state = tracker(slots={"pending_task": task, "order_id": order_id, **jane, **slots}, text=order_id,
                    intent="inform")
    return run(ActionRunOrderTask(), state)


def _yes(jane, question: str, **slots):
    return run(ActionHandleAffirm(), tracker(slots={**jane, **slots}, events=asked(question), text="yes",
                                             intent="affirm"))


def _refunds(services, order_id: str) -> list[Refund]:
    with services.shop.sessions() as session:
        return list(session.scalars(select(Refund).where(Refund.order_id == order_id)))


# ---- the offer ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("task", "kind"), [("request_refund", "refund"), ("return_item", "return")])
def test_an_eligible_order_is_offered_its_refundable_amount_and_asked(services, domain, jane, task, kind) -> None:
    events, messages = _task(jane, task, "SO100004")
    offer = reply(messages, f"utter_confirm_{kind}")
    assert offer["amount"] == "$70.00"  # the items, not the shipping
    assert offer["days_left"] == 20 and offer["return_window_days"] == 30 and offer["excluded_note"] == ""
    assert unfilled(domain, offer) == set()
    assert slots_of(events)["awaiting_confirmation"] == f"{kind}:SO100004"
    assert _refunds(services, "SO100004") == []  # nothing opened before the yes


def test_final_sale_items_are_left_out_and_named(services, jane) -> None:
    _, messages = _task(jane, "return_item", "SO100008")
    offer = reply(messages, "utter_confirm_return")
    assert offer["amount"] == "$50.00"
    assert offer["excluded_note"] == " (final-sale items excluded: Clearance Scarf)"


def test_the_last_day_of_the_window_still_counts(services, jane) -> None:
    events, messages = _task(jane, "request_refund", "SO100005")
    assert reply(messages, "utter_confirm_refund")["days_left"] == 0
    assert slots_of(events)["awaiting_confirmation"] == "refund:SO100005"


def test_the_window_closes_as_time_passes(services, verify, clock) -> None:
    clock(datetime(2025, 4, 2, 10, 0, tzinfo=timezone.utc))  # 31 days after SO100004's delivery
    jane = verify(1)
    events, messages = _task(jane, "request_refund", "SO100004")
    assert responses(messages) == ["utter_refund_not_eligible_window_expired"]
    assert "awaiting_confirmation" not in slots_of(events)


@pytest.mark.parametrize(("order_id", "response"), [
    ("SO100001", "utter_refund_not_eligible_not_delivered"),
    ("SO100002", "utter_refund_not_eligible_not_delivered"),
    ("SO100003", "utter_refund_not_eligible_not_delivered"),
    ("SO100006", "utter_refund_not_eligible_window_expired"),
    ("SO100007", "utter_refund_not_eligible_final_sale"),
    ("SO100009", "utter_refund_not_eligible_cancelled"),
])
@pytest.mark.parametrize("task", ["request_refund", "return_item"])
def test_an_ineligible_order_is_explained_and_not_asked(services, domain, jane, order_id, response, task) -> None:
    events, messages = _task(jane, task, order_id)
    message = reply(messages, response)
    assert message["order_id"] == order_id and message["support_email"] == "help@shop.test"
    assert unfilled(domain, message) == set()
    assert "awaiting_confirmation" not in slots_of(events)


def test_an_expired_window_names_the_delivery_day(services, jane) -> None:
    _, messages = _task(jane, "request_refund", "SO100006")
    assert messages[0]["delivered_on"] == "Sun 9 Feb 2025" and messages[0]["return_window_days"] == 30


def test_a_cancelled_unrefunded_order_says_there_is_nothing_to_refund(services, jane) -> None:
    _, messages = _task(jane, "request_refund", "SO100009")
    assert reply(messages, "utter_refund_not_eligible_cancelled")["cancel_refund_note"] == (
        "It was not paid, so there is nothing to refund.")


def test_a_cancelled_paid_order_shows_its_cancellation_refund(services, jane) -> None:
    refund = services.orders.cancel_order("SO100002").refund
    events, messages = _task(jane, "request_refund", "SO100002")
    existing = reply(messages, "utter_refund_exists")
    assert existing["refund_id"] == refund.id and existing["amount"] == "$45.95"
    assert existing["refund_status"] == "approved"
    assert "awaiting_confirmation" not in slots_of(events)


@pytest.mark.parametrize(("order_id", "refund_id", "kind"), [("SO100010", "RF-000001", "return"),
                                                               ("SO100011", "RF-000002", "refund")])
@pytest.mark.parametrize("task", ["request_refund", "return_item"])
def test_an_order_with_a_refund_shows_it_instead_of_a_second(services, domain, jane, order_id, refund_id, kind,
                                                             task) -> None:
    events, messages = _task(jane, task, order_id)
    existing = reply(messages, "utter_refund_exists")
    assert existing["refund_id"] == refund_id and existing["kind"] == kind and existing["amount"] == "$20.00"
    assert unfilled(domain, existing) == set()
    assert "awaiting_confirmation" not in slots_of(events)


def test_a_japanese_offer_has_a_japanese_amount_and_note(services, jane) -> None:
    _, messages = _task(jane, "request_refund", "SO100008", language="ja")
    offer = reply(messages, "utter_confirm_refund")
    assert offer["amount"] == "50.00米ドル"
    assert offer["excluded_note"] == "（ファイナルセール品を除く：Clearance Scarf）"


# ---- the refund status -------------------------------------------------------------------------------

def test_a_requested_refund_tells_its_state_and_dates(services, domain, jane) -> None:
    events, messages = _task(jane, "refund_status", "SO100011")
    status = reply(messages, "utter_refund_status")
    assert status["refund_id"] == "RF-000002" and status["refund_status"] == "requested"
    assert status["created_on"] == "Mon 10 Mar 2025" and status["expected_by"] == "Mon 17 Mar 2025"
    assert status["status_detail"].startswith("We've received the request")
    assert unfilled(domain, status) == set()
    assert slots_of(events) == {"pending_task": None, "current_order_id": "SO100011"}


def test_an_approved_refund_says_when_the_money_arrives(services, jane) -> None:
    services.orders.cancel_order("SO100002")  # today: approved refund, back within 5 business days
    _, messages = _task(jane, "refund_status", "SO100002")
    status = reply(messages, "utter_refund_status")
    assert status["refund_status"] == "approved" and status["expected_by"] == "Wed 19 Mar 2025"
    assert "Wed 19 Mar 2025" in status["status_detail"]


def test_an_order_without_a_refund_says_so(services, domain, jane) -> None:
    _, messages = _task(jane, "refund_status", "SO100004")
    assert responses(messages) == ["utter_refund_status_none"] and messages[0]["order_id"] == "SO100004"


def test_a_refund_status_in_japanese(services, jane) -> None:
    _, messages = _task(jane, "refund_status", "SO100010", language="ja")
    status = reply(messages, "utter_refund_status")
    assert status["amount"] == "20.00米ドル" and status["refund_status"] == "返金済み" and status["kind"] == "返品"
    assert status["created_on"] == "2025年3月10日（月）" and status["expected_by"] == "2025年3月17日（月）"
    assert status["status_detail"] == "ご注文時のお支払い方法へ返金が完了しています。"


def test_the_refund_status_of_another_customers_order_is_not_told(services, jane) -> None:
    events, messages = _task(jane, "refund_status", "SO200001")
    assert responses(messages) == ["utter_ok_stopped"] and slots_of(events) == {"pending_task": None}


# ---- opening the refund on a yes ---------------------------------------------------------------------

def test_yes_opens_the_refund_once(services, domain, jane) -> None:
    events, messages = _yes(jane, "refund:SO100004")
    created = reply(messages, "utter_refund_created")
    assert created["order_id"] == "SO100004" and created["amount"] == "$70.00"
    assert created["refund_status"] == "requested" and created["expected_by"] == "Wed 19 Mar 2025"
    assert unfilled(domain, created) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}
    [stored] = _refunds(services, "SO100004")
    assert (stored.id, stored.amount, stored.kind, stored.status) == (created["refund_id"], Decimal("70.00"),
                                                                      "refund", "requested")
    assert stored.conversation_id == "test-shopper"

    _, again = _yes(jane, "refund:SO100004")
    assert responses(again) == ["utter_refund_exists"] and again[0]["refund_id"] == created["refund_id"]
    assert len(_refunds(services, "SO100004")) == 1


def test_yes_to_a_return_opens_a_return_in_traditional_chinese(services, domain, jane) -> None:
    _, messages = _yes(jane, "return:SO100008", language="zh-Hant")
    created = reply(messages, "utter_return_created")
    assert created["amount"] == "50.00 美元" and created["kind"] == "退貨" and created["refund_status"] == "已申請"
    assert created["created_on"] == "2025年3月12日（週三）" and created["expected_by"] == "2025年3月19日（週三）"
    assert unfilled(domain, created) == set()
    [stored] = _refunds(services, "SO100008")
    assert stored.kind == "return" and stored.amount == Decimal("50.00")


def test_yes_after_the_window_closed_opens_nothing(services, verify, clock) -> None:
    clock(datetime(2025, 3, 12, 23, 50, tzinfo=timezone.utc))
    jane = verify(1)
    _, offered = _task(jane, "request_refund", "SO100005")  # the last day
    assert responses(offered) == ["utter_confirm_refund"]
    clock(datetime(2025, 3, 13, 0, 5, tzinfo=timezone.utc))  # the yes comes after midnight
    _, messages = _yes(jane, "refund:SO100005")
    assert responses(messages) == ["utter_refund_not_eligible_window_expired"]
    assert _refunds(services, "SO100005") == []


def test_yes_to_a_refund_for_another_customers_order_opens_nothing(services, jane) -> None:
    _, messages = _yes(jane, "refund:SO200001")
    assert responses(messages) == ["utter_ok"]
    assert _refunds(services, "SO200001") == []


def test_yes_without_a_proved_verification_opens_nothing(services, clock) -> None:
    _, messages = _yes({"verified_customer_id": "1"}, "refund:SO100004")
    assert responses(messages) == ["utter_ok"]
    assert _refunds(services, "SO100004") == []
