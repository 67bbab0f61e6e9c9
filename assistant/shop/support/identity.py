"""Omnichannel identity: which channel sender ids belong to which customer.

When a shopper verifies (order number plus email) on any channel, that channel's sender id
(a Telegram chat id, a Messenger PSID, ``whatsapp:+49...``, a widget session) is linked to the
customer. A later conversation from a linked sender is known to be the same customer, and
support agents can see the customer's conversations across channels.

A sender id belongs to one customer at a time: verifying as someone else moves it (a shared
phone, a family tablet). Plain SQLAlchemy, no Rasa import; callers get frozen views.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import ChannelIdentity

logger = logging.getLogger(__name__)

MAX_CHANNEL_LENGTH = 40
MAX_SENDER_ID_LENGTH = 120


@dataclass(frozen=True)
class IdentityView:
    channel: str
    sender_id: str
    linked_at: datetime
    last_seen_at: datetime


def _checked(channel: str, sender_id: str) -> tuple[str, str]:
    channel, sender_id = str(channel or "").strip(), str(sender_id or "").strip()
    if not channel or not sender_id:
        raise ValueError("a channel identity needs both a channel name and a sender id")
    if len(channel) > MAX_CHANNEL_LENGTH or len(sender_id) > MAX_SENDER_ID_LENGTH:
        raise ValueError(f"channel names are at most {MAX_CHANNEL_LENGTH} characters and sender ids at most "
                         f"{MAX_SENDER_ID_LENGTH}; got {len(channel)} and {len(sender_id)}")
    return channel, sender_id


class IdentityService:
    """Links channel sender ids to customers and answers who a sender is."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def link(self, customer_id: int, channel: str, sender_id: str, *, now: datetime | None = None) -> None:
        """Records that ``sender_id`` on ``channel`` is ``customer_id``.

        Idempotent: linking again only updates ``last_seen_at``. A sender id linked to another
        customer moves to this one (``linked_at`` restarts).
        """
        channel, sender_id = _checked(channel, sender_id)
        moment = resolve_now(now)
        try:
            self._link(customer_id, channel, sender_id, moment)
        except IntegrityError:
            # Another worker inserted the same sender id between our read and our insert.
            self._link(customer_id, channel, sender_id, moment)

    def _link(self, customer_id: int, channel: str, sender_id: str, moment: datetime) -> None:
        with self._sessions() as session, session.begin():
            row = session.execute(
                select(ChannelIdentity).where(ChannelIdentity.channel == channel,
                                              ChannelIdentity.sender_id == sender_id)
            ).scalar_one_or_none()
            if row is None:
                session.add(ChannelIdentity(customer_id=customer_id, channel=channel, sender_id=sender_id,
                                            linked_at=moment, last_seen_at=moment))
                logger.info("customer %s linked a %s sender", customer_id, channel)
                return
            if row.customer_id != customer_id:
                logger.info("a %s sender moved from customer %s to customer %s", channel, row.customer_id,
                            customer_id)
                row.customer_id = customer_id
                row.linked_at = moment
            row.last_seen_at = moment

    def customer_for(self, channel: str, sender_id: str) -> int | None:
        """The customer ``sender_id`` on ``channel`` verified as, or None if unknown."""
        with self._sessions() as session:
            return session.execute(
                select(ChannelIdentity.customer_id).where(ChannelIdentity.channel == str(channel),
                                                          ChannelIdentity.sender_id == str(sender_id))
            ).scalar_one_or_none()

    def identities_of(self, customer_id: int) -> list[IdentityView]:
        """Every channel sender linked to ``customer_id``, first linked first."""
        with self._sessions() as session:
            rows = session.execute(
                select(ChannelIdentity).where(ChannelIdentity.customer_id == customer_id)
                .order_by(ChannelIdentity.linked_at, ChannelIdentity.id)
            ).scalars()
            return [IdentityView(channel=r.channel, sender_id=r.sender_id, linked_at=r.linked_at,
                                 last_seen_at=r.last_seen_at) for r in rows]
