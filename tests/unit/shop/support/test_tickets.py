"""TicketService and the console's accounts, on a real (temporary SQLite) shop database."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.console.auth import LoginThrottle, csrf_ok
from assistant.shop.support.accounts import AccountError, AgentAccounts
from assistant.shop.support.handoff_rules import TranscriptLine
from assistant.shop.support.tickets import NewTicket, SearchQuery, TicketError, TicketService, clean_tags
from tests.unit.shop_fixtures import NOW


def new(conversation: str = "c1", reason: str = "requested", **kwargs) -> NewTicket:
    transcript = kwargs.pop("transcript", [
        TranscriptLine("shopper", "hi", "greet"),
        TranscriptLine("bot", "Hello! How can I help?"),
        TranscriptLine("shopper", "my refund for order SO123456 never arrived", "refund_status"),
        TranscriptLine("shopper", "I want to talk to a person", "human_handoff"),
    ])
    return NewTicket(conversation_id=conversation, channel="socketio", reason=reason, transcript=transcript,
                     intents=[line.intent for line in transcript if line.intent], **kwargs)


@pytest.fixture()
def tickets(shop) -> TicketService:
    return TicketService(shop.sessions)


@pytest.fixture()
def accounts(shop) -> AgentAccounts:
    return AgentAccounts(shop.sessions)


def test_a_ticket_keeps_the_transcript_summary_and_priority(tickets):
    ticket, created = tickets.open_ticket(new(), now=NOW)
    assert created and ticket.status == "open" and ticket.priority == 1
    assert "refund" in ticket.summary and "SO123456" in ticket.summary
    full = tickets.get(ticket.id)
    assert [m.sender for m in full.messages] == ["shopper", "bot", "shopper", "shopper"]
    assert "refund_status" in full.intents


def test_one_active_ticket_per_conversation(tickets):
    first, _ = tickets.open_ticket(new(), now=NOW)
    again, created = tickets.open_ticket(new(), now=NOW)
    assert not created and again.id == first.id


def test_queue_orders_by_priority_then_wait_and_gives_positions(tickets):
    normal, _ = tickets.open_ticket(new("a"), now=NOW)
    later, _ = tickets.open_ticket(new("b"), now=NOW + timedelta(minutes=5))
    urgent, _ = tickets.open_ticket(new("c", reason="payment_issue"), now=NOW + timedelta(minutes=9))
    assert [t.id for t in tickets.queue()] == [urgent.id, normal.id, later.id]
    assert tickets.queue_position(urgent.id) == 1
    assert tickets.queue_position(later.id) == 3


def test_take_reply_resolve_reopen_and_csat(tickets, accounts):
    agent = accounts.create_agent("alice", "Alice", "long-enough-password")
    ticket, _ = tickets.open_ticket(new(), now=NOW)
    taken = tickets.take(ticket.id, agent.id, now=NOW + timedelta(minutes=2))
    assert taken.status == "assigned" and taken.assignee.username == "alice"
    tickets.add_message(ticket.id, "agent", "Hello!", agent_id=agent.id, now=NOW + timedelta(minutes=3))
    resolved = tickets.resolve(ticket.id, agent.id, now=NOW + timedelta(minutes=20))
    assert resolved.first_response_at - resolved.created_at == timedelta(minutes=3)
    assert resolved.resolved_at - resolved.created_at == timedelta(minutes=20)
    with pytest.raises(TicketError, match="already resolved"):
        tickets.resolve(ticket.id, agent.id)
    assert tickets.record_csat(ticket.id, 5).csat_rating == 5
    with pytest.raises(TicketError, match="1 to 5"):
        tickets.record_csat(ticket.id, 6)
    assert tickets.reopen(ticket.id, agent.id).status == "assigned"
    actions = [e["action"] for e in tickets.audit_log(ticket.id)]
    assert {"take", "resolve", "reopen"} <= set(actions)


def test_bad_input_is_refused_with_a_reason(tickets, accounts):
    ticket, _ = tickets.open_ticket(new(), now=NOW)
    with pytest.raises(TicketError, match="empty"):
        tickets.add_message(ticket.id, "agent", "   ")
    with pytest.raises(TicketError, match="no ticket"):
        tickets.take(9999, 1)
    with pytest.raises(TicketError, match="at most"):
        clean_tags(["x" * 80])
    assert clean_tags([" VIP ", "vip", "refund  delay"]) == ["vip", "refund delay"]


def test_search_by_text_tag_intent_and_date(tickets, accounts):
    agent = accounts.create_agent("bob", "Bob", "long-enough-password")
    a, _ = tickets.open_ticket(new("a"), now=NOW)
    b, _ = tickets.open_ticket(new("b", transcript=[TranscriptLine("shopper", "the zipper broke", "complaint")]),
                               now=NOW)
    for t in (a, b):
        tickets.resolve(t.id, agent.id)
    tickets.set_tags(b.id, ["quality"])
    assert [t.id for t in tickets.search(SearchQuery(text="zipper"))] == [b.id]
    assert [t.id for t in tickets.search(SearchQuery(tag="quality"))] == [b.id]
    assert [t.id for t in tickets.search(SearchQuery(intent="refund_status"))] == [a.id]
    assert tickets.search(SearchQuery(date_from=date(2030, 1, 1))) == []


def test_search_cannot_read_masked_personal_data_back(tickets, accounts):
    """An agent sees emails, phones and addresses masked; probing them through the search must fail."""
    agent = accounts.create_agent("eve", "Eve", "long-enough-password")
    t, _ = tickets.open_ticket(new("p", transcript=[
        TranscriptLine("shopper", "my email is jane.doe_77@example.com and my zipper broke", "complaint")]), now=NOW)
    tickets.resolve(t.id, agent.id)
    assert [x.id for x in tickets.search(SearchQuery(text="zipper"))] == [t.id]
    for probe in ("jane", "jane.doe", "doe_77", "@example.com", "j%e", "jane_doe", "%", "_"):
        assert tickets.search(SearchQuery(text=probe)) == [], probe


def test_accounts_hash_passwords_and_sessions_expire_with_logout(accounts, shop):
    agent = accounts.create_agent("Carol", "Carol", "long-enough-password")
    assert agent.username == "carol"
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_agent("carol", "Carol", "long-enough-password")
    with pytest.raises(AccountError, match="at least"):
        accounts.create_agent("dave", "Dave", "short")
    assert accounts.authenticate("carol", "wrong password!!") is None
    assert accounts.authenticate("nobody", "long-enough-password") is None
    assert accounts.authenticate("carol", "long-enough-password").id == agent.id
    from assistant.shop.storage.models import Agent

    with shop.sessions() as session:
        stored = session.query(Agent).filter_by(username="carol").one().password_hash
    assert stored.startswith("$argon2id$") and "long-enough-password" not in stored
    token, csrf = accounts.start_session(agent.id)
    login = accounts.session_login(token)
    assert login.agent.id == agent.id and csrf_ok(login.csrf_token, csrf) and not csrf_ok(csrf, "guess")
    accounts.end_session(token)
    assert accounts.session_login(token) is None


def test_api_tokens_act_as_their_agent_until_deactivated(accounts):
    accounts.create_agent("erin", "Erin", "long-enough-password")
    token = accounts.create_token("erin", "crm")
    assert accounts.token_agent(token).username == "erin"
    assert accounts.token_agent(token + "x") is None
    accounts.deactivate("erin")
    assert accounts.token_agent(token) is None
    assert accounts.authenticate("erin", "long-enough-password") is None


def test_login_throttle_blocks_after_repeated_failures():
    throttle = LoginThrottle(limit=3, address_limit=5, window=60)
    for _ in range(3):
        throttle.failed("user:x", "addr:1")
    assert throttle.blocked("user:x") and not throttle.blocked("user:y", "addr:1")
    throttle.succeeded("user:x")
    assert not throttle.blocked("user:x")
