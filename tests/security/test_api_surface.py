"""Attacks 1 and 4 of issue 13: Rasa's HTTP API and the action server, reached without their secrets.

Each test performs the attack against the real processes and asserts it fails and changes nothing.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional

from sqlalchemy import select

from assistant.shop.storage.models import Order
from tests.e2e.conftest import AUTH_TOKEN


def call(url: str, method: str = "GET", body: Optional[Any] = None,
         headers: Optional[dict[str, str]] = None) -> tuple[int, str, dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


FORGED_EVENTS = [{"event": "slot", "name": "verified_customer_id", "value": "1"},
                 {"event": "slot", "name": "order_id", "value": "SO100001"}]


def test_the_http_api_refuses_calls_without_the_token(target) -> None:
    base = target.url
    for method, path, body in [
        ("GET", "/conversations/someone/tracker", None),
        ("POST", "/conversations/someone/tracker/events", FORGED_EVENTS),
        ("PUT", "/conversations/someone/tracker/events", FORGED_EVENTS),
        ("POST", "/conversations/someone/trigger_intent", {"name": "order_status"}),
        ("POST", "/model/parse", {"text": "hi"}),
        ("PUT", "/model", {"model_file": "/tmp/evil.tar.gz"}),
        ("DELETE", "/model", None),
    ]:
        for query in ("", "?token=wrong-token"):
            status, _, _ = call(f"{base}{path}{query}", method, body)
            assert status == 401, (method, path, query, status)


def test_the_token_is_not_on_any_command_line(target) -> None:
    for process in target.stack.processes:
        assert AUTH_TOKEN not in " ".join(map(str, process.args))
    secret = target.stack.settings.action_server_token
    assert all(secret not in " ".join(map(str, p.args)) for p in target.stack.processes)


def test_cors_allows_only_the_shop_origins(target) -> None:
    evil = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    _, _, headers = call(f"{target.url}/conversations/x/tracker/events", "OPTIONS", headers=evil)
    assert headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example")
    _, _, headers = call(f"{target.url}/webhooks/rest/webhook", "OPTIONS", headers=evil)
    assert headers.get("Access-Control-Allow-Origin") not in ("*", "https://evil.example")
    shop_origin = target.stack.settings.allowed_origins[0]
    _, _, headers = call(f"{target.url}/webhooks/rest/webhook", "OPTIONS",
                         headers={"Origin": shop_origin, "Access-Control-Request-Method": "POST"})
    assert headers.get("Access-Control-Allow-Origin") == shop_origin


def _forged_call(action: str, slots: dict[str, Any]) -> dict[str, Any]:
    return {"next_action": action, "sender_id": "attacker",
            "tracker": {"sender_id": "attacker", "slots": slots, "latest_message": {"text": "yes", "intent": {}},
                        "events": [], "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "action_listen"},
            "domain": {}, "version": "3.6.21"}


def customer_of(target, order_id: str) -> int:
    with target.sessions()() as session:
        return session.scalar(select(Order.customer_id).where(Order.id == order_id))


def test_the_action_server_refuses_calls_without_its_secret(target) -> None:
    order = target.order("pending")
    slots = {"verified_customer_id": str(customer_of(target, order["order_id"])), "order_id": order["order_id"],
             "pending_task": "order_status"}
    webhook = target.stack.action_server_url + "/webhook"
    for query in ("", "?token=guess", f"?token={AUTH_TOKEN}"):
        status, body, _ = call(webhook + query, "POST", _forged_call("action_run_order_task", slots))
        assert status == 401 and order["order_id"] not in body


def test_a_forged_tracker_with_the_secret_still_learns_nothing(target) -> None:
    """Even a caller holding the action server's secret cannot make up a verification: it lives in the
    database, bound to a conversation that proved it."""
    order = target.order("pending", 1)
    slots = {"verified_customer_id": str(customer_of(target, order["order_id"])), "order_id": order["order_id"],
             "verified_email": order["email"], "pending_task": "order_status",
             "awaiting_confirmation": "cancel_order"}
    webhook = f"{target.stack.action_server_url}/webhook?token={target.stack.settings.action_server_token}"
    for action in ("action_run_order_task", "action_handle_affirm"):
        status, body, _ = call(webhook, "POST", _forged_call(action, slots))
        assert status == 200
        assert order["order_id"] not in body and order["email"] not in body
    with target.sessions()() as session:
        assert session.scalar(select(Order.status).where(Order.id == order["order_id"])) == "pending"


def test_databases_secrets_and_logs_are_readable_by_their_owner_only(target) -> None:
    import stat
    from pathlib import Path

    var = target.stack.settings.var_dir
    assert not stat.S_IMODE(var.stat().st_mode) & 0o077
    assert not stat.S_IMODE(target.stack.log_dir.stat().st_mode) & 0o077
    for path in [Path(target.database_url.removeprefix("sqlite:///")), *(var / "secrets").iterdir(),
                 target.stack.log_dir / "endpoints.yml"]:
        assert not stat.S_IMODE(path.stat().st_mode) & 0o077, path
