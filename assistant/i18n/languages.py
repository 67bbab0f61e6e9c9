"""The shop's languages: one table, read by language detection, replies, the knowledge base, the
console and (checked by a test) the chat widget.

Each language lives in its own module under ``assistant/i18n/lang/`` (in the spirit of spaCy's
``spacy/lang/<code>/``) and is registered in ``assistant/i18n/lang/__init__.py``. README's
"Adding a language" is the checklist; ``tests/unit/i18n/test_language_checklist.py`` enforces it.
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from assistant.i18n.lang.base import Language

__all__ = ["CHINESE", "DEFAULT_LANGUAGE", "LANGUAGES", "REGISTRY", "Language", "get", "from_tag"]


def _registry() -> dict[str, Language]:
    from assistant.i18n.lang import REGISTERED

    return {language.code: language for language in REGISTERED}


REGISTRY: Mapping[str, Language] = MappingProxyType(_registry())
LANGUAGES: tuple[str, ...] = tuple(REGISTRY)
DEFAULT_LANGUAGE = "en"
CHINESE = tuple(code for code in LANGUAGES if code.startswith("zh-"))


def get(code: str) -> Language:
    """The language ``code``; KeyError names the registered ones."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"no language {code!r}; registered: {', '.join(LANGUAGES)}") from None


def from_tag(tag: str) -> Language | None:
    """The language a browser tag means ("zh-TW" -> zh-Hant, "ja-JP" -> ja), or None."""
    lowered = tag.strip().lower().replace("_", "-")
    for language in REGISTRY.values():
        if lowered == language.code.lower() or lowered in (t.lower() for t in language.browser_tags):
            return language
    prefixed = [(len(p), language) for language in REGISTRY.values() for p in language.browser_prefixes
                if lowered.startswith(p.lower())]
    return max(prefixed, key=lambda pair: pair[0])[1] if prefixed else None
