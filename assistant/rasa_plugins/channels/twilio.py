"""Twilio (WhatsApp and SMS), with every webhook checked against ``X-Twilio-Signature``.

Twilio signs each request with ``base64(HMAC-SHA1(auth token, URL + sorted POST parameters))``,
where URL is the public address Twilio called. Behind a proxy or tunnel the URL the server sees
differs, so it is configured (``webhook_url``, from ``TWILIO_WEBHOOK_URL``). Without the header
the request is refused with 401, with a wrong one with 403, before anything is processed.
Rasa's connector verifies nothing.

Credentials (rendered by :mod:`assistant.runtime.credentials`): ``account_sid``, ``auth_token``,
``twilio_number`` (``+14155238886`` or ``whatsapp:+14155238886``), ``webhook_url``,
``api_url`` (default https://api.twilio.com), ``public_url`` (absolute links and media).

Replies: ``POST <api_url>/2010-04-01/Accounts/<sid>/Messages.json`` (basic auth), form fields
``From``, ``To``, ``Body`` (and ``MediaUrl`` for an image). A WhatsApp conversation is answered
from ``whatsapp:<number>``. One bot message is one Twilio message (split at 1,600 characters);
buttons become a numbered list, and the shopper's next reply "2" (or a button's title) is sent
to Rasa as that button's payload. The list is remembered per sender in this process only.
"""
from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.rasa_plugins.channels.base import PlatformApi, ShopOutputChannel, hand_to_rasa, reject, require
from assistant.rasa_plugins.channels.rendering import (
    BotMessage,
    Button,
    absolute_url,
    pick_button,
    split_text,
)
from assistant.rasa_plugins.channels.signatures import TWILIO_HEADER, twilio_signature_valid

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.twilio.com"
BODY_LIMIT = 1600
WHATSAPP = "whatsapp:"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
REMEMBERED_SENDERS = 10_000


class ButtonMemory:
    """The numbered buttons last sent to each sender (bounded, oldest forgotten first)."""

    def __init__(self, capacity: int = REMEMBERED_SENDERS) -> None:
        self.capacity = capacity
        self._buttons: "OrderedDict[str, List[Button]]" = OrderedDict()

    def remember(self, sender: str, buttons: List[Button]) -> None:
        self._buttons[sender] = list(buttons)
        self._buttons.move_to_end(sender)
        while len(self._buttons) > self.capacity:
            self._buttons.popitem(last=False)

    def resolve(self, sender: str, reply: str) -> str:
        """The payload of the button ``reply`` picks, else ``reply``; the list is used once."""
        buttons = self._buttons.pop(sender, None)
        if buttons:
            picked = pick_button(buttons, reply)
            if picked is not None:
                return picked["payload"]
        return reply


def form_params(request: Request) -> Dict[str, List[str]]:
    """The POST parameters exactly as sent, blank values included (Twilio signs those too;
    Sanic's ``request.form`` drops them)."""
    if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
        return {}
    return parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)


SENDER = re.compile(r"(whatsapp:)?\+?\d{3,20}")  # a phone number, on WhatsApp or SMS


def sender_number(twilio_number: str, recipient_id: str) -> str:
    """Answer WhatsApp from ``whatsapp:<number>`` and SMS from the bare number."""
    bare = twilio_number[len(WHATSAPP):] if twilio_number.startswith(WHATSAPP) else twilio_number
    return WHATSAPP + bare if recipient_id.startswith(WHATSAPP) else bare


class TwilioOutput(ShopOutputChannel):
    """Sends replies with Twilio's Messages API at ``api_url`` (configurable for tests)."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str,
                 api_url: str = DEFAULT_API_URL, public_url: Optional[str] = None,
                 memory: Optional[ButtonMemory] = None) -> None:
        self.account_sid = account_sid
        self._auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.twilio_number = twilio_number
        self.api_url = api_url.rstrip("/")
        self.public_url = public_url
        self.memory = memory if memory is not None else ButtonMemory()
        self.api = PlatformApi("twilio")

    async def send(self, fields: Dict[str, str]) -> Optional[Any]:
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        return await self.api.post("Messages.json", url, data=fields, auth=self._auth)

    async def deliver(self, recipient_id: Text, message: BotMessage) -> None:
        base = {"From": sender_number(self.twilio_number, recipient_id), "To": recipient_id}
        if message.whatsapp_template and recipient_id.startswith(WHATSAPP):
            # outside WhatsApp's 24-hour window only an approved template may be sent
            variables = message.whatsapp_template.get("variables") or {}
            await self.send({**base, "ContentSid": message.whatsapp_template["sid"],
                             "ContentVariables": json.dumps(variables, ensure_ascii=False)})
            return
        pieces = split_text(message.plain_text(self.public_url, numbered=True), BODY_LIMIT)
        image = absolute_url(message.image, self.public_url)
        for index, piece in enumerate(pieces):
            fields = {**base, "Body": piece}
            if image and index == len(pieces) - 1:
                fields["MediaUrl"] = image
            await self.send(fields)
        if image and not pieces:
            await self.send({**base, "MediaUrl": image})
        if message.buttons:
            self.memory.remember(recipient_id, message.buttons)


class TwilioChannel(InputChannel):
    """``POST /webhooks/twilio/webhook``: verified WhatsApp and SMS messages into Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        creds = require("twilio", credentials, ("account_sid", "auth_token", "twilio_number", "webhook_url"))
        return cls(
            account_sid=creds["account_sid"],
            auth_token=creds["auth_token"],
            twilio_number=creds["twilio_number"],
            webhook_url=creds["webhook_url"],
            api_url=creds.get("api_url") or DEFAULT_API_URL,
            public_url=creds.get("public_url") or None,
        )

    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, webhook_url: str,
                 api_url: str = DEFAULT_API_URL, public_url: Optional[str] = None) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.twilio_number = twilio_number
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.public_url = public_url
        self.memory = ButtonMemory()

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url,
                            self.public_url, self.memory)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("shop_twilio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            header = request.headers.get(TWILIO_HEADER)
            if not header:
                return reject("twilio", request, 401, f"missing {TWILIO_HEADER} header")
            params = form_params(request)
            if not twilio_signature_valid(self.auth_token, self.webhook_url, params, header):
                return reject("twilio", request, 403, f"wrong {TWILIO_HEADER} signature "
                                                      "(is TWILIO_WEBHOOK_URL the URL configured at Twilio?)")
            sender = (params.get("From") or [""])[0]
            text = (params.get("Body") or [""])[0].strip()
            if sender and not SENDER.fullmatch(sender):
                logger.warning("twilio webhook with an unexpected From; ignored")
                sender = ""
            if sender and text:
                text = text.replace("¡", "@")  # some SMS carriers turn @ into ¡ (as Rasa's connector notes)
                text = self.memory.resolve(sender, text)
                await hand_to_rasa(on_new_message, self.name(), text, self.get_output_channel(), sender,
                                   delivery_id=(params.get("MessageSid") or [""])[0] or None)
            else:
                logger.debug("twilio webhook without sender or text (media or status callback); ignored")
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
