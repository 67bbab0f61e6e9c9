"""The same domain code on PostgreSQL: seeding, verification, cancellation and a refund race.

Uses a scratch database ``shop_unit`` on the server named by TEST_POSTGRES_URL
(default ``postgresql://postgres@127.0.0.1:5432/postgres``, as the e2e tests do);
skipped when the server is not reachable, except under CI=true.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from assistant.shop.commerce.orders import OrderService
from assistant.shop.commerce.refunds import RefundService
from assistant.shop.commerce.verification import Verifier
from assistant.shop.demo import seed as seed_module
from assistant.shop.demo.sample_orders import sample_orders
from assistant.shop.storage.db import make_engine, session_factory
from assistant.shop.storage.models import Customer, Order
from tests.unit.seed_fixtures import synthetic_customers, synthetic_products

pytestmark = pytest.mark.postgres
SCRATCH_DB = "shop_unit"


def _admin(base: str, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(base, connect_timeout=3)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def scratch_url() -> str | None:
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        _admin(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")
        _admin(base, f"CREATE DATABASE {SCRATCH_DB}")
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    return base.rsplit("/", 1)[0] + f"/{SCRATCH_DB}"


TODAY = date(2025, 6, 18)
NOW = datetime(2025, 6, 18, 9, 30, tzinfo=timezone.utc)


@pytest.fixture()
def pg(policy):
    url = scratch_url()
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required under CI=true but TEST_POSTGRES_URL is not reachable")
        pytest.skip("PostgreSQL is not reachable (set TEST_POSTGRES_URL)")
    engine = make_engine(url)
    seed_module.seed_database(engine, customers=synthetic_customers(), products=synthetic_products(),
                              today=TODAY, policy=policy)
    yield engine
    engine.dispose()
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    _admin(base, f"DROP DATABASE IF EXISTS {SCRATCH_DB}")


def test_flows_on_postgres(pg, policy) -> None:
    sessions = session_factory(pg)
    with sessions() as session:
        counts = Counter(session.scalars(select(Order.status)))
        assert all(n >= 25 for n in counts.values())
        paid = session.scalars(select(Order).where(Order.status == "paid").order_by(Order.id)).first()
        paid_id, paid_total = paid.id, paid.total
    rows = sample_orders(sessions, 1, policy=policy, today=TODAY)
    assert Verifier(sessions).verify(rows[0]["order_id"], rows[0]["email"].upper()).ok
    cancelled = OrderService(sessions, policy).cancel_order(paid_id, now=NOW)
    assert cancelled.ok and cancelled.refund.amount == paid_total and isinstance(paid_total, Decimal)
    assert cancelled.order.cancelled_at == NOW
    delivered = next(r for r in rows if r["status"] == "delivered")
    refunds = RefundService(sessions, policy)
    results = []

    def request() -> None:
        results.append(refunds.request_refund(delivered["order_id"], now=NOW))

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.created for r in results) == 1 and len({r.refund.id for r in results}) == 1
    assert len(refunds.refunds_for_order(delivered["order_id"])) == 1
    with sessions() as session, session.begin():  # seeded explicit ids left the sequence usable
        session.add(Customer(name="New Shopper", email="new.shopper@example.com"))
