"""How amounts, dates, items and addresses read in replies."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Optional

from actions.shop.views import OrderItemView

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "TWD": "NT$"}


def money(amount: Decimal | float | int, currency: str) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    value = f"{Decimal(str(amount)):,.2f}"
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def day(value: Optional[date | datetime]) -> str:
    """'Tue 24 Nov 2026'; an empty string when unknown."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%a %d %b %Y").replace(" 0", " ")


def items_summary(items: Iterable[OrderItemView], limit: int = 3) -> str:
    items = list(items)
    parts = []
    for item in items[:limit]:
        details = ", ".join(v for v in (item.color, item.size) if v)
        label = f"{item.quantity}× {item.name}" if item.quantity > 1 else item.name
        parts.append(f"{label} ({details})" if details else label)
    if len(items) > limit:
        parts.append(f"{len(items) - limit} more")
    return "; ".join(parts)
