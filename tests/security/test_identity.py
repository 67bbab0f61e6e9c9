"""Attacks 2, 3 and 5 of issue 13: speaking as another sender, reading another shopper's transcript,
and guessing order numbers and emails. Each runs against the real processes and must fail."""
from __future__ import annotations

import json
import urllib.parse
import uuid

import socketio
from sqlalchemy import func, select

from assistant.shop.storage.models import Ticket
from tests.e2e.conftest import AUTH_TOKEN, Chat
from tests.security.test_api_surface import call


def rest(target, sender: str, text: str, **extra) -> tuple[int, str]:
    status, body, _ = call(f"{target.url}/webhooks/rest/webhook", "POST", {"sender": sender, "message": text, **extra})
    return status, body


def test_rest_cannot_speak_in_another_channels_conversation(target) -> None:
    for sender in ("whatsapp:+4915112345678", "telegram:123456789", "web:" + "0" * 32, "sms:+15550001",
                   "a" * 101, "", "../x"):
        status, body = rest(target, sender, "where is my order?")
        assert status == 400 and "sender" in body, sender


def test_rest_rejects_malformed_bodies_with_a_clear_message(target) -> None:
    for body in (None, [], "text", {"sender": "x"}, {"sender": "x", "message": 5},
                 {"sender": "x", "message": "hi", "metadata": "no"}, {"sender": "x", "message": "x" * 6000}):
        status, text, _ = call(f"{target.url}/webhooks/rest/webhook", "POST", body)
        assert status == 400 and "error" in json.loads(text), body


def test_rest_cannot_pose_as_another_channel_or_an_agent(target) -> None:
    sender = f"poser-{uuid.uuid4().hex[:8]}"
    status, _ = rest(target, sender, "hello", input_channel="twilio",
                     metadata={"is_external": True, "agent": {"name": "Mia"}, "language": "en"})
    assert status == 200
    tracker = json.loads(call(f"{target.url}/conversations/{sender}/tracker?token={AUTH_TOKEN}")[1])
    user = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert user["input_channel"] == "rest"
    assert not {"is_external", "agent"} & set(user["metadata"])  # (Rasa adds its own model_id, assistant_id)


def _session(target, session_id=None, token=None) -> tuple[socketio.SimpleClient, dict]:
    client = socketio.SimpleClient()
    client.connect(target.url, transports=["polling"])
    client.emit("session_request", {"session_id": session_id, "session_token": token})
    event = client.receive(timeout=10)
    assert event[0] == "session_confirm"
    return client, event[1]


def _user_messages(target, session_id: str) -> list[str]:
    quoted = urllib.parse.quote(session_id, safe="")
    tracker = json.loads(call(f"{target.url}/conversations/{quoted}/tracker?token={AUTH_TOKEN}")[1])
    return [e.get("text") for e in tracker.get("events") or [] if e["event"] == "user"]


def test_a_socket_cannot_join_or_speak_in_another_shoppers_session(target) -> None:
    victim, session = _session(target)
    victim.emit("user_uttered", {"message": "hello", "session_id": session["session_id"]})
    victim.receive(timeout=30)
    real = session["session_token"]
    almost = real[:-1] + ("1" if real[-1] == "0" else "0")  # one character off (never the real token itself)
    for token in (None, "0" * 64, almost):
        attacker, issued = _session(target, session["session_id"], token)
        assert issued["session_id"] != session["session_id"], "a session id without its token must not be resumed"
        attacker.emit("user_uttered", {"message": "I am the victim now", "session_id": session["session_id"]})
        attacker.disconnect()
    assert "I am the victim now" not in _user_messages(target, session["session_id"])
    resumed, again = _session(target, session["session_id"], session["session_token"])  # the owner, after a reload
    assert again["session_id"] == session["session_id"]
    resumed.disconnect()
    victim.disconnect()


def test_the_widget_history_needs_the_sessions_token(target) -> None:
    client, session = _session(target)
    client.emit("user_uttered", {"message": "my email is jane.doe@example.com", "session_id": session["session_id"]})
    client.receive(timeout=30)
    client.disconnect()
    base = f"{target.console_url}/widget/api/history?session_id={urllib.parse.quote(session['session_id'])}"
    for suffix in ("", "&session_token=", "&session_token=" + "0" * 64):
        status, body, headers = call(base + suffix, headers={"Origin": "https://evil.example"})
        assert status == 403 and "jane" not in body and "Access-Control-Allow-Origin" not in headers
    status, body, _ = call(base + "&session_token=" + session["session_token"])
    assert status == 200 and "my email is" in body
    for conversation in ("whatsapp:+4915112345678", "telegram:5550001", "shopper-1"):
        status, _, _ = call(f"{target.console_url}/widget/api/history?session_id={urllib.parse.quote(conversation)}")
        assert status in (400, 403)


def _tickets(target) -> int:
    with target.sessions()() as session:
        return session.scalar(select(func.count()).select_from(Ticket))


def test_guessing_one_orders_email_from_many_conversations_is_stopped(target) -> None:
    """Five wrong emails for one order, each from a new conversation: the order is locked for everyone
    (the right email included) for the next hour, with one reply, and no ticket flood."""
    order = target.order("shipped", 5)
    tickets = _tickets(target)
    for n in range(5):
        chat = Chat(target.url)
        chat.say("where is my order?")
        chat.say(order["order_id"])
        reply = chat.say(f"guess{n}@example.org")
        # the fifth failure against the order locks it: that guesser is already told to wait
        assert ("don't match" if n < 4 else "too many attempts") in reply.lower(), reply
    owner = Chat(target.url)
    owner.say("where is my order?")
    reply = owner.say(order["order_id"]) + owner.say(order["email"])
    assert order["tracking_number"] not in reply and "too many attempts" in reply.lower()
    assert _tickets(target) == tickets


def test_an_unknown_order_and_a_wrong_email_read_the_same(target) -> None:
    order = target.order("delivered", 2)
    unknown, real = Chat(target.url), Chat(target.url)
    for chat in (unknown, real):
        chat.say("where is my order?")
    first = unknown.say("SO000002").replace("SO000002", "<id>")
    assert first == real.say(order["order_id"]).replace(order["order_id"], "<id>")
    assert unknown.say("nobody@example.org").replace("SO000002", "<id>") == \
        real.say("nobody@example.org").replace(order["order_id"], "<id>")
