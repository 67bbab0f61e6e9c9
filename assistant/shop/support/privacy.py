"""A customer's data on request, and the retention the privacy policy promises.

- ``export``: everything the shop database holds about one customer (profile, orders with items,
  refunds and address changes, support tickets with their transcripts and notes, linked channel ids).
- ``erase``: their tickets, transcripts, notes, channel identities and verifications are deleted and
  the profile is anonymised; orders, refunds and invoices stay, as tax law requires (the policy says so).
- ``apply_retention``: resolved support cases older than the policy's chat retention (90 days) are
  deleted with their transcripts; stale verification records go too.

The conversations in Rasa's tracker store are handled by ``assistant/runtime/privacy.py``, which gets
their ids from ``conversations_of``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import (
    AddressChange,
    AuditEvent,
    ChannelIdentity,
    ConversationVerification,
    Customer,
    EmailOutboxMessage,
    Order,
    Ticket,
    VerificationFailure,
)

CHAT_RETENTION = timedelta(days=90)
ERASED_NAME = "(erased)"


@dataclass(frozen=True)
class ErasureReport:
    customer_id: int
    tickets: int
    identities: int
    conversations: tuple[str, ...]


@dataclass(frozen=True)
class RetentionReport:
    tickets: int
    verification_rows: int


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class PrivacyService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def customer_id_for(self, email: str) -> Optional[int]:
        with self._sessions() as session:
            return session.scalar(select(Customer.id).where(Customer.email == email.strip().lower()))

    def conversations_of(self, customer_id: int) -> list[str]:
        """Every conversation id linked to the customer: verified channel ids and their tickets' conversations."""
        with self._sessions() as session:
            ids = set(session.scalars(select(ChannelIdentity.sender_id).where(ChannelIdentity.customer_id == customer_id)))
            ids |= set(session.scalars(select(Ticket.conversation_id).where(Ticket.customer_id == customer_id)))
        return sorted(ids)

    def export(self, customer_id: int) -> Optional[dict[str, Any]]:
        with self._sessions() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                return None
            orders = session.scalars(select(Order).where(Order.customer_id == customer_id)
                                     .options(selectinload(Order.items), selectinload(Order.refunds),
                                              selectinload(Order.address_changes))
                                     .order_by(Order.created_at)).all()
            tickets = session.scalars(select(Ticket).where(Ticket.customer_id == customer_id)
                                      .options(selectinload(Ticket.messages), selectinload(Ticket.notes))
                                      .order_by(Ticket.created_at)).all()
            identities = session.scalars(select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id))
            return {
                "customer": {c: _iso(getattr(customer, c)) for c in
                             ("id", "name", "email", "phone", "language", "street", "city", "postal_code", "country",
                              "created_at")},
                "orders": [{
                    **{c: _iso(getattr(o, c)) for c in
                       ("id", "status", "created_at", "paid_at", "shipped_at", "carrier", "tracking_number",
                        "delivered_at", "cancelled_at", "returned_at", "shipping_street", "shipping_city",
                        "shipping_postal_code", "shipping_country", "currency")},
                    "subtotal": str(o.subtotal), "shipping_cost": str(o.shipping_cost), "total": str(o.total),
                    "items": [{"sku": i.sku, "name": i.name, "color": i.color, "size": i.size,
                               "quantity": i.quantity, "unit_price": str(i.unit_price)} for i in o.items],
                    "refunds": [{"id": r.id, "kind": r.kind, "status": r.status, "amount": str(r.amount),
                                 "currency": r.currency, "reason": r.reason, "created_at": _iso(r.created_at)}
                                for r in o.refunds],
                    "address_changes": [{"changed_at": _iso(a.changed_at), "old": a.old, "new": a.new}
                                        for a in o.address_changes],
                } for o in orders],
                "support_tickets": [{
                    "id": t.id, "channel": t.channel, "reason": t.reason, "status": t.status,
                    "created_at": _iso(t.created_at), "resolved_at": _iso(t.resolved_at), "csat_rating": t.csat_rating,
                    "messages": [{"from": m.sender, "text": m.text, "at": _iso(m.created_at)} for m in t.messages],
                    "notes": [{"text": n.text, "at": _iso(n.created_at)} for n in t.notes],
                } for t in tickets],
                "linked_channels": [{"channel": i.channel, "id": i.sender_id, "linked_at": _iso(i.linked_at)}
                                    for i in identities],
            }

    def erase(self, customer_id: int) -> Optional[ErasureReport]:
        """Deletes the customer's support data and anonymises the profile; orders stay for tax records."""
        conversations = tuple(self.conversations_of(customer_id))
        with self._sessions.begin() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                return None
            tickets = session.scalars(select(Ticket).where(Ticket.customer_id == customer_id)).all()
            ticket_ids = [t.id for t in tickets]
            if ticket_ids:
                session.execute(update(AuditEvent).where(AuditEvent.ticket_id.in_(ticket_ids))
                                .values(detail={"erased": True}))
            for ticket in tickets:
                session.delete(ticket)  # messages and notes go with it
            identities = session.execute(delete(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id))
            session.execute(delete(ConversationVerification).where(ConversationVerification.customer_id == customer_id))
            # queued update emails carry the address (issue 15, proactive notifications)
            session.execute(delete(EmailOutboxMessage).where(EmailOutboxMessage.customer_id == customer_id))
            customer.name, customer.email = ERASED_NAME, f"erased-{customer_id}@erased.invalid"
            customer.phone = customer.street = customer.city = customer.postal_code = None
            for change in session.scalars(select(AddressChange).join(Order).where(Order.customer_id == customer_id)):
                change.conversation_id = None
        return ErasureReport(customer_id, len(ticket_ids), identities.rowcount or 0, conversations)

    def apply_retention(self, now: Optional[datetime] = None, chat_retention: timedelta = CHAT_RETENTION,
                        verification_window: timedelta = timedelta(days=1)) -> RetentionReport:
        """Resolved cases older than ``chat_retention`` are deleted with their transcripts (open ones stay)."""
        at = resolve_now(now)
        with self._sessions.begin() as session:
            old = session.scalars(select(Ticket).where(Ticket.status == "resolved",
                                                       Ticket.resolved_at < at - chat_retention)).all()
            for ticket in old:
                session.delete(ticket)
            failures = session.execute(delete(VerificationFailure).where(
                VerificationFailure.failed_at < at - verification_window))
            verified = session.execute(delete(ConversationVerification).where(
                ConversationVerification.last_seen_at < at - verification_window))
        return RetentionReport(len(old), (failures.rowcount or 0) + (verified.rowcount or 0))
