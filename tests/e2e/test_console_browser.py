"""The support console in a real browser (Debian's Chromium via Playwright) against the running system.

Covers login, the queue updating live, the ticket view with masking and logged
reveal, a reply reaching the shopper's socket.io client, resolve, and metrics.
Screenshots of each page go to var/screenshots/ (git-ignored).
"""
from __future__ import annotations

import pytest

from tests.e2e.conftest import AGENT_PASSWORD
from tests.e2e.console_client import Shopper, wait_for

PII_MESSAGE = ("my card 4111 1111 1111 1111 was charged twice, write to jane.roe@example.com "
               "or call +1 (555) 010-4477")


@pytest.fixture
def page(browser, shop, agents):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in(page, console_url: str, username: str = "alice") -> None:
    page.goto(f"{console_url}/history")  # any page: redirected to the login form, then back
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", AGENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/history")


def test_login_rejects_a_wrong_password_then_lets_the_agent_in(page, shop, screenshots):
    page.goto(f"{shop.console_url}/")
    assert "/login" in page.url
    page.screenshot(path=str(screenshots / "console-login.png"))
    page.fill("#username", "alice")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.inner_text("[role=alert]")
    page.fill("#password", AGENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Queue')")
    assert "Alice Martin" in page.inner_text(".topbar")


def test_a_new_ticket_appears_live_then_the_agent_works_it(page, shop, screenshots):
    log_in(page, shop.console_url)
    page.goto(f"{shop.console_url}/")
    page.wait_for_selector("#live-state:has-text('Live')")

    shopper = Shopper(shop.url).connect()
    try:
        shopper.send(PII_MESSAGE)
        shopper.receive(quiet=3)
        shopper.say("I want to talk to a person", until=lambda m: "ticket #" in m.get("text", ""))
        row = page.wait_for_selector("tr:has-text('charged twice')", timeout=20_000)  # no reload
        assert "[card •••• 1111]" in row.inner_text() and "jane.roe" not in row.inner_text()
        page.screenshot(path=str(screenshots / "console-queue.png"))

        row.query_selector("a").click()
        page.wait_for_selector("#messages")
        transcript = page.inner_text("#messages")
        assert "jane.roe@example.com" not in transcript and "4111 1111 1111 1111" not in transcript
        assert "[email]" in transcript and "[phone]" in transcript
        page.screenshot(path=str(screenshots / "console-ticket-masked.png"), full_page=True)

        # reveal on click; the reveal is logged
        page.click("#messages button.pii:has-text('[email]')")
        page.wait_for_selector(".pii-revealed:has-text('jane.roe@example.com')")
        ticket_id = int(page.url.rstrip("/").split("/")[-1])
        audit = shop_audit(shop, ticket_id)
        assert any(e["action"] == "reveal" and e["detail"]["kind"] == "email" for e in audit)

        # the reply reaches the shopper's socket.io client, with the agent's name
        page.fill("#reply-text", "Hello from Alice, I'm looking at the double charge now.")
        page.click("#send")
        got = shopper.receive(until=lambda m: "double charge now" in m.get("text", ""))
        assert got[-1]["agent"]["name"] == "Alice Martin"

        # the shopper's answer shows up in the open ticket without reload
        shopper.send("thank you, the second charge was yesterday")
        page.wait_for_selector("#messages li:has-text('second charge was yesterday')", timeout=20_000)
        page.screenshot(path=str(screenshots / "console-ticket-live.png"), full_page=True)

        # resolve: the bot resumes and asks the shopper for a rating
        page.click("#resolve")
        page.wait_for_selector(".alert.ok:has-text('Resolved')")
        ask = shopper.receive(until=lambda m: bool(m.get("quick_replies")))
        assert len(ask[-1]["quick_replies"]) == 5
        assert page.inner_text("#ticket-status") == "resolved"
        page.screenshot(path=str(screenshots / "console-ticket-resolved.png"), full_page=True)
    finally:
        shopper.close()


def test_metrics_render_with_charts(page, shop, screenshots):
    log_in(page, shop.console_url)
    page.goto(f"{shop.console_url}/metrics")
    page.wait_for_selector("svg[role=img]")
    text = page.inner_text("main")
    for label in ("Handoff rate", "containment", "first response", "resolution", "CSAT"):
        assert label.lower() in text.lower(), label
    assert page.locator("svg[role=img]").count() >= 3
    page.screenshot(path=str(screenshots / "console-metrics.png"), full_page=True)


def test_history_finds_resolved_tickets_and_exports(page, shop, screenshots):
    log_in(page, shop.console_url)
    page.goto(f"{shop.console_url}/history?q=charged")
    page.wait_for_selector("table")
    assert "charged" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "console-history.png"), full_page=True)


def shop_audit(shop, ticket_id: int):
    from assistant.shop.support.tickets import TicketService

    return wait_for(lambda: TicketService(shop.sessions()).audit_log(ticket_id))
