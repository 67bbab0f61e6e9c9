"""Every contract intent gets a sensible reply; fallback, socket.io, API token, failures."""
from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest
import socketio

from tests.e2e.conftest import AUTH_TOKEN, Chat, free_port, start_stack

pytestmark = pytest.mark.e2e

# One plain phrasing per contract intent and a word the reply must contain.
CONTRACT = {
    "greet": ("hello there", "help"),
    "goodbye": ("bye, see you", "day"),
    "thank_you": ("thanks a lot", "welcome"),
    "bot_challenge": ("am I talking to a bot?", "virtual assistant"),
    "delivery_options": ("which countries do you ship to?", "ship"),
    "delivery_time": ("how long does shipping usually take?", "business days"),
    "payment_methods": ("can I pay with paypal?", "PayPal"),
    "payment_issue": ("my card was declined at checkout", "person"),
    "refund_policy": ("what's your return policy", "30 days"),
    "cancellation_fee": ("is there a fee for cancelling an order", "free"),
    "invoice": ("where can I download my invoice", "invoice"),
    "create_account": ("how do I sign up for an account", "account"),
    "delete_account": ("please delete my account", "account"),
    "edit_account": ("how can I change my phone number in my profile", "Profile"),
    "switch_account": ("how do I switch to my other account", "sign"),
    "recover_password": ("I forgot my password", "password"),
    "registration_problems": ("the sign up confirmation email never arrived", "spam"),
    "newsletter": ("unsubscribe me from the newsletter", "newsletter"),
    "place_order": ("how do I place an order?", "basket"),
    "product_search": ("do you have this jacket in blue under $100?", "jackets"),
    "product_question": ("is the Trail Runner 2 waterproof?", "Trail Runner 2"),
    "complaint": ("your service is terrible, I'm really unhappy", "sorry"),
    "give_feedback": ("I'd like to leave a review", "review"),
    "human_handoff": ("I want to talk to a real person", "support"),
}
ORDER_INTENTS = {
    "order_status": "where is my order?",
    "cancel_order": "I want to cancel my order",
    "change_order": "I need to change the size in my order",
    "change_shipping_address": "I need to change my delivery address",
    "request_refund": "I want my money back",
    "refund_status": "where is my refund?",
    "return_item": "I'd like to return these shoes",
}


@pytest.mark.parametrize("intent", sorted(CONTRACT))
def test_contract_intent_is_understood_and_answered(shop, intent):
    text, expected = CONTRACT[intent]
    assert shop.parse(text)["intent"]["name"] == intent
    reply = shop.chat().say(text)
    assert expected.lower() in reply.lower()
    assert "went wrong" not in reply


@pytest.mark.parametrize("intent", sorted(ORDER_INTENTS))
def test_order_intents_start_verification(shop, intent):
    text = ORDER_INTENTS[intent]
    assert shop.parse(text)["intent"]["name"] == intent
    assert "order number" in shop.chat().say(text).lower()


@pytest.mark.parametrize("text", ["what's the weather like tomorrow?", "solve 2x+3=7", "play some jazz music"])
def test_out_of_domain_goes_to_nlu_fallback(shop, text):
    assert shop.parse(text)["intent"]["name"] == "nlu_fallback"
    assert "I can help you with" in shop.chat().say(text)


def test_two_fallbacks_in_a_row_hand_off_to_a_person(shop):
    chat = shop.chat()
    chat.say("what's the capital of peru")
    second = chat.say("tell me a joke about penguins")
    assert "person" in second and "ticket #" in second


def test_socketio_channel_answers(shop):
    async def talk() -> list:
        received: list = []
        done = asyncio.Event()
        client = socketio.AsyncClient()

        @client.on("bot_uttered")
        async def on_bot(data):
            received.append(data)
            done.set()

        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()

        @client.on("session_confirm")
        async def on_confirm(data):
            confirmed.set_result(data)

        await client.connect(shop.url, socketio_path="/socket.io", transports=["websocket"])
        await client.emit("session_request", {"session_id": "socket-shopper-1"})  # not issued by the server
        session = await asyncio.wait_for(confirmed, timeout=10)
        assert session["session_id"].startswith("web:") and session["session_id"] != "socket-shopper-1"
        await client.emit("user_uttered", {"message": "where is my order?", "session_id": session["session_id"]})
        await asyncio.wait_for(done.wait(), timeout=30)
        await client.disconnect()
        return received

    messages = asyncio.run(talk())
    assert "order number" in messages[0]["text"].lower()


def test_http_api_requires_the_token(shop):
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(f"{shop.url}/status", timeout=10)
    assert denied.value.code == 401
    with urllib.request.urlopen(f"{shop.url}/status?token={AUTH_TOKEN}", timeout=10) as ok:
        assert "model_file" in json.loads(ok.read())


def test_action_server_health(shop):
    with urllib.request.urlopen(f"{shop.stack.action_server_url}/health", timeout=10) as response:
        assert response.status == 200


def test_malformed_rest_request_is_rejected_cleanly(shop):
    request = urllib.request.Request(f"{shop.url}/webhooks/rest/webhook", data=b"{not json")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)
    assert 400 <= error.value.code < 500


def test_action_server_down_gets_a_polite_message(tmp_path, shop):
    dead = f"http://127.0.0.1:{free_port()}/webhook"
    stack = start_stack(tmp_path, shop.database_url, with_actions=False, ACTION_SERVER_URL=dead)
    try:
        chat = Chat(stack.rasa_url)
        for text in ("what's your refund policy?", "where is my order SO123456"):
            reply = chat.say(text)
            assert "something went wrong on our side" in reply
            assert "Traceback" not in reply
    finally:
        stack.stop()
