"""The Unicode ranges that tell the shop's scripts apart: one source for the tokenizer, language
detection, the knowledge base's text splitting and the handoff rules' word counts.

Each constant is the inside of a regex character class, so they combine: ``f"[{KANA}{HAN}]"``.
"""
from __future__ import annotations

import re

# hiragana alone (the first block of KANA)
HIRAGANA = "\u3040-\u309f"
# hiragana and katakana, the katakana phonetic extensions, half-width katakana
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# CJK unified ideographs with extension A, and the compatibility ideographs
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Korean syllables (no shop language, but they count as words in a message)
HANGUL = "\uac00-\ud7af"
# Chinese and Japanese characters: text written without spaces between words
CJK = KANA + HAN

KANA_RE = re.compile(f"[{KANA}]")
HAN_RE = re.compile(f"[{HAN}]")
CJK_RE = re.compile(f"[{CJK}]")
CJK_RUN_RE = re.compile(f"[{CJK}]+")


def has_kana(text: str) -> bool:
    return KANA_RE.search(text) is not None


def has_han(text: str) -> bool:
    return HAN_RE.search(text) is not None
