"""Conversation ids the server issues, and how each channel's ids are kept apart.

- The web widget's conversations are ``web:<32 hex>``, issued by the socket.io channel with a token
  (an HMAC of the id under ``Settings.session_key``). socket.io and the widget's history API accept an
  id only with its token, so nobody can join, speak in or read a conversation they did not start.
- Messenger conversations carry their channel: ``telegram:<chat id>``, ``facebook:<PSID>``,
  ``whatsapp:+<number>``, ``sms:+<number>``; their webhooks are signed by the platform.
- REST senders may not use ``:`` at all, so a REST caller can never name another channel's
  conversation.

Standard library only: the Rasa venv (channels) and the actions venv (widget API) both import it.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Optional

WEB_PREFIX = "web:"
CHANNEL_PREFIXES = ("web:", "telegram:", "facebook:", "whatsapp:", "sms:")
_WEB_ID = re.compile(r"^web:[0-9a-f]{32}$")
REST_SENDER = re.compile(r"^[A-Za-z0-9_.@+\-]{1,100}$")


def new_web_session() -> str:
    return WEB_PREFIX + secrets.token_hex(16)


def session_token(key: str, session_id: str) -> str:
    return hmac.new(key.encode(), session_id.encode(), hashlib.sha256).hexdigest()


def valid_web_session(key: str, session_id: Optional[str], token: Optional[str]) -> bool:
    """True only for an id this installation issued, with its token."""
    if not session_id or not token or not _WEB_ID.match(str(session_id)):
        return False
    return hmac.compare_digest(session_token(key, str(session_id)), str(token))


def valid_rest_sender(sender: str) -> bool:
    """A REST sender id: letters, digits and ``_.@+-``, no channel prefix (no ``:``)."""
    return bool(REST_SENDER.match(sender))


def messenger_conversation(channel: str, sender: str) -> str:
    """The conversation id for a messenger ``sender``: prefixed with its channel (Twilio's From is
    already ``whatsapp:+...``; a plain number is SMS)."""
    if channel == "twilio":
        return sender if sender.startswith("whatsapp:") else f"sms:{sender}"
    return f"{channel}:{sender}"


def platform_recipient(conversation_id: str) -> str:
    """What the platform calls the recipient of a messenger conversation id (the prefix removed, except
    Twilio's ``whatsapp:``, which is part of its address)."""
    for prefix in ("telegram:", "facebook:", "sms:"):
        if conversation_id.startswith(prefix):
            return conversation_id[len(prefix):]
    return conversation_id
