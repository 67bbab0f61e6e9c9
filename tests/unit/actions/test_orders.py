"""action_run_order_task, validate_address_form and action_ask_address_confirmation, in-process.

The refund tasks (request_refund, return_item, refund_status) are in test_refunds.py.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from actions.order_tasks import ORDER_TASKS
from actions.orders import (
    ActionAskAddressConfirmation,
    ActionRunOrderTask,
    ValidateAddressForm,
    items_summary,
)
from assistant.i18n.phrases import speaking
from assistant.shop.commerce.views import OrderItemView
from tests.unit.actions.conftest import reply, responses, run, slots_of, tracker, unfilled

JANE = {"verified_customer_id": "1", "verified_email": "jane.doe@example.com"}  # the slots; `jane` proves them
BOB = "bob@example.org"
NEW_ADDRESS = {"address_street": "Hauptstraße 5", "address_city": "München", "address_postal_code": "80331",
               "address_country": "Germany"}
# what an order reply may carry; none of it may reach a shopper who is not the verified owner
ORDER_DETAILS = ("items", "total", "status", "carrier", "tracking_number", "current_address", "amount",
                 "refund_id", "delivered_on", "shipped_on")


def _task(task: str | None, order_id: str, **slots):
    state = tracker(slots={"pending_task": task, "order_id": order_id, **JANE, **slots}, text="SO",
                    intent="inform")
    return run(ActionRunOrderTask(), state)


# ---- order_status ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("order_id", "status"), [
    ("SO100001", "pending"), ("SO100002", "paid"), ("SO100003", "shipped"), ("SO100004", "delivered"),
    ("SO100009", "cancelled"), ("SO100010", "returned"),
])
def test_the_status_reply_is_the_one_for_the_orders_status(services, jane, domain, clock, order_id, status) -> None:
    events, messages = _task("order_status", order_id)
    assert responses(messages) == [f"utter_order_status_{status}"]
    assert slots_of(events) == {"pending_task": None, "current_order_id": order_id}
    assert messages[0]["order_id"] == order_id
    assert unfilled(domain, messages[0]) == set()


def test_a_shipped_order_tells_carrier_tracking_and_dates(services, jane, clock) -> None:
    _, messages = _task("order_status", "SO100003")
    facts = reply(messages, "utter_order_status_shipped")
    assert facts["carrier"] == "UPS" and facts["tracking_number"] == "1Z999AA10123456784"
    assert facts["tracking_url"].startswith("https://") and "1Z999AA10123456784" in facts["tracking_url"]
    assert facts["shipped_on"] == "Sun 26 Jan 2025" and facts["estimated_delivery"] == "Fri 14 Mar 2025"
    assert facts["total"] == "$55.95" and facts["items"] == "Slim Jeans (black, M)"
    assert facts["current_address"] == "Lindenstraße 12, 10115 Berlin, Germany"


def test_a_paid_order_tells_when_it_ships_and_what_is_in_it(services, jane, clock) -> None:
    _, messages = _task("order_status", "SO100002")
    facts = reply(messages, "utter_order_status_paid")
    assert facts["ship_by"] == "Fri 14 Mar 2025" and facts["items"] == "2× Classic Tee (black, M)"
    assert facts["total"] == "$45.95" and facts["tracking_number"] == ""


def test_a_japanese_conversation_gets_japanese_dates_amounts_and_status(services, jane, clock) -> None:
    _, messages = _task("order_status", "SO100003", language="ja")
    facts = reply(messages, "utter_order_status_shipped")
    assert facts["total"] == "55.95米ドル"
    assert facts["shipped_on"] == "2025年1月26日（日）" and facts["estimated_delivery"] == "2025年3月14日（金）"
    assert facts["status"] == "発送済み"
    assert facts["items"] == "Slim Jeans（ブラック、M）"


def test_a_traditional_chinese_conversation_gets_its_dates_and_amounts(services, jane, clock) -> None:
    _, messages = _task("order_status", "SO100002", language="zh-Hant")
    facts = reply(messages, "utter_order_status_paid")
    assert facts["total"] == "45.95 美元" and facts["ship_by"] == "2025年3月14日（週五）"
    assert facts["status"] == "已付款"


def test_without_a_pending_task_the_status_is_told(services, jane, clock) -> None:
    _, messages = _task(None, "SO100004")
    assert responses(messages) == ["utter_order_status_delivered"]
    assert messages[0]["delivered_on"] == "Sun 2 Mar 2025"


def test_an_order_number_in_another_spelling_is_found(services, jane, clock) -> None:
    events, messages = _task("order_status", "so-100003")
    assert responses(messages) == ["utter_order_status_shipped"]
    assert slots_of(events)["current_order_id"] == "SO100003"


# ---- privacy -----------------------------------------------------------------------------------------

def _assert_nothing_revealed(events, messages) -> None:
    assert responses(messages) == ["utter_ok_stopped"]
    assert not any(key in message for message in messages for key in ORDER_DETAILS)
    assert slots_of(events) == {"pending_task": None}  # no current_order_id, no confirmation question


@pytest.mark.parametrize("task", ORDER_TASKS)
def test_an_unverified_shopper_learns_nothing_about_the_order(services, clock, task) -> None:
    state = tracker(slots={"pending_task": task, "order_id": "SO100002", "email": "jane.doe@example.com"},
                    text="SO100002", intent="inform")
    _assert_nothing_revealed(*run(ActionRunOrderTask(), state))
    assert services.orders.get_order("SO100002").status == "paid"


@pytest.mark.parametrize("task", ORDER_TASKS)
def test_a_verified_shopper_learns_nothing_about_another_customers_order(services, jane, clock, task) -> None:
    _assert_nothing_revealed(*_task(task, "SO200001"))
    assert services.refunds.refund_status("SO200001") is None


def test_bob_verified_learns_nothing_about_janes_order(services, verify) -> None:
    state = tracker(slots={"pending_task": "order_status", "order_id": "SO100003", **verify(2, email=BOB)},
                    text="SO100003", intent="inform")
    _assert_nothing_revealed(*run(ActionRunOrderTask(), state))


def test_a_forged_verified_slot_reveals_nothing(services, clock) -> None:
    """The slot claims Jane but this conversation never proved it (nothing in the verification ledger)."""
    _assert_nothing_revealed(*_task("order_status", "SO100003"))


def test_a_verification_from_another_conversation_reveals_nothing(services, verify) -> None:
    verify(1, sender_id="janes-own-chat")
    _assert_nothing_revealed(*_task("order_status", "SO100003"))


@pytest.mark.parametrize("verified", ["", "abc", None])
def test_a_missing_or_garbled_verification_reveals_nothing(services, clock, verified) -> None:
    state = tracker(slots={"pending_task": "order_status", "order_id": "SO100003", "verified_customer_id": verified},
                    text="SO100003", intent="inform")
    _assert_nothing_revealed(*run(ActionRunOrderTask(), state))


def test_an_unknown_order_reveals_nothing(services, jane, clock) -> None:
    _assert_nothing_revealed(*_task("order_status", "SO999999"))


def test_a_locked_verification_hands_off_without_revealing_the_order(services, domain, clock) -> None:
    state = tracker(slots={"pending_task": "order_status", "order_id": "SO100003", "verification_locked": True,
                           "verification_failures": 3.0}, text="SO100003", intent="inform", sender_id="locked-1")
    events, messages = run(ActionRunOrderTask(), state)
    assert responses(messages) == ["utter_verification_locked", "utter_handoff_queued"]
    assert messages[0]["attempts"] == 3
    assert not any(key in message for message in messages for key in ORDER_DETAILS)
    slots = slots_of(events)
    assert slots["pending_task"] is None and slots["handoff_active"] is True
    ticket = services.shop.tickets.get(int(slots["handoff_ticket"]))
    assert ticket.reason == "verification_failed" and ticket.conversation_id == "locked-1"
    assert ticket.order_id is None and ticket.customer_id is None
    assert ticket.payload["verification_failures"] == 3.0
    assert all(unfilled(domain, m) == set() for m in messages)


# ---- cancel_order and change_order -------------------------------------------------------------------

@pytest.mark.parametrize("order_id", ["SO100001", "SO100002"])
def test_cancelling_an_unshipped_order_asks_first_and_changes_nothing(services, jane, domain, clock, order_id) -> None:
    before = services.orders.get_order(order_id).status
    events, messages = _task("cancel_order", order_id)
    confirm = reply(messages, "utter_confirm_cancel")
    assert confirm["order_id"] == order_id and unfilled(domain, confirm) == set()
    assert slots_of(events) == {"pending_task": None, "current_order_id": order_id,
                                "awaiting_confirmation": f"cancel:{order_id}"}
    assert services.orders.get_order(order_id).status == before
    assert services.refunds.refund_status(order_id) is None


def test_the_cancel_question_names_the_total(services, jane, clock) -> None:
    _, messages = _task("cancel_order", "SO100002")
    assert messages[0]["total"] == "$45.95" and messages[0]["items"] == "2× Classic Tee (black, M)"


@pytest.mark.parametrize(("order_id", "response", "status_verb"), [
    ("SO100003", "utter_cancel_not_possible_shipped", "shipped"),
    ("SO100004", "utter_cancel_not_possible_shipped", "been delivered"),
    ("SO100009", "utter_cancel_already_cancelled", "cancelled"),
    ("SO100010", "utter_cancel_not_possible_returned", "been returned"),
])
def test_an_order_past_cancelling_is_explained_and_not_asked(services, jane, domain, clock, order_id, response,
                                                              status_verb) -> None:
    events, messages = _task("cancel_order", order_id)
    message = reply(messages, response)
    assert message["status_verb"] == status_verb and unfilled(domain, message) == set()
    assert "awaiting_confirmation" not in slots_of(events)


def test_a_shipped_order_points_to_the_return_window(services, jane, clock) -> None:
    _, messages = _task("cancel_order", "SO100003")
    assert messages[0]["return_window_days"] == 30


def test_a_japanese_cancel_refusal_uses_the_japanese_verb(services, jane, clock) -> None:
    _, messages = _task("cancel_order", "SO100003", language="ja")
    assert reply(messages, "utter_cancel_not_possible_shipped")["status_verb"] == "発送済み"


@pytest.mark.parametrize(("order_id", "response"), [
    ("SO100001", "utter_change_order_possible"), ("SO100002", "utter_change_order_possible"),
    ("SO100003", "utter_change_order_not_possible"), ("SO100004", "utter_change_order_not_possible"),
    ("SO100009", "utter_cancel_already_cancelled"),
])
def test_changing_an_order_is_explained_by_status(services, jane, domain, clock, order_id, response) -> None:
    events, messages = _task("change_order", order_id)
    assert unfilled(domain, reply(messages, response)) == set()
    assert "awaiting_confirmation" not in slots_of(events)


def test_a_changeable_order_names_the_support_email(services, jane, clock) -> None:
    _, messages = _task("change_order", "SO100001")
    assert messages[0]["support_email"] == "help@shop.test"


# ---- change_shipping_address -------------------------------------------------------------------------

def test_an_unshipped_order_starts_the_address_form_with_empty_fields(services, jane, domain, clock) -> None:
    events, messages = _task("change_shipping_address", "SO100002", **NEW_ADDRESS)
    start = reply(messages, "utter_address_change_start")
    assert start["current_address"] == "Lindenstraße 12, 10115 Berlin, Germany"
    assert unfilled(domain, start) == set()
    assert slots_of(events) == {"pending_task": None, "current_order_id": "SO100002", "address_street": None,
                                "address_city": None, "address_postal_code": None, "address_country": None}
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "address_form"}


@pytest.mark.parametrize(("order_id", "response"), [
    ("SO100003", "utter_address_not_possible"), ("SO100004", "utter_address_not_possible"),
    ("SO100009", "utter_address_not_possible_closed"), ("SO100010", "utter_address_not_possible_closed"),
])
def test_a_shipped_or_closed_order_keeps_its_address(services, jane, domain, clock, order_id, response) -> None:
    events, messages = _task("change_shipping_address", order_id)
    assert unfilled(domain, reply(messages, response)) == set()
    assert not any(e.get("event") == "followup" for e in events)
    assert "address_street" not in slots_of(events)


def test_a_shipped_order_names_the_carrier_for_redirection(services, jane, clock) -> None:
    _, messages = _task("change_shipping_address", "SO100003")
    assert messages[0]["carrier"] == "UPS" and messages[0]["tracking_number"] == "1Z999AA10123456784"


def test_a_database_failure_gets_the_polite_reply(services, jane, clock, monkeypatch) -> None:
    def broken(order_id):
        raise RuntimeError("database is down")

    monkeypatch.setattr(services.shop.orders, "get_order", broken)
    events, messages = _task("order_status", "SO100003")
    assert responses(messages) == ["utter_technical_problem"]
    assert messages[0]["support_email"] == "help@shop.test" and events == []


# ---- items_summary -----------------------------------------------------------------------------------

def _item(name: str, quantity: int = 1, color: str | None = "black", size: str | None = "M") -> OrderItemView:
    return OrderItemView(sku=name, name=name, color=color, size=size, quantity=quantity,
                         unit_price=Decimal("10.00"), final_sale=False)


def test_items_summary_lists_quantity_colour_and_size() -> None:
    assert items_summary([_item("Tee", 2), _item("Cap", color=None, size=None)]) == "2× Tee (black, M); Cap"


def test_items_summary_shows_three_items_and_counts_the_rest() -> None:
    items = [_item(f"Item {n}") for n in range(1, 6)]
    assert items_summary(items) == "Item 1 (black, M); Item 2 (black, M); Item 3 (black, M); 2 more"
    assert items_summary(items, limit=5).count("(black, M)") == 5


def test_items_summary_in_japanese_uses_full_width_brackets_and_local_colours() -> None:
    with speaking("ja"):
        assert items_summary([_item("Tee", 2), _item("Cap", size=None)]) == "2× Tee（ブラック、M）、Cap（ブラック）"


def test_items_summary_of_nothing_is_empty() -> None:
    assert items_summary([]) == ""


# ---- validate_address_form ---------------------------------------------------------------------------

def _validate(domain, requested: str, value: str, language: str | None = None, **known):
    slots = {**JANE, "order_id": "SO100002", "current_order_id": "SO100002", "requested_slot": requested, **known}
    if language:
        slots["language"] = language
    state = tracker(slots=slots, text=value, intent="inform", extracted={requested: value},
                    active_loop="address_form")
    return run(ValidateAddressForm(), state, domain)


def test_a_whole_address_in_the_street_field_fills_every_field(services, domain) -> None:
    events, messages = _validate(domain, "address_street", "Hauptstraße 5, 80331 München, Germany")
    assert messages == []
    assert slots_of(events) == {"address_street": "Hauptstraße 5", "address_city": "München",
                                "address_postal_code": "80331", "address_country": "DE"}


def test_a_street_alone_is_accepted_and_the_rest_asked(services, domain) -> None:
    events, messages = _validate(domain, "address_street", "Hauptstraße 5")
    assert messages == [] and slots_of(events) == {"address_street": "Hauptstraße 5"}


def test_a_number_is_not_a_street(services, domain) -> None:
    events, messages = _validate(domain, "address_street", "12345")
    assert slots_of(events) == {"address_street": None}
    assert responses(messages) == ["utter_address_invalid"]
    assert "12345" in messages[0]["problem"]


def test_a_postal_code_waits_for_the_country_to_be_judged(services, domain) -> None:
    events, messages = _validate(domain, "address_postal_code", "1234",
                                 address_street="Hauptstraße 5", address_city="München")
    assert messages == [] and slots_of(events) == {"address_postal_code": "1234"}


def test_a_postal_code_wrong_for_the_country_is_refused(services, domain) -> None:
    events, messages = _validate(domain, "address_postal_code", "1234", address_street="Hauptstraße 5",
                                 address_city="München", address_country="Germany")
    assert slots_of(events) == {"address_postal_code": None}
    assert responses(messages) == ["utter_address_invalid"]
    assert messages[0]["problem"] == "'1234' is not a valid postal code for Germany (for example 10115)."


def test_the_address_problem_is_in_the_shoppers_language(services, domain) -> None:
    _, messages = _validate(domain, "address_postal_code", "1234", "ja", address_street="Hauptstraße 5",
                            address_city="München", address_country="Germany")
    assert responses(messages) == ["utter_address_invalid"]
    assert "郵便番号" in messages[0]["problem"] and "1234" in messages[0]["problem"]


@pytest.mark.parametrize("country", ["Narnia", "Brazil"])
def test_an_unknown_or_unserved_country_is_refused(services, domain, country) -> None:
    events, messages = _validate(domain, "address_country", country, address_street="Hauptstraße 5",
                                 address_city="München", address_postal_code="80331")
    assert slots_of(events) == {"address_country": None}
    assert responses(messages) == ["utter_address_invalid"]


def test_a_served_country_is_accepted(services, domain) -> None:
    events, messages = _validate(domain, "address_country", "Germany", address_street="Hauptstraße 5",
                                 address_city="München", address_postal_code="80331")
    assert messages == [] and slots_of(events) == {"address_country": "Germany"}


# ---- action_ask_address_confirmation -----------------------------------------------------------------

def _ask(slots):
    return run(ActionAskAddressConfirmation(), tracker(slots=slots, text="Germany", intent="inform"))


def test_the_complete_address_is_shown_normalised_and_asked(services, jane, domain, clock) -> None:
    events, messages = _ask({**JANE, "current_order_id": "SO100002", **NEW_ADDRESS})
    confirm = reply(messages, "utter_confirm_address")
    assert confirm["new_address"] == "Hauptstraße 5, 80331 München, Germany" and confirm["order_id"] == "SO100002"
    assert unfilled(domain, confirm) == set()
    assert slots_of(events) == {"awaiting_confirmation": "address:SO100002"}
    assert services.orders.get_order("SO100002").address.city == "Berlin"  # nothing saved before the yes


def test_fields_that_clash_are_asked_again(services, jane, clock) -> None:
    events, messages = _ask({**JANE, "current_order_id": "SO100002", **NEW_ADDRESS, "address_postal_code": "1234"})
    assert responses(messages) == ["utter_address_invalid"]
    assert slots_of(events) == {"address_postal_code": None}
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "address_form"


def test_no_address_question_for_an_unverified_conversation(services, clock) -> None:
    events, messages = _ask({"current_order_id": "SO100002", **NEW_ADDRESS})
    assert responses(messages) == ["utter_ok_stopped"] and events == []


@pytest.mark.parametrize("slots", [
    {"current_order_id": "SO200001", **NEW_ADDRESS},            # Bob's order
    {**NEW_ADDRESS},                                            # no order at all
])
def test_no_address_question_without_an_own_order(services, jane, slots) -> None:
    events, messages = _ask({**jane, **slots})
    assert responses(messages) == ["utter_ok_stopped"] and events == []
