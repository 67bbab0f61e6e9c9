"""Declarative models of the demo shop: customers, products, orders, refunds, tickets.

Instants are stored as naive UTC and read back as aware UTC (:class:`UTCDateTime`);
money is ``NUMERIC(10, 2)`` read back as Decimal (:class:`Money`). ORM objects never
leave the services: callers get the frozen views from :mod:`assistant.shop.commerce.views`.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.column_types import Money, UTCDateTime

ORDER_STATUSES: tuple[str, ...] = ("pending", "paid", "shipped", "delivered", "cancelled", "returned")
REFUND_STATUSES: tuple[str, ...] = ("requested", "approved", "refunded", "rejected")
REFUND_KINDS: tuple[str, ...] = ("refund", "return")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money(), dict[str, Any]: JSON}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="en")
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    orders: Mapped[list[Order]] = relationship(back_populates="customer")

    @validates("email")
    def _lowercase_email(self, _key: str, value: str) -> str:
        return value.strip().lower()


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(80), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    colors: Mapped[list[str]] = mapped_column(JSON, default=list)
    sizes: Mapped[list[str]] = mapped_column(JSON, default=list)
    stock: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rating: Mapped[float | None] = mapped_column(Float)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    url: Mapped[str | None] = mapped_column(String(500))
    image: Mapped[str | None] = mapped_column(String(500))


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint(_in("status", ORDER_STATUSES), name="ck_orders_status"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    ship_by: Mapped[date | None] = mapped_column(Date)
    shipping_street: Mapped[str] = mapped_column(String(200))
    shipping_city: Mapped[str] = mapped_column(String(100))
    shipping_postal_code: Mapped[str] = mapped_column(String(20), default="")
    shipping_country: Mapped[str] = mapped_column(String(2))
    subtotal: Mapped[Decimal]
    shipping_cost: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    total: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    refunds: Mapped[list[Refund]] = relationship(back_populates="order", order_by="Refund.created_at")
    address_changes: Mapped[list[AddressChange]] = relationship(
        back_populates="order", order_by="AddressChange.id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="ck_order_items_quantity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal]
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)

    order: Mapped[Order] = relationship(back_populates="items")


class Refund(Base):
    """A refund or return request; at most one per order (unique ``order_id``)."""

    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("order_id", name="uq_refunds_order_id"),
        CheckConstraint(_in("status", REFUND_STATUSES), name="ck_refunds_status"),
        CheckConstraint(_in("kind", REFUND_KINDS), name="ck_refunds_kind"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(16), default="requested")
    kind: Mapped[str] = mapped_column(String(8), default="refund")
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expected_by: Mapped[date | None] = mapped_column(Date)
    conversation_id: Mapped[str | None] = mapped_column(String(120))

    order: Mapped[Order] = relationship(back_populates="refunds")


class AddressChange(Base):
    """Audit trail: one row per shipping-address change."""

    __tablename__ = "address_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    old: Mapped[dict[str, Any]] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    conversation_id: Mapped[str | None] = mapped_column(String(120))

    order: Mapped[Order] = relationship(back_populates="address_changes")


TICKET_STATUSES: tuple[str, ...] = ("open", "assigned", "resolved")
TICKET_SENDERS: tuple[str, ...] = ("shopper", "bot", "agent", "system")


class Agent(Base):
    """A support agent who logs in to the console (accounts are created with the console's CLI)."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentSession(Base):
    """A console login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "agent_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for integrations using the JSON API; acts as its agent. Only the hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # None: the token was made before tokens expired (treated as expired)


class ChannelIdentity(Base):
    """A channel's sender id that verified as a customer: the same shopper across widget and messengers."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "sender_id", name="uq_channel_identities_sender"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(40))
    sender_id: Mapped[str] = mapped_column(String(120))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ticket(Base):
    """A handoff to a person: who, why, what the shopper wants, and how it ended."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("status", TICKET_STATUSES), name="ck_tickets_status"),
        CheckConstraint("csat_rating IS NULL OR (csat_rating BETWEEN 1 AND 5)", name="ck_tickets_csat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(40), default="rest")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(16))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    priority: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(8), default="en")
    intents: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # any change, incl. a new message
    taken_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(String(40))
    csat_rating: Mapped[int | None] = mapped_column(Integer)
    csat_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    assignee: Mapped[Agent | None] = relationship()
    messages: Mapped[list[TicketMessage]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketMessage.id"
    )
    notes: Mapped[list[TicketNote]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketNote.id"
    )


class TicketMessage(Base):
    """One line of a ticket's transcript: the bot conversation before the handoff, then the live chat."""

    __tablename__ = "ticket_messages"
    __table_args__ = (CheckConstraint(_in("sender", TICKET_SENDERS), name="ck_ticket_messages_sender"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str | None] = mapped_column(String(80))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    agent: Mapped[Agent | None] = relationship()


class TicketNote(Base):
    """An internal note on a ticket; agents only, never shown to the shopper."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="notes")
    agent: Mapped[Agent] = relationship()


class AuditEvent(Base):
    """Who did what in the console: revealing personal data, exports, take, resolve, reopen."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationFailure(Base):
    """A failed order-number-and-email check, under each key it counts against (order, email, client).

    Keys hold hashes, never the email or conversation id themselves; rows older than the counting
    window are pruned.
    """

    __tablename__ = "verification_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ConversationVerification(Base):
    """A conversation that proved an order is its customer's: valid for one session, and only while active.

    ``conversation`` is a hash of the conversation id; ``session`` the start of the Rasa session it was
    proved in. A tracker that claims a verified customer is believed only if this row agrees.
    """

    __tablename__ = "conversation_verifications"

    conversation: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    session: Mapped[str] = mapped_column(String(40), default="")
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """A failed console login, counted per key (a hash of the username or of the client address), so the
    throttle holds across console restarts and processes."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# ---- reviews (issue 15: reviews in product answers) ----------------------------------------------
REVIEW_FITS: tuple[str, ...] = ("small", "true", "large")


class Review(Base):
    """A shopper's review of a product: stars, a short text in the reviewer's language, and the topic it
    is mainly about (``fit`` says how the size ran, for clothes and shoes). Products' ``rating`` and
    ``review_count`` are the mean and count of these rows."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_reviews_rating"),
        CheckConstraint("fit IS NULL OR " + _in("fit", REVIEW_FITS), name="ck_reviews_fit"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(400))
    language: Mapped[str] = mapped_column(String(8), default="en")
    author: Mapped[str] = mapped_column(String(40))  # a first name or an initial, never a full name
    topic: Mapped[str | None] = mapped_column(String(20))
    fit: Mapped[str | None] = mapped_column(String(8))
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Proactive notifications (issue 15): the order-event outbox, preferences, deliveries, email outbox ---

NOTIFICATION_EVENT_STATUSES: tuple[str, ...] = ("pending", "done")
NOTIFICATION_DELIVERY_STATUSES: tuple[str, ...] = ("sending", "delivered", "skipped", "failed")


class OrderEvent(Base):
    """An order's change of state, written in the same transaction as the change (the outbox).

    The notification worker claims pending rows (``claimed_until`` is a lease, so a crashed worker's
    claim runs out), delivers them and marks them done. ``dedupe_key`` makes a repeated change one event.
    """

    __tablename__ = "order_events"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_order_events_dedupe_key"),
        CheckConstraint(_in("status", NOTIFICATION_EVENT_STATUSES), name="ck_order_events_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(16), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    not_before: Mapped[datetime | None]             # held (quiet hours, retry back-off) until then
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(200))


class NotificationPreference(Base):
    """A customer's choice about proactive order updates (no row: the shop's default)."""

    __tablename__ = "notification_preferences"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_via: Mapped[str | None] = mapped_column(String(40))


class NotificationDelivery(Base):
    """One event to one target (a linked conversation, or email): at most one row each, so a restarted
    worker never sends an event to the same place twice."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "target", name="uq_notification_deliveries_target"),
        CheckConstraint(_in("status", NOTIFICATION_DELIVERY_STATUSES), name="ck_notification_deliveries_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("order_events.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(200))          # "<channel>|<conversation id>" or "email"
    channel: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="sending")
    mode: Mapped[str | None] = mapped_column(String(80))      # message, tag:POST_PURCHASE_UPDATE, template:<sid>
    language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class EmailOutboxMessage(Base):
    """An email the shop's sender should send (the demo writes it here and logs it, masked)."""

    __tablename__ = "email_outbox"
    __table_args__ = (UniqueConstraint("event_id", name="uq_email_outbox_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("order_events.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


# ---- satisfaction surveys and bot-only results (issue 15: NPS and CES) ------------------------------
SURVEY_KINDS: tuple[str, ...] = ("nps", "ces")
SURVEY_STATUSES: tuple[str, ...] = ("asked", "answered", "skipped")


class SurveyResponse(Base):
    """One NPS (0-10) or CES (1-7) question asked after a bot-only result, and its answer.

    The row is written when the question is asked (``status`` "asked"); the answer or a skip completes it
    once. ``customer_id`` is the verified customer; ``sender_key`` a hash of channel and sender id, so an
    unverified sender is not asked twice within the cooling-off period either.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint(_in("kind", SURVEY_KINDS), name="ck_survey_responses_kind"),
        CheckConstraint(_in("status", SURVEY_STATUSES), name="ck_survey_responses_status"),
        CheckConstraint("score IS NULL OR (score BETWEEN 0 AND 10)", name="ck_survey_responses_score"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="asked")
    score: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    sender_key: Mapped[str] = mapped_column(String(64), index=True)
    conversation_id: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(40), default="rest")
    trigger_intent: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8), default="en")
    asked_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]


class ConversationOutcome(Base):
    """A conversation in which the bot alone reached a result (order status told, refund or return opened,
    order cancelled, address changed): one row per conversation, for containment by first task intent."""

    __tablename__ = "conversation_outcomes"
    __table_args__ = (UniqueConstraint("conversation_id", name="uq_conversation_outcomes_conversation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(120))
    first_intent: Mapped[str] = mapped_column(String(80), index=True)
    result_intent: Mapped[str] = mapped_column(String(80))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(40), default="rest")
    language: Mapped[str] = mapped_column(String(8), default="en")
    completed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
