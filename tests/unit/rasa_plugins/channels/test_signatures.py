"""Webhook verification for Facebook, Twilio and Telegram, against the platforms' documented algorithms."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from assistant.rasa_plugins.channels.signatures import (
    facebook_signature,
    facebook_signature_valid,
    telegram_secret_valid,
    twilio_signature,
    twilio_signature_valid,
)

# --- Facebook: X-Hub-Signature-256 = "sha256=" + hex(HMAC-SHA256(app secret, raw body)) ---------

APP_SECRET = "3c1e9f0b7a5d4e2f8a6b0c9d1e2f3a4b"
BODY = json.dumps({"object": "page", "entry": [{"id": "PAGE_ID", "time": 1458692752478, "messaging": [
    {"sender": {"id": "USER_ID"}, "recipient": {"id": "PAGE_ID"}, "timestamp": 1458692752478,
     "message": {"mid": "mid.1457764197618:41d102a3e1ae206a38", "text": "hello, world!"}}]}]},
    separators=(",", ":")).encode()


def documented_facebook_header(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_facebook_known_answer() -> None:
    header = documented_facebook_header(APP_SECRET, BODY)
    assert facebook_signature(APP_SECRET, BODY) == header
    assert facebook_signature_valid(APP_SECRET, BODY, header)


def test_facebook_fixed_vector() -> None:
    # HMAC-SHA256 test case 2 of RFC 4231 (key "Jefe"), in Meta's header format.
    header = "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert facebook_signature_valid("Jefe", b"what do ya want for nothing?", header)


def test_facebook_hex_case_and_whitespace_do_not_matter() -> None:
    header = documented_facebook_header(APP_SECRET, BODY)
    assert facebook_signature_valid(APP_SECRET, BODY, "SHA256=" + header[7:].upper() + " ")


@pytest.mark.parametrize("header", [
    None, "", "sha256=", "sha256", "sha1=" + hmac.new(APP_SECRET.encode(), BODY, hashlib.sha1).hexdigest(),
    "sha256=" + "0" * 64, "sha256=not-hex-at-all-é",
])
def test_facebook_rejects_missing_malformed_or_other_algorithms(header) -> None:
    assert not facebook_signature_valid(APP_SECRET, BODY, header)


def test_facebook_rejects_wrong_secret_and_tampered_body() -> None:
    header = documented_facebook_header(APP_SECRET, BODY)
    assert not facebook_signature_valid("another-app-secret", BODY, header)
    assert not facebook_signature_valid(APP_SECRET, BODY.replace(b"hello", b"hellO"), header)
    assert not facebook_signature_valid("", BODY, header)


# --- Twilio: base64(HMAC-SHA1(auth token, URL + name1 + value1 + name2 + value2 ..., sorted by name)) --

TWILIO_TOKEN = "12345"
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
                 "From": "+14158675309", "To": "+18005551212"}
TWILIO_DOCUMENTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="  # Twilio's worked example (security docs, its libraries' tests)


def documented_twilio_header(token: str, url: str, params: dict[str, str]) -> str:
    data = url + "".join(name + params[name] for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_twilio_documented_example() -> None:
    assert documented_twilio_header(TWILIO_TOKEN, TWILIO_URL, TWILIO_PARAMS) == TWILIO_DOCUMENTED
    assert twilio_signature(TWILIO_TOKEN, TWILIO_URL, TWILIO_PARAMS) == TWILIO_DOCUMENTED
    assert twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, TWILIO_PARAMS, TWILIO_DOCUMENTED)


def test_twilio_whatsapp_message_known_answer() -> None:
    url = "https://shop.example.com/webhooks/twilio/webhook"
    params = {"SmsMessageSid": "SM0123", "NumMedia": "0", "ProfileName": "Jane", "Body": "Where is my order?",
              "To": "whatsapp:+14155238886", "From": "whatsapp:+4915112345678", "MessageSid": "SM0123",
              "AccountSid": "AC0123", "WaId": "4915112345678", "NumSegments": "1"}
    header = documented_twilio_header("auth-token", url, params)
    assert twilio_signature_valid("auth-token", url, params, header)
    assert twilio_signature_valid("auth-token", url, {k: [v] for k, v in params.items()}, header)  # form lists


def test_twilio_repeated_parameters_are_sorted_values() -> None:
    params = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234", "1234"]}
    assert twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU=")


def test_twilio_accepts_the_url_with_or_without_the_default_port() -> None:
    with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2"
    assert twilio_signature_valid(TWILIO_TOKEN, with_port, TWILIO_PARAMS, TWILIO_DOCUMENTED)
    signed_with_port = documented_twilio_header(TWILIO_TOKEN, with_port, TWILIO_PARAMS)
    assert twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, TWILIO_PARAMS, signed_with_port)
    assert not twilio_signature_valid(TWILIO_TOKEN, "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
                                      TWILIO_PARAMS, TWILIO_DOCUMENTED)


def test_twilio_rejects_wrong_token_url_tampered_params_and_missing_header() -> None:
    assert not twilio_signature_valid("54321", TWILIO_URL, TWILIO_PARAMS, TWILIO_DOCUMENTED)
    assert not twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL + "&extra=1", TWILIO_PARAMS, TWILIO_DOCUMENTED)
    assert not twilio_signature_valid(TWILIO_TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", TWILIO_PARAMS,
                                      TWILIO_DOCUMENTED)
    assert not twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, {**TWILIO_PARAMS, "Digits": "9999"},
                                      TWILIO_DOCUMENTED)
    assert not twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, {**TWILIO_PARAMS, "Body": "extra"},
                                      TWILIO_DOCUMENTED)
    for header in (None, "", "FAIL", "invalid 王"):
        assert not twilio_signature_valid(TWILIO_TOKEN, TWILIO_URL, TWILIO_PARAMS, header)
    assert not twilio_signature_valid("", TWILIO_URL, TWILIO_PARAMS, TWILIO_DOCUMENTED)


# --- Telegram: X-Telegram-Bot-Api-Secret-Token is the secret_token given to setWebhook, verbatim --------

def test_telegram_secret_token() -> None:
    assert telegram_secret_valid("s3cret_Token-1", "s3cret_Token-1")
    assert not telegram_secret_valid("s3cret_Token-1", "s3cret_token-1")
    assert not telegram_secret_valid("s3cret_Token-1", "s3cret_Token-1 ")
    assert not telegram_secret_valid("s3cret_Token-1", "wrong")
    assert not telegram_secret_valid("s3cret_Token-1", "")
    assert not telegram_secret_valid("s3cret_Token-1", None)
    assert not telegram_secret_valid("", "")
    assert not telegram_secret_valid("s3cret", "sécret")
