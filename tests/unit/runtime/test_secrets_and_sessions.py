"""Shared secrets (created once, 0600, the same for every process) and server-issued conversation ids."""
from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.runtime import sessions
from assistant.runtime.secrets import shared_secret
from assistant.runtime.settings import get_settings


def test_a_secret_is_created_once_owner_only_and_shared(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda _: shared_secret(tmp_path, "rasa_auth_token"), range(16)))
    assert len(values) == 1 and len(values.pop()) >= 40
    path = tmp_path / "secrets" / "rasa_auth_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not stat.S_IMODE((tmp_path / "secrets").stat().st_mode) & 0o077
    assert [p.name for p in (tmp_path / "secrets").iterdir()] == ["rasa_auth_token"]  # no temporary left


def test_settings_always_have_the_tokens_and_the_environment_wins(tmp_path: Path) -> None:
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path)})
    assert settings.rasa_auth_token and settings.action_server_token and settings.session_key
    assert len({settings.rasa_auth_token, settings.action_server_token, settings.session_key}) == 3
    assert get_settings({"SHOP_VAR_DIR": str(tmp_path)}) == settings
    assert get_settings({"SHOP_VAR_DIR": str(tmp_path), "RASA_AUTH_TOKEN": "x" * 40}).rasa_auth_token == "x" * 40


def test_allowed_origins_default_to_the_console_and_refuse_a_wildcard(tmp_path: Path) -> None:
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), "CONSOLE_PORT": "9000"})
    assert settings.allowed_origins == ("http://127.0.0.1:9000", "http://localhost:9000")
    shop = get_settings({"SHOP_VAR_DIR": str(tmp_path), "SHOP_ALLOWED_ORIGINS": "https://shop.example/, https://b.example"})
    assert shop.allowed_origins == ("https://shop.example", "https://b.example")
    with pytest.raises(ValueError, match="not '\\*'"):
        get_settings({"SHOP_VAR_DIR": str(tmp_path), "SHOP_ALLOWED_ORIGINS": "*"})


def test_only_issued_web_sessions_with_their_token_are_valid() -> None:
    key = "k" * 43
    issued = sessions.new_web_session()
    token = sessions.session_token(key, issued)
    assert sessions.valid_web_session(key, issued, token)
    assert not sessions.valid_web_session("other-key", issued, token)
    assert not sessions.valid_web_session(key, issued, token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not sessions.valid_web_session(key, issued, None)
    forged = "web:" + "0" * 32
    assert not sessions.valid_web_session(key, forged, sessions.session_token("guess", forged))
    assert not sessions.valid_web_session(key, "whatsapp:+4915112345678", sessions.session_token(key, "whatsapp:+4915112345678"))


@pytest.mark.parametrize("sender", ["whatsapp:+4915112345678", "telegram:1", "web:abc", "", "a" * 101, "a b", "é"])
def test_rest_senders_cannot_carry_a_channel_prefix_or_odd_characters(sender: str) -> None:
    assert not sessions.valid_rest_sender(sender)


def test_messenger_conversations_are_prefixed_and_unprefixed_for_the_platform() -> None:
    cases = {("telegram", "5550001"): "telegram:5550001", ("facebook", "123"): "facebook:123",
             ("twilio", "whatsapp:+4915100000001"): "whatsapp:+4915100000001", ("twilio", "+15550001"): "sms:+15550001"}
    for (channel, sender), conversation in cases.items():
        assert sessions.messenger_conversation(channel, sender) == conversation
        assert sessions.platform_recipient(conversation) == sender


def test_secrets_are_not_world_readable_even_with_a_lax_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        shared_secret(tmp_path, "session_signing_key")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "secrets" / "session_signing_key").stat().st_mode) == 0o600
