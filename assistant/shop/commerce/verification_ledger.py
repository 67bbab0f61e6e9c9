"""What verification remembers in the database, where no tracker can forge it:

- **failures**, counted per order, per email and per conversation in a sliding window: too many
  against one key locks that key for everyone until the window has passed (a guesser who starts a
  new conversation, or tries one order from many, gets nowhere);
- **verified conversations**: a conversation is verified only in the Rasa session it proved itself
  in, and only while it stays active (``ttl`` of inactivity). The action server checks this row,
  not the tracker's slots.

Emails and conversation ids are stored as SHA-256 hashes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Optional

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import ConversationVerification, VerificationFailure

LockReason = Literal["order", "email", "conversation"]


@dataclass(frozen=True)
class VerificationLimits:
    per_order: int = 5            # failures against one order number within the window
    per_email: int = 5            # failures with one email within the window
    per_conversation: int = 3     # failures in one conversation within the window
    window: timedelta = timedelta(hours=1)
    ttl: timedelta = timedelta(minutes=30)  # a verification lapses after this much inactivity


def _digest(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:40]


def _keys(order_id: Optional[str], email: Optional[str], conversation_id: Optional[str]) -> dict[LockReason, str]:
    keys: dict[LockReason, str] = {}
    if order_id:
        keys["order"] = f"order:{order_id.strip().upper()}"
    if email:
        keys["email"] = _digest("email", email)
    if conversation_id:
        keys["conversation"] = _digest("conversation", conversation_id)
    return keys


class VerificationLedger:
    def __init__(self, sessions: sessionmaker[Session], limits: VerificationLimits = VerificationLimits()) -> None:
        self._sessions = sessions
        self.limits = limits

    # ---- failures --------------------------------------------------------------------------------------
    def locked(self, order_id: Optional[str] = None, email: Optional[str] = None,
               conversation_id: Optional[str] = None, now: Optional[datetime] = None) -> Optional[LockReason]:
        """Which key, if any, has reached its limit of failures in the window."""
        keys = _keys(order_id, email, conversation_id)
        if not keys:
            return None
        since = resolve_now(now) - self.limits.window
        limits = {"order": self.limits.per_order, "email": self.limits.per_email,
                  "conversation": self.limits.per_conversation}
        with self._sessions() as session:
            counts = dict(session.execute(
                select(VerificationFailure.key, func.count()).where(
                    VerificationFailure.key.in_(keys.values()), VerificationFailure.failed_at >= since)
                .group_by(VerificationFailure.key)).all())
        for reason, key in keys.items():
            if counts.get(key, 0) >= limits[reason]:
                return reason
        return None

    def record_failure(self, order_id: Optional[str], email: Optional[str], conversation_id: Optional[str],
                       now: Optional[datetime] = None) -> Optional[LockReason]:
        """Count one failure against each key; return the lock it caused, if any."""
        at = resolve_now(now)
        with self._sessions.begin() as session:
            session.execute(delete(VerificationFailure).where(
                VerificationFailure.failed_at < at - self.limits.window))
            session.add_all(VerificationFailure(key=key, failed_at=at)
                            for key in _keys(order_id, email, conversation_id).values())
        return self.locked(order_id, email, conversation_id, at)

    # ---- verified conversations -------------------------------------------------------------------------
    def remember(self, conversation_id: str, customer_id: int, session_mark: str = "",
                 now: Optional[datetime] = None) -> None:
        at = resolve_now(now)
        key = _digest("conversation", conversation_id)
        with self._sessions.begin() as session:
            row = session.get(ConversationVerification, key)
            if row is None:
                session.add(ConversationVerification(conversation=key, customer_id=customer_id,
                                                     session=session_mark, verified_at=at, last_seen_at=at))
            else:
                row.customer_id, row.session, row.verified_at, row.last_seen_at = customer_id, session_mark, at, at

    def current(self, conversation_id: str, session_mark: str = "", now: Optional[datetime] = None) -> Optional[int]:
        """The customer this conversation verified as in this session, if still active (and keeps it so)."""
        at = resolve_now(now)
        key = _digest("conversation", conversation_id)
        with self._sessions.begin() as session:
            row = session.get(ConversationVerification, key)
            if row is None:
                return None
            if row.session != session_mark or at - row.last_seen_at > self.limits.ttl:
                session.delete(row)
                return None
            row.last_seen_at = at
            return row.customer_id

    def forget(self, conversation_id: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(ConversationVerification).where(
                ConversationVerification.conversation == _digest("conversation", conversation_id)))
