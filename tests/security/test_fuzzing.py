"""Hypothesis fuzzing of every input a stranger can send: the REST webhook, socket.io events and the
three messenger webhooks (correctly signed, so the body itself is what is tested). Whatever arrives,
the answer is never a 5xx, the servers keep answering, and no unhandled exception reaches the logs."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Chat
from tests.security.conftest import MESSENGERS

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)
rest_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"sender": st.text(max_size=30) | json_values, "message": st.text(max_size=80) | json_values},
                          optional={"metadata": json_values, "input_channel": st.text(max_size=10)}),
)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@FUZZ
@given(body=rest_bodies)
def test_rest_webhook_never_fails_with_a_server_error(target, body) -> None:
    status = post(f"{target.url}/webhooks/rest/webhook", json.dumps(body).encode(),
                  {"Content-Type": "application/json"})
    assert status < 500, body


@FUZZ
@given(raw=st.binary(max_size=200))
def test_rest_webhook_survives_bytes_that_are_not_json(target, raw) -> None:
    assert post(f"{target.url}/webhooks/rest/webhook", raw, {"Content-Type": "application/json"}) < 500


@FUZZ
@given(update=json_values | st.fixed_dictionaries({"update_id": json_values, "message": json_values},
                                                  optional={"callback_query": json_values}))
def test_telegram_webhook_with_a_valid_secret_survives_any_update(target, update) -> None:
    status = post(f"{target.url}/webhooks/telegram/webhook", json.dumps(update).encode(),
                  {"Content-Type": "application/json",
                   "X-Telegram-Bot-Api-Secret-Token": MESSENGERS["TELEGRAM_SECRET_TOKEN"]})
    assert status < 500, update


@FUZZ
@given(payload=json_values | st.fixed_dictionaries({"object": st.just("page"), "entry": json_values}))
def test_messenger_webhook_with_a_valid_signature_survives_any_body(target, payload) -> None:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(MESSENGERS["FACEBOOK_APP_SECRET"].encode(), body, hashlib.sha256).hexdigest()
    status = post(f"{target.url}/webhooks/facebook/webhook", body,
                  {"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert status < 500, payload


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["From", "Body", "MessageSid", "To", "NumMedia", "x"]),
                              st.text(max_size=40), max_size=5))
def test_twilio_webhook_with_a_valid_signature_survives_any_form(target, params) -> None:
    url = MESSENGERS["TWILIO_WEBHOOK_URL"]
    data = url + "".join(name + params[name] for name in sorted(params))
    signature = base64.b64encode(hmac.new(MESSENGERS["TWILIO_AUTH_TOKEN"].encode(), data.encode(),
                                          hashlib.sha1).digest()).decode()
    status = post(f"{target.url}/webhooks/twilio/webhook", urllib.parse.urlencode(params).encode(),
                  {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    assert status < 500, params


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(session=json_values, message=json_values)
def test_socketio_events_with_any_payload_leave_the_server_answering(target, session, message) -> None:
    client = socketio.SimpleClient()
    client.connect(target.url, transports=["polling"])
    try:
        client.emit("session_request", session)
        client.emit("user_uttered", message)
        client.emit("user_uttered", {"message": message, "session_id": session})
    finally:
        client.disconnect()


UNHANDLED = re.compile(r"Traceback \(most recent call last\)|Exception in|Unhandled exception")


# python-engineio's own race: a long-poll request that arrives just after its socket closed raises
# KeyError('Session is disconnected') inside engineio's handler (the client gets an error, the server goes on)
FRAMEWORK_RACES = ("KeyError: 'Session is disconnected'",)


def unhandled(text: str) -> list[str]:
    """The unhandled-exception markers in a log, leaving out engineio's known polling race."""
    blocks = re.split(r"(?=Traceback \(most recent call last\))", text)
    return [match for block in blocks if not any(race in block[:4000] for race in FRAMEWORK_RACES)
            for match in UNHANDLED.findall(block)]


def test_after_the_fuzzing_the_servers_answer_and_logged_no_unhandled_exception(target) -> None:
    assert "shop assistant" in Chat(target.url).say("hello").lower()
    logs = Path(target.stack.log_dir)
    offenders = {path.name: unhandled(path.read_text(errors="replace"))
                 for path in logs.glob("*.log") if path.name in ("rasa.log", "action-server.log", "console.log")}
    assert not any(offenders.values()), {k: len(v) for k, v in offenders.items()}
