"""The chat widget in Debian's Chromium, against the real running system (console, Rasa, actions).

Each test opens the demo shop in a new browser context (fresh localStorage, so a new
conversation) and keeps a screenshot in ``var/screenshots/widget-*.png``.
"""
from __future__ import annotations

import gzip
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Tuple
from urllib.parse import quote

from sqlalchemy import select

from assistant.console.widget.routes import transcript
from assistant.runtime.training import ensure_model
from assistant.shop.storage.models import Product
from tests.e2e.conftest import AUTH_TOKEN

logger = logging.getLogger(__name__)

REPLY_MS = 90_000  # the first reply of a fresh Rasa can take a while on 2 cores
DESKTOP = {"width": 1280, "height": 860}
MOBILE = {"width": 360, "height": 740}


# ---- helpers -----------------------------------------------------------------------------------

def get(url: str, headers: Dict[str, str] | None = None) -> Tuple[int, Dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def rasa_post(shop: Any, path: str, body: Any, **params: str) -> None:
    query = "&".join(f"{k}={quote(v)}" for k, v in {"token": AUTH_TOKEN, **params}.items())
    request = urllib.request.Request(f"{shop.url}{path}?{query}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def open_shop(browser: Any, shop: Any, viewport: Dict[str, int] = DESKTOP, path: str = "/shop") -> Tuple[Any, Any]:
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{shop.console_url}{path}")
    page.wait_for_function("() => window.ShopChat !== undefined")
    return context, page


def open_widget(page: Any) -> None:
    page.locator(".sc-launcher").click()
    page.locator(".sc-panel").wait_for(state="visible")


def bots(page: Any) -> Any:
    return page.locator(".sc-log > .sc-bot, .sc-log > .sc-agent")


def say(page: Any, text: str, expect: str, timeout: float = REPLY_MS) -> str:
    """Types ``text``, presses Enter, waits for a bot message containing ``expect``; returns the new bot text."""
    before = bots(page).count()
    page.locator("#sc-input").fill(text)
    page.locator("#sc-input").press("Enter")
    return wait_reply(page, before, expect, timeout)


def wait_reply(page: Any, before: int, expect: str, timeout: float = REPLY_MS) -> str:
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        texts = bots(page).all_inner_texts()[before:]
        if any(expect.lower() in t.lower() for t in texts):
            return "\n".join(texts)
        page.wait_for_timeout(150)
    raise AssertionError(f"no bot message containing {expect!r} within {timeout / 1000:.0f} s; "
                         f"got {bots(page).all_inner_texts()[before:]!r}")


def session_id(page: Any) -> str:
    return page.evaluate("() => window.ShopChat.sessionId")


def focused_class(page: Any) -> str:
    return page.evaluate("""() => { const root = document.getElementById('shopchat-widget').shadowRoot;
                                    const el = root.activeElement; return el ? el.className : ''; }""")


def snap(page: Any, path: Any) -> None:
    page.wait_for_timeout(500)  # let smooth scrolling settle
    page.screenshot(path=path)


def focused_text(page: Any) -> str:
    return page.evaluate("""() => { const el = document.getElementById('shopchat-widget').shadowRoot
                                   .activeElement; return el ? el.textContent : ''; }""")


# ---- without a browser ---------------------------------------------------------------------------

def test_transcript_shows_titles_for_payloads_and_marks_agents() -> None:
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "hi"},
        {"event": "bot", "text": "How would you rate us?", "data": {"buttons": [
            {"title": "5", "payload": '/csat{"csat_rating": "5"}'}]}},
        {"event": "user", "text": '/csat{"csat_rating": "5"}'},
        {"event": "user", "text": "/unknown_payload"},
        {"event": "bot", "text": None, "data": {"custom": {"type": "kb_source", "title": "Returns"}}},
        {"event": "bot", "text": "Hello, I'm Mia", "metadata": {"agent": {"name": "Mia"}, "handoff": "joined"}},
        {"event": "bot", "text": None, "data": {}},
    ]
    messages = transcript(events)
    assert [m["role"] for m in messages] == ["user", "bot", "user", "bot", "agent"]
    assert messages[1]["quick_replies"][0] == {"content_type": "text", "title": "5",
                                               "payload": '/csat{"csat_rating": "5"}'}
    assert messages[2]["text"] == "5"
    assert messages[3]["custom"]["type"] == "kb_source"
    assert messages[4]["agent"] == {"name": "Mia"} and messages[4]["handoff"] == "joined"
    assert len(transcript([{"event": "user", "text": f"m{i}"} for i in range(80)])) == 50


