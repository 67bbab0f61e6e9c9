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
- Every message to the widget carries ``ts``, the timestamp of the tracker event it renders (the
  widget's cursor for fetching what it missed while disconnected, and its key against duplicates).
- A shopper message may carry a client message id (``metadata.message_id``, 8-64 of ``A-Z a-z 0-9 _ -``):
  it becomes the ``UserUttered`` event's ``message_id``, and a message whose id this conversation has
  already handled (or is handling) is dropped, so the widget can resend its offline queue until it
  gets an acknowledgement without a message ever counting twice. See :class:`ClientMessageIds`.

Register it in credentials as ``assistant.rasa_plugins.channels.socketio.SocketIOChannel``; its
name stays ``socketio``, so the endpoint is still ``/socket.io`` on the Rasa port.
"""
from __future__ import annotations

import json
import logging
import re
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, Text, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant.i18n.detect import detect_language, script_neutral
from assistant.runtime.sessions import new_web_session, session_token, valid_web_session
from assistant.runtime.settings import get_settings

logger = logging.getLogger(__name__)


class SocketIOShopOutput(SocketIOOutput):
    """Rasa passes each bot event's fields (``timestamp`` among them) as keyword arguments: every
    message sent here carries that timestamp as ``ts``."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        agent = message.get("agent")
        if isinstance(agent, dict) and message.get("text"):
            payload: Dict[Text, Any] = {"text": message["text"], "agent": {"name": str(agent.get("name", ""))}}
            if message.get("handoff"):
                payload["handoff"] = message["handoff"]
            await self._emit(recipient_id, payload, message.get("timestamp"))
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text, None, kwargs.get("timestamp"))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_parts(recipient_id, text, replies, kwargs.get("timestamp"))

    async def _send_parts(self, recipient_id: Text, text: Text, replies: Optional[List[Dict[Text, Any]]],
                          stamp: Any = None) -> None:
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
            await self._emit(recipient_id, message, stamp)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._emit(recipient_id, {"custom": json_message}, kwargs.get("timestamp"))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._emit(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}},
                         kwargs.get("timestamp"))

    async def send_attachment(self, recipient_id: Text, attachment: Dict[Text, Any],  # type: ignore[override]
                              **kwargs: Any) -> None:
        await self._emit(recipient_id, {"attachment": attachment}, kwargs.get("timestamp"))

    async def _emit(self, recipient_id: Text, message: Dict[Text, Any], stamp: Any) -> None:
        if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
            message["ts"] = float(stamp)
        await self._send_message(recipient_id, message)


class SocketIOChannel(SocketIOInput):
    """Rasa's socket.io input with :class:`SocketIOShopOutput` for replies and agent messages."""

    client_ids: "ClientMessageIds"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_ids = ClientMessageIds()

    def _tracker_loader(self, sid: Text) -> Optional["EventLoader"]:
        """Reads a conversation's events from the Rasa server's tracker store (through the socket's
        HTTP request, which knows the Sanic app), or None when that is not available."""
        sio = self.sio
        try:
            request = sio.get_environ(sid, namespace=self.namespace)["sanic.request"] if sio else None
            tracker_store = request.app.ctx.agent.tracker_store if request is not None else None
        except (AttributeError, KeyError, TypeError):
            tracker_store = None
        if tracker_store is None:
            return None

        async def events(sender_id: Text) -> Iterable[Dict[Text, Any]]:
            tracker = await tracker_store.retrieve(sender_id)
            return [] if tracker is None else (e.as_dict() for e in tracker.events)

        return events

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

        def rejected(reason: str) -> Dict[Text, Any]:
            return {"status": "rejected", "error": reason}

        async def handle_message(sid: Text, data: Any = None) -> Dict[Text, Any]:
            """Passes one shopper message to Rasa; the return value is the socket.io acknowledgement
            (``accepted`` once Rasa has handled it, ``duplicate``, ``rejected`` with the reason, ``failed``)."""
            if not isinstance(data, dict):
                logger.warning("socket.io message from %s ignored: expected an object, got %s", sid, type(data).__name__)
                return rejected("a message is an object with a text in 'message'")
            sender_id = joined.get(sid)
            if sender_id is None:
                logger.warning("socket.io message from %s ignored: no session (send session_request first)", sid)
                return rejected("no session: send session_request first")
            if data.get("session_id") not in (None, sender_id):
                logger.warning("socket.io message from %s ignored: it names a session the socket did not join", sid)
                return rejected("the message names a session this socket did not join")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            metadata = metadata if isinstance(metadata, dict) else {}
            text = data.get("message")
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_CHARS:
                logger.warning("socket.io message from %s ignored: no text, or text too long", sid)
                return rejected("the message needs a text of at most %d characters" % MAX_MESSAGE_CHARS)
            message_id = metadata.get("message_id")
            if message_id is not None and not valid_client_message_id(message_id):
                logger.warning("socket.io message from %s ignored: its message_id is not 8-64 of A-Z a-z 0-9 _ -", sid)
                return rejected("message_id must be 8 to 64 letters, digits, _ or -")
            if message_id is not None:
                resent = metadata.get("resent") is True
                if not await self.client_ids.claim(sender_id, message_id, self._tracker_loader(sid) if resent else None):
                    logger.info("socket.io %s: message %s was already handled; the repeat is dropped", sid, message_id)
                    return {"status": "duplicate", "message_id": message_id}
            message = UserMessage(
                text,
                SocketIOShopOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=_safe_metadata(metadata),
                message_id=message_id,
            )
            handled = False
            try:
                await on_new_message(message)
                handled = True
            except Exception:  # noqa: BLE001 - the socket gets an answer; the trace goes to the log
                logger.exception("socket.io %s: handling a message failed", sid)
                return {"status": "failed", "message_id": message_id}
            finally:
                if message_id is not None:  # a failed (or cancelled) message may be sent again
                    (self.client_ids.done if handled else self.client_ids.release)(sender_id, message_id)
            return {"status": "accepted", "message_id": message_id}

        # these replace the parent's handlers of the same events
        sio.on("session_request", namespace=self.namespace)(session_request)
        sio.on("disconnect", namespace=self.namespace)(disconnect)
        sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return blueprint


