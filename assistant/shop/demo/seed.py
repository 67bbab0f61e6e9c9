"""Seed the demo shop database: customers and products from the repo, orders generated around today.

    python -m assistant.runtime.demo seed [--database-url URL] [--force] [--seed 42] [--today YYYY-MM-DD]

Idempotent: a database that already has orders is left alone unless ``--force``
is given, which drops and recreates the shop tables (and only those).
"""
from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, delete, func, insert, inspect, select, text, update

from assistant.shop.commerce.policy import Policy, load_policy
from assistant.shop.demo.order_generator import STATUS_COUNTS, generate_orders
from assistant.shop.demo.review_generator import apply_reviews
from assistant.shop.demo.survey_seed import HISTORY_WEEKS, seed_demo_surveys
from assistant.shop.demo.ticket_seed import seed_demo_tickets
from assistant.shop.storage.column_types import to_money
from assistant.shop.storage.db import drop_db, init_db, make_engine, session_factory
from assistant.shop.storage.models import AddressChange, Customer, Order, OrderItem, Product, Refund, Review

logger = logging.getLogger(__name__)

CUSTOMERS_FILE = Path(__file__).resolve().parent / "seed_data" / "customers.yml"
# the knowledge base's catalogue is the one source of products
CATALOG_FILE = Path(__file__).resolve().parents[3] / "knowledge_base" / "content" / "products" / "catalog.yml"
DEFAULT_SEED = 42
_PRODUCT_COLUMNS = {column.key for column in inspect(Product).columns}
_CUSTOMER_COLUMNS = {column.key for column in inspect(Customer).columns}
_ADDRESS_KEYS = ("street", "city", "postal_code", "country")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the catalogue ~10x faster


@dataclass(frozen=True)
class SeedSummary:
    skipped: bool
    customers: int = 0
    products: int = 0
    orders: int = 0
    refunds: int = 0
    by_status: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        if self.skipped:
            return f"shop database already seeded ({self.orders} orders); use --force to reseed"
        statuses = ", ".join(f"{status} {n}" for status, n in self.by_status.items())
        return (
            f"seeded shop database: {self.customers} customers, {self.products} products, "
            f"{self.orders} orders ({statuses}), {self.refunds} refunds in {self.seconds:.2f} s"
        )


def _records(path: Path, key: str) -> list[dict[str, Any]]:
    """The list of records in a YAML file: either a top-level list or a list under ``key``."""
    if not path.is_file():
        raise FileNotFoundError(f"{key} file not found: {path}")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from exc
    if isinstance(data, Mapping):
        data = data.get(key)
    if not isinstance(data, list) or not all(isinstance(r, Mapping) for r in data):
        raise ValueError(f"{path}: expected a list of {key} (top level or under '{key}:')")
    return [dict(r) for r in data]


