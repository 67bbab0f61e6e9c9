"""Renders Rasa's credentials.yml (the channels Rasa listens on) from environment variables.

REST (``/webhooks/rest/webhook``) and the web widget's socket.io channel are always on. Each
messenger is on when all its required variables are set, and off (its webhook answers 404)
when none are; with only some set it stays off and the log names the missing ones.

| channel | required | optional |
| --- | --- | --- |
| Telegram | ``TELEGRAM_ACCESS_TOKEN``, ``TELEGRAM_BOT_NAME``, ``TELEGRAM_SECRET_TOKEN`` | ``TELEGRAM_WEBHOOK_URL`` (registered at start-up), ``TELEGRAM_API_URL`` (default https://api.telegram.org) |
| Facebook Messenger | ``FACEBOOK_VERIFY_TOKEN``, ``FACEBOOK_APP_SECRET``, ``FACEBOOK_PAGE_ACCESS_TOKEN`` | ``FACEBOOK_GRAPH_URL`` (default https://graph.facebook.com), ``FACEBOOK_API_VERSION`` (default v19.0) |
| Twilio (WhatsApp, SMS) | ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_NUMBER``, ``TWILIO_WEBHOOK_URL`` | ``TWILIO_API_URL`` (default https://api.twilio.com) |
| all messengers | | ``SHOP_PUBLIC_URL``: the shop's public address, to turn catalogue links (``/products/...``) into links a messenger can open |

The file holds secrets: it is written readable by its owner only. Standard library only.
"""
from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

logger = logging.getLogger(__name__)

# The web widget's channel (assistant/rasa_plugins/channels/socketio.py).
SOCKETIO_CHANNEL = "assistant.rasa_plugins.channels.socketio.SocketIOChannel"
# Rasa's REST channel with its sender ids and body checked (assistant/rasa_plugins/channels/rest.py).
REST_CHANNEL = "assistant.rasa_plugins.channels.rest.RestChannel"
TELEGRAM_CHANNEL = "assistant.rasa_plugins.channels.telegram.TelegramChannel"
FACEBOOK_CHANNEL = "assistant.rasa_plugins.channels.facebook.FacebookChannel"
TWILIO_CHANNEL = "assistant.rasa_plugins.channels.twilio.TwilioChannel"

TELEGRAM_VARIABLES = ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_SECRET_TOKEN")
FACEBOOK_VARIABLES = ("FACEBOOK_VERIFY_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN")
TWILIO_VARIABLES = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_WEBHOOK_URL")

TELEGRAM_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _get(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def _url(environ: Mapping[str, str], name: str, default: str) -> str:
    return (_get(environ, name) or default).rstrip("/")


def missing(environ: Mapping[str, str], names: Tuple[str, ...]) -> List[str]:
    return [name for name in names if not _get(environ, name)]


def _public(environ: Mapping[str, str], credentials: Dict[str, Any]) -> Dict[str, Any]:
    public_url = _get(environ, "SHOP_PUBLIC_URL").rstrip("/")
    if public_url:
        credentials["public_url"] = public_url
    return credentials


def telegram_credentials(environ: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    """The Telegram channel's credentials, or None when a required variable is missing."""
    if missing(environ, TELEGRAM_VARIABLES):
        return None
    secret = _get(environ, "TELEGRAM_SECRET_TOKEN")
    if not TELEGRAM_SECRET_FORMAT.match(secret):
        logger.warning("TELEGRAM_SECRET_TOKEN should be 1-256 characters of A-Z, a-z, 0-9, _ and -; "
                       "Telegram's setWebhook rejects other values")
    credentials: Dict[str, Any] = {
        "access_token": _get(environ, "TELEGRAM_ACCESS_TOKEN"),
        "bot_name": _get(environ, "TELEGRAM_BOT_NAME").lstrip("@"),
        "secret_token": secret,
        "api_url": _url(environ, "TELEGRAM_API_URL", "https://api.telegram.org"),
    }
    if _get(environ, "TELEGRAM_WEBHOOK_URL"):
        credentials["webhook_url"] = _get(environ, "TELEGRAM_WEBHOOK_URL")
    return _public(environ, credentials)


def facebook_credentials(environ: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    """The Messenger channel's credentials (Rasa's key names), or None when incomplete."""
    if missing(environ, FACEBOOK_VARIABLES):
        return None
    return _public(environ, {
        "verify": _get(environ, "FACEBOOK_VERIFY_TOKEN"),
        "secret": _get(environ, "FACEBOOK_APP_SECRET"),
        "page-access-token": _get(environ, "FACEBOOK_PAGE_ACCESS_TOKEN"),
        "graph_url": _url(environ, "FACEBOOK_GRAPH_URL", "https://graph.facebook.com"),
        "api_version": _get(environ, "FACEBOOK_API_VERSION") or "v19.0",
    })


def twilio_credentials(environ: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    """The Twilio channel's credentials, or None when incomplete."""
    if missing(environ, TWILIO_VARIABLES):
        return None
    return _public(environ, {
        "account_sid": _get(environ, "TWILIO_ACCOUNT_SID"),
        "auth_token": _get(environ, "TWILIO_AUTH_TOKEN"),
        "twilio_number": _get(environ, "TWILIO_NUMBER"),
        "webhook_url": _get(environ, "TWILIO_WEBHOOK_URL"),
        "api_url": _url(environ, "TWILIO_API_URL", "https://api.twilio.com"),
    })


CredentialsBuilder = Callable[[Mapping[str, str]], Optional[Dict[str, Any]]]
# (name in logs, channel class, required variables, credentials builder)
MESSENGERS: Tuple[Tuple[str, str, Tuple[str, ...], CredentialsBuilder], ...] = (
    ("telegram", TELEGRAM_CHANNEL, TELEGRAM_VARIABLES, telegram_credentials),
    ("facebook", FACEBOOK_CHANNEL, FACEBOOK_VARIABLES, facebook_credentials),
    ("twilio", TWILIO_CHANNEL, TWILIO_VARIABLES, twilio_credentials),
)


def channel_credentials(environ: Mapping[str, str]) -> Dict[str, Any]:
    """Channel (Rasa name or class path) -> its credentials, for the channels that are on."""
    channels: Dict[str, Any] = {
        REST_CHANNEL: {},
        SOCKETIO_CHANNEL: {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
                           "session_persistence": True},
    }
    on: List[str] = []
    for name, channel, variables, build in MESSENGERS:
        absent = missing(environ, variables)
        if not absent:
            channels[channel] = build(environ)
            on.append(name)
        elif len(absent) < len(variables):
            logger.warning("%s channel is off: %s not set", name, ", ".join(absent))
        else:
            logger.debug("%s channel is off (no variables set)", name)
    logger.info("messenger channels on: %s", ", ".join(on) if on else "none")
    return channels


def render_credentials(environ: Optional[Mapping[str, str]], path: Path) -> Path:
    """Writes credentials.yml for ``environ`` (default: the process environment) to ``path``."""
    environ = os.environ if environ is None else environ
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON is valid YAML, and keeps this module free of third-party imports.
    text = json.dumps(channel_credentials(environ), indent=2) + "\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # also when the file existed with wider permissions
    return path
