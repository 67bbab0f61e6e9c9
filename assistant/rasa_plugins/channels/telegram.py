"""Telegram, with every webhook call checked against the secret token.

Telegram sends ``X-Telegram-Bot-Api-Secret-Token`` with each update when the webhook was set
with ``secret_token``. Without the header the update is refused with 401, with a different
value with 403, before anything is parsed. Rasa's own connector checks nothing (it only asks
Telegram for the bot's name on every message) and sets the webhook without a secret.

Credentials (rendered by :mod:`assistant.runtime.credentials`): ``access_token``, ``bot_name``,
``secret_token``, optional ``webhook_url``, ``api_url`` (default https://api.telegram.org),
``public_url`` (absolute product links).

The webhook (public URL plus secret token) is registered with Telegram

- at start-up, when ``webhook_url`` is configured (``TELEGRAM_WEBHOOK_URL``); a failure is logged,
  the server still starts;
- or by hand: ``python -m assistant.rasa_plugins.channels.telegram set-webhook`` (``webhook-info`` shows what
  Telegram has), reading the same environment variables.

Replies use ``sendMessage`` (plain text, no parse mode); buttons become an inline keyboard whose
``callback_data`` is the button's payload (or its title when the payload is over Telegram's
64-byte limit); a tap arrives as a ``callback_query`` and is answered with ``answerCallbackQuery``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.rasa_plugins.channels.base import PlatformApi, ShopOutputChannel, hand_to_rasa, reject, require
from assistant.rasa_plugins.channels.rendering import BotMessage, Button, split_text
from assistant.rasa_plugins.channels.signatures import TELEGRAM_HEADER, telegram_secret_valid

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
ALLOWED_UPDATES = ["message", "callback_query"]
START_COMMAND = re.compile(r"^/start(@\w+)?(\s.*)?$", re.DOTALL)
GREETING = "/greet"


def _chat_id(recipient_id: Text) -> Any:
    """Telegram chat ids are integers (negative for groups); keep other forms (``@channel``) as text."""
    text = str(recipient_id)
    return int(text) if text.lstrip("-").isdigit() else text


def _callback_data(button: Button) -> str:
    for candidate in (button["payload"], button["title"]):
        if len(candidate.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return candidate
    return button["title"].encode("utf-8")[:CALLBACK_DATA_LIMIT].decode("utf-8", "ignore")


def inline_keyboard(buttons: List[Button]) -> Dict[str, Any]:
    """One button per row: titles are sentences, side by side they would be cut off."""
    return {"inline_keyboard": [[{"text": b["title"], "callback_data": _callback_data(b)}] for b in buttons]}


class TelegramOutput(ShopOutputChannel):
    """Sends replies with the Bot API at ``api_url`` (configurable for tests and proxies)."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(
        self, access_token: str, api_url: str = DEFAULT_API_URL, public_url: Optional[str] = None
    ) -> None:
        self._token = access_token
        self.api_url = api_url.rstrip("/")
        self.public_url = public_url
        self.api = PlatformApi("telegram")

    async def call(self, method: str, payload: Dict[str, Any]) -> Optional[Any]:
        return await self.api.post(method, f"{self.api_url}/bot{self._token}/{method}", json=payload)

    async def deliver(self, recipient_id: Text, message: BotMessage) -> None:
        chat_id = _chat_id(recipient_id)
        pieces = split_text(message.plain_text(self.public_url), TEXT_LIMIT)
        for index, piece in enumerate(pieces):
            payload: Dict[str, Any] = {"chat_id": chat_id, "text": piece}
            if message.buttons and index == len(pieces) - 1:
                payload["reply_markup"] = inline_keyboard(message.buttons)
            await self.call("sendMessage", payload)
        if message.image:
            await self.call("sendPhoto", {"chat_id": chat_id, "photo": message.image})

    async def answer_callback(self, callback_query_id: str) -> None:
        await self.call("answerCallbackQuery", {"callback_query_id": callback_query_id})

    async def set_webhook(self, url: str, secret_token: str) -> bool:
        answer = await self.call("setWebhook", {"url": url, "secret_token": secret_token,
                                                "allowed_updates": ALLOWED_UPDATES})
        return isinstance(answer, dict) and bool(answer.get("ok"))

    async def webhook_info(self) -> Optional[Any]:
        return await self.call("getWebhookInfo", {})


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


_CHAT_ID = re.compile(r"-?\d{1,20}|@\w{1,64}")


def _chat_id_ok(chat: Any) -> bool:
    """A Telegram chat id: an integer (negative for groups) or ``@channelname``; nothing else is a sender."""
    return isinstance(chat, (int, str)) and not isinstance(chat, bool) and bool(_CHAT_ID.fullmatch(str(chat)))


