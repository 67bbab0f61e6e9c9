"""The web chat widget's channel: Rasa's socket.io connector with three fixes.

- Custom payloads (product carousels, knowledge-base sources) reach the client as
  ``{"custom": {...}}``. Rasa's own ``send_custom_json`` passes the payload's keys
  to ``emit`` as keyword arguments, which breaks on any payload but ``{"data": ...}``.
- A message from a human agent (a bot event whose metadata has ``agent``) is sent
  as one ``{"text", "agent", "handoff"}`` message, so the widget can show the
  agent's name and style it apart from the bot.
- Incoming messages use this output channel too (Rasa's handler hard-codes its own).
- Every bot message with text carries ``language``, the language it is written in, so the
  widget's language indicator follows the conversation (a shopper who writes Chinese on an
  English browser sees 中文) without making it the shopper's choice.

Register it in credentials as ``assistant.rasa_plugins.channels.socketio.SocketIOChannel``; its
name stays ``socketio``, so the endpoint is still ``/socket.io`` on the Rasa port.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant.i18n.detect import detect_language, script_neutral

logger = logging.getLogger(__name__)


class SocketIOShopOutput(SocketIOOutput):
    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        agent = message.get("agent")
        if isinstance(agent, dict) and message.get("text"):
            payload: Dict[Text, Any] = {"text": message["text"], "agent": {"name": str(agent.get("name", ""))}}
            if message.get("handoff"):
                payload["handoff"] = message["handoff"]
            await self._send_message(recipient_id, payload)
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text, None)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_parts(recipient_id, text, replies)

    async def _send_parts(self, recipient_id: Text, text: Text, replies: Optional[List[Dict[Text, Any]]]) -> None:
        """As Rasa's: one message per paragraph, buttons on the last; each tagged with the text's language."""
        language = detect_language(text)
        if language in ("zh-Hans", "zh-Hant") and script_neutral(text):
            language = None  # characters both scripts share tell nothing
        parts = text.strip().split("\n\n") or [text]
        for index, part in enumerate(parts):
            message: Dict[Text, Any] = {"text": part}
            if replies is not None:
                message["quick_replies"] = replies if index == len(parts) - 1 else []
            if language:
                message["language"] = language
            await self._send_message(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOChannel(SocketIOInput):
    """Rasa's socket.io input with :class:`SocketIOShopOutput` for replies and agent messages."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return None
        return SocketIOShopOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict):
                logger.warning("socket.io message from %s ignored: expected an object, got %s", sid, type(data).__name__)
                return
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message from %s ignored: no session_id (send session_request first)", sid)
                    return
                sender_id = str(data["session_id"])
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            message = UserMessage(
                str(data.get("message", "")),
                SocketIOShopOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata if isinstance(metadata, dict) else {},
            )
            await on_new_message(message)

        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)  # replaces the parent's handler
        return blueprint
