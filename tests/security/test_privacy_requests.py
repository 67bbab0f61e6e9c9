"""Attack 7 of issue 13 (the privacy policy's promises): a customer's data can be exported and erased,
conversations included, and old conversations go after the retention period."""
from __future__ import annotations

import json
import subprocess
import urllib.parse

from sqlalchemy import select

from assistant.runtime.stack import ACTIONS_PYTHON
from assistant.shop.storage.models import Customer, Order
from tests.e2e.conftest import AUTH_TOKEN, REPO_ROOT, Chat
from tests.security.test_api_surface import call


def privacy(target, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ACTIONS_PYTHON), "-m", "assistant.runtime.privacy", *args], cwd=REPO_ROOT,
                          env=target.stack.env, capture_output=True, text=True, timeout=120)


def user_texts(target, sender: str) -> list[str]:
    quoted = urllib.parse.quote(sender, safe="")
    tracker = json.loads(call(f"{target.url}/conversations/{quoted}/tracker?token={AUTH_TOKEN}")[1])
    return [e.get("text") for e in tracker.get("events") or [] if e["event"] == "user"]


def test_export_then_erase_a_customer_with_their_conversations(target) -> None:
    order = target.order("delivered", 4)
    chat = Chat(target.url)
    chat.say("where is my order?")
    chat.say(order["order_id"])
    assert order["order_id"] in chat.say(order["email"])  # verified: the conversation is linked to the customer
    chat.say("I want to talk to a person please")

    exported = privacy(target, "export-customer", order["email"])
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["customer"]["email"] == order["email"]
    assert order["order_id"] in {o["id"] for o in data["orders"]}
    assert any(t["from"] == "you" and order["email"] in (t["text"] or "") for t in data["conversations"][chat.sender])

    assert privacy(target, "erase-customer", order["email"]).returncode == 2  # without --yes: nothing happens
    erased = privacy(target, "erase-customer", order["email"], "--yes")
    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout)["conversations_deleted"] >= 1
    assert user_texts(target, chat.sender) == []
    with target.sessions()() as session:
        customer_id = session.scalar(select(Order.customer_id).where(Order.id == order["order_id"]))
        customer = session.get(Customer, customer_id)
        assert customer.email != order["email"] and customer.phone is None  # the order stays for tax records
    again = Chat(target.url)
    again.say("where is my order?")
    again.say(order["order_id"])
    assert "don't match" in again.say(order["email"])  # the old email no longer opens the order
    assert privacy(target, "export-customer", order["email"]).returncode == 1


def test_retention_runs_and_reports(target) -> None:
    result = privacy(target, "retention")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"conversations_deleted", "events_deleted", "resolved_cases_deleted",
                           "verification_rows_deleted"}


def test_the_cli_says_what_is_wrong(target) -> None:
    unknown = privacy(target, "export-customer", "nobody@example.org")
    assert unknown.returncode == 1 and "no customer" in unknown.stderr
