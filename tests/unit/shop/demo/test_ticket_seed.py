from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.demo.seed import seed_database
from assistant.shop.demo.ticket_seed import DEMO_AGENTS, HISTORY_DAYS, seed_demo_tickets
from assistant.shop.storage.db import init_db, make_engine, session_factory
from assistant.shop.storage.models import Agent, Customer, Order, Ticket, TicketMessage
from assistant.shop.support.handoff_rules import REASONS, TranscriptLine, priority_for, summarize
from tests.unit.seed_fixtures import synthetic_customers, synthetic_products

TODAY = date(2025, 6, 18)
LANGUAGES = ("en", "en", "en", "zh-Hans", "zh-Hant", "ja")
SCRIPT = {
    "zh-Hans": re.compile(r"[\u4e00-\u9fff]"),
    "zh-Hant": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff]"),
    "en": re.compile(r"^[\x00-\x7f°’…]*$"),
}


def shop_sessions(policy, *, customers: bool = True) -> sessionmaker[Session]:
    engine = make_engine("sqlite://")
    if customers:
        rows = synthetic_customers(24)
        for n, row in enumerate(rows):
            row["language"] = LANGUAGES[n % len(LANGUAGES)]
        seed_database(engine, customers=rows, products=synthetic_products(), seed=3, today=TODAY,
                      policy=policy)
    else:
        init_db(engine)
    return session_factory(engine)


@pytest.fixture(scope="module")
def seeded(policy) -> Iterator[tuple[sessionmaker[Session], int]]:
    sessions = shop_sessions(policy)
    added = seed_demo_tickets(sessions, today=TODAY)
    yield sessions, added
    sessions.kw["bind"].dispose()


def tickets(sessions: sessionmaker[Session]) -> list[Ticket]:
    with sessions() as session:
        found = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        for ticket in found:
            _ = ticket.messages  # load before the session closes
        return list(found)


def test_adds_the_requested_number_once(seeded, policy) -> None:
    sessions, added = seeded
    assert added == 60 and len(tickets(sessions)) == 60
    assert seed_demo_tickets(sessions, today=TODAY) == 0  # not empty any more
    with sessions() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 60


def test_demo_agents_cannot_log_in(seeded) -> None:
    sessions, _ = seeded
    with sessions() as session:
        agents = session.scalars(select(Agent).order_by(Agent.username)).all()
    assert [(a.username, a.display_name) for a in agents] == sorted(DEMO_AGENTS)
    assert all(a.password_hash == "!" and a.is_active is False for a in agents)
    assigned = Counter(t.assignee_id for t in tickets(sessions))
    assert set(assigned) == {a.id for a in agents}


def test_tickets_are_resolved_history_with_plausible_times(seeded) -> None:
    sessions, _ = seeded
    start = datetime.combine(TODAY - timedelta(days=HISTORY_DAYS), time(0), tzinfo=timezone.utc)
    end = datetime.combine(TODAY, time(0), tzinfo=timezone.utc)
    for ticket in tickets(sessions):
        assert ticket.status == "resolved" and ticket.resolution == "agent"
        assert ticket.payload == {"demo": True}
        assert start <= ticket.created_at < ticket.taken_at < ticket.first_response_at
        assert ticket.first_response_at < ticket.resolved_at < end
        assert ticket.taken_at - ticket.created_at <= timedelta(minutes=91)
        assert ticket.resolved_at - ticket.first_response_at <= timedelta(minutes=40)
        if ticket.csat_rating is None:
            assert ticket.csat_at is None
        else:
            assert 1 <= ticket.csat_rating <= 5 and ticket.csat_at > ticket.resolved_at
    days = {t.created_at.date() for t in tickets(sessions)}
    assert len(days) >= 12  # spread over the three weeks


def test_variety(seeded) -> None:
    sessions, _ = seeded
    found = tickets(sessions)
    languages = Counter(t.language for t in found)
    assert set(languages) == {"en", "zh-Hans", "zh-Hant", "ja"}
    assert languages["en"] == max(languages.values()) and languages["en"] >= 25
    assert set(t.channel for t in found) == {"socketio", "telegram", "facebook", "twilio"}
    assert set(t.reason for t in found) == set(REASONS)
    assert all(t.tags for t in found)
    assert {t.priority for t in found} >= {1, 2, 3}
    rated = [t.csat_rating for t in found if t.csat_rating is not None]
    assert 0.55 <= len(rated) / len(found) <= 0.85
    assert sum(rated) / len(rated) >= 3.8 and Counter(rated).most_common(1)[0][0] == 5
    assert len({t.conversation_id for t in found}) == len(found)


