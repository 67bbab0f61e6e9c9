"""What the shop knows about one language (each ``lang/<code>.py`` fills one in)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Language:
    code: str                     # BCP 47 tag: "en", "zh-Hans", "zh-Hant", "ja"
    english_name: str             # what the console shows ("Chinese (Traditional)")
    native_name: str              # what the widget's menu shows ("繁體中文")
    short_label: str              # the widget header's badge ("繁")
    # what shoppers call the language when they ask to switch to it (lower case)
    names: tuple[str, ...]
    # browser tags that mean this language besides its own code ("zh-TW"), and tag prefixes ("ja")
    browser_tags: tuple[str, ...] = ()
    browser_prefixes: tuple[str, ...] = ()
    # dates: None writes "Tue 24 Nov 2026"; else one character per weekday, Monday first ("2026年11月24日（火）")
    weekdays: Optional[str] = None
    weekday_prefix: str = ""
    # amounts: the currency words after the number (None: a symbol before it, "$12.50")
    currency_words: Optional[Mapping[str, str]] = None
    currency_space: bool = False
    # routing (assistant/rasa_plugins/routing.py), regular expressions matched case-insensitively:
    # a question about how something works in general ("how do I...", "can I...", "what is...")
    asks_how: str = ""
    # the shopper's own order, parcel or refund ("my order", "I bought")
    own_order: str = ""
    # a request to act, or to look at the state of something of the shopper's ("can you...", "please...",
    # "where is my..."): it wins over asks_how
    asks_to_act: str = ""
    # which size to choose ("between M and L", "chest 98 cm", "does it run small"): the size guides answer
    asks_size: str = ""
    # a request for products of a kind ("do you have...", "I'd like to buy...", "show me..."): a search,
    # unless it asks for advice
    wants_product: str = ""
    # advice on care, fit or use ("how do I wash...", "which size...", "why..."): the guides answer
    asks_advice: str = ""
    # when something is possible (days, hours, holidays: "on Sunday", "at 11pm", "土日でも", "周末"): a person asked
    # for *when* gets the opening hours, with a person offered
    asks_when: str = ""
