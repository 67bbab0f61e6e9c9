"""The widget never loses a message (issue 15): in Debian's Chromium against the real system.

The connection to Rasa is cut for real: every socket.io WebSocket goes through Playwright's
``route_web_socket`` and is closed on both ends, new ones are refused, and socket.io's HTTP
long-polling fallback is aborted, while the shop page and its history API (the console) stay up:
Rasa is unreachable for the browser, exactly as when a network path or a Rasa process fails.
"""
from __future__ import annotations

import json
import re
import time
from typing import Any, Dict, List, Tuple
from urllib.parse import quote

import pytest

from tests.e2e.test_widget_browser import (
    DESKTOP,
    bots,
    get,
    open_widget,
    rasa_post,
    session_id,
    snap,
    wait_reply,
)

pytestmark = pytest.mark.e2e

ONLINE_MS = 60_000
SOCKET_IO = re.compile(r"^[a-z]+://[^/]+/socket\.io/.*")


class RasaLink:
    """The browser context's connection to Rasa's socket.io, which a test can cut and restore."""

    def __init__(self, context: Any) -> None:
        self.down = False
        self.sockets: List[Tuple[Any, Any]] = []
        context.route_web_socket(SOCKET_IO, self._websocket)
        context.route(SOCKET_IO, self._polling)  # socket.io's fallback transport (the widget's files are elsewhere)

    def _websocket(self, ws: Any) -> None:
        if self.down:
            ws.close()
            return
        self.sockets.append((ws, ws.connect_to_server()))

    def _polling(self, route: Any) -> None:
        if self.down:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def cut(self) -> None:
        self.down = True
        for page_side, server_side in self.sockets:
            for end in (page_side, server_side):
                try:
                    end.close()
                except Exception:  # noqa: BLE001 - already closed
                    pass
        self.sockets.clear()

    def restore(self) -> None:
        self.down = False


def new_context(browser: Any, shop: Any) -> Tuple[Any, RasaLink]:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    return context, RasaLink(context)


def open_page(context: Any, shop: Any) -> Any:
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{shop.console_url}/shop")
    page.wait_for_function("() => window.ShopChat !== undefined")
    return page


def wait_state(page: Any, state: str, timeout: float = ONLINE_MS) -> None:
    page.wait_for_function(f"() => window.ShopChat.state === '{state}'", timeout=timeout)


def type_message(page: Any, text: str) -> None:
    page.locator("#sc-input").fill(text)
    page.locator("#sc-input").press("Enter")


def transcript(shop: Any, page: Any, since: str = "") -> Dict[str, Any]:
    """The conversation as the history API gives it to the page's own session (the widget's token)."""
    token = page.evaluate("() => window.localStorage.getItem('shopchat:sessionToken')")
    query = f"session_id={quote(session_id(page))}&session_token={quote(token)}" + (f"&since={since}" if since else "")
    status, _, body = get(f"{shop.console_url}/widget/api/history?{query}")
    assert status == 200, body
    return json.loads(body)


def user_texts(shop: Any, page: Any) -> List[str]:
    return [m["text"] for m in transcript(shop, page)["messages"] if m["role"] == "user"]


def agent_says(shop: Any, conversation: str, text: str, kind: str = "message") -> None:
    """A support agent's message, delivered the way the console does (Rasa's tracker events API)."""
    rasa_post(shop, f"/conversations/{conversation}/tracker/events",
              {"event": "bot", "text": text, "timestamp": time.time(), "data": {},
               "metadata": {"agent": {"name": "Mia"}, "handoff": kind}},
              output_channel="latest", execute_side_effects="true")


def count(page: Any, selector: str, text: str) -> int:
    return page.locator(selector, has_text=text).count()


