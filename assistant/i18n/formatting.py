"""How amounts and dates read in replies: in ``language`` when given, else in the conversation's
language (``assistant.i18n.phrases.CURRENT_LANGUAGE``, set by ``ShopAction.run``)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from assistant.i18n.phrases import local_day, local_money

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "TWD": "NT$"}


def money(amount: Decimal | float | int, currency: str, language: Optional[str] = None) -> str:
    value = f"{Decimal(str(amount)):,.2f}"
    local = local_money(value, currency, language)
    if local:
        return local
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f"{symbol}{value}" if symbol else f"{value} {currency.upper()}"


def day(value: Optional[date | datetime], language: Optional[str] = None) -> str:
    """'Tue 24 Nov 2026' (or '2026年11月24日（周二）'...); an empty string when unknown."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return local_day(value, language)
