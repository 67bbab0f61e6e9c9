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
- Sessions are the server's: ``session_request`` resumes a conversation only with the id *and* the
  token the server issued for it (``session_confirm`` sends both); anything else gets a new
  conversation. A socket speaks only in the conversation it joined, whatever ``session_id`` its
  messages name, so nobody can join another shopper's room or talk in their name.

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
from assistant.runtime.sessions import new_web_session, session_token, valid_web_session
from assistant.runtime.settings import get_settings

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
        key = get_settings().session_key
        joined: Dict[Text, Text] = {}  # socket id -> the conversation it joined

        async def session_request(sid: Text, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            session_id, token = data.get("session_id"), data.get("session_token")
            if not valid_web_session(key, session_id, token):
                if session_id:
                    logger.info("socket.io %s: unknown or unsigned session; a new one is issued", sid)
                session_id = new_web_session()
            previous = joined.get(sid)
            try:
                if previous and previous != session_id:
                    sio.leave_room(sid, previous, namespace=self.namespace)
                sio.enter_room(sid, session_id, namespace=self.namespace)
            except (KeyError, ValueError):  # the socket disconnected meanwhile
                logger.debug("socket.io %s left before its session was confirmed", sid)
                return
            joined[sid] = str(session_id)
            await sio.emit("session_confirm", {"session_id": session_id, "session_token": session_token(key, session_id)},
                           room=sid, namespace=self.namespace)

        async def disconnect(sid: Text) -> None:
            joined.pop(sid, None)

        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict):
                logger.warning("socket.io message from %s ignored: expected an object, got %s", sid, type(data).__name__)
                return
            sender_id = joined.get(sid)
            if sender_id is None:
                logger.warning("socket.io message from %s ignored: no session (send session_request first)", sid)
                return
            if data.get("session_id") not in (None, sender_id):
                logger.warning("socket.io message from %s ignored: it names a session the socket did not join", sid)
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            text = data.get("message")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
                logger.warning("socket.io message from %s ignored: no text, or text too long", sid)
                return
            message = UserMessage(
                text,
                SocketIOShopOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=_safe_metadata(metadata if isinstance(metadata, dict) else {}),
            )
            await on_new_message(message)

        # these replace the parent's handlers of the same events
        sio.on("session_request", namespace=self.namespace)(session_request)
        sio.on("disconnect", namespace=self.namespace)(disconnect)
        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return blueprint


MAX_MESSAGE_CHARS = 5000


def _safe_metadata(metadata: Dict[str, Any]) -> Dict[str, Any]:
    """What a browser may set: the language choice and the browser's language, as text."""
    return {k: v for k, v in metadata.items() if k in ("language", "browser_language") and isinstance(v, str)}