MAX_MESSAGE_CHARS = 5000
CLIENT_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
EventLoader = Callable[[Text], Awaitable[Iterable[Dict[Text, Any]]]]


def valid_client_message_id(value: Any) -> bool:
    return isinstance(value, str) and CLIENT_MESSAGE_ID.fullmatch(value) is not None


class ClientMessageIds:
    """Which client message ids a conversation has handled, so a message sent again (an offline queue
    resent after a reload, two tabs racing) counts once.

    Ids are per conversation: an id another shopper used means nothing here. In this process, an id
    being handled (Rasa holds the conversation's lock meanwhile) or among the last ``size`` handled is
    a repeat. A message the widget marks as resent is also looked up in the conversation's tracker
    (``load_events``), which covers a Rasa restart and other processes once their turn is saved; two
    Rasa processes handling the same id at the very same moment is the one case not caught (the
    socket.io transport needs sticky sessions anyway, see README "Widget reliability").
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._handling: Set[Tuple[str, str]] = set()
        self._handled: "OrderedDict[Tuple[str, str], None]" = OrderedDict()

    async def claim(self, sender_id: str, message_id: str, load_events: Optional[EventLoader] = None) -> bool:
        """True when ``message_id`` is new for ``sender_id``: the caller handles it, then calls
        :meth:`done` (or :meth:`release` when handling failed)."""
        key = (sender_id, message_id)
        if key in self._handling or key in self._handled:
            return False
        self._handling.add(key)  # before the first await: a racing copy sees it
        if load_events is not None:
            try:
                events = await load_events(sender_id)
                seen = any(e.get("event") == "user" and e.get("message_id") == message_id for e in events)
            except Exception:  # noqa: BLE001 - an unreadable tracker must not stop the conversation
                logger.warning("socket.io: the tracker could not be read to check a resent message", exc_info=True)
                seen = False
            if seen:
                self._handling.discard(key)
                self._remember(key)
                return False
        return True

    def done(self, sender_id: str, message_id: str) -> None:
        self._handling.discard((sender_id, message_id))
        self._remember((sender_id, message_id))

    def release(self, sender_id: str, message_id: str) -> None:
        self._handling.discard((sender_id, message_id))

    def _remember(self, key: Tuple[str, str]) -> None:
        self._handled[key] = None
        self._handled.move_to_end(key)
        while len(self._handled) > self.size:
            self._handled.popitem(last=False)


def _safe_metadata(metadata: Dict[str, Any]) -> Dict[str, Any]:
    """What a browser may set: the language choice and the browser's language, as text (the message id
    travels as the UserMessage's own ``message_id``)."""
    return {k: v for k, v in metadata.items() if k in ("language", "browser_language") and isinstance(v, str)}
