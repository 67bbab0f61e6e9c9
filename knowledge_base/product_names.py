"""Product names a shopper types in full, in English or in katakana, found in a message.

Dependency-free (no index, no encoder): the action server uses it beside the catalogue search
(``knowledge_base.products``) and Rasa's ``KnowledgeRetriever`` on every message, so the router knows
a product was named even when the entity extractor missed it ("カスケードハイカーは防水ですか").
``kb`` is anything with ``documents`` (doc id -> {"kind": "product", "title": ...}).
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, Mapping

import yaml

from assistant.i18n.scripts import CJK_RUN_RE, HAN, has_kana


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").lower()).strip()


def find_product_in_text(kb: Any, text: str) -> tuple[str, Mapping[str, Any]] | None:
    """The catalogue product whose full name a message contains, word after word ("is the Granite Cargo Short II
    waterproof?", "カスケードハイカーは防水ですか"), allowing a typo in an English word but never another model
    number; the longest name wins ("Basalt Hiker Classic" over "Basalt Hiker")."""
    text = normalise(text)
    found = _english_names_in(kb, text) + (_katakana_names_in(kb, text) if has_kana(text) else [])
    if not found:
        return None
    doc_id = max(found)[1]
    return doc_id, kb.documents[doc_id]


def _english_names_in(kb: Any, text: str) -> list[tuple[int, str]]:
    """(name length, doc id) of each product whose English name of two words or more the normalise()d ``text``
    contains."""
    # Chinese and Japanese words around an English name are not part of it ("Cascade Hikerは防水?")
    words = re.findall(r"[\w-]+", CJK_RUN_RE.sub(" ", text))
    if not words:
        return []
    by_first_word, vocabulary = _english_names(_product_titles(kb))
    # each typed word's possible name words, once per word (a typo check per name word, not per product)
    could_be = [_close_words(word, vocabulary) for word in words]
    found = []
    for start, first in enumerate(could_be):
        for name_word in first:
            for doc_id, length, title in by_first_word.get(name_word, ()):
                end = start + len(title)
                if end <= len(words) and all(part in could_be[start + i] for i, part in enumerate(title[1:], 1)):
                    found.append((length, doc_id))
    return found


def _product_titles(kb: Any) -> tuple[tuple[str, str], ...]:
    return tuple((doc_id, str(doc.get("title", ""))) for doc_id, doc in kb.documents.items()
                 if doc.get("kind") == "product")


@functools.lru_cache(maxsize=4)
def _english_names(titles: tuple[tuple[str, str], ...]) -> tuple[dict[str, list[tuple[str, int, tuple[str, ...]]]],
                                                                 frozenset[str]]:
    """(doc id, name length, name words) per product of two words or more, by the name's first word; and every
    name word."""
    by_first_word: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
    for doc_id, title in titles:
        words = tuple(re.findall(r"[\w-]+", normalise(title)))
        if len(words) >= 2:
            by_first_word.setdefault(words[0], []).append((doc_id, len(" ".join(words)), words))
    vocabulary = frozenset(word for names in by_first_word.values() for _, _, words in names for word in words)
    return by_first_word, vocabulary


@functools.lru_cache(maxsize=8192)
def _close_words(typed: str, vocabulary: frozenset[str]) -> frozenset[str]:
    return frozenset(word for word in vocabulary if _same_word(typed, word))


def _same_word(typed: str, name_word: str) -> bool:
    return typed == name_word or (not name_word.isdigit() and len(name_word) > 3
                                  and bool(difflib.get_close_matches(typed, [name_word], 1, 0.8)))


# ---- product names in katakana -----------------------------------------------------------------------

READINGS_FILE = Path(__file__).resolve().parent / "content" / "products" / "name_readings.ja.yml"
# what may stand between the words of a katakana name: nothing, a space or a middle dot
_BETWEEN_WORDS = "[ ・·]?"
# a model number right after a name makes it another model: "カスケードハイカー2", "... ii", "... ・3"; a digit
# before more digits, a letter or a counter is a size or an amount ("42", "2xl", "3足")
_ANOTHER_MODEL = rf"(?![ ・·]?(?:[0-9](?![0-9a-z.,{HAN}])|(?:ii|iii|iv|vi|vii|viii|ix)(?![0-9a-z])))"
_LATIN = re.compile(r"[0-9a-z]")


@functools.lru_cache(maxsize=1)
def name_readings() -> dict[str, tuple[str, ...]]:
    """Each catalogue name word's katakana readings, as normalise()d message text spells them (``II`` as ``ii``)."""
    data = yaml.safe_load(READINGS_FILE.read_text(encoding="utf-8")) or {}
    return {str(word): tuple(normalise(str(r)) for r in (readings if isinstance(readings, list) else [readings]))
            for word, readings in data.items()}


def katakana_pattern(title: str) -> re.Pattern[str] | None:
    """The katakana forms of a product name, or None when a word of it has no reading: "Cascade Hiker" matches
    カスケードハイカー, カスケード・ハイカー, カスケード ハイカー and カスケードハイカ."""
    readings = name_readings()
    words = title.split()
    if any(word not in readings for word in words):
        return None
    alternatives = ["(?:" + "|".join(map(_reading_pattern, sorted(readings[word], key=len, reverse=True))) + ")"
                    for word in words]
    return re.compile(_BETWEEN_WORDS.join(alternatives) + _ANOTHER_MODEL)


def _reading_pattern(reading: str) -> str:
    """A word's reading with its final ー optional (and never left half-read: ハイカ before ー is ハイカー), and an
    English part kept whole ("ii" is not the start of "iii")."""
    pattern = re.escape(reading[:-1]) + "ー*(?!ー)" if len(reading) > 1 and reading.endswith("ー") else re.escape(reading)
    if _LATIN.match(reading):
        pattern = "(?<![0-9a-z])" + pattern
    if _LATIN.match(reading[-1]):
        pattern += "(?![0-9a-z])"
    return pattern


@functools.lru_cache(maxsize=4)
def _katakana_names(titles: tuple[tuple[str, str], ...]) -> tuple[tuple[str, int, tuple[str, ...], re.Pattern[str]], ...]:
    """(doc id, name length, the first word's readings without a final ー, pattern) per product of two words or
    more (one-word names are too general, as in English); built once per catalogue."""
    readings = name_readings()
    names = []
    for doc_id, title in titles:
        words = title.split()
        pattern = katakana_pattern(title) if len(words) >= 2 else None
        if pattern is not None:
            starts = tuple(reading.rstrip("ー") for reading in readings[words[0]])
            names.append((doc_id, len(normalise(title)), starts, pattern))
    return tuple(names)


def _katakana_names_in(kb: Any, text: str) -> list[tuple[int, str]]:
    """(name length, doc id) of each product whose katakana name the normalise()d ``text`` contains."""
    return [(length, doc_id) for doc_id, length, starts, pattern in _katakana_names(_product_titles(kb))
            if any(start in text for start in starts) and pattern.search(text)]
