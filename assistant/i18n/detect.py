"""Which of the shop's languages a message is written in: en, zh-Hans, zh-Hant or ja.

Script decides: any kana means Japanese; Han characters without kana mean Chinese, and OpenCC's
conversion tables decide between simplified and traditional (a character that changes when converted
to traditional is simplified, and the other way round). Text with no letters at all (an order number,
an email, "👍") has no language: the conversation keeps the one it had.

``conversation_language`` decides the conversation's language after each message; Rasa runs it
while it extracts slots (``assistant/rasa_plugins/server.py``), so it costs no action-server call.

Plain Python, no Rasa import: the NLU pipeline, the action server and the tests use it.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Mapping, Optional, Tuple

from assistant.i18n.languages import CHINESE, DEFAULT_LANGUAGE, LANGUAGES, REGISTRY, from_tag
from assistant.i18n.scripts import HAN_RE, KANA_RE

__all__ = ["CHINESE", "DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_NAMES", "conversation_language", "detect_language",
           "normalise_language"]

_KANA, _HAN = KANA_RE, HAN_RE
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# emails, links, and codes of digits with a short letter prefix (order numbers "SO 482913", tracking
# numbers, postal codes): they are written the same in every language
_NOT_LANGUAGE = re.compile(r"\S+@\S+|https?://\S+|#?(?<![A-Za-zＡ-Ｚａ-ｚ])(?:[A-Za-zＡ-Ｚａ-ｚ]{1,4}[- ]?)?[0-9０-９]{3,}[\w-]*")

# What shoppers call each language when they ask to switch (lower case).
LANGUAGE_NAMES = {code: list(language.names) for code, language in REGISTRY.items()}


@functools.lru_cache(maxsize=1)
def _converters():
    from opencc import OpenCC

    return OpenCC("s2t"), OpenCC("t2s")


def script_counts(text: str) -> tuple[int, int]:
    """How many of ``text``'s Han characters exist only in simplified, and only in traditional, form."""
    s2t, t2s = _converters()
    han = "".join(_HAN.findall(text))
    simplified_only = sum(1 for a, b in zip(han, s2t.convert(han)) if a != b)
    traditional_only = sum(1 for a, b in zip(han, t2s.convert(han)) if a != b)
    return simplified_only, traditional_only


def chinese_script(text: str) -> str:
    """zh-Hans or zh-Hant for Chinese ``text`` (ties, e.g. text of shared characters only, are zh-Hans)."""
    simplified_only, traditional_only = script_counts(text)
    return "zh-Hant" if traditional_only > simplified_only else "zh-Hans"


def script_neutral(text: str) -> bool:
    """True for Chinese text whose characters read the same in both scripts ("我要找真人客服")."""
    return script_counts(text) == (0, 0)


def detect_language(text: str) -> Optional[str]:
    """The language of ``text``, or None when it has no words to tell by."""
    text = _NOT_LANGUAGE.sub(" ", text or "")
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return chinese_script(text)
    if _LATIN_WORD.search(text):
        return "en"
    return None


def normalise_language(value: Optional[str]) -> Optional[str]:
    """A language code or name from a widget, a browser ("zh-TW", "ja-JP") or a shopper ("日本語")."""
    if not value:
        return None
    raw = str(value).strip()
    lowered = raw.lower().replace("_", "-")
    language = from_tag(lowered)
    if language is not None:
        return language.code
    for code, names in LANGUAGE_NAMES.items():
        if lowered in names:
            return code
    return None


# --- the conversation's language after a message ------------------------------------------------------

SET_LANGUAGE_INTENT = "set_language"
# Short Latin replies ("ok", "yes", "SO123456 thanks") inside a Chinese or Japanese conversation
# do not switch it to English.
MIN_ENGLISH_WORDS = 3
_WORD = re.compile(r"[A-Za-z]+")
# Rasa's text for an intent triggered from outside (the console's "resolved"): "EXTERNAL: handoff_resolved"
EXTERNAL_PREFIX = "EXTERNAL: "


def _metadata(message: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = message.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def explicit_choice(message: Mapping[str, Any]) -> Optional[str]:
    """A language the shopper chose in ``message`` (a parsed user message), if any: the widget's menu or
    a shop page's configured language (``metadata.language``), a language entity, or a request
    ("日本語でお願いします", intent ``set_language``)."""
    metadata = _metadata(message)
    if metadata.get("language"):
        return normalise_language(metadata["language"])
    for entity in message.get("entities") or []:
        if isinstance(entity, Mapping) and entity.get("entity") == "language":
            return normalise_language(entity.get("value"))
    intent = message.get("intent")
    if isinstance(intent, Mapping) and intent.get("name") == SET_LANGUAGE_INTENT:
        text = str(message.get("text") or "").lower()
        for code, names in LANGUAGE_NAMES.items():
            if any(name in text for name in names):
                return code
    return None


def browser_language(message: Mapping[str, Any]) -> Optional[str]:
    """The browser's language, which the widget sends as a hint (``metadata.browser_language``), never a choice."""
    return normalise_language(_metadata(message).get("browser_language"))


def detected(text: str, current: Optional[str]) -> Optional[str]:
    """The language ``text`` is written in, given the conversation's ``current`` one (None: no signal)."""
    language = detect_language(text)
    if language == "en" and current not in (None, "en") and len(_WORD.findall(text)) < MIN_ENGLISH_WORDS:
        return current
    if language in CHINESE and current in CHINESE and script_neutral(text):
        return current  # characters shared by both scripts do not switch simplified and traditional
    return language


def conversation_language(message: Mapping[str, Any], language: Optional[str],
                          choice: Optional[str]) -> Tuple[str, Optional[str]]:
    """``(language, language_choice)`` after the user ``message``, from the conversation's current ones.

    A choice wins and persists until another choice replaces it. Otherwise the language follows what
    the shopper writes; a message with no language signal keeps the current language, and the
    browser's language only fills in a conversation that has none yet.
    """
    choice = explicit_choice(message) or choice
    text = str(message.get("text") or "")
    if text.startswith("/") or text.startswith(EXTERNAL_PREFIX) or _metadata(message).get("is_external"):
        text = ""  # a button's payload or an event the system triggered: nothing the shopper wrote
    new = choice or detected(text, language) or language or browser_language(message) or DEFAULT_LANGUAGE
    return new, choice
