from __future__ import annotations

import json
from pathlib import Path

from assistant.shop.commerce.refunds import RefundService
from assistant.shop.commerce.verification import Verifier
from assistant.shop.demo import sample_orders as sample_module
from assistant.shop.demo import seed as seed_module
from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.db import make_engine, session_factory
from assistant.shop.storage.models import ORDER_STATUSES
from tests.unit.seed_fixtures import synthetic_customers, synthetic_products
from tests.unit.shop_fixtures import TODAY, ShopDB, add_order

KEYS = {"order_id", "email", "status", "tracking_number"}


def test_sample_orders_from_the_small_shop(shop: ShopDB, policy) -> None:
    add_order(shop, "SO100012", status="delivered", items=[("TEE", 1)], delivered_days_ago=60)
    rows = sample_module.sample_orders(shop.sessions, per_status=2, policy=policy, today=TODAY)
    assert all(set(row) == KEYS for row in rows)
    by_status = {}
    for row in rows:
        by_status.setdefault(row["status"], []).append(row["order_id"])
    assert by_status["pending"] == ["SO100001"]
    # delivered: first one fully refundable with days to spare, then one well outside the window
    # (SO100005 is on its last day, SO100006 expired yesterday, SO100008 is partly final sale)
    assert by_status["delivered"] == ["SO100004", "SO100012"]
    three = sample_module.sample_orders(shop.sessions, per_status=3, policy=policy, today=TODAY)
    delivered = [r["order_id"] for r in three if r["status"] == "delivered"]
    assert delivered == ["SO100004", "SO100012", "SO200001"]
    assert by_status["returned"] == ["SO100010"]
    shipped = next(r for r in rows if r["status"] == "shipped")
    assert shipped["tracking_number"] == "1Z999AA10123456784"
    pending = next(r for r in rows if r["status"] == "pending")
    assert pending["tracking_number"] is None and pending["email"] == "jane.doe@example.com"


def test_sample_orders_cli_prints_json_lines(tmp_path: Path, capsys, policy) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    seed_module.seed_database(engine, customers=synthetic_customers(), products=synthetic_products(),
                              today=utcnow().date(), policy=policy)
    assert sample_module.main(["--database-url", url, "--per-status", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 2 * len(ORDER_STATUSES)
    assert all(set(row) == KEYS for row in rows)
    assert [r["status"] for r in rows] == [s for s in ORDER_STATUSES for _ in range(2)]
    sessions = session_factory(engine)
    verifier = Verifier(sessions)
    assert all(verifier.verify(r["order_id"], r["email"]).ok for r in rows)
    inside, outside = [r for r in rows if r["status"] == "delivered"]
    refunds = RefundService(sessions, policy)
    assert refunds.eligibility(inside["order_id"]).eligible
    assert refunds.eligibility(outside["order_id"]).reason == "window_expired"
    assert all(r["tracking_number"] for r in rows if r["status"] in ("shipped", "delivered", "returned"))


def test_sample_orders_cli_on_an_empty_database(tmp_path: Path, capsys) -> None:
    assert sample_module.main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}"]) == 1
    assert "run python -m assistant.runtime.demo seed" in capsys.readouterr().err
