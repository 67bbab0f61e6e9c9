"""How amounts, dates, items and addresses read in replies, in the conversation's language
(``actions.localization.CURRENT_LANGUAGE``, set by ``ShopAction.run``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Iterable, Optional

from actions.localization import current_language, local_day, local_money, maybe_phrase, phrase
from actions.shop.views import OrderItemView

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "TWD": "NT$"}


def money(amount: Decimal | float | int, currency: str) -> str:
    value = f"{Decimal(str(amount)):,.2f}"
    local = local_money(value, currency)
    if local:
        return local
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def day(value: Optional[date | datetime]) -> str:
    """'Tue 24 Nov 2026' (or '2026年11月24日（周二）'...); an empty string when unknown."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return local_day(value)


def items_summary(items: Iterable[OrderItemView], limit: int = 3) -> str:
    items = list(items)
    parts = []
    for item in items[:limit]:
        details = phrase("product.line_separator").join(
            maybe_phrase(f"{kind}.{value}", value) for kind, value in (("color", item.color), ("size", item.size))
            if value)
        label = f"{item.quantity}× {item.name}" if item.quantity > 1 else item.name
        parts.append(f"{label} ({details})" if details and current_language() == "en"
                     else f"{label}（{details}）" if details else label)
    if len(items) > limit:
        parts.append(phrase("note.items_more", count=len(items) - limit))
    return phrase("note.items_separator").join(parts)