def test_messages_sent_while_disconnected_arrive_once_on_reconnect(shop, browser, screenshots) -> None:
    context, link = new_context(browser, shop)
    page = open_page(context, shop)
    try:
        open_widget(page)
        wait_state(page, "online")
        type_message(page, "hi")
        reply = wait_reply(page, 1, "")
        conversation = session_id(page)
        before = bots(page).count()

        link.cut()
        wait_state(page, "offline")
        agent_says(shop, conversation, "Mia from the support team joined the chat", "joined")
        agent_says(shop, conversation, "Your parcel left our warehouse this morning.")
        page.wait_for_timeout(1_000)
        assert count(page, ".sc-agent", "parcel left") == 0, "delivered although the socket was closed"

        link.restore()
        wait_state(page, "online")
        page.locator(".sc-agent", has_text="parcel left").wait_for(timeout=30_000)
        assert count(page, ".sc-note", "joined the chat") == 1
        assert count(page, ".sc-agent", "parcel left") == 1
        assert bots(page).count() == before + 1  # the agent's message; nothing earlier came back twice
        snap(page, screenshots / "widget-missed-messages.png")

        # live again: a new agent message arrives once, and another reconnect brings no repeats
        agent_says(shop, conversation, "Anything else I can do?")
        page.locator(".sc-agent", has_text="Anything else").wait_for(timeout=30_000)
        link.cut()
        wait_state(page, "offline")
        link.restore()
        wait_state(page, "online")
        page.wait_for_timeout(2_000)  # the catch-up fetch after the reconnect has answered
        assert count(page, ".sc-agent", "parcel left") == 1 and count(page, ".sc-agent", "Anything else") == 1
        assert count(page, ".sc-note", "joined the chat") == 1
        assert reply and page.locator(".sc-user", has_text="hi").count() == 1

        # the cursor API answers only the session's owner
        assert [m["text"] for m in transcript(shop, page, since=str(time.time() - 60))["messages"]
                if m["role"] == "agent"][-1] == "Anything else I can do?"
        status, _, body = get(f"{shop.console_url}/widget/api/history?session_id={quote(conversation)}"
                              f"&session_token={'0' * 64}&since=0")
        assert status == 403 and "parcel" not in body.decode()
        assert page.errors == []
    finally:
        context.close()


def test_messages_typed_offline_survive_a_reload_and_are_sent_once_in_order(shop, browser, screenshots) -> None:
    order = shop.order("shipped", 1)
    context, link = new_context(browser, shop)
    page = open_page(context, shop)
    try:
        open_widget(page)
        wait_state(page, "online")
        type_message(page, "hi")
        wait_reply(page, 1, "")

        link.cut()
        wait_state(page, "offline")
        type_message(page, "where is my order?")
        type_message(page, order["order_id"])
        assert page.locator(".sc-user.sc-pending").count() == 2
        page.reload()
        page.wait_for_function("() => window.ShopChat !== undefined")
        page.locator(".sc-user.sc-pending", has_text=order["order_id"]).wait_for(timeout=30_000)
        assert page.locator(".sc-user.sc-pending").count() == 2  # still waiting, after the reload
        queued = page.evaluate("() => JSON.parse(localStorage.getItem('shopchat:queue:' + window.ShopChat.sessionId))")
        assert [item["message"] for item in queued] == ["where is my order?", order["order_id"]]
        snap(page, screenshots / "widget-offline-queue-after-reload.png")
        assert user_texts(shop, page) == ["hi"]  # nothing reached Rasa yet

        before = bots(page).count()
        link.restore()
        wait_state(page, "online")
        wait_reply(page, before, "email")  # the order number's answer: the two went in order
        page.wait_for_function("() => !localStorage.getItem('shopchat:queue:' + window.ShopChat.sessionId)",
                               timeout=30_000)
        assert page.locator(".sc-user.sc-pending").count() == 0
        assert user_texts(shop, page) == ["hi", "where is my order?", order["order_id"]]
        assert "order number" in " ".join(bots(page).all_inner_texts()[before:]).lower()
        assert page.locator(".sc-user", has_text="where is my order?").count() == 1
        assert page.errors == []
    finally:
        context.close()


def test_two_tabs_of_one_session_show_each_others_messages_and_the_replies(shop, browser, screenshots) -> None:
    order = shop.order("delivered", 1)
    context, _ = new_context(browser, shop)
    first = open_page(context, shop)
    try:
        open_widget(first)
        wait_state(first, "online")
        type_message(first, "hi")
        wait_reply(first, 1, "")
        second = open_page(context, shop)
        second.locator(".sc-panel").wait_for(state="visible")  # open in the first tab: open here too
        wait_state(second, "online")
        assert session_id(second) == session_id(first)

        before = [bots(first).count(), bots(second).count()]
        type_message(first, "where is my order?")
        second.locator(".sc-user", has_text="where is my order?").wait_for(timeout=10_000)
        wait_reply(first, before[0], "order number")
        wait_reply(second, before[1], "order number")

        before = [bots(first).count(), bots(second).count()]
        type_message(second, order["order_id"])  # typed in the other tab: one of them sends it, once
        first.locator(".sc-user", has_text=order["order_id"]).wait_for(timeout=10_000)
        wait_reply(second, before[1], "email")
        wait_reply(first, before[0], "email")
        snap(second, screenshots / "widget-second-tab.png")
        assert user_texts(shop, first) == ["hi", "where is my order?", order["order_id"]]
        for page in (first, second):
            assert page.locator(".sc-user", has_text=order["order_id"]).count() == 1
            assert page.locator(".sc-user").count() == 3
            assert page.errors == []
    finally:
        context.close()