def normalize_customers(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Customer rows with ids (1..N unless given), lower-case emails, address fields flattened."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        flat = dict(record)
        address = flat.pop("address", None)
        if isinstance(address, Mapping):
            for key in _ADDRESS_KEYS:
                flat.setdefault(key, address.get(key))
        email = str(flat.get("email") or "").strip().lower()
        if not email or not flat.get("name"):
            raise ValueError(f"customer #{number} needs a name and an email: {record!r}")
        if email in seen:
            raise ValueError(f"customer email {email} appears twice in the customers file")
        seen.add(email)
        row = {key: value for key, value in flat.items() if key in _CUSTOMER_COLUMNS}
        row["email"] = email
        row.setdefault("id", number)
        if row.get("country"):
            row["country"] = str(row["country"]).upper()
        if row.get("postal_code") is not None:
            row["postal_code"] = str(row["postal_code"])
        if row.get("phone") is not None:
            row["phone"] = str(row["phone"])
        row.pop("created_at", None)
        rows.append(row)
    return rows


def normalize_products(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Product rows: keys the model does not have are dropped, types coerced."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        if not record.get("sku") or not record.get("name") or record.get("price") is None:
            raise ValueError(f"product #{number} needs sku, name and price: {str(dict(record))[:200]}")
        row = {key: value for key, value in record.items() if key in _PRODUCT_COLUMNS}
        row["sku"] = str(row["sku"])
        if row["sku"] in seen:
            raise ValueError(f"product sku {row['sku']} appears twice in the catalogue")
        seen.add(row["sku"])
        row["price"] = to_money(row["price"])
        row["colors"] = [str(c) for c in (row.get("colors") or [])]
        row["sizes"] = [str(s) for s in (row.get("sizes") or [])]
        stock = row.get("stock")
        row["stock"] = {str(k): int(v) for k, v in stock.items()} if isinstance(stock, Mapping) else (
            {"all": int(stock)} if isinstance(stock, int) else {}
        )
        if "review_count" not in row:
            reviews = record.get("reviews", record.get("reviews_count"))
            row["review_count"] = len(reviews) if isinstance(reviews, list) else int(reviews or 0)
        row["final_sale"] = bool(row.get("final_sale", False))
        if row.get("rating") is not None:
            row["rating"] = float(row["rating"])
        rows.append(row)
    return rows


def _ensure_final_sale(products: list[dict[str, Any]], rng: random.Random) -> None:
    """The demo needs final-sale items; if the catalogue marks none, mark about one in twelve."""
    if any(p["final_sale"] for p in products) or len(products) < 2:
        return
    for product in rng.sample(products, max(1, len(products) // 12)):
        product["final_sale"] = True
    logger.warning("catalogue marks no product as final sale; marked %d for the demo",
                   sum(p["final_sale"] for p in products))


def order_count(engine: Engine) -> int:
    init_db(engine)
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def _clear_seeded_rows(engine: Engine) -> None:
    """Remove leftovers of an interrupted seed (no orders, maybe customers); tickets are kept."""
    with session_factory(engine)() as session, session.begin():
        for model in (Refund, AddressChange, OrderItem, Order, Review, Product, Customer):
            session.execute(delete(model))


def seed_database(
    engine: Engine,
    *,
    customers: Sequence[Mapping[str, Any]],
    products: Sequence[Mapping[str, Any]],
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    force: bool = False,
    policy: Policy | None = None,
    counts: Mapping[str, int] | None = None,
) -> SeedSummary:
    """Create the tables and fill them, unless orders exist already and ``force`` is False."""
    started = time.perf_counter()
    existing = order_count(engine)
    if existing and not force:
        return SeedSummary(skipped=True, orders=existing)
    policy = policy or load_policy()
    today = today or datetime.now(timezone.utc).date()
    rng = random.Random(seed)
    customer_rows = normalize_customers(customers)  # validate before touching the database
    product_rows = normalize_products(products)
    if force:
        drop_db(engine)
        init_db(engine)
    else:
        _clear_seeded_rows(engine)
    _ensure_final_sale(product_rows, rng)
    # reviews come from their own random stream, so adding them changed no seeded order
    review_rows = apply_reviews(product_rows, products, seed=seed, today=today)
    anchor = datetime.combine(today, datetime.min.time(), tzinfo=timezone.utc)
    for row in customer_rows:
        row["created_at"] = anchor - timedelta(days=rng.randint(120, 900), minutes=rng.randint(0, 1439))
    generated = generate_orders(customer_rows, product_rows, rng=rng, today=today, policy=policy,
                                counts=counts or STATUS_COUNTS)

    with session_factory(engine)() as session, session.begin():
        session.execute(insert(Customer), customer_rows)
        session.execute(insert(Product), product_rows)
        if review_rows:
            session.execute(insert(Review), review_rows)
        session.execute(insert(Order), generated.orders)
        session.execute(insert(OrderItem), generated.items)
        if generated.refunds:
            session.execute(insert(Refund), generated.refunds)
        if engine.dialect.name == "postgresql":  # explicit ids do not advance the serial sequence
            session.execute(text(
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))"
            ))
    by_status = Counter(order["status"] for order in generated.orders)
    return SeedSummary(
        skipped=False,
        customers=len(customer_rows),
        products=len(product_rows),
        orders=len(generated.orders),
        refunds=len(generated.refunds),
        by_status={status: by_status.get(status, 0) for status in STATUS_COUNTS},
        seconds=time.perf_counter() - started,
    )


def seed_from_files(
    engine: Engine,
    *,
    customers_file: Path = CUSTOMERS_FILE,
    catalog_file: Path = CATALOG_FILE,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    force: bool = False,
    policy: Policy | None = None,
) -> SeedSummary:
    started = time.perf_counter()
    existing = order_count(engine)
    if existing and not force:
        top_up_reviews(engine, _records(catalog_file, "products"), seed=seed, today=today)
        return SeedSummary(skipped=True, orders=existing)
    summary = seed_database(
        engine,
        customers=_records(customers_file, "customers"),
        products=_records(catalog_file, "products"),
        seed=seed, today=today, force=force, policy=policy,
    )
    return replace(summary, seconds=time.perf_counter() - started)


def top_up_reviews(engine: Engine, products: Sequence[Mapping[str, Any]], *, seed: int = DEFAULT_SEED,
                   today: date | None = None) -> int:
    """A shop seeded before reviews existed gets them (and the ratings they imply) without a reseed, so an
    upgraded ``make run`` shows the same product answers as a fresh one; returns the rows added."""
    with session_factory(engine)() as session:
        if session.scalar(select(func.count()).select_from(Review)):
            return 0
        present = set(session.scalars(select(Product.sku)).all())
    rows = [row for row in normalize_products(products) if row["sku"] in present]
    reviews = apply_reviews(rows, products, seed=seed, today=today or datetime.now(timezone.utc).date())
    with session_factory(engine)() as session, session.begin():
        if reviews:
            session.execute(insert(Review), reviews)
        for row in rows:
            session.execute(update(Product).where(Product.sku == row["sku"])
                            .values(rating=row.get("rating"), review_count=row.get("review_count") or 0))
    logger.info("added %d demo reviews to a shop seeded before reviews existed", len(reviews))
    return len(reviews)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.runtime.demo seed", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of the shop database")
    parser.add_argument("--force", action="store_true", help="drop the shop tables and seed again")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--today", type=_parse_day,
                        help="the day dates are relative to (default: today, UTC)")
    parser.add_argument("--customers-file", type=Path, default=CUSTOMERS_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--catalog-file", type=Path, default=CATALOG_FILE, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    engine = make_engine(args.database_url)
    try:
        summary = seed_from_files(
            engine, customers_file=args.customers_file, catalog_file=args.catalog_file,
            seed=args.seed, today=args.today, force=args.force,
        )
        # resolved support tickets of the last weeks, so the console's history and metrics show something
        # (over the weeks of the survey history, at the density of three weeks' 60, so the weekly trend's
        # containment has both sides)
        demo_tickets = 0 if summary.skipped else seed_demo_tickets(
            session_factory(engine), today=args.today, count=60 * HISTORY_WEEKS // 3, history_days=HISTORY_WEEKS * 7)
        # bot-only results and NPS/CES answers of the last weeks (assistant/shop/demo/survey_seed.py); a shop
        # seeded before surveys existed gets them too (nothing is added once either table has a row)
        seed_demo_surveys(session_factory(engine), today=args.today)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: cannot seed the shop database: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(summary.line() + (f", {demo_tickets} demo support tickets" if demo_tickets else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
