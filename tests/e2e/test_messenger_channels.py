"""Telegram, Facebook Messenger and Twilio (WhatsApp) through the real Rasa server.

Webhook payloads are written from the platforms' documented formats and replayed with correct,
wrong and missing signatures. Replies go to a local fake platform API that records every
request, so each connector's outbound payload is asserted, and so is its silence when a webhook
was rejected. Omnichannel identity: verifying on Telegram and then on WhatsApp links both
senders to one customer.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from aiohttp import web

from assistant.runtime.stack import make_stack
from assistant.shop.storage.models import Order
from assistant.shop.support.identity import IdentityService
from tests.e2e.conftest import AUTH_TOKEN, Shop, free_port, seed_database, start_stack

pytestmark = pytest.mark.e2e

TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM_SECRET = "tg_secret-Token_42"
TELEGRAM_PUBLIC_WEBHOOK = "https://bot.example.test/webhooks/telegram/webhook"
FACEBOOK_VERIFY = "fb-verify-token"
FACEBOOK_SECRET = "fb-app-secret-0123456789abcdef"
FACEBOOK_PAGE_TOKEN = "EAAB-page-access-token"
TWILIO_SID = "AC00000000000000000000000000000001"
TWILIO_TOKEN = "twilio-auth-token-0123456789"
TWILIO_NUMBER = "+14155238886"
TWILIO_PUBLIC_WEBHOOK = "https://bot.example.test/webhooks/twilio/webhook"
PAGE_ID = "107000000000001"


# --- the fake platform API --------------------------------------------------------------------

@dataclass
class Recorded:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    json: Any = None
    form: Dict[str, str] = field(default_factory=dict)


class FakePlatformApi:
    """Telegram Bot API, Graph API and Twilio REST API stand-in: answers success, records everything."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: List[Recorded] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-platform-api", daemon=True)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        record = Recorded(request.method, request.path, dict(request.query), dict(request.headers))
        if request.content_type == "application/json" and body:
            record.json = json.loads(body)
        elif request.content_type == "application/x-www-form-urlencoded":
            record.form = dict(urllib.parse.parse_qsl(body.decode()))
        with self._lock:
            self.requests.append(record)
        if request.path.endswith("/Messages.json"):
            return web.json_response({"sid": f"SM{uuid.uuid4().hex}", "status": "queued"}, status=201)
        if request.path.endswith("/me/messages"):
            recipient = (record.json or {}).get("recipient", {}).get("id")
            return web.json_response({"recipient_id": recipient, "message_id": f"m_{uuid.uuid4().hex}"})
        return web.json_response({"ok": True, "result": {"message_id": len(self.requests)}})

    def start(self) -> "FakePlatformApi":
        async def boot() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        self._thread.start()
        asyncio.run_coroutine_threadsafe(boot(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def count(self) -> int:
        with self._lock:
            return len(self.requests)

    def since(self, start: int, predicate: Callable[[Recorded], bool] = lambda r: True) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests[start:] if predicate(r)]

    def wait_for(self, predicate: Callable[[Recorded], bool], start: int = 0, timeout: float = 30) -> List[Recorded]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.since(start, predicate)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"the fake platform API received no matching request; got {self.since(start)}")


def conversation_path(sender_id: str) -> str:
    """A sender id in a Rasa API path. Rasa (Sanic) does not percent-decode path parameters, so
    ``whatsapp:+49...`` must stay as it is: ':' and '+' are valid in a URL path."""
    return urllib.parse.quote(sender_id, safe=":+@")


# --- the system under test ---------------------------------------------------------------------

