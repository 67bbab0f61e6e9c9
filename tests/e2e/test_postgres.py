"""The order flows against the local PostgreSQL (same code, DATABASE_URL points there)."""
from __future__ import annotations

import pytest

from assistant.shop.storage.models import Order

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_order_status_and_cancel_on_postgres(postgres_shop):
    shipped = postgres_shop.order("shipped")
    chat = postgres_shop.chat()
    chat.say(f"where is order {shipped['order_id']}?")
    assert shipped["tracking_number"] in chat.say(shipped["email"])

    pending = postgres_shop.order("pending")
    chat = postgres_shop.chat()
    chat.say(f"cancel order {pending['order_id']}")
    chat.say(pending["email"])
    assert "is cancelled" in chat.say("yes")
    with postgres_shop.sessions()() as session:
        assert session.get(Order, pending["order_id"]).status == "cancelled"
