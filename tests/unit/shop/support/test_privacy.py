"""A customer's data: export, erasure (support data gone, profile anonymised, orders kept) and retention."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from assistant.shop.commerce.verification_ledger import VerificationLedger
from assistant.shop.storage.models import ChannelIdentity, Customer, Order, Ticket, TicketMessage
from assistant.shop.support.handoff_rules import REQUESTED, TranscriptLine
from assistant.shop.support.identity import IdentityService
from assistant.shop.support.privacy import PrivacyService
from assistant.shop.support.tickets import NewTicket, TicketService
from tests.unit.shop_fixtures import NOW


def _ticket(shop, conversation: str, customer_id: int, text: str) -> int:
    ticket, _ = TicketService(shop.sessions).open_ticket(NewTicket(
        conversation_id=conversation, channel="socketio", reason=REQUESTED, customer_id=customer_id,
        transcript=[TranscriptLine("shopper", text)]), now=NOW)
    return ticket.id


def test_export_holds_everything_about_the_customer_and_nothing_else(shop) -> None:
    IdentityService(shop.sessions).link(1, "telegram", "telegram:5550001")
    _ticket(shop, "web:" + "a" * 32, 1, "my parcel never came")
    _ticket(shop, "someone-else", 2, "not Jane's")
    privacy = PrivacyService(shop.sessions)
    data = privacy.export(privacy.customer_id_for("Jane.Doe@example.com "))
    assert data["customer"]["email"] == "jane.doe@example.com"
    assert {o["id"] for o in data["orders"]} >= {"SO100001", "SO100011"}
    assert data["support_tickets"][0]["messages"][0]["text"] == "my parcel never came"
    assert data["linked_channels"] == [{"channel": "telegram", "id": "telegram:5550001",
                                        "linked_at": data["linked_channels"][0]["linked_at"]}]
    assert "not Jane's" not in json.dumps(data) and "bob@example.org" not in json.dumps(data)
    assert privacy.conversations_of(1) == ["telegram:5550001", "web:" + "a" * 32]


def test_erasure_removes_support_data_and_keeps_tax_records(shop) -> None:
    IdentityService(shop.sessions).link(1, "telegram", "telegram:5550001")
    VerificationLedger(shop.sessions).remember("telegram:5550001", 1, "", NOW)
    _ticket(shop, "telegram:5550001", 1, "call me on +49 30 1234567")
    bob = _ticket(shop, "bob-chat", 2, "Bob's question")
    report = PrivacyService(shop.sessions).erase(1)
    assert report.tickets == 1 and report.identities == 1 and "telegram:5550001" in report.conversations
    with shop.sessions() as session:
        jane = session.get(Customer, 1)
        assert (jane.name, jane.phone, jane.street) == ("(erased)", None, None) and "jane" not in jane.email
        assert session.scalar(select(func.count()).select_from(Order).where(Order.customer_id == 1)) >= 11
        assert session.scalar(select(func.count()).select_from(ChannelIdentity)) == 0
        assert [t.id for t in session.scalars(select(Ticket))] == [bob]
        assert all("+49" not in m.text for m in session.scalars(select(TicketMessage)))
    assert VerificationLedger(shop.sessions).current("telegram:5550001", "", NOW) is None
    assert PrivacyService(shop.sessions).customer_id_for("jane.doe@example.com") is None


def test_retention_deletes_old_closed_cases_only(shop) -> None:
    tickets = TicketService(shop.sessions)
    old, recent, still_open = (_ticket(shop, f"c{n}", 1, "hello") for n in range(3))
    tickets.resolve(old, None, now=NOW - timedelta(days=91))
    tickets.resolve(recent, None, now=NOW - timedelta(days=30))
    report = PrivacyService(shop.sessions).apply_retention(now=NOW)
    assert report.tickets == 1
    with shop.sessions() as session:
        assert sorted(session.scalars(select(Ticket.id))) == sorted([recent, still_open])
