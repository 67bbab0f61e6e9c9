"""Rasa's REST channel (``POST /webhooks/rest/webhook``), with its input checked.

- ``sender`` must be a REST id: letters, digits and ``_.@+-``, at most 100 characters, and never a
  ``:``, which only the server's own ids carry (``web:...``, ``whatsapp:+...``): a REST caller cannot
  speak in another channel's conversation.
- ``input_channel`` is always ``rest`` (a caller cannot pose as WhatsApp or the widget).
- A body that is not a JSON object, a missing or non-text message, metadata that is not an object:
  400 with a message saying what is wrong, nothing passed to Rasa.

Register it in credentials as ``assistant.rasa_plugins.channels.rest.RestChannel``; its name stays
``rest``, so the URL does not change.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.runtime.sessions import valid_rest_sender

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 5000


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


class RestChannel(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("shop_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - sanic raises on malformed JSON
                body = None
            if not isinstance(body, dict):
                return _bad_request("the body must be a JSON object with 'sender' and 'message'")
            sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
            if not isinstance(sender, str) or not valid_rest_sender(sender):
                return _bad_request("'sender' must be 1-100 letters, digits or _.@+- (no ':')")
            if not isinstance(text, str) or not text.strip():
                return _bad_request("'message' must be non-empty text")
            if len(text) > MAX_MESSAGE_CHARS:
                return _bad_request(f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
            if metadata is not None and not isinstance(metadata, dict):
                return _bad_request("'metadata' must be a JSON object")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(),
                                                 metadata=_safe_metadata(metadata)))
            except Exception:  # noqa: BLE001 - the caller gets what was said so far; the log the trace
                logger.exception("rest: handling a message failed")
            return response.json(collector.messages)

        return webhook


def _safe_metadata(metadata: Dict[str, Any] | None) -> Dict[str, Any]:
    """The metadata a REST caller may set: the language hints (never ``is_external`` or agent fields)."""
    allowed = ("language", "browser_language")
    return {k: v for k, v in (metadata or {}).items() if k in allowed and isinstance(v, str)}
