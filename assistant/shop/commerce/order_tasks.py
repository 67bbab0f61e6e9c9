"""The order tasks: what a shopper can ask about one of their orders, each needing verification first.

The one list of them, plain Python so that Rasa's router (``assistant/rasa_plugins/routing.py``) reads it
too. ``actions.orders.TASKS`` maps each to its handler (a missing handler fails at
import), ``action_start_order_task`` remembers which one was asked for, and the two rules in
``nlu_data/train/rules.yml`` that start and resume verification list the same intents (a unit test
compares them). Adding an order task: README "Adding an order task".
"""
from __future__ import annotations

ORDER_TASKS: tuple[str, ...] = (
    "order_status",
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "request_refund",
    "return_item",
    "refund_status",
)
