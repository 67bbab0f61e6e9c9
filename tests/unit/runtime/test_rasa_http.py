"""The shared Rasa HTTP client against a real local aiohttp server standing in for Rasa: the token, the
quoting of conversation ids as they reach the wire, and what each kind of failure becomes."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port

from assistant.runtime.rasa_http import RasaHttp, RasaRefused, RasaUnavailable, conversation_path
from tests.asyncio_thread import run_async

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def against(handler: Handler, scenario: Callable[[str], Awaitable[Any]]) -> Any:
    """Runs ``scenario(base_url)`` while a server answers every request with ``handler``."""
    async def main() -> Any:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        server = TestServer(app)
        await server.start_server()
        try:
            return await scenario(str(server.make_url("/")))
        finally:
            await server.close()

    return run_async(main())


def recording(seen: list[dict[str, Any]], status: int = 200, body: str = '{"ok": true}') -> Handler:
    """Answers ``status`` with ``body`` and notes what each request looked like on the wire."""
    async def handler(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "raw_path": request.raw_path, "query": dict(request.query),
                     "json": await request.json() if request.can_read_body else None})
        return web.Response(status=status, text=body, content_type="application/json")

    return handler


def test_conversation_path_keeps_what_rasa_reads_literally_and_quotes_the_rest() -> None:
    assert conversation_path("whatsapp:+4915112345678") == "/conversations/whatsapp:+4915112345678"
    assert conversation_path("mail@shop") == "/conversations/mail@shop"
    assert conversation_path("a/b c?d#e%f") == "/conversations/a%2Fb%20c%3Fd%23e%25f"


@pytest.mark.parametrize("token, expected", [("", None), ("s3cret", "s3cret")])
def test_the_token_is_sent_only_when_there_is_one(token: str, expected: str | None) -> None:
    seen: list[dict[str, Any]] = []

    async def scenario(url: str) -> Any:
        async with RasaHttp(url, token) as rasa:
            return await rasa._call("POST", "/model/parse", {"text": "hi"}, lang="en")

    assert against(recording(seen), scenario) == {"ok": True}
    [request] = seen
    assert request["method"] == "POST" and request["json"] == {"text": "hi"}
    assert request["query"].get("token") == expected and request["query"]["lang"] == "en"


def test_conversation_ids_reach_the_server_quoted_as_rasa_expects() -> None:
    seen: list[dict[str, Any]] = []

    async def scenario(url: str) -> None:
        async with RasaHttp(url) as rasa:
            for conversation_id in ("web:0123456789abcdef0123456789abcdef", "whatsapp:+4915112345678",
                                    "mail@shop", "a/b"):
                await rasa._call("GET", f"{conversation_path(conversation_id)}/tracker")

    against(recording(seen), scenario)
    assert [r["raw_path"] for r in seen] == ["/conversations/web:0123456789abcdef0123456789abcdef/tracker",
                                          "/conversations/whatsapp:+4915112345678/tracker",
                                          "/conversations/mail@shop/tracker", "/conversations/a%2Fb/tracker"]


def test_a_server_error_is_worth_retrying() -> None:
    async def scenario(url: str) -> None:
        async with RasaHttp(url) as rasa:
            await rasa._call("GET", "/status")

    with pytest.raises(RasaUnavailable, match="Rasa answered 503") as caught:
        against(recording([], status=503, body="overloaded"), scenario)
    assert not isinstance(caught.value, RasaRefused) and caught.value.status == 503


def test_a_client_error_is_refused_with_rasas_explanation() -> None:
    detail = '{"status": "failure", "reason": "NotAuthenticated"}' + "x" * 400

    async def scenario(url: str) -> None:
        async with RasaHttp(url, "wrong") as rasa:
            await rasa._call("GET", "/status")

    with pytest.raises(RasaRefused) as caught:
        against(recording([], status=401, body=detail), scenario)
    message = str(caught.value)
    assert message == f"Rasa answered 401: {detail[:300]}" and caught.value.status == 401
    assert isinstance(caught.value, RasaUnavailable)  # the console catches only RasaUnavailable


def test_nobody_listening_is_unavailable() -> None:
    url = f"http://127.0.0.1:{unused_port()}"

    async def scenario() -> None:
        async with RasaHttp(url) as rasa:
            await rasa._call("GET", "/status")

    with pytest.raises(RasaUnavailable, match=rf"not reachable at {url} \(ClientConnectorError\)") as caught:
        run_async(scenario())
    assert not isinstance(caught.value, RasaRefused) and caught.value.status is None  # no answer, no status


def test_a_slow_answer_is_unavailable() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({})

    async def scenario(url: str) -> None:
        async with RasaHttp(url, timeout=0.2) as rasa:
            await rasa._call("GET", "/status")

    with pytest.raises(RasaUnavailable, match=r"did not answer within 0\.2 s") as caught:
        against(slow, scenario)
    assert not isinstance(caught.value, RasaRefused)


def test_a_client_that_is_not_started_says_so() -> None:
    async def scenario() -> None:
        rasa = RasaHttp("http://127.0.0.1:9")
        await rasa._call("GET", "/status")

    with pytest.raises(RasaUnavailable, match=r"RasaHttp\) is not started"):
        run_async(scenario())


def test_start_and_close_without_async_with() -> None:
    async def scenario(url: str) -> Any:
        rasa = RasaHttp(url + "/")  # a trailing slash in RASA_URL does not double the slash
        await rasa.start()
        try:
            return await rasa._call("GET", "/status")
        finally:
            await rasa.close()

    seen: list[dict[str, Any]] = []
    assert against(recording(seen), scenario) == {"ok": True}
    assert seen[0]["raw_path"] == "/status"
