from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.shop.storage.clock import add_business_days
from assistant.shop.storage.db import init_db, make_engine, normalize_database_url, session_factory
from assistant.shop.storage.models import Customer, Product


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://shop:secret@db:5432/shop", "postgresql+psycopg2"),
        ("postgres://shop:secret@db/shop", "postgresql+psycopg2"),
        ("postgresql+psycopg2://shop@db/shop", "postgresql+psycopg2"),
        ("sqlite:///var/shop.db", "sqlite"),
    ],
)
def test_database_url_driver(url: str, driver: str) -> None:
    assert normalize_database_url(url).drivername == driver


def test_invalid_database_url_is_explained() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        normalize_database_url("not a url")


def test_sqlite_engine_creates_folder_and_sets_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'shop.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert (tmp_path / "deep" / "er").is_dir()
    engine.dispose()


def test_in_memory_sqlite_keeps_one_database() -> None:
    engine = make_engine("sqlite://")
    init_db(engine)
    with session_factory(engine)() as session, session.begin():
        session.add(Customer(id=1, name="A", email=" Mixed.Case@Example.COM "))
    with session_factory(engine)() as session:
        assert session.get(Customer, 1).email == "mixed.case@example.com"


def test_money_and_utc_round_trip(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'types.db'}")
    init_db(engine)
    berlin = timezone(timedelta(hours=1))
    with session_factory(engine)() as session, session.begin():
        session.add(Product(sku="X", name="X", price=Decimal("19.99")))
        created = datetime(2025, 3, 1, 13, 0, tzinfo=berlin)
        session.add(Customer(id=1, name="A", email="a@example.com", created_at=created))
    with session_factory(engine)() as session:
        product = session.get(Product, "X")
        assert product.price == Decimal("19.99") and isinstance(product.price, Decimal)
        assert str(product.price * 3) == "59.97"
        created = session.get(Customer, 1).created_at
        assert created == datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc) and created.tzinfo is not None
    engine.dispose()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    from assistant.shop.storage.models import Refund

    engine = make_engine(f"sqlite:///{tmp_path / 'fk.db'}")
    init_db(engine)
    with pytest.raises(IntegrityError):
        with session_factory(engine)() as session, session.begin():
            session.add(Refund(id="RF-000001", order_id="SO000000", amount=Decimal("1"), currency="USD"))
    engine.dispose()


def test_add_business_days_skips_weekends() -> None:
    friday = datetime(2025, 3, 14).date()
    assert add_business_days(friday, 1) == datetime(2025, 3, 17).date()
    assert add_business_days(friday, 5) == datetime(2025, 3, 21).date()
    assert add_business_days(friday, 0) == friday
