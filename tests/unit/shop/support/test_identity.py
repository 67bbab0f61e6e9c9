"""Omnichannel identity: channel sender ids linked to customers (in-memory SQLite)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assistant.shop.storage.db import init_db, make_engine, session_factory
from assistant.shop.storage.models import ChannelIdentity, Customer
from assistant.shop.support.identity import IdentityService, IdentityView
from tests.unit.shop_fixtures import BOB, JANE, NOW, ShopDB, add_customer


@pytest.fixture()
def memory_shop() -> Iterator[ShopDB]:
    engine = make_engine("sqlite://")
    init_db(engine)
    built = ShopDB(engine=engine, sessions=session_factory(engine))
    add_customer(built, **JANE)
    add_customer(built, **BOB)
    yield built
    engine.dispose()


@pytest.fixture()
def identities(memory_shop: ShopDB) -> IdentityService:
    return IdentityService(memory_shop.sessions)


def rows(shop: ShopDB) -> int:
    with shop.sessions() as session:
        return session.scalar(select(func.count()).select_from(ChannelIdentity))


def test_unknown_sender_has_no_customer(identities: IdentityService) -> None:
    assert identities.customer_for("telegram", "4242") is None
    assert identities.identities_of(JANE["id"]) == []


def test_link_then_lookup(identities: IdentityService) -> None:
    identities.link(JANE["id"], "telegram", "4242", now=NOW)
    assert identities.customer_for("telegram", "4242") == JANE["id"]
    assert identities.customer_for("twilio", "4242") is None  # the channel is part of the identity
    assert identities.identities_of(JANE["id"]) == [IdentityView("telegram", "4242", NOW, NOW)]


def test_link_is_idempotent_and_updates_last_seen(identities: IdentityService, memory_shop: ShopDB) -> None:
    later = NOW + timedelta(days=3)
    identities.link(JANE["id"], "facebook", "psid-1", now=NOW)
    identities.link(JANE["id"], "facebook", "psid-1", now=later)
    assert rows(memory_shop) == 1
    [view] = identities.identities_of(JANE["id"])
    assert view.linked_at == NOW
    assert view.last_seen_at == later


def test_same_customer_on_several_channels(identities: IdentityService) -> None:
    identities.link(JANE["id"], "telegram", "4242", now=NOW)
    identities.link(JANE["id"], "twilio", "whatsapp:+4915112345678", now=NOW + timedelta(hours=1))
    views = identities.identities_of(JANE["id"])
    assert [(v.channel, v.sender_id) for v in views] == [
        ("telegram", "4242"), ("twilio", "whatsapp:+4915112345678")]
    assert identities.customer_for("twilio", "whatsapp:+4915112345678") == JANE["id"]


def test_relinking_a_sender_to_another_customer_moves_it(identities: IdentityService, memory_shop: ShopDB) -> None:
    later = NOW + timedelta(days=1)
    identities.link(JANE["id"], "twilio", "whatsapp:+4915100000000", now=NOW)
    identities.link(BOB["id"], "twilio", "whatsapp:+4915100000000", now=later)
    assert rows(memory_shop) == 1
    assert identities.customer_for("twilio", "whatsapp:+4915100000000") == BOB["id"]
    assert identities.identities_of(JANE["id"]) == []
    assert identities.identities_of(BOB["id"]) == [IdentityView("twilio", "whatsapp:+4915100000000", later, later)]


def test_views_are_frozen(identities: IdentityService) -> None:
    identities.link(JANE["id"], "rest", "shopper-1", now=NOW)
    view = identities.identities_of(JANE["id"])[0]
    with pytest.raises(AttributeError):
        view.channel = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("channel", "sender"), [("", "1"), ("telegram", ""), ("telegram", "x" * 121), ("c" * 41, "1")])
def test_rejects_empty_or_oversized_ids(identities: IdentityService, channel: str, sender: str) -> None:
    with pytest.raises(ValueError):
        identities.link(JANE["id"], channel, sender)


def test_deleting_a_customer_removes_their_identities(identities: IdentityService, memory_shop: ShopDB) -> None:
    identities.link(BOB["id"], "telegram", "99", now=NOW)
    with memory_shop.sessions() as session, session.begin():
        session.delete(session.get(Customer, BOB["id"]))
    assert identities.customer_for("telegram", "99") is None
