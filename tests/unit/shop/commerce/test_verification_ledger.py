"""Verification state the database holds: failure limits per order, email and conversation, and
verified conversations bound to one session with an inactivity expiry."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assistant.shop.commerce.verification_ledger import VerificationLedger, VerificationLimits
from assistant.shop.storage.models import ConversationVerification, VerificationFailure
from tests.unit.shop_fixtures import NOW


def ledger(shop, **limits) -> VerificationLedger:
    return VerificationLedger(shop.sessions, VerificationLimits(**limits))


def test_an_order_tried_too_often_is_locked_for_every_conversation(shop) -> None:
    book = ledger(shop, per_order=3, per_conversation=10)
    for n in range(2):
        assert book.record_failure("SO100003", f"guess{n}@x.test", f"conversation-{n}", NOW) is None
    assert book.record_failure("SO100003", "guess2@x.test", "conversation-2", NOW) == "order"
    assert book.locked(order_id="SO100003", conversation_id="a-new-one", now=NOW) == "order"
    assert book.locked(order_id="SO100004", conversation_id="a-new-one", now=NOW) is None
    # the window slides: an hour later the order can be verified again
    assert book.locked(order_id="SO100003", now=NOW + timedelta(hours=1, seconds=1)) is None


def test_an_email_and_a_conversation_have_their_own_limits(shop) -> None:
    book = ledger(shop, per_order=10, per_email=2, per_conversation=10)
    book.record_failure("SO100001", "Same@X.test", "c1", NOW)
    assert book.record_failure("SO100002", "same@x.test ", "c2", NOW) == "email"
    book = ledger(shop, per_order=10, per_email=10, per_conversation=2)
    assert book.locked(conversation_id="c9", now=NOW) is None
    book.record_failure("SO100001", "a@x.test", "c9", NOW)
    assert book.record_failure("SO100002", "b@x.test", "c9", NOW) == "conversation"


def test_no_email_or_conversation_id_is_stored_in_clear(shop) -> None:
    book = ledger(shop)
    book.record_failure("SO100001", "jane.doe@example.com", "whatsapp:+4915112345678", NOW)
    book.remember("whatsapp:+4915112345678", 1, "1.0", NOW)
    with shop.sessions() as session:
        stored = " ".join(session.scalars(select(VerificationFailure.key)).all())
        stored += " ".join(session.scalars(select(ConversationVerification.conversation)).all())
    assert "jane" not in stored and "4915112345678" not in stored and "order:SO100001" in stored


def test_a_verification_holds_in_its_session_while_active(shop) -> None:
    book = ledger(shop, ttl=timedelta(minutes=30))
    book.remember("web-1", 1, "100.0", NOW)
    assert book.current("web-1", "100.0", NOW + timedelta(minutes=20)) == 1
    assert book.current("web-1", "100.0", NOW + timedelta(minutes=45)) == 1  # kept alive at 20 minutes
    assert book.current("web-1", "100.0", NOW + timedelta(minutes=80)) is None  # 35 idle minutes: lapsed
    assert book.current("web-1", "100.0", NOW + timedelta(minutes=81)) is None  # and gone


def test_a_new_session_or_another_conversation_is_not_verified(shop) -> None:
    book = ledger(shop)
    book.remember("web-1", 1, "100.0", NOW)
    assert book.current("web-2", "100.0", NOW) is None
    assert book.current("web-1", "200.0", NOW) is None  # a new Rasa session
    assert book.current("web-1", "100.0", NOW) is None  # the row is gone with the old session
    book.remember("web-1", 1, "300.0", NOW)
    book.forget("web-1")
    assert book.current("web-1", "300.0", NOW) is None
