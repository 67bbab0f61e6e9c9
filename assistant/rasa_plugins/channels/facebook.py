"""Facebook Messenger, with every webhook event checked against ``X-Hub-Signature-256``.

Meta signs each POST with ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body keyed with
the app secret>``. Without the header the event is refused with 401, with a wrong one with 403,
before the body is parsed. (Rasa's connector checks the older SHA-1 ``X-Hub-Signature``, answers
200 "not validated" to forgeries and sends through the blocking ``fbmessenger`` client.)

``GET /webhooks/facebook/webhook`` answers Meta's subscription handshake: ``hub.challenge`` when
``hub.verify_token`` is our verify token, else 403.

Credentials (rendered by :mod:`assistant.runtime.credentials`): ``verify``, ``secret``,
``page-access-token`` (Rasa's names), ``graph_url`` (default https://graph.facebook.com),
``api_version`` (default v19.0), ``public_url`` (absolute product links and images).

Replies use the Send API, ``POST <graph_url>/<version>/me/messages`` with
``messaging_type: RESPONSE``: text with ``quick_replies`` for buttons (at most 13, titles cut to
20 characters), product carousels as a generic template, images as image attachments.
"""
from __future__ import annotations

import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.rasa_plugins.channels.base import PlatformApi, ShopOutputChannel, hand_to_rasa, reject, require
from assistant.rasa_plugins.channels.rendering import (
    BotMessage,
    Button,
    absolute_url,
    price_text,
    split_text,
)
from assistant.rasa_plugins.channels.signatures import FACEBOOK_HEADER, facebook_signature_valid

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v19.0"
TEXT_LIMIT = 2000
MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE_LIMIT = 20
QUICK_REPLY_PAYLOAD_LIMIT = 1000
MAX_TEMPLATE_ELEMENTS = 10


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quick_replies(buttons: List[Button]) -> List[Dict[str, str]]:
    return [
        {"content_type": "text", "title": _cut(b["title"], QUICK_REPLY_TITLE_LIMIT),
         "payload": b["payload"][:QUICK_REPLY_PAYLOAD_LIMIT]}
        for b in buttons[:MAX_QUICK_REPLIES]
    ]


def product_elements(products: List[Dict[str, Any]], public_url: Optional[str]) -> List[Dict[str, Any]]:
    """Generic-template elements: name, price and rating, image and link when absolute."""
    elements = []
    for product in products[:MAX_TEMPLATE_ELEMENTS]:
        subtitle = [price_text(product)]
        if isinstance(product.get("rating"), (int, float)) and product["rating"]:
            subtitle.append(f"rated {float(product['rating']):.1f}/5")
        element: Dict[str, Any] = {"title": _cut(str(product.get("name") or "Product"), 80),
                                   "subtitle": _cut(", ".join(s for s in subtitle if s), 80)}
        image = absolute_url(product.get("image"), public_url)
        if image:
            element["image_url"] = image
        link = absolute_url(product.get("url"), public_url)
        if link:
            element["default_action"] = {"type": "web_url", "url": link}
            element["buttons"] = [{"type": "web_url", "url": link, "title": "View"}]
        elements.append(element)
    return elements


class FacebookOutput(ShopOutputChannel):
    """Sends replies with the Send API at ``graph_url`` (configurable for tests and proxies)."""

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, page_access_token: str, graph_url: str = DEFAULT_GRAPH_URL,
                 api_version: str = DEFAULT_API_VERSION, public_url: Optional[str] = None) -> None:
        self._token = page_access_token
        self.graph_url = graph_url.rstrip("/")
        self.api_version = "v" + api_version.lstrip("v")
        self.public_url = public_url
        self.api = PlatformApi("facebook")

    async def send(self, recipient_id: Text, message: Dict[str, Any], tag: Optional[str] = None) -> Optional[Any]:
        """A reply (``RESPONSE``), or with ``tag`` a tagged update outside the 24-hour window (``MESSAGE_TAG``)."""
        payload: Dict[str, Any] = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        if tag:
            payload["messaging_type"], payload["tag"] = "MESSAGE_TAG", tag
        return await self.api.post("me/messages", f"{self.graph_url}/{self.api_version}/me/messages",
                                   json=payload, params={"access_token": self._token})

    async def deliver(self, recipient_id: Text, message: BotMessage) -> None:
        carousels = [c for c in message.customs if c.get("type") == "product_carousel"]
        pieces = split_text(message.plain_text(self.public_url, carousels=False), TEXT_LIMIT)
        for index, piece in enumerate(pieces):
            body: Dict[str, Any] = {"text": piece}
            if message.buttons and index == len(pieces) - 1:
                body["quick_replies"] = quick_replies(message.buttons)
            await self.send(recipient_id, body, message.messenger_tag)
        for carousel in carousels:
            elements = product_elements([p for p in carousel.get("products") or [] if isinstance(p, dict)],
                                        self.public_url)
            if elements:
                await self.send(recipient_id, {"attachment": {"type": "template", "payload": {
                    "template_type": "generic", "elements": elements}}})
        image = absolute_url(message.image, self.public_url)
        if image:
            await self.send(recipient_id, {"attachment": {"type": "image", "payload": {"url": image}}})


