"""Human handoff end to end: real Rasa, action server and console processes over HTTP and socket.io.

A shopper on socket.io asks for a person; a ticket appears; an agent replies
through the console's API and the shopper sees it; the shopper's message reaches
the agent; the agent resolves; the bot asks for a rating and stores it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from assistant.shop.storage.models import Ticket
from tests.e2e.console_client import ConsoleClient, HttpError, Shopper, texts, wait_for


@pytest.fixture
def shopper(shop):
    client = Shopper(shop.url).connect()
    yield client
    client.close()


def ticket_of(shop, conversation_id: str):
    with shop.sessions()() as session:
        return session.query(Ticket).filter_by(conversation_id=conversation_id).order_by(Ticket.id.desc()).first()


def test_a_person_takes_over_live_and_the_bot_asks_for_a_rating(shop, agents, shopper):
    replies = shopper.say("I'd like to talk to a real person please", until=lambda m: "queue" in m.get("text", ""))
    assert "ticket #" in texts(replies)
    ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
    assert ticket.status == "open" and ticket.reason == "requested" and ticket.channel == "socketio"

    alice = agents.alice()
    queue = alice.api("GET", "/api/tickets")["tickets"]
    assert ticket.id in [t["id"] for t in queue]
    detail = alice.api("GET", f"/api/tickets/{ticket.id}")
    assert any("real person" in m["text"] for m in detail["messages"]), "the transcript so far is in the ticket"

    # the agent's reply (taking the ticket) reaches the shopper in the widget, with the agent's name
    result = alice.api("POST", f"/api/tickets/{ticket.id}/messages", {"text": "Hi, I'm Alice. How can I help?"})
    assert result["delivered"] is True
    got = shopper.receive(until=lambda m: m.get("text") == "Hi, I'm Alice. How can I help?")
    assert got[-1]["agent"]["name"] == "Alice Martin"
    assert any(m.get("handoff") == "joined" for m in got), "the shopper is told a person joined"

    # the shopper's message reaches the agent, and the bot stays quiet
    shopper.send("my parcel never arrived, order SO123456")
    assert shopper.receive(timeout=4, quiet=4) == [], "the bot must not answer while the agent owns the chat"
    wait_for(lambda: any("parcel never arrived" in m["text"]
                         for m in alice.api("GET", f"/api/tickets/{ticket.id}")["messages"]))

    # resolve: the bot resumes and asks for a rating; the rating is stored with the ticket
    resolved = alice.api("POST", f"/api/tickets/{ticket.id}/resolve")
    assert resolved["bot_resumed"] is True and resolved["ticket"]["status"] == "resolved"
    ask = shopper.receive(until=lambda m: bool(m.get("quick_replies")))
    payloads = [b["payload"] for b in ask[-1]["quick_replies"]]
    assert len(payloads) == 5 and all(p.startswith("/csat") for p in payloads)
    thanks = shopper.say(payloads[3], until=lambda m: "4" in m.get("text", ""))
    assert "Thank you" in texts(thanks)
    stored = alice.api("GET", f"/api/tickets/{ticket.id}")
    assert stored["csat_rating"] == 4 and stored["first_response_at"] and stored["resolved_at"]

    # and the bot answers again
    assert shopper.say("thanks, bye", quiet=3)


def test_a_shopper_cannot_resolve_their_own_handoff_or_rate_twice(shop, agents, shopper):
    shopper.say("I'd like to talk to a real person please", until=lambda m: "queue" in m.get("text", ""))
    ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
    shopper.send("/handoff_resolved")  # only the console may end a handoff
    assert shopper.receive(timeout=4, quiet=4) == [], "relayed to the agent; the bot stays quiet"
    assert ticket_of(shop, shopper.session_id).status == "open"

    alice = agents.alice()
    alice.api("POST", f"/api/tickets/{ticket.id}/resolve")
    shopper.receive(until=lambda m: bool(m.get("quick_replies")))
    shopper.say('/csat{"csat_rating": "4"}', until=lambda m: "4" in m.get("text", ""))
    shopper.say('/csat{"csat_rating": "1"}', quiet=3)  # a second rating, sent by hand
    assert alice.api("GET", f"/api/tickets/{ticket.id}")["csat_rating"] == 4


def test_the_shopper_can_go_back_to_the_bot(shop, shopper):
    shopper.say("can I speak to a human agent?", until=lambda m: "queue" in m.get("text", ""))
    ended = shopper.say("/back_to_bot", until=lambda m: "back with the assistant" in m.get("text", ""))
    assert ended
    ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
    assert ticket.status == "resolved" and ticket.resolution == "shopper_returned_to_bot"
    assert shopper.say("what payment methods do you accept?", quiet=3), "the bot answers again"


def test_two_fallbacks_in_a_row_hand_off(shop, shopper):
    shopper.say("tell me a joke about penguins", quiet=3)
    replies = shopper.say("what's the capital of mongolia", until=lambda m: "ticket #" in m.get("text", ""))
    assert "person" in texts(replies)
    assert wait_for(lambda: ticket_of(shop, shopper.session_id)).reason == "fallback"


def test_a_complaint_offers_a_person_first_and_ranks_higher(shop, shopper):
    offer = shopper.say("the jacket I bought fell apart after one week, this is unacceptable", quiet=3)
    assert "person" in texts(offer) and ticket_of(shop, shopper.session_id) is None, "only offered, not yet handed off"
    shopper.say("yes please", until=lambda m: "ticket #" in m.get("text", ""))
    ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
    assert ticket.reason == "complaint" and ticket.priority >= 2
    assert "fell apart" in ticket.summary


def test_three_failed_verifications_hand_off(shop, shopper):
    order = shop.order("shipped")
    shopper.say("where is my order?", quiet=3)
    shopper.say(order["order_id"], quiet=3)
    shopper.say("wrong.person@example.com", quiet=3)
    shopper.say("another.guess@example.com", quiet=3)
    replies = shopper.say("third.try@example.com", until=lambda m: "ticket #" in m.get("text", ""))
    assert "verify" in texts(replies)
    ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
    assert ticket.reason == "verification_failed" and ticket.customer_id is None, "nothing verified, nothing linked"


def _day(value) -> str:
    return value.strftime("%a %d %b %Y").replace(" 0", " ")


def closed_today_schedule(zone: str, opens: str, holiday: bool) -> tuple[str, str, str]:
    """A business_hours.yml closed all of today in ``zone``: by the weekly hours (today and yesterday
    closed, the other days open) or because today is a holiday (every day open); with the day the
    team is next online and how the hours read in English."""
    today = datetime.now(ZoneInfo(zone)).date()
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    closed = set() if holiday else {today.weekday(), (today.weekday() - 1) % 7}
    lines = "\n".join(f"  {day}: {'closed' if i in closed else repr(opens)}" for i, day in enumerate(names))
    holidays = f'["{today.isoformat()}"]' if holiday else "[]"
    rendered = "–".join(f"{int(t[:2])}:{t[3:]}" for t in opens.split("-")) + f" ({zone} time)"
    if holiday:
        rendered = f"Monday to Sunday {rendered}, closed on {_day(today)}"
    return (f"timezone: {zone}\nreply_within_hours: 24\nhours:\n{lines}\nholidays: {holidays}\n",
            _day(today + timedelta(days=1)), rendered)


def test_outside_business_hours_the_shopper_learns_when_and_where(shop, shopper):
    """Every sentence that states the hours follows business_hours.yml the moment it changes: closed for
    the weekend or a weekday off, and closed for a holiday, in two time zones."""
    hours = shop.stack.settings.business_hours_file
    original = hours.read_text()
    try:
        for zone, opens, holiday in (("Asia/Tokyo", "09:00-17:30", False), ("America/New_York", "08:15-16:00", False),
                                     ("Europe/Berlin", "10:00-14:00", True)):
            schedule, next_day, rendered = closed_today_schedule(zone, opens, holiday)
            hours.write_text(schedule)
            replies = shopper.say("I need to talk to someone from your team",
                                  until=lambda m: "offline" in m.get("text", ""), quiet=2)
            text = texts(replies)
            assert "in this chat" in text and "within 24 hours" in text
            assert rendered in text, text
            assert f"next online {next_day} at {int(opens[:2])}:{opens[3:5]}" in text, text
            assert "UTC" not in text
            shopper.say("/back_to_bot", until=lambda m: "back with the assistant" in m.get("text", ""))
            # the knowledge base's page about opening hours states the same hours
            page = shopper.say('/kb_topic{"kb_doc": "policy:contact-and-opening-hours"}',
                               until=lambda m: "24/7" in m.get("text", ""))
            assert rendered in texts(page) and "{{" not in texts(page)
    finally:
        hours.write_text(original)


def test_after_hours_the_bot_keeps_helping_until_a_person_takes_the_ticket(shop, agents, shopper):
    """Nobody is online: the ticket waits, the bot still answers (it used to fall silent until morning), an
    email typed now is the ticket's contact, and the agent who takes the ticket sees what was said
    meanwhile; from the agent's first reply the chat is theirs."""
    hours = shop.stack.settings.business_hours_file
    original = hours.read_text()
    try:
        hours.write_text(closed_today_schedule("Europe/London", "09:00-17:00", False)[0])
        offline = shopper.say("can I talk to someone on your team please",
                              until=lambda m: "still here" in m.get("text", ""), quiet=2)
        assert "offline" in texts(offline) and "email" in texts(offline)
        ticket = wait_for(lambda: ticket_of(shop, shopper.session_id))
        assert ticket.status == "open"

        answer = shopper.say("what payment methods do you accept?", quiet=3)
        assert answer and "queue" not in texts(answer), "the bot answers while the ticket waits"
        saved = shopper.say("kim.lee@example.net", until=lambda m: "kim.lee@example.net" in m.get("text", ""))
        assert f"#{ticket.id}" in texts(saved)
        assert wait_for(lambda: ticket_of(shop, shopper.session_id).contact_email) == "kim.lee@example.net"

        alice = agents.alice()
        result = alice.api("POST", f"/api/tickets/{ticket.id}/messages", {"text": "Morning! Alice here."})
        assert result["delivered"] is True
        shopper.receive(until=lambda m: m.get("text") == "Morning! Alice here.")
        detail = alice.api("GET", f"/api/tickets/{ticket.id}")
        said = [(m["sender"], m["text"]) for m in detail["messages"]]
        assert ("shopper", "what payment methods do you accept?") in said, "what was said meanwhile"
        assert any(sender == "bot" for sender, _ in said[said.index(("shopper", "what payment methods do you accept?")):])

        shopper.send("thanks Alice, it is about a refund")
        assert shopper.receive(timeout=4, quiet=4) == [], "the agent owns the chat now: the bot is quiet"
        wait_for(lambda: any("about a refund" in m["text"]
                             for m in alice.api("GET", f"/api/tickets/{ticket.id}")["messages"]))
        alice.api("POST", f"/api/tickets/{ticket.id}/resolve")
        shopper.receive(until=lambda m: bool(m.get("quick_replies")))
    finally:
        hours.write_text(original)