# ---- the console's routes ----------------------------------------------------------------------

def test_demo_shop_page_widget_files_and_history_api(shop) -> None:
    status, _, body = get(f"{shop.console_url}/shop")
    page = body.decode()
    assert status == 200
    assert "window.ShopChatConfig" in page and "/widget/widget.js" in page
    assert page.count('class="product"') == 24
    with shop.sessions()() as session:
        names = session.scalars(select(Product.name)).all()
        sku = session.scalars(select(Product.sku)).first()
    assert sum(name in page for name in names) >= 20
    assert get(f"{shop.console_url}/shop/product/{sku}")[0] == 200
    assert get(f"{shop.console_url}/shop/product/NO-SUCH-SKU")[0] == 404

    status, headers, body = get(f"{shop.console_url}/widget/widget.js", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers.get("Content-Encoding") == "gzip" and b"ShopChatConfig" in gzip.decompress(body)
    status, headers, _ = get(f"{shop.console_url}/widget/widget.js", {"If-None-Match": headers["ETag"]})
    assert status == 304
    for name in ("widget.css", "socket.io.min.js"):
        status, headers, _ = get(f"{shop.console_url}/widget/{name}")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*", name
    assert get(f"{shop.console_url}/widget/secrets.txt")[0] == 404

    assert get(f"{shop.console_url}/widget/api/history?session_id=../../etc")[0] == 400
    # a conversation id without the token the server issued for it reads nothing (see tests/security)
    status, headers, body = get(f"{shop.console_url}/widget/api/history?session_id=nobody-{time.time_ns()}",
                                {"Origin": "https://evil.example"})
    assert status == 403 and json.loads(body)["messages"] == []
    assert "Access-Control-Allow-Origin" not in headers


# ---- in the browser ----------------------------------------------------------------------------

def test_order_status_by_typing(shop, browser, screenshots) -> None:
    order = shop.order("shipped")
    context, page = open_shop(browser, shop)
    try:
        expect_visible = page.locator(".product").first
        expect_visible.wait_for()
        snap(page, screenshots / "widget-shop-page.png")
        started = time.monotonic()
        open_widget(page)
        page.locator(".sc-log > .sc-bot").first.wait_for()
        greeting_ms = (time.monotonic() - started) * 1000
        page.wait_for_function("() => window.ShopChat.state === 'online'", timeout=30_000)
        started = time.monotonic()
        say(page, "where is my order?", "order number")
        reply_ms = (time.monotonic() - started) * 1000
        logger.warning("widget: greeting after %.0f ms, first reply after %.0f ms", greeting_ms, reply_ms)
        say(page, order["order_id"], "email")
        say(page, order["email"], order["tracking_number"])
        assert page.locator(".sc-user").count() == 3
        assert page.locator(".sc-typing").is_hidden()
        snap(page, screenshots / "widget-order-status-typing.png")
        assert page.errors == []
    finally:
        context.close()


def test_order_status_by_clicking_buttons(shop, browser, screenshots) -> None:
    order = shop.order("delivered")
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        page.wait_for_function("() => window.ShopChat.state === 'online'", timeout=30_000)
        before = bots(page).count()
        page.locator(".sc-chip", has_text="Where is my order?").click()
        wait_reply(page, before, "order number")
        assert page.locator(".sc-user").last.inner_text().endswith("Where is my order?")
        assert page.locator(".sc-replies:not(.sc-used)").count() == 0 or bots(page).count() > before
        say(page, order["order_id"], "email")
        say(page, order["email"], "delivered on")
        snap(page, screenshots / "widget-order-status-buttons.png")
        live = page.locator(".sc-replies:not(.sc-used) .sc-chip")
        if live.count():  # the bot offered follow-ups: clicking one sends its payload, shows its title
            title = live.first.inner_text()
            before = bots(page).count()
            live.first.click()
            page.locator(".sc-user", has_text=title).wait_for()
            bots(page).nth(before).wait_for(timeout=REPLY_MS)
        assert page.errors == []
    finally:
        context.close()


def test_product_search_shows_a_scrolling_carousel(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        say(page, "show me jackets", "jacket")
        carousel = page.locator(".sc-carousel").last
        carousel.wait_for()
        cards = carousel.locator(".sc-card")
        assert cards.count() >= 2
        first = cards.first
        assert first.locator(".sc-cname a").get_attribute("rel") == "noopener noreferrer"
        assert first.locator(".sc-cname a").get_attribute("target") == "_blank"
        assert "/shop/product/" in first.locator(".sc-cname a").get_attribute("href")
        assert first.locator(".sc-price").inner_text().strip()
        track = carousel.locator(".sc-track")
        assert track.evaluate("t => t.scrollWidth > t.clientWidth")
        assert track.evaluate("t => getComputedStyle(t).overflowX") == "auto"
        carousel.hover()
        carousel.locator(".sc-nav-next").click()
        page.wait_for_function("t => t.scrollLeft > 0", arg=track.element_handle(), timeout=5_000)
        # the numbered text list gives way to the cards
        assert not any(line.strip()[:2] == "1." for line in bots(page).last.inner_text().splitlines())
        snap(page, screenshots / "widget-product-carousel.png")
        more = page.locator(".sc-replies:not(.sc-used) .sc-chip", has_text="more")
        if more.count():
            more.first.click()
            page.locator(".sc-carousel").nth(1).wait_for(timeout=REPLY_MS)
        say(page, "what is your return policy?", "return")
        source = page.locator(".sc-source").last
        source.wait_for()
        link = source.locator("a")
        if link.count():
            assert link.get_attribute("rel") == "noopener noreferrer"
            assert link.get_attribute("href").startswith(("http://", "https://"))
        snap(page, screenshots / "widget-knowledge-source.png")
        assert page.errors == []
    finally:
        context.close()


def test_history_survives_reload_and_new_page_until_start_over(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        say(page, "where is my order?", "order number")
        first_session = session_id(page)
        page.reload()
        page.wait_for_function("() => window.ShopChat !== undefined")
        page.locator(".sc-panel").wait_for(state="visible")  # it stays open across pages
        page.locator(".sc-user", has_text="where is my order?").wait_for()
        assert "order number" in bots(page).last.inner_text().lower()
        assert session_id(page) == first_session
        snap(page, screenshots / "widget-history-after-reload.png")

        page.locator(".product a").first.click()
        page.wait_for_url("**/shop/product/**")
        page.wait_for_function("() => window.ShopChat !== undefined")
        page.locator(".sc-user", has_text="where is my order?").wait_for()
        page.wait_for_function("() => window.ShopChat.state === 'online'", timeout=30_000)

        page.get_by_role("button", name="Start over").click()
        page.wait_for_function(f"() => window.ShopChat.sessionId && window.ShopChat.sessionId !== '{first_session}'",
                               timeout=30_000)
        assert page.locator(".sc-user").count() == 0
        assert bots(page).count() == 1  # the greeting
        assert page.errors == []
    finally:
        context.close()


def test_agent_messages_badge_escaping_and_csat(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        say(page, "hi", "")
        conversation = session_id(page)
        page.locator(".sc-head .sc-icon").last.click()  # close
        page.locator(".sc-panel").wait_for(state="hidden")

        def agent(text: str, kind: str) -> None:
            rasa_post(shop, f"/conversations/{conversation}/tracker/events",
                      {"event": "bot", "text": text, "timestamp": time.time(), "data": {},
                       "metadata": {"agent": {"name": "Mia"}, "handoff": kind}},
                      output_channel="latest", execute_side_effects="true")

        agent("Mia from the support team joined the chat", "joined")
        agent('<img src=x onerror="window.__xss=1"> <b>bold?</b> [click](javascript:window.__xss=2) '
              "see https://example.com/help or mail support@example-shop.test", "message")
        badge = page.locator(".sc-badge")
        badge.wait_for(timeout=30_000)
        page.wait_for_function("""() => document.getElementById('shopchat-widget').shadowRoot
                                  .querySelector('.sc-badge').textContent === '2'""", timeout=30_000)
        assert "unread" in page.locator(".sc-launcher").get_attribute("aria-label")
        snap(page, screenshots / "widget-unread-badge.png")

        open_widget(page)
        assert badge.is_hidden()
        bubble = page.locator(".sc-agent").last
        assert "Mia" in bubble.locator(".sc-name").inner_text()
        assert "<img src=x" in bubble.inner_text()  # shown as text, never as markup
        assert bubble.locator("img, b").count() == 0
        assert page.evaluate("() => window.__xss") is None
        links = bubble.locator("a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert hrefs == ["https://example.com/help", "mailto:support@example-shop.test"]
        for i in range(links.count()):
            assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
            assert links.nth(i).get_attribute("target") == "_blank"
        assert "Mia" in page.locator(".sc-status").inner_text()
        assert page.locator(".sc-note").count() == 1

        rasa_post(shop, f"/conversations/{conversation}/tracker/events",
                  {"event": "bot", "text": "How would you rate the help you got, from 1 (poor) to 5 (excellent)?",
                   "timestamp": time.time(), "data": {"buttons": [
                       {"title": str(n), "payload": f'/csat{{"csat_rating": "{n}"}}'} for n in range(1, 6)]}},
                  output_channel="latest", execute_side_effects="true")
        rating = page.locator(".sc-rating")
        rating.wait_for(timeout=30_000)
        assert rating.locator(".sc-chip").count() == 5
        snap(page, screenshots / "widget-agent-and-csat.png")
        before = bots(page).count()
        rating.get_by_role("button", name="5 out of 5").click()
        page.locator(".sc-user", has_text="5").wait_for()
        bots(page).nth(before).wait_for(timeout=REPLY_MS)

        page.reload()  # the agent's messages are in the history too, with the same styling and escaping
        page.locator(".sc-agent .sc-name", has_text="Mia").wait_for()
        assert page.locator(".sc-agent img, .sc-agent b").count() == 0
        assert page.evaluate("() => window.__xss") is None
        assert page.errors == []
    finally:
        context.close()


def test_keyboard_only(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        for _ in range(80):  # tab through the shop until the launcher has focus
            page.keyboard.press("Tab")
            if "sc-launcher" in focused_class(page):
                break
        assert "sc-launcher" in focused_class(page)
        outline = page.evaluate("""() => { const el = document.getElementById('shopchat-widget').shadowRoot
                                   .activeElement; const s = getComputedStyle(el);
                                   return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; }""")
        assert "solid 3px" in outline, outline
        page.keyboard.press("Enter")
        page.locator(".sc-panel").wait_for(state="visible")
        assert "sc-input" in focused_class(page)
        page.wait_for_function("() => window.ShopChat.state === 'online'", timeout=30_000)
        for _ in range(10):  # back from the input to a suggestion
            page.keyboard.press("Shift+Tab")
            if focused_text(page) == "Show me jackets":
                break
        assert "sc-chip" in focused_class(page) and focused_text(page) == "Show me jackets"
        snap(page, screenshots / "widget-keyboard-focus.png")
        before = bots(page).count()
        page.keyboard.press("Enter")
        page.locator(".sc-log > .sc-user").first.wait_for()
        bots(page).nth(before).wait_for(timeout=REPLY_MS)
        assert "sc-input" in focused_class(page)  # focus goes back to the message box
        page.keyboard.type("where is my order?")
        before = bots(page).count()
        page.keyboard.press("Enter")
        wait_reply(page, before, "order number")
        page.keyboard.press("Escape")
        page.locator(".sc-panel").wait_for(state="hidden")
        assert "sc-launcher" in focused_class(page)
        assert page.locator(".sc-log").get_attribute("role") == "log"
        assert page.locator(".sc-panel").get_attribute("role") == "dialog"
        assert page.errors == []
    finally:
        context.close()


def test_phone_viewport_360(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop, viewport=MOBILE)
    try:
        snap(page, screenshots / "widget-mobile-shop.png")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        open_widget(page)
        box = page.locator(".sc-panel").bounding_box()
        assert box["x"] == 0 and box["width"] == 360 and box["height"] == 740
        say(page, "show me jackets", "jacket")
        page.locator(".sc-carousel .sc-card").first.wait_for()
        card = page.locator(".sc-carousel .sc-card").first.bounding_box()
        assert card["width"] < 360
        form = page.locator(".sc-form").bounding_box()
        assert form["y"] + form["height"] <= 740 and form["width"] <= 360
        snap(page, screenshots / "widget-mobile-chat.png")
        assert page.errors == []
    finally:
        context.close()


def test_language_switch_reaches_the_bot(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        page.locator(".sc-lang select").select_option("ja")
        assert page.locator("#sc-input").get_attribute("placeholder") == "メッセージを入力…"
        assert "アシスタント" in bots(page).first.inner_text()  # the greeting follows the language
        reply = say(page, "注文ステータスを確認したい", "注文番号")
        assert reply
        snap(page, screenshots / "widget-japanese.png")
        page.reload()
        page.wait_for_function("() => window.ShopChat !== undefined")
        assert page.evaluate("() => window.ShopChat.language") == "ja"
    finally:
        context.close()


def test_reconnects_after_rasa_restarts_and_sends_queued_message_once(shop, browser, screenshots) -> None:
    model = ensure_model()
    context, page = open_shop(browser, shop)
    restart = threading.Thread(target=shop.stack.restart_rasa, args=(model,), daemon=True)
    try:
        open_widget(page)
        say(page, "hi", "")
        conversation = session_id(page)
        restart.start()
        page.locator(".sc-banner").wait_for(state="visible", timeout=60_000)
        assert page.evaluate("() => window.ShopChat.state") == "offline"
        page.locator("#sc-input").fill("where is my order?")
        page.locator("#sc-input").press("Enter")
        assert page.locator(".sc-user.sc-pending").count() == 1
        snap(page, screenshots / "widget-offline.png")
        restart.join(timeout=400)
        assert not restart.is_alive(), "Rasa did not come back within 400 s"
        page.locator(".sc-banner").wait_for(state="hidden", timeout=60_000)
        wait_reply(page, 0, "order number")
        assert page.locator(".sc-user.sc-pending").count() == 0
        assert session_id(page) == conversation
        snap(page, screenshots / "widget-reconnected.png")
        page.wait_for_timeout(2_000)
        token = page.evaluate("() => window.localStorage.getItem('shopchat:sessionToken')")
        _, _, body = get(f"{shop.console_url}/widget/api/history?session_id={conversation}&session_token={token}")
        sent = [m for m in json.loads(body)["messages"] if m["role"] == "user" and m["text"] == "where is my order?"]
        assert len(sent) == 1, "the queued message was delivered more or less than once"
        assert page.errors == []
    finally:
        if restart.is_alive():
            restart.join(timeout=400)
        context.close()