PSID = re.compile(r"\d{1,40}")  # a page-scoped user id: digits


def _mid(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def messaging_events(payload: Dict[str, Any]) -> Iterator[Tuple[str, str, Optional[str]]]:
    """``(sender PSID, text for Rasa, message id)`` for each shopper message in a Messenger webhook body.

    A quick-reply tap and a postback (a template button, "Get started") give their payload;
    a typed message its text. Echoes of our own messages, reads, deliveries and attachments
    are skipped.
    """
    if payload.get("object") != "page":
        return
    entries = payload.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        events = entry.get("messaging") if isinstance(entry, dict) else None
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            sender_info = event.get("sender")
            sender = str(sender_info.get("id") or "") if isinstance(sender_info, dict) else ""
            if not PSID.fullmatch(sender):
                continue
            message = event.get("message")
            postback = event.get("postback")
            if isinstance(message, dict) and not message.get("is_echo"):
                quick = message.get("quick_reply")
                quick_reply = quick.get("payload") if isinstance(quick, dict) else None
                text = quick_reply if isinstance(quick_reply, str) and quick_reply else message.get("text")
                if isinstance(text, str) and text.strip():
                    yield sender, text, _mid(message.get("mid"))
            elif isinstance(postback, dict) and isinstance(postback.get("payload"), str):
                if postback["payload"].strip():
                    yield sender, postback["payload"], _mid(postback.get("mid"))


class FacebookChannel(InputChannel):
    """``/webhooks/facebook/webhook``: Meta's handshake (GET) and verified events (POST) into Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        creds = require("facebook", credentials, ("verify", "secret", "page-access-token"))
        return cls(
            verify_token=creds["verify"],
            app_secret=creds["secret"],
            page_access_token=creds["page-access-token"],
            graph_url=creds.get("graph_url") or DEFAULT_GRAPH_URL,
            api_version=creds.get("api_version") or DEFAULT_API_VERSION,
            public_url=creds.get("public_url") or None,
        )

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str,
                 graph_url: str = DEFAULT_GRAPH_URL, api_version: str = DEFAULT_API_VERSION,
                 public_url: Optional[str] = None) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.page_access_token = page_access_token
        self.graph_url = graph_url
        self.api_version = api_version
        self.public_url = public_url

    def get_output_channel(self) -> FacebookOutput:
        return FacebookOutput(self.page_access_token, self.graph_url, self.api_version, self.public_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("shop_facebook_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def handshake(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            challenge = request.args.get("hub.challenge") or ""
            mode = request.args.get("hub.mode") or "subscribe"
            token_ok = hmac.compare_digest(token.encode(), self.verify_token.encode())
            if mode == "subscribe" and challenge and token_ok:
                logger.info("facebook: webhook subscription confirmed")
                return response.text(challenge)
            return reject("facebook", request, 403, "webhook handshake with a wrong hub.verify_token")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            header = request.headers.get(FACEBOOK_HEADER)
            if not header:
                return reject("facebook", request, 401, f"missing {FACEBOOK_HEADER} header")
            if not facebook_signature_valid(self.app_secret, request.body or b"", header):
                return reject("facebook", request, 403, f"wrong {FACEBOOK_HEADER} signature")
            try:
                payload = json.loads(request.body or b"")
            except ValueError:
                logger.warning("facebook webhook: body is not JSON; ignored")
                return response.json({"error": "body is not JSON"}, status=400)
            if isinstance(payload, dict):
                for sender, text, mid in messaging_events(payload):
                    await hand_to_rasa(on_new_message, self.name(), text, self.get_output_channel(), sender,
                                       delivery_id=mid)
            return response.text("EVENT_RECEIVED")

        return webhook
