"""The console application in-process (aiohttp's TestClient): routing, the /api and /widget
sub-applications, login and CSRF, and an agent reply kept when Rasa is down."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from aiohttp.test_utils import TestClient, TestServer

from assistant.console.app import create_app
from assistant.runtime.settings import get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.support.handoff_rules import REQUESTED, TranscriptLine
from assistant.shop.support.tickets import NewTicket
from tests.asyncio_thread import run_async
from tests.unit.shop_fixtures import standard_shop

PASSWORD = "correct horse battery"


@pytest.fixture()
def console(tmp_path: Path) -> dict[str, Any]:
    """A shop database with an agent, an API token and one open ticket; Rasa is not running."""
    standard_shop(tmp_path).engine.dispose()
    url = f"sqlite:///{tmp_path / 'db' / 'shop.db'}"
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), "DATABASE_URL": url, "RASA_URL": "http://127.0.0.1:9",
                             "KB_INDEX_DIR": str(tmp_path / "no-index")})
    from assistant.shop.support.accounts import AgentAccounts

    shop = Shop.open(ShopConfig(url))
    accounts = AgentAccounts(shop.sessions)
    accounts.create_agent("alice", "Alice Martin", PASSWORD)
    token = accounts.create_token("alice", "tests")
    ticket, _ = shop.tickets.open_ticket(NewTicket(
        conversation_id="web-123", channel="socketio", reason=REQUESTED, customer_id=1,
        transcript=[TranscriptLine("shopper", "my order SO100003 never came, jane.doe@example.com")]))
    shop.close()
    return {"settings": settings, "token": token, "ticket": ticket.id}


def serve(console: dict[str, Any], scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    async def main() -> None:
        client = TestClient(TestServer(create_app(console["settings"])))
        await client.start_server()
        try:
            await scenario(client)
        finally:
            await client.close()

    run_async(main())


def bearer(console: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {console['token']}"}


def test_health_and_the_demo_shop_need_no_login(console) -> None:
    async def scenario(client: TestClient) -> None:
        assert (await client.get("/health")).status == 200
        page = await client.get("/shop")
        assert page.status == 200 and "Classic Tee" in await page.text()
        assert (await client.get("/shop/product/TEE")).status == 200
        assert (await client.get("/shop/product/NOPE")).status == 404
        script = await client.get("/widget/widget.js")
        assert script.status == 200 and "ShopChatConfig" in await script.text()

    serve(console, scenario)


def test_the_api_sub_application_answers_in_json_behind_the_login(console) -> None:
    async def scenario(client: TestClient) -> None:
        anonymous = await client.get("/api/me")
        assert anonymous.status == 401 and (await anonymous.json())["error"]
        me = await client.get("/api/me", headers=bearer(console))
        assert (await me.json())["username"] == "alice"
        missing = await client.get("/api/no-such-thing", headers=bearer(console))
        assert missing.status == 404 and (await missing.json()) == {"error": "not found"}
        tickets = await (await client.get("/api/tickets", headers=bearer(console))).json()
        assert [t["id"] for t in tickets["tickets"]] == [console["ticket"]]
        found = await client.get("/api/tickets/search", params={"q": "never came"}, headers=bearer(console))
        assert found.status == 200
        assert (await client.get("/api/metrics", headers=bearer(console))).status == 200

    serve(console, scenario)


def test_a_reply_is_kept_when_rasa_is_down(console) -> None:
    async def scenario(client: TestClient) -> None:
        ticket = console["ticket"]
        sent = await client.post(f"/api/tickets/{ticket}/messages", json={"text": "Sorry, checking now."},
                                 headers=bearer(console))
        body = await sent.json()
        assert sent.status == 202 and body["delivered"] is False and body["message_id"]
        detail = await (await client.get(f"/api/tickets/{ticket}", headers=bearer(console))).json()
        assert detail["status"] == "assigned"
        assert any(m["text"] == "Sorry, checking now." for m in detail["messages"])

    serve(console, scenario)


def test_pages_need_a_login_and_changes_need_the_csrf_token(console) -> None:
    async def scenario(client: TestClient) -> None:
        page = await client.get("/", allow_redirects=False)
        assert page.status == 302 and page.headers["Location"] == "/login"
        forged = await client.post("/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
        assert forged.status == 403  # no CSRF token from the login form
        form = await (await client.get("/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        login = await client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token},
                                  allow_redirects=False)
        assert login.status == 302
        queue = await client.get("/")
        html = await queue.text()
        assert queue.status == 200 and f"/tickets/{console['ticket']}" in html
        ticket_page = await (await client.get(f"/tickets/{console['ticket']}")).text()
        assert "jane.doe@example.com" not in ticket_page  # masked for the agent until revealed
        forged = await client.post(f"/tickets/{console['ticket']}/take", data={}, allow_redirects=False)
        assert forged.status == 403
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', ticket_page).group(1)
        taken = await client.post(f"/tickets/{console['ticket']}/take", data={"csrf_token": csrf},
                                  allow_redirects=False)
        assert taken.status == 302

    serve(console, scenario)


def test_api_tokens_expire_and_are_revoked_one_at_a_time(console, tmp_path) -> None:
    from datetime import timedelta

    from assistant.shop.support.accounts import AgentAccounts

    shop = Shop.open(ShopConfig(console["settings"].database_url))
    accounts = AgentAccounts(shop.sessions)
    keep = accounts.create_token("alice", "crm")
    gone = accounts.create_token("alice", "old-script")
    expired = accounts.create_token("alice", "short", lifetime=timedelta(seconds=-1))
    ids = {t.name: t.id for t in accounts.list_tokens("alice")}
    assert accounts.revoke_token(ids["old-script"]) and not accounts.revoke_token(999_999)
    shop.close()

    async def scenario(client: TestClient) -> None:
        for token, status in ((keep, 200), (gone, 401), (expired, 401)):
            response = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status == status, token

    serve(console, scenario)


def test_behind_a_trusted_proxy_the_real_client_is_throttled_and_cookies_are_secure(tmp_path) -> None:
    from aiohttp.test_utils import make_mocked_request

    from assistant.console.auth import client_address, is_https

    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: ("127.0.0.1", 5555) if name == "peername" \
        else default
    proxied = make_mocked_request("GET", "/", headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.2",
                                                       "X-Forwarded-Proto": "https"}, transport=transport)
    assert client_address(proxied, ("127.0.0.1", "10.0.0.2")) == "203.0.113.9"
    assert is_https(proxied, ("127.0.0.1",))
    assert client_address(proxied, ()) == "127.0.0.1" and not is_https(proxied, ())


def test_failed_logins_are_counted_in_the_database_across_restarts(console) -> None:
    from assistant.console.auth import LoginThrottle
    from assistant.shop.support.accounts import AgentAccounts

    shop = Shop.open(ShopConfig(console["settings"].database_url))
    try:
        first = LoginThrottle(limit=3, window=60, store=AgentAccounts(shop.sessions))
        for _ in range(3):
            first.failed("user:mallory", "addr:203.0.113.9")
        restarted = LoginThrottle(limit=3, window=60, store=AgentAccounts(shop.sessions))  # a new process
        assert restarted.blocked("user:mallory") and not restarted.blocked("user:alice")
        restarted.succeeded("user:mallory")
        assert not first.blocked("user:mallory")
    finally:
        shop.close()
