"""Column types that behave the same on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def to_money(value: Any) -> Decimal:
    """``value`` as a Decimal rounded to cents (floats go through ``str`` to avoid binary noise)."""
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        amount = Decimal(str(value))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (``timestamp without time zone``), returns aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Money(TypeDecorator[Decimal]):
    """``NUMERIC(10, 2)`` that always hands back a cent-exact Decimal.

    SQLite has no decimal type, so there the value travels as a float and is
    rounded back to cents on the way out (exact for amounts below 10^13).
    """

    impl = Numeric(10, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(10, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(10, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        return float(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return to_money(value)
