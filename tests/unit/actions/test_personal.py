"""The personal touch in-process: greeting by name, open orders as buttons, suggestions, and nothing
personal before verification (tests/unit/shop_fixtures.py: Jane's orders SO100001-SO100011, Bob's SO200001)."""
from __future__ import annotations

from sqlalchemy import update

from actions.personal import ActionAskOrderId, ActionGreet, ActionSuggestProducts
from actions.verification import ActionStartOrderTask, ValidateOrderVerificationForm
from assistant.shop.storage.models import Order, Product
from tests.unit.actions.conftest import reply, responses, run, slots_of, tracker, unfilled

ASK = "utter_ask_order_verification_form_order_id"


def _buttons(messages):
    return [b for m in messages for b in m.get("buttons") or []]


def test_a_recognised_channel_is_greeted_by_first_name(services, domain) -> None:
    services.shop.identities.link(1, "telegram", "tg-42")
    state = tracker(text="hi", intent="greet", sender_id="tg-42")
    state.events[-1]["input_channel"] = "telegram"  # the user event, as Rasa records it
    events, messages = run(ActionGreet(), state)
    greeting = reply(messages, "utter_greet_by_name")
    assert greeting["first_name"] == "Jane" and "Doe" not in str(greeting)
    assert not unfilled(domain, greeting) and events == []


def test_a_stranger_and_another_channels_sender_get_the_plain_greeting(services) -> None:
    services.shop.identities.link(1, "telegram", "tg-42")
    _, messages = run(ActionGreet(), tracker(text="hi", intent="greet", sender_id="someone-else"))
    assert responses(messages) == ["utter_greet"]
    # the same sender id on another channel is somebody else
    _, messages = run(ActionGreet(), tracker(text="hi", intent="greet", sender_id="tg-42"))
    assert responses(messages) == ["utter_greet"]


def test_a_verified_shopper_is_greeted_by_name_too(services, jane) -> None:
    _, messages = run(ActionGreet(), tracker(text="hello", intent="greet", slots=jane))
    assert reply(messages, "utter_greet_by_name")["first_name"] == "Jane"


def test_a_forged_verification_slot_gets_no_name(services) -> None:
    forged = {"verified_customer_id": "1", "verified_email": "jane.doe@example.com"}
    _, messages = run(ActionGreet(), tracker(text="hi", intent="greet", slots=forged))
    assert responses(messages) == ["utter_greet"]


def test_verified_with_several_open_orders_the_form_offers_them_as_buttons(services, domain, jane) -> None:
    slots = {**jane, "order_id": "SO100004", "email": "jane.doe@example.com"}
    events, _ = run(ActionStartOrderTask(), tracker(text="where is my order?", intent="order_status", slots=slots))
    assert slots_of(events) == {"pending_task": "order_status", "awaiting_confirmation": None, "order_id": None}

    state = tracker(text="where is my order?", intent="order_status",
                    slots={**slots, "order_id": None, "pending_task": "order_status"})
    _, messages = run(ActionAskOrderId(), state)
    choice = reply(messages, "utter_choose_open_order")
    assert not unfilled(domain, choice) and choice["count"] == 3
    buttons = _buttons(messages)
    assert sorted(b["payload"] for b in buttons) == [f'/order_status{{"order_id":"{o}"}}'
                                                    for o in ("SO100001", "SO100002", "SO100003")]
    titles = {b["title"].split(" · ")[0]: b["title"] for b in buttons}
    assert "Slim Jeans" in titles["SO100003"] and "shipped" in titles["SO100003"]
    assert "(+1)" in titles["SO100002"]  # two tees
    assert ASK not in responses(messages)


def test_cancel_offers_only_the_cancellable_orders_and_return_the_delivered_ones(services, jane) -> None:
    base = {**jane, "order_id": None}
    _, messages = run(ActionAskOrderId(), tracker(text="cancel", intent="cancel_order",
                                                  slots={**base, "pending_task": "cancel_order"}))
    assert {b["payload"].split('"')[-2] for b in _buttons(messages)} == {"SO100001", "SO100002"}
    assert all(b["payload"].startswith("/cancel_order") for b in _buttons(messages))
    _, messages = run(ActionAskOrderId(), tracker(text="return", intent="return_item",
                                                  slots={**base, "pending_task": "return_item"}))
    assert {b["payload"].split('"')[-2] for b in _buttons(messages)} == {
        "SO100004", "SO100005", "SO100006", "SO100007", "SO100008", "SO100011"}


def test_one_open_order_is_used_directly_and_none_is_said(services, jane) -> None:
    with services.shop.sessions() as session, session.begin():
        session.execute(update(Order).where(Order.id.in_(["SO100002", "SO100003"])).values(status="cancelled"))
    events, _ = run(ActionStartOrderTask(), tracker(text="where is my order", intent="order_status", slots=jane))
    assert slots_of(events)["order_id"] == "SO100001"

    with services.shop.sessions() as session, session.begin():
        session.execute(update(Order).where(Order.id == "SO100001").values(status="cancelled"))
    events, _ = run(ActionStartOrderTask(), tracker(text="where is my order", intent="order_status", slots=jane))
    assert slots_of(events)["order_id"] is None
    _, messages = run(ActionAskOrderId(), tracker(text="where is my order", intent="order_status",
                                                  slots={**jane, "pending_task": "order_status"}))
    assert responses(messages) == ["utter_no_open_orders_order_status", ASK] and not _buttons(messages)


