"""What the messenger connectors accept from a (correctly signed) webhook body: well-formed messages
become (sender, text, delivery id); anything malformed is skipped, never an exception."""
from __future__ import annotations

import pytest

from assistant.rasa_plugins.channels.facebook import messaging_events
from assistant.rasa_plugins.channels.telegram import parse_update

GARBAGE = [None, True, 3, "x", [], {}, {"a": [1, {"b": None}]}]


@pytest.mark.parametrize("entry", GARBAGE + [[None], ["x"], [{"messaging": True}], [{"messaging": ["x", None]}],
                                             [{"messaging": [{"sender": "me", "message": {"text": "hi"}}]}],
                                             [{"messaging": [{"sender": {"id": {"x": 1}}, "message": "hi"}]}]])
def test_messenger_bodies_that_are_not_messages_yield_nothing(entry) -> None:
    assert list(messaging_events({"object": "page", "entry": entry})) == []


def test_messenger_messages_quick_replies_and_postbacks() -> None:
    events = [{"sender": {"id": "6001"}, "message": {"mid": "m1", "text": "hello"}},
              {"sender": {"id": "6001"}, "message": {"mid": "m2", "text": "Yes", "quick_reply": {"payload": "/affirm"}}},
              {"sender": {"id": "6001"}, "postback": {"mid": "m3", "payload": "/greet"}},
              {"sender": {"id": "6001"}, "message": {"mid": "m4", "text": "echo", "is_echo": True}},
              {"sender": {"id": "not-a-psid"}, "message": {"mid": "m5", "text": "hi"}}]
    assert list(messaging_events({"object": "page", "entry": [{"messaging": events}]})) == [
        ("6001", "hello", "m1"), ("6001", "/affirm", "m2"), ("6001", "/greet", "m3")]


@pytest.mark.parametrize("update", GARBAGE + [
    {"message": "x"}, {"message": {"chat": "x", "text": "hi"}}, {"message": {"chat": {"id": {"a": 1}}, "text": "hi"}},
    {"message": {"chat": {"id": True}, "text": "hi"}}, {"message": {"chat": {"id": 5}, "text": 7}},
    {"callback_query": {"message": "x", "data": "/affirm"}}, {"callback_query": {"from": [1], "data": "/affirm"}}])
def test_telegram_updates_that_are_not_messages_are_ignored(update) -> None:
    assert parse_update(update if isinstance(update, dict) else {"message": update}) is None


def test_telegram_messages_taps_and_start() -> None:
    assert parse_update({"message": {"chat": {"id": -100123}, "text": " hi "}}) == ("-100123", "hi", None)
    assert parse_update({"message": {"chat": {"id": 5}, "text": "/start"}}) == ("5", "/greet", None)
    tap = {"callback_query": {"id": "q1", "message": {"chat": {"id": 5}}, "data": "/affirm"}}
    assert parse_update(tap) == ("5", "/affirm", "q1")