@dataclass
class Messengers:
    shop: Shop
    fake: FakePlatformApi

    @property
    def url(self) -> str:
        return self.shop.url

    def post(self, path: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, bytes]:
        request = urllib.request.Request(f"{self.url}{path}", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=90) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, path: str) -> Tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def tracker(self, sender_id: str) -> Dict[str, Any]:
        quoted = conversation_path(sender_id)
        status, body = self.get(f"/conversations/{quoted}/tracker?token={AUTH_TOKEN}&include_events=ALL")
        assert status == 200, body
        return json.loads(body)

    def last_user_message(self, sender_id: str) -> Dict[str, Any]:
        """The shopper's last message as Rasa received it (text and parsed intent)."""
        users = [e for e in self.tracker(sender_id)["events"] if e["event"] == "user"]
        assert users, f"no user message in the tracker of {sender_id}"
        return users[-1]

    def latest_intent(self, sender_id: str) -> str:
        return ((self.last_user_message(sender_id).get("parse_data") or {}).get("intent") or {}).get("name", "")

    def agent_says(self, sender_id: str, text: str, name: str = "Alice") -> int:
        """What the support console does for a live reply: append a bot event, sent on the latest channel."""
        quoted = conversation_path(sender_id)
        event = {"event": "bot", "text": text, "timestamp": time.time(), "metadata": {"agent": {"name": name}}}
        status, body = self.post(
            f"/conversations/{quoted}/tracker/events?token={AUTH_TOKEN}&output_channel=latest"
            "&execute_side_effects=true",
            json.dumps(event).encode(), {"Content-Type": "application/json"})
        assert status == 200, body
        return status

    def assert_nothing_sent(self, start: int) -> None:
        time.sleep(0.5)
        assert self.fake.since(start) == [], "a rejected webhook must not make the bot say anything"


@pytest.fixture(scope="module")
def messengers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Messengers]:
    fake = FakePlatformApi().start()
    tmp = tmp_path_factory.mktemp("messengers")
    database_url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(database_url)
    stack = None
    try:
        stack = start_stack(
            tmp, database_url, RASA_AUTH_TOKEN=AUTH_TOKEN, SHOP_PUBLIC_URL="https://shop.example.test",
            TELEGRAM_ACCESS_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME="northwind_shop_bot",
            TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_WEBHOOK_URL=TELEGRAM_PUBLIC_WEBHOOK,
            TELEGRAM_API_URL=fake.url,
            FACEBOOK_VERIFY_TOKEN=FACEBOOK_VERIFY, FACEBOOK_APP_SECRET=FACEBOOK_SECRET,
            FACEBOOK_PAGE_ACCESS_TOKEN=FACEBOOK_PAGE_TOKEN, FACEBOOK_GRAPH_URL=fake.url,
            TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_NUMBER=TWILIO_NUMBER,
            TWILIO_WEBHOOK_URL=TWILIO_PUBLIC_WEBHOOK, TWILIO_API_URL=fake.url,
        )
        system = Messengers(Shop(stack, database_url), fake)
        # Telegram registers its webhook (with the secret token) once the server is up.
        fake.wait_for(lambda r: r.path.endswith("/setWebhook"))
        yield system
    finally:
        if stack is not None:
            stack.stop()
        fake.stop()


# --- Telegram ----------------------------------------------------------------------------------

UPDATE_IDS = itertools.count(10000)  # Telegram numbers every update, increasing


def telegram_update(chat_id: int, text: str) -> Dict[str, Any]:
    """An Update with a private text message (core.telegram.org/bots/api#update)."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Jane", "username": "jane_d", "language_code": "en"}
    return {"update_id": next(UPDATE_IDS), "message": {
        "message_id": 1365, "from": user, "chat": {"id": chat_id, "first_name": "Jane", "username": "jane_d",
                                                   "type": "private"},
        "date": int(time.time()), "text": text}}


def telegram_tap(chat_id: int, data: str) -> Dict[str, Any]:
    """An Update with a callback_query: the shopper tapped an inline keyboard button."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Jane"}
    return {"update_id": next(UPDATE_IDS), "callback_query": {
        "id": "4382bfdwdsb323b2d9", "from": user, "chat_instance": "-7012000000000000000", "data": data,
        "message": {"message_id": 1366, "from": {"id": 123456789, "is_bot": True, "first_name": "Shop"},
                    "chat": {"id": chat_id, "type": "private"}, "date": int(time.time()), "text": "..."}}}


