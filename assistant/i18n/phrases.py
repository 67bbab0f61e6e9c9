"""The shopper's language inside actions: phrases, dates and amounts in their locale.

Whole replies are domain responses with a variation per language (chosen by Rasa from the
``language`` slot). What actions fill into them (statuses, dates, amounts, notes) comes from here.
``ShopAction.run`` sets the conversation's language for the duration of the action, so the
formatting helpers follow it without every call passing it along.
"""
from __future__ import annotations

import contextlib
import functools
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import yaml

from assistant.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, REGISTRY

PHRASES_FILE = Path(__file__).resolve().parent / "phrases.yml"
CURRENT_LANGUAGE: ContextVar[str] = ContextVar("shop_language", default=DEFAULT_LANGUAGE)



@functools.lru_cache(maxsize=1)
def phrases() -> Dict[str, Any]:
    with open(PHRASES_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def language_of(tracker: Any) -> str:
    value = tracker.get_slot("language") if tracker is not None else None
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return CURRENT_LANGUAGE.get()


@contextlib.contextmanager
def speaking(language: Optional[str]) -> Iterator[str]:
    token = CURRENT_LANGUAGE.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield CURRENT_LANGUAGE.get()
    finally:
        CURRENT_LANGUAGE.reset(token)


def phrase(path: str, language: Optional[str] = None, **params: Any) -> str:
    """``phrase("status.shipped")`` in the current language, English when a translation is missing."""
    node: Any = phrases()
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            raise KeyError(f"no phrase {path!r} in {PHRASES_FILE.name}")
    language = language or current_language()
    text = node.get(language) or node[DEFAULT_LANGUAGE] if isinstance(node, dict) else str(node)
    return str(text).format(**params) if params else str(text)


def maybe_phrase(path: str, fallback: str, language: Optional[str] = None, **params: Any) -> str:
    try:
        return phrase(path, language, **params)
    except KeyError:
        return fallback


def local_day(value: date, language: Optional[str] = None) -> str:
    """'Tue 24 Nov 2026', '2026年11月24日（周二）', '2026年11月24日（週二）', '2026年11月24日（火）'."""
    info = REGISTRY.get(language or current_language())
    if info is None or info.weekdays is None:
        return value.strftime("%a %d %b %Y").replace(" 0", " ")
    weekday = info.weekday_prefix + info.weekdays[value.weekday()]
    return f"{value.year}年{value.month}月{value.day}日（{weekday}）"




def local_money(value: str, currency: str, language: Optional[str] = None) -> Optional[str]:
    """``value`` ("1,234.50") with the currency as shoppers in ``language`` write it, or None for English."""
    info = REGISTRY.get(language or current_language())
    if info is None or not info.currency_words:
        return None
    word = info.currency_words.get(currency.upper(), currency.upper())
    return f"{value} {word}" if info.currency_space else f"{value}{word}"


def language_name(code: str, language: Optional[str] = None) -> str:
    return maybe_phrase(f"language_name.{code}", code, language)

