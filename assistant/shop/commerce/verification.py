"""Verification before disclosure: the shopper proves an order is theirs with its number and email.

Callers should word "unknown_order" and "email_mismatch" the same way to the shopper,
so that the reply does not reveal whether an order number exists.
"""
from __future__ import annotations

import hmac
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.commerce.order_ids import normalize_order_id
from assistant.shop.storage.models import Customer, Order

logger = logging.getLogger(__name__)

VerificationStatus = Literal["ok", "invalid_order_id", "unknown_order", "email_mismatch", "invalid_email"]
OrderCheckStatus = Literal["ok", "invalid_order_id", "unknown_order"]

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9_%+\-](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![A-Za-z0-9\-])"
)
_SPACED_AT = re.compile(r"\s*@\s*")


def normalize_email(text: str | None) -> str | None:
    """The first email address in ``text``, lower-cased, or None.

    "Mail: Jane.Doe＠Example.com" -> "jane.doe@example.com" (full-width forms are normalised).
    """
    if not text:
        return None
    normalized = _SPACED_AT.sub("@", unicodedata.normalize("NFKC", str(text)))
    match = _EMAIL.search(normalized)
    return match.group(0).lower() if match else None


def emails_match(given: str, expected: str) -> bool:
    """Case-insensitive, whitespace-trimmed comparison in constant time."""
    left = given.strip().lower().encode("utf-8")
    right = expected.strip().lower().encode("utf-8")
    return hmac.compare_digest(left, right)


@dataclass(frozen=True)
class VerificationResult:
    status: VerificationStatus
    order_id: str | None = None
    customer_id: int | None = None
    email: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Verifier:
    """Checks an order number and email pair against the shop database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def _order_owner(self, order_id: str) -> tuple[int, str] | None:
        with self._sessions() as session:
            row = session.execute(
                select(Customer.id, Customer.email).join(Order, Order.customer_id == Customer.id)
                .where(Order.id == order_id)
            ).first()
            return (row[0], row[1]) if row else None

    def check_order_exists(self, order_id_text: str | None) -> OrderCheckStatus:
        """"ok" when the text holds the number of an existing order, else why not."""
        order_id = normalize_order_id(order_id_text)
        if order_id is None:
            return "invalid_order_id"
        return "ok" if self._order_owner(order_id) is not None else "unknown_order"

    def verify(self, order_id_text: str | None, email_text: str | None) -> VerificationResult:
        order_id = normalize_order_id(order_id_text)
        if order_id is None:
            return VerificationResult(status="invalid_order_id")
        email = normalize_email(email_text)
        if email is None:
            return VerificationResult(status="invalid_email", order_id=order_id)
        owner = self._order_owner(order_id)
        if owner is None:
            logger.info("verification failed: unknown order %s", order_id)
            return VerificationResult(status="unknown_order", order_id=order_id, email=email)
        customer_id, expected = owner
        if not emails_match(email, expected):
            logger.info("verification failed: email mismatch for order %s", order_id)
            return VerificationResult(status="email_mismatch", order_id=order_id, email=email)
        return VerificationResult(status="ok", order_id=order_id, customer_id=customer_id, email=email)


@dataclass(frozen=True)
class VerificationState:
    """Counts failed verification attempts; locked once ``max_attempts`` failures are reached.

    Stateless on purpose: the count lives in a conversation slot and is passed in.
    """

    max_attempts: int

    @staticmethod
    def _count(count: int | float | str | None) -> int:
        try:
            return max(0, int(float(count or 0)))
        except (TypeError, ValueError):
            return 0

    def register_failure(self, count: int | float | str | None) -> tuple[int, bool]:
        """Add one failure to ``count``; return the new count and whether verification is now locked."""
        new_count = self._count(count) + 1
        return new_count, new_count >= self.max_attempts

    def is_locked(self, count: int | float | str | None) -> bool:
        return self._count(count) >= self.max_attempts

    def attempts_left(self, count: int | float | str | None) -> int:
        return max(0, self.max_attempts - self._count(count))
