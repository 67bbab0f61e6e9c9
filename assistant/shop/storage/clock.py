"""Time helpers: every stored instant is UTC, every service accepts an explicit ``now``."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def utcnow() -> datetime:
    """The current instant as a timezone-aware UTC datetime."""
    return datetime.now(timezone.utc)


def to_utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime; naive values are taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def resolve_now(now: datetime | None) -> datetime:
    """``now`` as aware UTC, or the current instant when it is None."""
    return to_utc(now) if now is not None else utcnow()  # type: ignore[return-value]


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days (Monday to Friday) after ``start``."""
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
