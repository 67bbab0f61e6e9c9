"""The widget's history API with a ``since`` cursor (what a reconnecting widget missed), in-process:
a fake Rasa serves the tracker, aiohttp's TestClient calls the console app."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from assistant.console.app import create_app
from assistant.console.widget.routes import LATE_SECONDS, missed, parse_since
from assistant.runtime.sessions import new_web_session, session_token
from assistant.runtime.settings import get_settings
from tests.asyncio_thread import run_async
from tests.unit.shop_fixtures import standard_shop

T0 = 1_765_000_000.0
KEY = "unit-session-key"


def events() -> List[Dict[str, Any]]:
    return [
        {"event": "user", "text": "hi", "timestamp": T0, "message_id": "w-first-0001"},
        {"event": "bot", "text": "Hello!", "timestamp": T0 + 1, "data": {}},
        {"event": "bot", "text": "Mia joined", "timestamp": T0 + 100, "data": {},
         "metadata": {"agent": {"name": "Mia"}, "handoff": "joined"}},
        {"event": "user", "text": "from my other tab", "timestamp": T0 + 101, "message_id": "w-second-002"},
        {"event": "bot", "text": "Your order shipped", "timestamp": T0 + 102, "data": {}},
    ]


def test_missed_returns_what_follows_the_cursor_with_a_late_window() -> None:
    found, more = missed(events(), T0 + 100)
    assert [m["text"] for m in found] == ["Mia joined", "from my other tab", "Your order shipped"]
    assert not more
    assert found[0]["role"] == "agent" and found[1]["message_id"] == "w-second-002"
    # an event stamped a moment before the cursor but stored after it is still found (the widget drops repeats)
    found, _ = missed(events(), T0 + 1 + LATE_SECONDS - 0.5)
    assert found[0]["text"] == "Hello!"
    assert missed(events(), T0 + 1000) == ([], False)


def test_missed_pages_oldest_first() -> None:
    many = [{"event": "bot", "text": f"m{n}", "timestamp": T0 + 10 * n, "data": {}} for n in range(7)]
    found, more = missed(many, 0, limit=3)
    assert [m["text"] for m in found] == ["m0", "m1", "m2"] and more
    found, more = missed(many, found[-1]["timestamp"], limit=3)  # the cursor's own message again: the widget drops it
    assert [m["text"] for m in found] == ["m2", "m3", "m4"] and more
    found, more = missed(many, found[-1]["timestamp"], limit=3)
    assert [m["text"] for m in found] == ["m4", "m5", "m6"] and not more


@pytest.mark.parametrize("value", ["", "abc", "nan", "inf", "-inf", "-1", "1e300", "0x10", None])
def test_a_malformed_since_is_refused(value: Any) -> None:
    assert parse_since(value) is None


def test_since_accepts_timestamps() -> None:
    assert parse_since("0") == 0 and parse_since(str(T0 + 0.123456)) == T0 + 0.123456
    assert not math.isnan(parse_since("1765000000") or math.nan)


@pytest.fixture()
def app_with_rasa(tmp_path: Path) -> Dict[str, Any]:
    standard_shop(tmp_path).engine.dispose()
    return {"env": {"SHOP_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'shop.db'}",
                    "KB_INDEX_DIR": str(tmp_path / "no-index"), "SHOP_SESSION_KEY": KEY,
                    "RASA_AUTH_TOKEN": "rasa-token"}}


def test_the_history_api_with_since_is_authorised_like_the_full_history(app_with_rasa: Dict[str, Any]) -> None:
    victim = new_web_session()
    attacker = new_web_session()
    asked: List[str] = []

    async def tracker(request: web.Request) -> web.Response:
        asked.append(request.raw_path.split("/")[2])  # as Rasa (Sanic) reads it: not percent-decoded
        assert request.query.get("token") == "rasa-token"
        return web.json_response({"events": events(), "slots": {"language": "en"}})

    async def main() -> None:
        rasa = web.Application()
        rasa.router.add_get("/conversations/{conversation}/tracker", tracker)
        rasa_server = TestServer(rasa)
        await rasa_server.start_server()
        settings = get_settings({**app_with_rasa["env"], "RASA_URL": str(rasa_server.make_url("")).rstrip("/")})
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            def url(session: str, token: str, since: str) -> str:
                return (f"/widget/api/history?session_id={quote(session)}&session_token={quote(token)}"
                        f"&since={quote(since)}")

            answer = await client.get(url(victim, session_token(KEY, victim), str(T0 + 100)))
            body = await answer.json()
            assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
            assert [m["text"] for m in body["messages"]] == ["Mia joined", "from my other tab", "Your order shipped"]
            assert body["more"] is False

            # the attack: a valid session of one's own, the victim's id, with or without a cursor
            real = session_token(KEY, victim)
            altered = real[:-1] + ("1" if real.endswith("0") else "0")  # always differs from the real token
            for token in (session_token(KEY, attacker), "", "0" * 64, altered):
                stolen = await client.get(url(victim, token, "0"), headers={"Origin": "https://evil.example"})
                assert stolen.status == 403 and (await stolen.json())["messages"] == []
                assert "Access-Control-Allow-Origin" not in stolen.headers
            for since in ("nan", "yesterday", "-5", "1e400"):
                bad = await client.get(url(victim, session_token(KEY, victim), since))
                assert bad.status == 400 and "since" in (await bad.json())["error"]
            assert asked == [victim]  # nothing else ever reached Rasa, and the id exactly as Rasa stores it
        finally:
            await client.close()
            await rasa_server.close()

    run_async(main())


@pytest.mark.parametrize(("rasa_status", "error"), [
    (404, "Rasa answered 404"), (401, "Rasa answered 401"), (500, "Rasa answered 500"),
    (None, "the assistant is not reachable; try again shortly"),  # nothing listens at RASA_URL
])
def test_a_failing_rasa_is_a_502_with_the_reason(app_with_rasa: Dict[str, Any], rasa_status: Any,
                                                  error: str) -> None:
    session = new_web_session()
    shop = "https://shop.example"

    async def tracker(_request: web.Request) -> web.Response:
        return web.json_response({"status": "failure", "message": "not for you"}, status=rasa_status)

    async def main() -> None:
        rasa = web.Application()
        rasa.router.add_get("/conversations/{conversation}/tracker", tracker)
        rasa_server = TestServer(rasa)
        await rasa_server.start_server()
        rasa_url = str(rasa_server.make_url("")).rstrip("/")
        if rasa_status is None:
            await rasa_server.close()
        settings = get_settings({**app_with_rasa["env"], "RASA_URL": rasa_url, "SHOP_ALLOWED_ORIGINS": shop})
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            for since in ("", f"&since={T0}"):
                answer = await client.get(f"/widget/api/history?session_id={quote(session)}"
                                          f"&session_token={session_token(KEY, session)}{since}",
                                          headers={"Origin": shop})
                assert answer.status == 502 and await answer.json() == {"error": error, "messages": []}
                assert answer.headers["Access-Control-Allow-Origin"] == shop
        finally:
            await client.close()
            await rasa_server.close()

    run_async(main())
