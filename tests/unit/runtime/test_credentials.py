"""credentials.yml rendered from environment variables: which channels are on."""
from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

from assistant.runtime.credentials import (
    FACEBOOK_CHANNEL,
    REST_CHANNEL,
    SOCKETIO_CHANNEL,
    TELEGRAM_CHANNEL,
    TWILIO_CHANNEL,
    render_credentials,
)

TELEGRAM = {"TELEGRAM_ACCESS_TOKEN": "123:abc", "TELEGRAM_BOT_NAME": "@shop_bot", "TELEGRAM_SECRET_TOKEN": "s3cret-1"}
FACEBOOK = {"FACEBOOK_VERIFY_TOKEN": "verify", "FACEBOOK_APP_SECRET": "app-secret",
            "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token"}
TWILIO = {"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "auth", "TWILIO_NUMBER": "+14155238886",
          "TWILIO_WEBHOOK_URL": "https://shop.example.com/webhooks/twilio/webhook"}


def rendered(tmp_path: Path, environ: dict[str, str]) -> dict:
    return json.loads(render_credentials(environ, tmp_path / "credentials.yml").read_text())


def test_without_messenger_variables_only_rest_and_socketio(tmp_path: Path) -> None:
    channels = rendered(tmp_path, {})
    assert channels == {REST_CHANNEL: {}, SOCKETIO_CHANNEL: {"user_message_evt": "user_uttered",
                                                       "bot_message_evt": "bot_uttered",
                                                       "session_persistence": True}}


def test_every_channel_with_defaults(tmp_path: Path) -> None:
    channels = rendered(tmp_path, {**TELEGRAM, **FACEBOOK, **TWILIO})
    assert channels[TELEGRAM_CHANNEL] == {"access_token": "123:abc", "bot_name": "shop_bot",
                                          "secret_token": "s3cret-1", "api_url": "https://api.telegram.org"}
    assert channels[FACEBOOK_CHANNEL] == {"verify": "verify", "secret": "app-secret",
                                          "page-access-token": "page-token",
                                          "graph_url": "https://graph.facebook.com", "api_version": "v19.0"}
    assert channels[TWILIO_CHANNEL] == {"account_sid": "AC123", "auth_token": "auth", "twilio_number": "+14155238886",
                                        "webhook_url": TWILIO["TWILIO_WEBHOOK_URL"],
                                        "api_url": "https://api.twilio.com"}


def test_api_urls_webhook_and_public_url_are_configurable(tmp_path: Path) -> None:
    channels = rendered(tmp_path, {**TELEGRAM, **TWILIO, "TELEGRAM_API_URL": "http://127.0.0.1:9000/",
                                   "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/webhooks/telegram/webhook",
                                   "TWILIO_API_URL": "http://127.0.0.1:9000", "SHOP_PUBLIC_URL": "https://shop.example/"})
    assert channels[TELEGRAM_CHANNEL]["api_url"] == "http://127.0.0.1:9000"
    assert channels[TELEGRAM_CHANNEL]["webhook_url"] == "https://bot.example.com/webhooks/telegram/webhook"
    assert channels[TELEGRAM_CHANNEL]["public_url"] == "https://shop.example"
    assert channels[TWILIO_CHANNEL]["api_url"] == "http://127.0.0.1:9000"
    assert FACEBOOK_CHANNEL not in channels


def test_a_partly_configured_channel_stays_off_and_the_log_names_what_is_missing(tmp_path: Path, caplog) -> None:
    partial = {k: v for k, v in TWILIO.items() if k != "TWILIO_WEBHOOK_URL"}
    with caplog.at_level(logging.INFO, logger="assistant.runtime.credentials"):
        channels = rendered(tmp_path, {**TELEGRAM, **partial, "FACEBOOK_APP_SECRET": "   "})
    assert TWILIO_CHANNEL not in channels and FACEBOOK_CHANNEL not in channels and TELEGRAM_CHANNEL in channels
    assert "twilio channel is off: TWILIO_WEBHOOK_URL not set" in caplog.text
    assert "messenger channels on: telegram" in caplog.text
    assert "123:abc" not in caplog.text and "s3cret-1" not in caplog.text and "AC123" not in caplog.text


def test_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "credentials.yml"
    path.write_text("old")
    path.chmod(0o644)
    render_credentials({**FACEBOOK}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
