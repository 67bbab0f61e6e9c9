from __future__ import annotations

import re
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from assistant.shop.commerce.refunds import RefundService
from assistant.shop.demo import seed as seed_module
from assistant.shop.storage.db import make_engine, session_factory
from assistant.shop.storage.models import ORDER_STATUSES, Customer, Order, OrderItem, Product, Refund
from tests.unit.seed_fixtures import synthetic_customers, synthetic_products

TODAY = date(2025, 6, 18)
TRACKING = {
    "UPS": re.compile(r"^1Z[0-9A-Z]{16}$"),
    "DHL": re.compile(r"^\d{10}$"),
    "FedEx": re.compile(r"^\d{12}$"),
    "USPS": re.compile(r"^\d{22}$"),
}


def seeded(tmp_path: Path, name: str = "shop.db", seed: int = 42, today: date = TODAY, policy=None):
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    summary = seed_module.seed_database(
        engine, customers=synthetic_customers(), products=synthetic_products(), seed=seed, today=today,
        policy=policy,
    )
    return engine, summary


def dump(engine) -> list[tuple]:
    with session_factory(engine)() as session:
        orders = [tuple(getattr(o, c.key) for c in Order.__table__.columns)
                  for o in session.scalars(select(Order).order_by(Order.id))]
        items = [(i.order_id, i.sku, i.color, i.size, i.quantity, i.unit_price)
                 for i in session.scalars(select(OrderItem).order_by(OrderItem.id))]
        refunds = [(r.id, r.order_id, r.amount, r.status, r.kind, r.created_at)
                   for r in session.scalars(select(Refund).order_by(Refund.id))]
        customers = [(c.id, c.email, c.created_at)
                     for c in session.scalars(select(Customer).order_by(Customer.id))]
    return [orders, items, refunds, customers]


@pytest.fixture()
def seeded_shop(tmp_path: Path, policy):
    engine, summary = seeded(tmp_path, policy=policy)
    yield engine, summary
    engine.dispose()


def test_every_status_is_well_represented(seeded_shop) -> None:
    engine, summary = seeded_shop
    assert not summary.skipped
    assert summary.orders >= 240
    with session_factory(engine)() as session:
        counts = Counter(session.scalars(select(Order.status)))
    assert set(counts) == set(ORDER_STATUSES)
    assert all(n >= 25 for n in counts.values()), counts
    assert dict(summary.by_status) == dict(counts)


def test_rows_are_consistent(seeded_shop, policy) -> None:
    engine, _ = seeded_shop
    anchor = datetime.combine(TODAY, dtime(0), tzinfo=timezone.utc)
    with session_factory(engine)() as session:
        products = {p.sku: p for p in session.scalars(select(Product))}
        assert products["SKU-001"].review_count == 17
        orders = session.scalars(select(Order)).all()
        ids = [o.id for o in orders]
        assert len(ids) == len(set(ids)) and all(re.fullmatch(r"SO\d{6}", i) for i in ids)
        for order in orders:
            assert 1 <= len(order.items) <= 4
            for item in order.items:
                product = products[item.sku]
                assert item.color in (product.colors or [None])
                assert item.size in (product.sizes or [None])
                assert item.unit_price == product.price and item.final_sale == product.final_sale
            assert order.subtotal == sum(i.unit_price * i.quantity for i in order.items)
            assert order.total == order.subtotal + order.shipping_cost
            assert order.created_at < anchor
            assert policy.ships_to(order.shipping_country)
            stamps = [order.created_at, order.paid_at, order.shipped_at, order.delivered_at,
                      order.returned_at]
            present = [s for s in stamps if s is not None]
            assert present == sorted(present) and all(s < anchor for s in present), order.id
            if order.status in ("shipped", "delivered", "returned"):
                assert TRACKING[order.carrier].match(order.tracking_number), order.tracking_number
                assert order.estimated_delivery is not None and order.shipped_at is not None
            else:
                assert order.tracking_number is None and order.carrier is None
            if order.status in ("pending", "paid"):
                assert order.ship_by is not None and order.ship_by >= TODAY
            if order.status == "paid":
                assert order.paid_at is not None
            if order.status == "cancelled":
                assert order.cancelled_at is not None
            if order.carrier == "USPS":
                assert order.shipping_country == "US"


def test_delivered_orders_straddle_the_refund_window(seeded_shop, policy) -> None:
    engine, _ = seeded_shop
    sessions = session_factory(engine)
    with sessions() as session:
        delivered = session.scalars(select(Order).where(Order.status == "delivered")).all()
    ages = sorted((TODAY - o.delivered_at.date()).days for o in delivered)
    assert ages[0] >= 2 and ages[-1] <= 90
    assert 30 in ages and 31 in ages
    service = RefundService(sessions, policy)
    verdicts = Counter(service.eligibility(o.id, today=TODAY).reason for o in delivered)
    assert verdicts["eligible"] >= 10
    assert verdicts["window_expired"] >= 10
    assert verdicts["final_sale"] >= 1
    assert verdicts["already_refunded"] >= 10


def test_final_sale_items_and_refunds(seeded_shop) -> None:
    engine, _ = seeded_shop
    with session_factory(engine)() as session:
        final_sale_orders = set(session.scalars(select(OrderItem.order_id).where(OrderItem.final_sale)))
        assert len(final_sale_orders) >= 5
        refunds = session.scalars(select(Refund)).all()
        by_order = {r.order_id: r for r in refunds}
        assert len(by_order) == len(refunds)
        returned = session.scalars(select(Order).where(Order.status == "returned")).all()
        for order in returned:
            refund = by_order[order.id]
            assert refund.status == "refunded" and refund.kind == "return" and refund.amount > 0
            assert order.returned_at is not None
        delivered_ids = set(session.scalars(select(Order.id).where(Order.status == "delivered")))
        open_refunds = [r for r in refunds if r.order_id in delivered_ids]
        assert len(open_refunds) >= 10
        assert {r.status for r in open_refunds} == {"requested", "approved"}
        assert all(re.fullmatch(r"RF-\d{6}", r.id) for r in refunds)