def test_the_console_rejects_bad_requests_clearly(shop, agents):
    integration = agents.integration()
    with pytest.raises(HttpError) as missing:
        integration.api("GET", "/api/tickets/999999")
    assert missing.value.status == 404 and "no such ticket" in missing.value.body
    status, _, body = integration.request("POST", "/api/tickets/1/messages", body=None,
                                          headers={"Content-Type": "application/json"})
    assert status == 400 and "JSON" in body


# ---- security -------------------------------------------------------------------
PAGES = ["/", "/history", "/metrics", "/tickets/1", "/fragments/queue", "/events"]
APIS = [("GET", "/api/tickets"), ("GET", "/api/tickets/1"), ("GET", "/api/metrics"), ("GET", "/api/me"),
        ("POST", "/api/tickets/1/take"), ("POST", "/api/tickets/1/resolve"), ("POST", "/api/tickets/1/messages"),
        ("PUT", "/api/tickets/1/tags"), ("GET", "/api/tickets/search")]


def test_no_page_or_api_without_login(shop):
    anonymous = ConsoleClient(shop.console_url)
    for path in PAGES:
        status, headers, _ = anonymous.request("GET", path)
        assert status in (302, 401), path
        if status == 302:
            assert headers["Location"].startswith("/login"), path
    for method, path in APIS:
        status, _, _ = anonymous.request(method, path, body={})
        assert status == 401, (method, path)
    status, _, _ = ConsoleClient(shop.console_url, token="shk_not-a-real-token").request("GET", "/api/tickets")
    assert status == 401


