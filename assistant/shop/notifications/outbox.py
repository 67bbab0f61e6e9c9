"""The outbox as the notification worker sees it: claim events, record each delivery, finish events.

Safe with several workers and with restarts, on SQLite and PostgreSQL alike:

- **claiming** is a conditional ``UPDATE`` (``status = 'pending'`` and no live lease); only the worker whose
  update changed the row owns it, until ``claimed_until`` (a lease: a crashed worker's claim runs out);
- **a delivery row per (event, target)** (unique) is written *before* sending, as ``sending``; after the
  send it becomes ``delivered``. A restarted worker that finds ``sending`` must first check whether the
  message arrived (the worker looks for it in the conversation's transcript) instead of sending again;
- **an event is done** only when every target is ``delivered``, ``skipped`` or ``failed`` (given up, with
  the reason), or when the email fallback was queued (the email row and its delivery row commit together).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import (
    ChannelIdentity,
    Customer,
    EmailOutboxMessage,
    NotificationDelivery,
    OrderEvent,
)

logger = logging.getLogger(__name__)

EMAIL_TARGET = "email"


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    order_id: str
    customer_id: int
    payload: dict[str, Any]
    urgent: bool
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Recipient:
    customer_id: int
    email: str
    language: str


@dataclass(frozen=True)
class LinkedConversation:
    channel: str
    conversation_id: str
    last_seen_at: datetime

    @property
    def target(self) -> str:
        return f"{self.channel}|{self.conversation_id}"


@dataclass(frozen=True)
class DeliveryView:
    id: int
    event_id: int
    target: str
    channel: str
    conversation_id: str | None
    status: str
    mode: str | None
    reason: str | None
    attempts: int


def _event_view(row: OrderEvent) -> EventView:
    return EventView(row.id, row.kind, row.order_id, row.customer_id, dict(row.payload or {}), bool(row.urgent),
                     int(row.attempts or 0), row.created_at)


def _delivery_view(row: NotificationDelivery) -> DeliveryView:
    return DeliveryView(row.id, row.event_id, row.target, row.channel, row.conversation_id, row.status, row.mode,
                        row.reason, int(row.attempts or 0))


class Outbox:
    def __init__(self, session_factory: sessionmaker[Session], lease_seconds: float = 60) -> None:
        self._sessions = session_factory
        self.lease = timedelta(seconds=lease_seconds)

    # -- claiming ------------------------------------------------------------------------------
    def claim(self, worker: str, now: datetime | None = None, limit: int = 20) -> list[EventView]:
        """Up to ``limit`` due events, oldest first, now leased to ``worker``."""
        moment = resolve_now(now)
        due = and_(OrderEvent.status == "pending",
                   or_(OrderEvent.not_before.is_(None), OrderEvent.not_before <= moment),
                   or_(OrderEvent.claimed_until.is_(None), OrderEvent.claimed_until < moment))
        with self._sessions() as session:
            candidates = session.scalars(select(OrderEvent.id).where(due)
                                         .order_by(OrderEvent.created_at, OrderEvent.id).limit(limit)).all()
        claimed: list[EventView] = []
        for event_id in candidates:
            with self._sessions() as session, session.begin():
                result = session.execute(
                    update(OrderEvent).where(OrderEvent.id == event_id, due)
                    .values(claimed_by=worker, claimed_until=moment + self.lease, attempts=OrderEvent.attempts + 1)
                    .execution_options(synchronize_session=False))
                if result.rowcount != 1:
                    continue  # another worker was faster
                row = session.get(OrderEvent, event_id)
                if row is not None:
                    claimed.append(_event_view(row))
        return claimed

    def _release(self, event_id: int, worker: str, **values: Any) -> bool:
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(OrderEvent).where(OrderEvent.id == event_id, OrderEvent.claimed_by == worker,
                                         OrderEvent.status == "pending")
                .values(claimed_by=None, claimed_until=None, **values)
                .execution_options(synchronize_session=False))
            return result.rowcount == 1

    def finish(self, event_id: int, worker: str, outcome: str, now: datetime | None = None) -> bool:
        """The event is done (every target delivered, skipped or given up): ``outcome`` says how."""
        done = self._release(event_id, worker, status="done", done_at=resolve_now(now), outcome=outcome[:200])
        if done:
            logger.info("notification event %s done: %s", event_id, outcome)
        return done

    def hold(self, event_id: int, worker: str, until: datetime, outcome: str) -> bool:
        """Not now (quiet hours): released, due again at ``until``; the claim does not count as an attempt."""
        return self._release(event_id, worker, not_before=until, outcome=outcome[:200],
                             attempts=OrderEvent.attempts - 1)

    def retry_later(self, event_id: int, worker: str, until: datetime, outcome: str) -> bool:
        """Some target failed for a reason that may pass (Rasa down): due again at ``until``."""
        return self._release(event_id, worker, not_before=until, outcome=outcome[:200])

    # -- who and where -------------------------------------------------------------------------
    def recipient(self, customer_id: int) -> Recipient | None:
        with self._sessions() as session:
            row = session.get(Customer, customer_id)
            return None if row is None else Recipient(row.id, row.email, row.language or "en")

    def linked_conversations(self, customer_id: int) -> list[LinkedConversation]:
        """Every conversation the customer verified in (``ChannelIdentity``), most recently seen first."""
        with self._sessions() as session:
            rows = session.scalars(select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id)
                                   .order_by(ChannelIdentity.last_seen_at.desc(), ChannelIdentity.id)).all()
            return [LinkedConversation(r.channel, r.sender_id, r.last_seen_at) for r in rows]

    # -- deliveries ----------------------------------------------------------------------------
    def begin_delivery(self, event_id: int, target: str, channel: str, conversation_id: str | None,
                       language: str, mode: str, now: datetime | None = None) -> DeliveryView:
        """The (event, target) delivery row, created as ``sending`` if new; an existing row is returned as it
        is (``delivered``: do not send again; ``sending``: a previous try may have arrived, check first)."""
        moment = resolve_now(now)
        for _ in range(2):
            try:
                with self._sessions() as session, session.begin():
                    row = session.scalar(select(NotificationDelivery).where(
                        NotificationDelivery.event_id == event_id, NotificationDelivery.target == target))
                    if row is None:
                        row = NotificationDelivery(event_id=event_id, target=target[:200], channel=channel,
                                                   conversation_id=conversation_id, status="sending", mode=mode,
                                                   language=language, attempts=0, created_at=moment,
                                                   updated_at=moment)
                        session.add(row)
                        session.flush()
                    elif row.status in ("sending", "failed"):
                        row.mode, row.language, row.updated_at = mode, language, moment
                    return _delivery_view(row)
            except IntegrityError:
                continue  # another worker inserted it between our read and our insert: read it
        raise RuntimeError(f"could not record the delivery of event {event_id} to {target}")

    def mark(self, delivery_id: int, status: str, reason: str | None = None, *, attempted: bool = False,
             now: datetime | None = None) -> None:
        moment = resolve_now(now)
        values: dict[str, Any] = {"status": status, "reason": (reason or "")[:200] or None, "updated_at": moment}
        if status == "delivered":
            values["delivered_at"] = moment
        if attempted:
            values["attempts"] = NotificationDelivery.attempts + 1
        with self._sessions() as session, session.begin():
            session.execute(update(NotificationDelivery).where(NotificationDelivery.id == delivery_id)
                            .values(**values).execution_options(synchronize_session=False))

    def record_skip(self, event_id: int, target: str, channel: str, conversation_id: str | None,
                    reason: str, now: datetime | None = None) -> None:
        """This target will not get the event (no push channel, outside a window...): kept for the record."""
        view = self.begin_delivery(event_id, target, channel, conversation_id, "", "none", now)
        if view.status in ("sending", "failed"):
            self.mark(view.id, "skipped", reason, now=now)

    def deliveries(self, event_id: int) -> list[DeliveryView]:
        with self._sessions() as session:
            rows = session.scalars(select(NotificationDelivery).where(NotificationDelivery.event_id == event_id)
                                   .order_by(NotificationDelivery.id)).all()
            return [_delivery_view(r) for r in rows]

    def queue_email(self, event_id: int, recipient: Recipient, subject: str, body: str, language: str,
                    now: datetime | None = None) -> bool:
        """Writes the fallback email and its delivery row in one transaction; False if already queued."""
        moment = resolve_now(now)
        try:
            with self._sessions() as session, session.begin():
                exists = session.scalar(select(EmailOutboxMessage.id).where(EmailOutboxMessage.event_id == event_id))
                if exists is not None:
                    return False
                session.add(EmailOutboxMessage(event_id=event_id, customer_id=recipient.customer_id,
                                               to_address=recipient.email, subject=subject[:300], body=body,
                                               language=language, created_at=moment))
                delivery = session.scalar(select(NotificationDelivery).where(
                    NotificationDelivery.event_id == event_id, NotificationDelivery.target == EMAIL_TARGET))
                if delivery is None:
                    session.add(NotificationDelivery(event_id=event_id, target=EMAIL_TARGET, channel="email",
                                                     status="delivered", mode="email", language=language,
                                                     attempts=1, created_at=moment, updated_at=moment,
                                                     delivered_at=moment))
                else:
                    delivery.status, delivery.delivered_at, delivery.updated_at = "delivered", moment, moment
            return True
        except IntegrityError:
            return False

    # -- for tests, the demo and the console ---------------------------------------------------
    def event(self, event_id: int) -> EventView | None:
        with self._sessions() as session:
            row = session.get(OrderEvent, event_id)
            return None if row is None else _event_view(row)

    def events_for_order(self, order_id: str) -> list[tuple[EventView, str]]:
        """``(event, status)`` for each event of ``order_id``, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)
                                   .order_by(OrderEvent.id)).all()
            return [(_event_view(r), r.status) for r in rows]

    def emails_for(self, customer_id: int) -> list[tuple[str, str, str]]:
        """``(to, subject, body)`` of the emails queued for ``customer_id``, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(EmailOutboxMessage).where(EmailOutboxMessage.customer_id == customer_id)
                                   .order_by(EmailOutboxMessage.id)).all()
            return [(r.to_address, r.subject, r.body) for r in rows]
