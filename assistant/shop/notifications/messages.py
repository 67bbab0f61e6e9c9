"""The words of a notification: its text in the shopper's language, from ``messages.yml``."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

import yaml

from assistant.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES
from assistant.i18n.phrases import local_day, local_money

MESSAGES_FILE = Path(__file__).resolve().parent / "messages.yml"
STOP_PAYLOAD = "/stop_updates"


@functools.lru_cache(maxsize=1)
def messages() -> dict[str, Any]:
    with open(MESSAGES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _pick(node: Mapping[str, str], language: str) -> str:
    return str(node.get(language) or node[DEFAULT_LANGUAGE])


def _day(value: Any, language: str) -> str:
    if not value:
        return "-"
    try:
        return local_day(date.fromisoformat(str(value)), language)
    except ValueError:
        return str(value)


def _amount(payload: Mapping[str, Any], language: str) -> str:
    amount, currency = str(payload.get("amount") or ""), str(payload.get("currency") or "")
    if not amount:
        return ""
    return local_money(amount, currency, language) or f"{amount} {currency}".strip()


@dataclass(frozen=True)
class Notification:
    subject: str
    text: str
    hint: str
    button_title: str
    language: str

    def chat_text(self) -> str:
        return f"{self.text}\n\n{self.hint}"


def render(kind: str, payload: Mapping[str, Any], language: str) -> Notification:
    """The notification for an event of ``kind`` with ``payload``, in ``language`` (English if unknown)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    table = messages()
    if kind not in table:
        raise KeyError(f"no notification text for {kind!r} in {MESSAGES_FILE.name}")
    values = {
        "order_id": payload.get("order_id") or "",
        "carrier": payload.get("carrier") or "",
        "tracking_number": payload.get("tracking_number") or "",
        "tracking_url": payload.get("tracking_url") or "",
        "eta": _day(payload.get("estimated_delivery"), language),
        "return_by": _day(payload.get("return_by"), language),
        "amount": _amount(payload, language),
    }
    return Notification(
        subject=_pick(table[kind]["subject"], language).format(**values),
        text=_pick(table[kind]["text"], language).format(**values),
        hint=_pick(table["stop_hint"], language),
        button_title=_pick(table["stop_button"], language),
        language=language,
    )


def email_footer(language: str, shop_name: str) -> str:
    return _pick(messages()["email_footer"], language).format(shop_name=shop_name)