def test_csrf_is_required_for_changes_made_with_a_session(shop, agents):
    alice = agents.alice()
    status, _, body = alice.request("POST", "/api/tickets/1/notes", body={"text": "no token"})
    assert status == 403 and "CSRF" in body
    status, _, _ = alice.request("POST", "/tickets/1/notes", form={"text": "forged form"})
    assert status == 403
    status, _, _ = alice.request("POST", "/api/tickets/1/notes", body={"text": "wrong"},
                                 headers={"X-CSRF-Token": "guessed"})
    assert status == 403


def test_another_agents_session_cannot_act_without_its_cookie(shop, agents):
    alice, bob = agents.alice(), agents.bob()
    # Bob's cookie with Alice's CSRF token: rejected (tokens are bound to the session)
    status, _, _ = bob.request("POST", "/api/tickets/1/notes", body={"text": "x"},
                               headers={"X-CSRF-Token": alice.csrf})
    assert status == 403
    # Alice's CSRF token without her cookie: not logged in
    stranger = ConsoleClient(shop.console_url)
    status, _, _ = stranger.request("POST", "/api/tickets/1/notes", body={"text": "x"},
                                    headers={"X-CSRF-Token": alice.csrf})
    assert status == 401
    # after logout the old cookie is dead
    alice.request("POST", "/logout", form={"csrf_token": alice.csrf})
    status, _, _ = alice.request("GET", "/api/me")
    assert status == 401


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil.example", "https://evil.example", "/\t/evil.example"])
def test_login_never_redirects_off_the_console(shop, agents, target):
    from tests.e2e.conftest import AGENT_PASSWORD

    client = ConsoleClient(shop.console_url)
    status, headers, _ = client.post_login({"username": "bob", "password": AGENT_PASSWORD, "next": target})
    assert status == 302 and headers.get("Location") == "/", (status, headers)


def test_a_login_posted_from_another_site_is_refused(shop, agents):
    """Login CSRF: a form on another site cannot log the agent into an account of the attacker's choosing."""
    from tests.e2e.conftest import AGENT_PASSWORD

    client = ConsoleClient(shop.console_url)
    status, headers, page = client.request("POST", "/login", form={"username": "bob", "password": AGENT_PASSWORD})
    assert status == 403 and "console_session" not in headers.get("Set-Cookie", "")
    assert "expired or came from another site" in page


# (runs last among the login tests: it blocks 127.0.0.1 for a while)
def test_wrong_passwords_are_refused_and_throttled(shop, agents):
    client = ConsoleClient(shop.console_url)
    statuses = [client.post_login({"username": "mallory", "password": f"wrong-{i}"})[0] for i in range(6)]
    assert statuses[0] == 401 and statuses[-1] == 429