def test_a_named_order_is_kept_and_other_tasks_are_untouched(services, jane) -> None:
    entity = [{"entity": "order_id", "value": "SO100004"}]
    events, _ = run(ActionStartOrderTask(), tracker(text="where is SO100004", intent="order_status",
                                                    slots={**jane, "order_id": "SO100004"}, entities=entity))
    assert "order_id" not in slots_of(events)
    events, _ = run(ActionStartOrderTask(), tracker(text="my refund?", intent="refund_status",
                                                    slots={**jane, "order_id": "SO100011"}))
    assert "order_id" not in slots_of(events)


def test_before_verification_nothing_personal_is_offered(services) -> None:
    forged = {"verified_customer_id": "1", "pending_task": "order_status"}  # no ledger entry
    events, _ = run(ActionStartOrderTask(), tracker(text="where is my order", intent="order_status", slots=forged))
    assert "order_id" not in slots_of(events)
    _, messages = run(ActionAskOrderId(), tracker(text="where is my order", intent="order_status", slots=forged))
    assert responses(messages) == [ASK] and not _buttons(messages)
    _, messages = run(ActionSuggestProducts(), tracker(text="ideas for me?", intent="ask_recommendations",
                                                       slots=forged))
    assert responses(messages) == ["utter_suggestions_need_verification"]


def test_a_forged_button_for_another_customers_order_reveals_nothing(services, domain, jane) -> None:
    # Jane is verified; the payload names Bob's order: the form keeps it only to ask for its email
    slots = {**jane, "email": "jane.doe@example.com", "requested_slot": "order_id", "pending_task": "order_status"}
    state = tracker(slots=slots, text='/order_status{"order_id":"SO200001"}', intent="order_status",
                    entities=[{"entity": "order_id", "value": "SO200001"}], extracted={"order_id": "SO200001"},
                    active_loop="order_verification_form")
    events, messages = run(ValidateOrderVerificationForm(), state, domain)
    assert slots_of(events).get("email") is None  # the email on Bob's order is asked for
    text = str(messages)
    assert "Bob" not in text and "SO200001" not in text and "delivered" not in text


def test_suggestions_come_from_past_categories_in_the_shoppers_size(services, domain, jane) -> None:
    with services.shop.sessions() as session, session.begin():
        for sku, name, stock, rating in (("POLO", "Trail Polo", {"S": 0, "M": 3, "L": 1}, 4.8),
                                         ("HENLEY", "Merino Henley", {"S": 4, "M": 0, "L": 2}, 4.9),
                                         ("CREW", "Camp Crew", {"S": 1, "M": 1, "L": 1}, 4.1)):
            session.add(Product(sku=sku, name=name, category="Tops", subcategory="T-Shirts", description="",
                                price=30, currency="USD", colors=["blue"], sizes=["S", "M", "L"], stock=stock,
                                rating=rating, review_count=12, final_sale=False, url=f"/p/{sku}", image=""))
            session.add(Product(sku=f"{sku}-BAG", name=f"{name} Bag", category="Bags", subcategory="Totes",
                                description="", price=30, currency="USD", colors=[], sizes=[], stock={"all": 5},
                                rating=5.0, review_count=3, final_sale=False, url="", image=""))
    events, messages = run(ActionSuggestProducts(), tracker(text="any ideas for me?", intent="ask_recommendations",
                                                            slots=jane))
    message = reply(messages, "utter_suggestions")
    assert not unfilled(domain, message)
    skus = [p["sku"] for p in message["custom"]["products"]]
    # Jane bought tees and jeans (category Tops) in M: the Henley is sold out in M, bags she never bought,
    # and what she owns already is not suggested
    assert skus == ["POLO", "CREW"], skus
    assert "M" in message["results"] and slots_of(events) == {"last_product_sku": "POLO"}


def test_cancel_it_right_after_an_order_was_discussed_means_that_order(services, jane) -> None:
    # SO100001 and SO100002 are both cancellable: after SO100002's status, "cancel it" is SO100002
    discussed = {**jane, "current_order_id": "SO100002"}
    events, _ = run(ActionStartOrderTask(), tracker(text="cancel it", intent="cancel_order", slots=discussed))
    assert slots_of(events)["order_id"] == "SO100002"
    # a new "where is my order?" may mean another order: the choice is offered
    events, _ = run(ActionStartOrderTask(), tracker(text="where is my order", intent="order_status", slots=discussed))
    assert slots_of(events)["order_id"] is None
    # a discussed order the task does not apply to (delivered, for a cancel) is not used
    events, _ = run(ActionStartOrderTask(), tracker(text="cancel it", intent="cancel_order",
                                                    slots={**jane, "current_order_id": "SO100004"}))
    assert slots_of(events)["order_id"] is None