def test_seeding_is_deterministic(tmp_path: Path, policy) -> None:
    first, _ = seeded(tmp_path, "a.db", policy=policy)
    second, _ = seeded(tmp_path, "b.db", policy=policy)
    other, _ = seeded(tmp_path, "c.db", seed=7, policy=policy)
    assert dump(first) == dump(second)
    assert dump(first)[0] != dump(other)[0]


def test_seeding_is_idempotent_unless_forced(tmp_path: Path, policy) -> None:
    engine, first = seeded(tmp_path, policy=policy)
    again = seed_module.seed_database(engine, customers=synthetic_customers(), products=synthetic_products(),
                                      today=TODAY, policy=policy)
    assert again.skipped and again.orders == first.orders
    assert again.line() == f"shop database already seeded ({first.orders} orders); use --force to reseed"
    forced = seed_module.seed_database(engine, customers=synthetic_customers(), products=synthetic_products(),
                                       today=TODAY + timedelta(days=1), force=True, policy=policy)
    assert not forced.skipped and forced.orders == first.orders


def test_seed_is_fast(tmp_path: Path, policy) -> None:
    started = time.perf_counter()
    seeded(tmp_path, policy=policy)
    assert time.perf_counter() - started < 5


def test_bad_seed_files_are_reported(tmp_path: Path) -> None:
    customers = tmp_path / "customers.yml"
    customers.write_text(yaml.safe_dump({"customers": [{"name": "No Email"}]}))
    catalog = tmp_path / "catalog.yml"
    catalog.write_text(yaml.safe_dump({"products": synthetic_products()}))
    with pytest.raises(ValueError, match="email"):
        seed_module.seed_from_files(make_engine(f"sqlite:///{tmp_path / 'x.db'}"),
                                    customers_file=customers, catalog_file=catalog)


def test_bad_data_leaves_the_existing_database_alone(tmp_path: Path, policy) -> None:
    engine, first = seeded(tmp_path, policy=policy)
    with pytest.raises(ValueError, match="sku"):
        seed_module.seed_database(engine, customers=synthetic_customers(), products=[{"name": "no sku"}],
                                  force=True, policy=policy)
    assert seed_module.order_count(engine) == first.orders


def write_seed_files(tmp_path: Path) -> list[str]:
    customers = tmp_path / "customers.yml"
    customers.write_text(yaml.safe_dump(synthetic_customers(), allow_unicode=True), encoding="utf-8")
    catalog = tmp_path / "catalog.yml"
    catalog.write_text(yaml.safe_dump({"products": synthetic_products()}), encoding="utf-8")
    return ["--customers-file", str(customers), "--catalog-file", str(catalog)]


def test_cli(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'shop.db'}"
    files = write_seed_files(tmp_path)
    assert seed_module.main(["--database-url", url, "--today", "2025-06-18", "--seed", "3", *files]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("seeded shop database:") and "270 orders" in out and "\n" not in out
    assert seed_module.main(["--database-url", url, *files]) == 0
    skipped = capsys.readouterr().out.strip()
    assert skipped == "shop database already seeded (270 orders); use --force to reseed"
    assert seed_module.main(["--database-url", url, "--force", *files]) == 0
    assert capsys.readouterr().out.startswith("seeded shop database:")
    missing = ["--customers-file", str(tmp_path / "missing.yml"), "--catalog-file", files[3]]
    assert seed_module.main(["--database-url", f"sqlite:///{tmp_path / 'other.db'}", *missing]) == 1
    assert "customers file not found" in capsys.readouterr().err


@pytest.mark.skipif(
    not (seed_module.CUSTOMERS_FILE.is_file() and seed_module.CATALOG_FILE.is_file()),
    reason="the repo's customers.yml or catalog.yml is not written yet",
)
def test_seed_from_the_repo_files(tmp_path: Path, policy) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'repo.db'}")
    started = time.perf_counter()
    summary = seed_module.seed_from_files(engine, today=TODAY, policy=policy)
    assert time.perf_counter() - started < 5
    assert summary.orders >= 240 and all(n >= 25 for n in summary.by_status.values())
    assert summary.products >= 300
    again = make_engine(f"sqlite:///{tmp_path / 'repo2.db'}")
    seed_module.seed_from_files(again, today=TODAY, policy=policy)
    assert dump(engine) == dump(again)


def test_a_shop_seeded_before_reviews_existed_gets_them_without_a_reseed(tmp_path: Path, policy) -> None:
    from sqlalchemy import delete, func, update

    from assistant.shop.storage.models import Review

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    seed_module.seed_from_files(engine, today=TODAY, policy=policy)
    with session_factory(engine)() as session:
        ratings = dict(session.execute(select(Product.sku, Product.rating)).all())
        count = session.scalar(select(func.count()).select_from(Review))
    with session_factory(engine)() as session, session.begin():  # what an older version left behind
        session.execute(delete(Review))
        session.execute(update(Product).values(review_count=0))
    orders = dump(engine)
    again = seed_module.seed_from_files(engine, today=TODAY, policy=policy)
    assert again.skipped and dump(engine) == orders  # no order, customer or refund touched
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == count > 0
        assert dict(session.execute(select(Product.sku, Product.rating)).all()) == ratings
    assert seed_module.top_up_reviews(engine, []) == 0  # once there are reviews, nothing is added