def test_transcripts_summary_and_priority(seeded) -> None:
    sessions, _ = seeded
    for ticket in tickets(sessions):
        messages = ticket.messages
        senders = [m.sender for m in messages]
        assert senders[0] == "shopper" and "agent" in senders and "system" in senders
        handoff = senders.index("system")
        assert "agent" not in senders[:handoff]
        assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)
        assert messages[handoff].created_at == ticket.taken_at
        first_agent = next(m for m in messages if m.sender == "agent")
        assert first_agent.created_at == ticket.first_response_at
        assert all(m.agent_id == ticket.assignee_id for m in messages if m.sender == "agent")
        assert all("{" not in m.text for m in messages)
        shopper_text = " ".join(m.text for m in messages if m.sender == "shopper")
        assert SCRIPT[ticket.language].search(shopper_text), (ticket.language, shopper_text)
        before = [TranscriptLine(m.sender, m.text, m.intent) for m in messages[:handoff]]
        assert ticket.summary and ticket.summary == summarize(before)
        assert ticket.intents == list(dict.fromkeys(m.intent for m in messages[:handoff]
                                                    if m.sender == "shopper" and m.intent))
        assert ticket.priority == priority_for(
            ticket.reason, ticket.intents, [line.text for line in before if line.sender == "shopper"])


def test_links_to_existing_customers_and_orders(seeded) -> None:
    sessions, _ = seeded
    found = tickets(sessions)
    with sessions() as session:
        customers = {c.id: c for c in session.scalars(select(Customer))}
        orders = {o.id: o for o in session.scalars(select(Order))}
    linked = [t for t in found if t.customer_id is not None]
    assert len(linked) >= len(found) // 3
    for ticket in linked:
        customer = customers[ticket.customer_id]
        assert ticket.contact_email == customer.email
        assert ticket.language == customer.language
    with_orders = [t for t in found if t.order_id is not None]
    assert len(with_orders) >= 10
    for ticket in with_orders:
        order = orders[ticket.order_id]
        assert order.customer_id == ticket.customer_id
        assert any(ticket.order_id in m.text for m in ticket.messages if m.sender == "shopper")


def test_deterministic_for_a_seed(seeded, policy) -> None:
    sessions, _ = seeded
    again = shop_sessions(policy)
    assert seed_demo_tickets(again, today=TODAY) == 60

    def fingerprint(s: sessionmaker[Session]) -> list[tuple]:
        return [(t.conversation_id, t.reason, t.language, t.channel, t.created_at, t.csat_rating, t.order_id,
                 t.summary, [m.text for m in t.messages]) for t in tickets(s)]

    assert fingerprint(again) == fingerprint(sessions)
    other = shop_sessions(policy)
    assert seed_demo_tickets(other, today=TODAY, rng_seed=8) == 60
    assert fingerprint(other) != fingerprint(sessions)


def test_reuses_existing_demo_agents_and_honours_count(policy) -> None:
    sessions = shop_sessions(policy)
    with sessions() as session, session.begin():
        session.add(Agent(username="maya.demo", display_name="Maya (demo)", password_hash="!",
                          is_active=False))
    assert seed_demo_tickets(sessions, today=TODAY, count=5) == 5
    with sessions() as session:
        assert session.scalar(select(func.count(Agent.id))) == 2
        assert session.scalar(select(func.count(TicketMessage.id))) >= 5 * 4
    assert seed_demo_tickets(sessions, today=TODAY, count=0) == 0


def test_skips_a_database_with_real_tickets(policy) -> None:
    sessions = shop_sessions(policy)
    with sessions() as session, session.begin():
        session.add(Ticket(conversation_id="real", reason="requested"))
    assert seed_demo_tickets(sessions, today=TODAY) == 0
    with sessions() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1
        assert session.scalar(select(func.count(Agent.id))) == 0


def test_works_without_customers_or_orders(policy) -> None:
    sessions = shop_sessions(policy, customers=False)
    assert seed_demo_tickets(sessions, today=TODAY, count=20) == 20
    found = tickets(sessions)
    assert all(t.customer_id is None and t.order_id is None and t.contact_email is None for t in found)


def test_rejects_a_negative_count(policy) -> None:
    with pytest.raises(ValueError, match="count"):
        seed_demo_tickets(shop_sessions(policy, customers=False), count=-1)