def send_telegram(system: Messengers, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return system.post("/webhooks/telegram/webhook", json.dumps(update).encode(), headers)


def telegram_texts(system: Messengers, start: int, chat_id: int) -> List[Recorded]:
    return system.fake.since(start, lambda r: r.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
                             and r.json["chat_id"] == chat_id)


def say_on_telegram(system: Messengers, chat_id: int, text: str) -> str:
    start = system.fake.count()
    status, _ = send_telegram(system, telegram_update(chat_id, text))
    assert status == 200
    return "\n".join(r.json["text"] for r in telegram_texts(system, start, chat_id))


def test_telegram_webhook_was_registered_with_the_secret_token(messengers: Messengers) -> None:
    [registered] = messengers.fake.since(0, lambda r: r.path == f"/bot{TELEGRAM_TOKEN}/setWebhook")
    assert registered.json["url"] == TELEGRAM_PUBLIC_WEBHOOK
    assert registered.json["secret_token"] == TELEGRAM_SECRET
    assert "message" in registered.json["allowed_updates"]


def test_telegram_start_gets_a_greeting(messengers: Messengers) -> None:
    start = messengers.fake.count()
    status, _ = send_telegram(messengers, telegram_update(5550001, "/start"))
    assert status == 200
    texts = [r.json["text"] for r in telegram_texts(messengers, start, 5550001)]
    assert any("shop assistant" in text.lower() for text in texts), texts
    assert messengers.latest_intent("telegram:5550001") == "greet"


def test_telegram_buttons_are_an_inline_keyboard_and_a_tap_is_the_payload(messengers: Messengers) -> None:
    chat = 5550002
    start = messengers.fake.count()
    assert send_telegram(messengers, telegram_update(chat, "/payment_issue"))[0] == 200
    keyboards = [r.json["reply_markup"]["inline_keyboard"] for r in telegram_texts(messengers, start, chat)
                 if "reply_markup" in r.json]
    assert keyboards, "the payment-issue reply offers buttons"
    buttons = [row[0] for row in keyboards[-1]]
    assert all(b["text"] and b["callback_data"].startswith("/") for b in buttons)
    tapped = buttons[-1]["callback_data"]

    start = messengers.fake.count()
    assert send_telegram(messengers, telegram_tap(chat, tapped))[0] == 200
    answered = messengers.fake.since(start, lambda r: r.path.endswith("/answerCallbackQuery"))
    assert answered[0].json == {"callback_query_id": "4382bfdwdsb323b2d9"}
    assert telegram_texts(messengers, start, chat), "the bot answers the tap"
    assert messengers.latest_intent(f"telegram:{chat}") == tapped.lstrip("/").split("{")[0]


def test_telegram_wrong_secret_is_403_and_nothing_is_sent(messengers: Messengers) -> None:
    start = messengers.fake.count()
    status, body = send_telegram(messengers, telegram_update(5550003, "hello"), secret="not-the-secret")
    assert status == 403 and b"X-Telegram-Bot-Api-Secret-Token" in body
    messengers.assert_nothing_sent(start)


def test_telegram_missing_secret_is_401_and_nothing_is_sent(messengers: Messengers) -> None:
    start = messengers.fake.count()
    status, _ = send_telegram(messengers, telegram_update(5550004, "hello"), secret=None)
    assert status == 401
    messengers.assert_nothing_sent(start)


# --- Facebook Messenger --------------------------------------------------------------------------

def facebook_body(psid: str, event: Dict[str, Any]) -> bytes:
    """A Messenger webhook event (developers.facebook.com/docs/messenger-platform/webhooks)."""
    now = int(time.time() * 1000)
    return json.dumps({"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now, **event}]}]}).encode()


def facebook_text(psid: str, text: str, quick_reply: Optional[str] = None) -> bytes:
    message: Dict[str, Any] = {"mid": f"m_{uuid.uuid4().hex}", "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return facebook_body(psid, {"message": message})


def sign_facebook(body: bytes, secret: str = FACEBOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_facebook(system: Messengers, body: bytes, headers: Optional[Dict[str, str]] = None):
    if headers is None:
        headers = {"X-Hub-Signature-256": sign_facebook(body)}
    return system.post("/webhooks/facebook/webhook", body, {"Content-Type": "application/json", **headers})


def facebook_sent(system: Messengers, start: int, psid: str) -> List[Recorded]:
    return system.fake.since(start, lambda r: r.path == "/v19.0/me/messages" and r.json["recipient"]["id"] == psid)


def test_facebook_subscription_handshake(messengers: Messengers) -> None:
    query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY,
                                    "hub.challenge": "1158201444"})
    assert messengers.get(f"/webhooks/facebook/webhook?{query}") == (200, b"1158201444")
    wrong = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert messengers.get(f"/webhooks/facebook/webhook?{wrong}")[0] == 403


def test_facebook_message_gets_a_reply_through_the_send_api(messengers: Messengers) -> None:
    psid = "6000000000000001"
    start = messengers.fake.count()
    status, body = send_facebook(messengers, facebook_text(psid, "hello"))
    assert (status, body) == (200, b"EVENT_RECEIVED")
    replies = facebook_sent(messengers, start, psid)
    assert replies and all(r.query == {"access_token": FACEBOOK_PAGE_TOKEN} for r in replies)
    assert all(r.json["messaging_type"] == "RESPONSE" for r in replies)
    texts = [r.json["message"].get("text", "") for r in replies]
    assert any("shop assistant" in text.lower() for text in texts), texts


def test_facebook_buttons_are_quick_replies_and_postbacks_and_taps_are_payloads(messengers: Messengers) -> None:
    psid = "6000000000000002"
    start = messengers.fake.count()
    # A postback, as from a persistent-menu item whose payload is an intent.
    body = facebook_body(psid, {"postback": {"title": "Payment problem", "payload": "/payment_issue",
                                             "mid": f"m_{uuid.uuid4().hex}"}})
    assert send_facebook(messengers, body)[0] == 200
    with_buttons = [r.json["message"] for r in facebook_sent(messengers, start, psid)
                    if "quick_replies" in r.json["message"]]
    assert with_buttons, "the payment-issue reply offers quick replies"
    quick = with_buttons[-1]["quick_replies"]
    assert all(q["content_type"] == "text" and 0 < len(q["title"]) <= 20 and q["payload"].startswith("/")
               for q in quick)

    start = messengers.fake.count()
    tapped = quick[-1]
    assert send_facebook(messengers, facebook_text(psid, tapped["title"], quick_reply=tapped["payload"]))[0] == 200
    assert facebook_sent(messengers, start, psid), "the bot answers the quick reply"
    assert messengers.latest_intent(f"facebook:{psid}") == tapped["payload"].lstrip("/").split("{")[0]


def test_facebook_wrong_signature_is_403_and_nothing_is_sent(messengers: Messengers) -> None:
    body = facebook_text("6000000000000003", "hello")
    start = messengers.fake.count()
    assert send_facebook(messengers, body, {"X-Hub-Signature-256": sign_facebook(body, "other-secret")})[0] == 403
    tampered = body.replace(b"hello", b"hellO")
    assert send_facebook(messengers, tampered, {"X-Hub-Signature-256": sign_facebook(body)})[0] == 403
    messengers.assert_nothing_sent(start)


def test_facebook_missing_signature_is_401_and_nothing_is_sent(messengers: Messengers) -> None:
    body = facebook_text("6000000000000004", "hello")
    start = messengers.fake.count()
    assert send_facebook(messengers, body, {})[0] == 401
    # The legacy SHA-1 header alone is not accepted.
    legacy = "sha1=" + hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.sha1).hexdigest()
    assert send_facebook(messengers, body, {"X-Hub-Signature": legacy})[0] == 401
    messengers.assert_nothing_sent(start)


# --- Twilio (WhatsApp) ---------------------------------------------------------------------------

def whatsapp_message(sender: str, text: str) -> Dict[str, str]:
    """The form Twilio posts for an incoming WhatsApp message (twilio.com/docs/messaging/guides/webhook-request)."""
    sid = f"SM{uuid.uuid4().hex}"
    return {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Jane", "MessageType": "text",
            "SmsSid": sid, "WaId": sender.split("+")[-1], "SmsStatus": "received", "Body": text,
            "To": f"whatsapp:{TWILIO_NUMBER}", "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
            "AccountSid": TWILIO_SID, "From": sender, "ApiVersion": "2010-04-01"}


def sign_twilio(params: Dict[str, str], url: str = TWILIO_PUBLIC_WEBHOOK, token: str = TWILIO_TOKEN) -> str:
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def send_twilio(system: Messengers, params: Dict[str, str], signature: Optional[str] = "sign"):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "sign":
        signature = sign_twilio(params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return system.post("/webhooks/twilio/webhook", urllib.parse.urlencode(params).encode(), headers)


def twilio_sent(system: Messengers, start: int, to: str) -> List[Recorded]:
    path = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    return system.fake.since(start, lambda r: r.path == path and r.form.get("To") == to)


def say_on_whatsapp(system: Messengers, sender: str, text: str) -> str:
    start = system.fake.count()
    status, _ = send_twilio(system, whatsapp_message(sender, text))
    assert status == 200
    return "\n".join(r.form["Body"] for r in twilio_sent(system, start, sender))


def test_whatsapp_message_gets_a_reply_through_the_messages_api(messengers: Messengers) -> None:
    sender = "whatsapp:+4915100000001"
    start = messengers.fake.count()
    status, body = send_twilio(messengers, whatsapp_message(sender, "hello"))
    assert status == 200 and b"<Response>" in body
    replies = twilio_sent(messengers, start, sender)
    assert replies and all(r.form["From"] == f"whatsapp:{TWILIO_NUMBER}" for r in replies)
    texts = [r.form["Body"] for r in replies]
    assert any("shop assistant" in text.lower() for text in texts), texts
    expected_auth = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert all(r.headers["Authorization"] == expected_auth for r in replies)


def test_whatsapp_buttons_are_a_numbered_list_and_a_number_picks_one(messengers: Messengers) -> None:
    sender = "whatsapp:+4915100000002"
    body = say_on_whatsapp(messengers, sender, "/payment_issue")
    assert "\n1. " in body and "\n2. " in body
    answer = say_on_whatsapp(messengers, sender, "2")
    assert answer, "the bot answers the choice"
    assert messengers.last_user_message(sender)["text"] in ("/affirm", "/deny"), body
    assert messengers.latest_intent(sender) in ("affirm", "deny")


def test_whatsapp_wrong_signature_is_403_and_nothing_is_sent(messengers: Messengers) -> None:
    params = whatsapp_message("whatsapp:+4915100000003", "hello")
    start = messengers.fake.count()
    assert send_twilio(messengers, params, sign_twilio(params, token="another-token"))[0] == 403
    # Signed for the URL the server sees instead of the public one Twilio called.
    local = f"{messengers.url}/webhooks/twilio/webhook"
    assert send_twilio(messengers, params, sign_twilio(params, url=local))[0] == 403
    tampered = {**params, "Body": "refund everything"}
    assert send_twilio(messengers, tampered, sign_twilio(params))[0] == 403
    messengers.assert_nothing_sent(start)


def test_whatsapp_missing_signature_is_401_and_nothing_is_sent(messengers: Messengers) -> None:
    start = messengers.fake.count()
    assert send_twilio(messengers, whatsapp_message("whatsapp:+4915100000004", "hello"), None)[0] == 401
    messengers.assert_nothing_sent(start)


# --- product cards and knowledge-base sources -----------------------------------------------------

PRODUCT_LINK = "https://shop.example.test/products/"


def test_product_cards_are_a_generic_template_on_messenger_and_lines_on_whatsapp(messengers: Messengers) -> None:
    question = "do you have jackets in blue under $100?"
    psid = "6000000000000030"
    start = messengers.fake.count()
    assert send_facebook(messengers, facebook_text(psid, question))[0] == 200
    templates = [r.json["message"]["attachment"]["payload"] for r in facebook_sent(messengers, start, psid)
                 if "attachment" in r.json["message"]]
    assert templates and templates[0]["template_type"] == "generic"
    element = templates[0]["elements"][0]
    assert element["title"] and element["subtitle"]
    assert element["default_action"]["url"].startswith(PRODUCT_LINK)
    assert element["buttons"] == [{"type": "web_url", "url": element["default_action"]["url"], "title": "View"}]

    body = say_on_whatsapp(messengers, "whatsapp:+4915100000030", question)
    first = element["title"]
    assert any(line.startswith(("1.", "•")) and PRODUCT_LINK in line for line in body.splitlines()), body
    assert first in body


def test_knowledge_base_answers_name_their_source_with_a_link(messengers: Messengers) -> None:
    text = say_on_telegram(messengers, 5550030, "how do I reset my password?")
    assert "Source: Reset your password https://shop.example.test/help/" in text
    assert text.count("Source:") == 1, text


# --- a support agent's reply reaches each channel -----------------------------------------------

def test_agent_replies_reach_each_channel_with_the_agents_name(messengers: Messengers) -> None:
    say_on_telegram(messengers, 5550010, "hello")
    start = messengers.fake.count()
    messengers.agent_says("telegram:5550010", "I have checked your parcel.")
    [telegram] = telegram_texts(messengers, start, 5550010)
    assert telegram.json["text"] == "Alice: I have checked your parcel."

    psid = "6000000000000010"
    assert send_facebook(messengers, facebook_text(psid, "hello"))[0] == 200
    start = messengers.fake.count()
    messengers.agent_says(f"facebook:{psid}", "I have checked your parcel.")
    [facebook] = facebook_sent(messengers, start, psid)
    assert facebook.json["message"]["text"] == "Alice: I have checked your parcel."

    sender = "whatsapp:+4915100000010"
    say_on_whatsapp(messengers, sender, "hello")
    start = messengers.fake.count()
    messengers.agent_says(sender, "I have checked your parcel.")
    [whatsapp] = twilio_sent(messengers, start, sender)
    assert whatsapp.form["Body"] == "Alice: I have checked your parcel."
    assert whatsapp.form["From"] == f"whatsapp:{TWILIO_NUMBER}"


# --- omnichannel identity ------------------------------------------------------------------------

def verify_order(say: Callable[[str], str], order: Dict[str, Any]) -> str:
    assert "order number" in say("where is my order?").lower()
    assert "email" in say(order["order_id"]).lower()
    return say(order["email"])


def test_verifying_on_telegram_then_whatsapp_links_both_to_one_customer(messengers: Messengers) -> None:
    order = messengers.shop.order("shipped", 2)
    with messengers.shop.sessions()() as session:
        customer_id = session.get(Order, order["order_id"]).customer_id
    identities = IdentityService(messengers.shop.sessions())

    chat = 5550020
    reply = verify_order(lambda text: say_on_telegram(messengers, chat, text), order)
    assert order["tracking_number"] in reply
    assert identities.customer_for("telegram", f"telegram:{chat}") == customer_id

    sender = "whatsapp:+4917600000020"
    assert identities.customer_for("twilio", sender) is None
    reply = verify_order(lambda text: say_on_whatsapp(messengers, sender, text), order)
    assert order["tracking_number"] in reply
    assert identities.customer_for("twilio", sender) == customer_id
    linked = {(i.channel, i.sender_id) for i in identities.identities_of(customer_id)}
    assert {("telegram", f"telegram:{chat}"), ("twilio", sender)} <= linked


# --- channels without their variables are not mounted ---------------------------------------------

MESSENGER_PREFIXES = ("TELEGRAM_", "FACEBOOK_", "TWILIO_")


def test_channels_without_variables_are_not_mounted(tmp_path: Path) -> None:
    """A second Rasa without a model (channels are mounted before a model loads): quick to start."""
    stack = make_stack({"SHOP_VAR_DIR": str(tmp_path), "RASA_PORT": str(free_port()),
                        "ACTION_SERVER_PORT": str(free_port()), "RASA_AUTH_TOKEN": AUTH_TOKEN},
                       log_dir=tmp_path / "log")
    for name in [n for n in stack.env if n.startswith(MESSENGER_PREFIXES)]:
        del stack.env[name]
    # Twilio partly configured: still off.
    stack.env.update(TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_NUMBER=TWILIO_NUMBER)
    try:
        stack.start_rasa(tmp_path / "no-model.tar.gz", timeout=180)
        for path in ("/webhooks/telegram/webhook", "/webhooks/facebook/webhook", "/webhooks/twilio/webhook"):
            request = urllib.request.Request(f"{stack.rasa_url}{path}", data=b"{}", method="POST")
            with pytest.raises(urllib.error.HTTPError) as error:
                urllib.request.urlopen(request, timeout=10)
            assert error.value.code == 404, path
        with urllib.request.urlopen(f"{stack.rasa_url}/webhooks/rest/", timeout=10) as answer:
            assert answer.status == 200
    finally:
        stack.stop()
    credentials = json.loads((tmp_path / "log" / "credentials.yml").read_text())
    assert set(credentials) == {"assistant.rasa_plugins.channels.rest.RestChannel",
                                "assistant.rasa_plugins.channels.socketio.SocketIOChannel"}


def test_a_webhook_the_platform_repeats_is_answered_once(messengers: Messengers) -> None:
    sender = "whatsapp:+4915100000040"
    params = whatsapp_message(sender, "hello")
    start = messengers.fake.count()
    assert send_twilio(messengers, params)[0] == 200
    first = len(twilio_sent(messengers, start, sender))
    assert first >= 1
    assert send_twilio(messengers, params)[0] == 200  # Twilio retries with the same MessageSid
    time.sleep(1.0)
    assert len(twilio_sent(messengers, start, sender)) == first
    update = telegram_update(5550040, "hello")
    assert send_telegram(messengers, update)[0] == 200 and send_telegram(messengers, update)[0] == 200
    user_turns = [e for e in messengers.tracker("telegram:5550040")["events"] if e["event"] == "user"]
    assert len(user_turns) == 1
