"""The personal touch and reviews through the real Rasa and action servers (REST channel).

One stack for the module (the session's ``shop``): a verified shopper with several open orders gets them
as buttons, a forged button for someone else's order reveals nothing, a product question shows the
rating and a review excerpt, and a recognised channel is greeted by first name and nothing more.
"""
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from assistant.shop.commerce.personal import OPEN_STATUSES, given_name
from assistant.shop.storage.models import Customer, Order, Product, Review
from assistant.shop.support.identity import IdentityService

pytestmark = pytest.mark.e2e


def _customer_with_open_orders(shop) -> tuple[Customer, list[Order]]:
    with shop.sessions()() as session:
        by_customer = defaultdict(list)
        for order in session.scalars(select(Order).where(Order.status.in_(OPEN_STATUSES)).order_by(Order.id)):
            by_customer[order.customer_id].append(order)
        customer_id, orders = max(by_customer.items(), key=lambda item: (len(item[1]), -item[0]))
        customer = session.get(Customer, customer_id)
        session.expunge_all()
        return customer, orders


def _foreign_shipped_order(shop, customer_id: int) -> Order:
    with shop.sessions()() as session:
        order = session.scalars(select(Order).where(Order.customer_id != customer_id, Order.status == "shipped")
                                .order_by(Order.id)).first()
        session.expunge_all()
        return order


def test_a_verified_shopper_picks_an_open_order_from_buttons_and_a_forged_one_reveals_nothing(shop):
    customer, orders = _customer_with_open_orders(shop)
    assert len(orders) >= 2, "the demo data should have a customer with several open orders"
    chat = shop.chat()
    chat.say("where is my order?")
    chat.say(orders[0].id)
    assert orders[0].id in chat.say(customer.email)  # verified; the status of that order

    replies = chat.send("where is my order?")
    buttons = [b for r in replies for b in r.get("buttons") or []]
    titles = " ".join(b["title"] for b in buttons)
    assert all(o.id in titles for o in orders[:8]), titles

    second = next(b for b in buttons if orders[1].id in b["title"])
    assert orders[1].id in chat.say(second["payload"])

    # a forged button: someone else's order in the payload; the reply asks for that order's email
    other = _foreign_shipped_order(shop, customer.id)
    reply = chat.say('/order_status{"order_id":"%s"}' % other.id)
    assert other.tracking_number not in reply and other.shipping_street not in reply
    assert "email" in reply.lower()


def test_a_product_question_gets_the_rating_and_a_matching_review(shop):
    with shop.sessions()() as session:
        product = session.scalars(select(Product).where(Product.name == "Cascade Hiker")).one()
        fit_texts = [r.text for r in session.scalars(select(Review).where(
            Review.sku == product.sku, Review.language == "en", Review.topic == "fit"))]
        rating, count = product.rating, product.review_count
    reply = shop.chat().say("Does the Cascade Hiker run small?")
    assert f"{rating:.1f}/5" in reply and str(count) in reply, reply
    assert any(text[:40] in reply for text in fit_texts), reply


def test_a_recognised_channel_is_greeted_by_first_name_only(shop):
    customer, orders = _customer_with_open_orders(shop)
    chat = shop.chat()
    with shop.sessions()() as session:
        language = session.get(Customer, customer.id).language
    IdentityService(shop.sessions()).link(customer.id, "rest", chat.sender)
    reply = chat.say("hi")
    assert given_name(customer.name, language) in reply
    surname = customer.name.replace(given_name(customer.name, language) or "", "").strip()
    assert surname not in reply and customer.email not in reply
    assert not any(o.id in reply for o in orders)
    # a stranger's conversation is greeted without a name
    assert given_name(customer.name, language) not in shop.chat().say("hi")
    # and the recognised shopper's orders still need verification
    assert "order number" in chat.say("where is my order?").lower()
