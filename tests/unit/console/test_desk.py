"""What the console adds to a ticket that waited after hours (``said_since``): the shopper's and the bot's
messages after the ticket opened, from the shopper's first, never an agent's, a notification or a message
the system triggered. The whole take, with real Rasa, is in tests/e2e/test_handoff.py."""
from __future__ import annotations

from datetime import datetime, timezone

from assistant.console.desk import said_since

OPENED = datetime(2026, 12, 6, 22, 0, tzinfo=timezone.utc)
T = OPENED.timestamp()


def user(text: str, at: float, intent: str = "ask_payment", **metadata) -> dict:
    return {"event": "user", "text": text, "timestamp": at, "metadata": metadata,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


def bot(text: str, at: float, **metadata) -> dict:
    return {"event": "bot", "text": text, "timestamp": at, "metadata": metadata}


def test_what_was_said_after_the_ticket_opened_from_the_shoppers_first_message() -> None:
    events = [
        user("a person please", T - 5, "human_handoff"), bot("Our support team is offline", T + 0.1),
        {"event": "slot", "name": "handoff_waiting", "value": True, "timestamp": T + 0.1},
        bot("Until then I'm still here", T + 0.2),
        user("what payment methods do you accept?", T + 60), bot("We accept cards and PayPal.", T + 61),
        bot("Your order has shipped", T + 90, notification={"kind": "shipped"}),
        user("EXTERNAL: handoff_resolved", T + 100, "handoff_resolved"),
        user("ok", T + 120, "affirm", is_external=True),
        bot("Morning! Alice here", T + 200, agent={"name": "Alice"}),
        user("  ", T + 210), {"event": "user", "text": "no time"},
    ]
    lines = said_since(events, OPENED.replace(tzinfo=None))  # SQLite gives naive UTC times
    assert [(sender, text, intent) for sender, text, intent, _ in lines] == [
        ("shopper", "what payment methods do you accept?", "ask_payment"),
        ("bot", "We accept cards and PayPal.", None)]
    assert lines[0][3] == datetime.fromtimestamp(T + 60, timezone.utc)


def test_a_very_long_message_is_cut_to_what_a_ticket_holds() -> None:
    lines = said_since([user("x" * 10_000, T + 1)], OPENED)
    assert len(lines[0][1]) == 4000