def parse_update(update: Dict[str, Any], bot_name: str = "") -> Optional[Tuple[str, str, Optional[str]]]:
    """``(chat id, text for Rasa, callback query id)`` from a Telegram Update, or None to ignore it.

    Text messages and button taps are handled; ``/start`` (the first thing every new chat sends)
    becomes a greeting; ``/command@our_bot`` loses the bot's name. Edits, stickers, photos and
    other updates are ignored.
    """
    callback = update.get("callback_query")
    if isinstance(callback, dict):
        chat = _dict(_dict(callback.get("message")).get("chat")).get("id")
        if chat is None:
            chat = _dict(callback.get("from")).get("id")
        data = callback.get("data")
        if not _chat_id_ok(chat) or not isinstance(data, str) or not data:
            return None
        return str(chat), data, str(callback.get("id") or "") or None
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = _dict(message.get("chat")).get("id")
    text = message.get("text")
    if not _chat_id_ok(chat) or not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if START_COMMAND.match(text):
        text = GREETING
    elif bot_name and text.startswith("/"):
        text = re.sub(rf"^(/\w+)@{re.escape(bot_name)}\b", r"\1", text, flags=re.IGNORECASE)
    return str(chat), text, None


class TelegramChannel(InputChannel):
    """``POST /webhooks/telegram/webhook``: verified Telegram updates into Rasa."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        creds = require("telegram", credentials, ("access_token", "bot_name", "secret_token"))
        return cls(
            access_token=creds["access_token"],
            bot_name=str(creds["bot_name"]).lstrip("@"),
            secret_token=creds["secret_token"],
            webhook_url=creds.get("webhook_url") or None,
            api_url=creds.get("api_url") or DEFAULT_API_URL,
            public_url=creds.get("public_url") or None,
        )

    def __init__(self, access_token: str, bot_name: str, secret_token: str, webhook_url: Optional[str] = None,
                 api_url: str = DEFAULT_API_URL, public_url: Optional[str] = None) -> None:
        self.access_token = access_token
        self.bot_name = bot_name
        self.secret_token = secret_token
        self.webhook_url = webhook_url
        self.api_url = api_url
        self.public_url = public_url

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.api_url, self.public_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("shop_telegram_webhook", __name__)

        @webhook.listener("after_server_start")
        async def register_webhook(_app: Any, _loop: Any) -> None:
            if not self.webhook_url:
                logger.info("telegram: TELEGRAM_WEBHOOK_URL not set; register the webhook with "
                            "`python -m assistant.rasa_plugins.channels.telegram set-webhook`")
                return
            if await self.get_output_channel().set_webhook(self.webhook_url, self.secret_token):
                logger.info("telegram: webhook registered with its secret token")
            else:
                logger.error("telegram: registering the webhook failed (see the error above); "
                             "Telegram will not deliver messages until it is set")

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            header = request.headers.get(TELEGRAM_HEADER)
            if not header:
                return reject("telegram", request, 401, f"missing {TELEGRAM_HEADER} header")
            if not telegram_secret_valid(self.secret_token, header):
                return reject("telegram", request, 403, f"wrong {TELEGRAM_HEADER} header")
            try:
                update = json.loads(request.body or b"")
            except ValueError:
                logger.warning("telegram webhook: body is not JSON; ignored")
                return response.json({"error": "body is not JSON"}, status=400)
            parsed = parse_update(update, self.bot_name) if isinstance(update, dict) else None
            if parsed is None:
                logger.debug("telegram update ignored (not a text message or a button tap)")
                return response.json({"ok": True})
            chat_id, text, callback_id = parsed
            output = self.get_output_channel()
            if callback_id:
                await output.answer_callback(callback_id)
            await hand_to_rasa(on_new_message, self.name(), text, output, chat_id,
                               delivery_id=str(update.get("update_id") or "") or None)
            return response.json({"ok": True})

        return webhook


def _cli_output(environ: Dict[str, str]) -> Tuple[TelegramOutput, Dict[str, Any]]:
    from assistant.runtime.credentials import telegram_credentials

    credentials = telegram_credentials(environ)
    if credentials is None:
        raise SystemExit("error: set TELEGRAM_ACCESS_TOKEN, TELEGRAM_BOT_NAME and "
                         "TELEGRAM_SECRET_TOKEN first")
    output = TelegramOutput(credentials["access_token"], credentials["api_url"],
                            credentials.get("public_url"))
    return output, credentials


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.rasa_plugins.channels.telegram",
        description="Register the shop's Telegram webhook (with its secret token).")
    commands = parser.add_subparsers(dest="command", required=True)
    set_hook = commands.add_parser("set-webhook", help="setWebhook with TELEGRAM_SECRET_TOKEN")
    set_hook.add_argument("--url", help="public webhook URL (default TELEGRAM_WEBHOOK_URL), "
                                        "e.g. https://bot.example.com/webhooks/telegram/webhook")
    commands.add_parser("webhook-info", help="what Telegram has registered (getWebhookInfo)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    output, credentials = _cli_output(dict(os.environ))
    if args.command == "webhook-info":
        info = asyncio.run(output.webhook_info())
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 0 if info else 1
    url = args.url or credentials.get("webhook_url")
    if not url:
        parser.error("give --url or set TELEGRAM_WEBHOOK_URL")
    if not url.startswith("https://"):
        parser.error("Telegram only delivers to https:// webhook URLs")
    ok = asyncio.run(output.set_webhook(url, credentials["secret_token"]))
    print("webhook set" if ok else "setting the webhook failed (see the error above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
