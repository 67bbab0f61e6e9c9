"""What a review or a shopper's question is about: fit and size, warmth, waterproofing, comfort, quality,
colour. The one list of those topics and of their words in the four languages.

Words of every language are tried on every text (a Japanese shopper may type "size", a review may mix
scripts). English words match at the start of a word ("warm" finds "warmth", not "swarm"); Chinese and
Japanese words match anywhere, as those scripts have no spaces.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Mapping

TOPICS: tuple[str, ...] = ("fit", "warmth", "waterproof", "comfort", "quality", "colour")

KEYWORDS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "fit": {
        "en": ("fit", "fits", "size", "sizing", "sizes", "run small", "runs small", "run large", "runs large",
               "run big", "runs big", "small", "large", "tight", "loose", "snug", "roomy", "true to size",
               "size up", "size down", "narrow", "wide"),
        "zh-Hans": ("偏小", "偏大", "尺码", "码数", "鞋码", "大小", "合身", "合脚", "紧", "松", "宽松", "修身"),
        "zh-Hant": ("偏小", "偏大", "尺碼", "尺寸", "大一號", "小一號", "半號", "大小", "合身", "合腳", "緊", "鬆", "寬鬆", "修身"),
        "ja": ("サイズ", "小さめ", "大きめ", "きつ", "ゆる", "ぴったり", "タイト", "ゆったり", "細身", "丈が", "着丈", "丈感"),
    },
    "warmth": {
        "en": ("warm", "cold", "winter", "insulat", "chilly", "freez", "below zero", "minus"),
        "zh-Hans": ("保暖", "暖和", "暖", "冷", "冬天", "零下"),
        "zh-Hant": ("保暖", "暖和", "暖", "冷", "冬天", "零下"),
        "ja": ("暖か", "あたたか", "温か", "寒", "保温", "冬", "マイナス"),
    },
    "waterproof": {
        "en": ("waterproof", "water-proof", "water resistant", "rain", "wet", "leak", "puddle", "soak",
               "stay dry", "stays dry", "stayed dry"),
        "zh-Hans": ("防水", "下雨", "雨", "漏水", "渗水", "湿", "水坑"),
        "zh-Hant": ("防水", "下雨", "雨", "漏水", "滲水", "濕", "水窪"),
        "ja": ("防水", "雨", "濡れ", "撥水", "水たまり", "浸水", "染み"),
    },
    "comfort": {
        "en": ("comfort", "uncomfortable", "blister", "cushion", "soft", "itch", "scratchy", "break in", "breathab", "sweaty",
               "padded", "straps dig"),
        "zh-Hans": ("舒适", "舒服", "磨脚", "柔软", "透气", "闷汗", "扎人", "刺痒", "缓震", "勒肩", "睡得"),
        "zh-Hant": ("舒適", "舒服", "磨腳", "柔軟", "透氣", "悶汗", "刺癢", "緩震", "勒肩", "睡得"),
        "ja": ("履き心地", "着心地", "背負い心地", "快適", "柔らか", "靴擦れ", "蒸れ", "チクチク", "クッション", "食い込", "眠れ"),
    },
    "quality": {
        "en": ("quality", "durab", "well made", "sturdy", "stitch", "seam", "fall apart", "fell apart",
               "came apart", "wear out", "wore out", "broke", "last long", "lasted", "worth"),
        "zh-Hans": ("质量", "品质", "耐用", "结实", "做工", "开线", "坏了", "耐穿"),
        "zh-Hant": ("品質", "質量", "耐用", "結實", "做工", "脫線", "壞了", "耐穿"),
        "ja": ("品質", "耐久", "丈夫", "縫製", "長持ち", "壊れ", "作りが", "頑丈", "ほつれ"),
    },
    "colour": {
        "en": ("colour", "color", "shade", "fade", "faded", "fading"),
        "zh-Hans": ("颜色", "色差", "褪色", "掉色", "配色"),
        "zh-Hant": ("顏色", "色差", "褪色", "掉色", "配色"),
        "ja": ("色味", "カラー", "色落ち", "色が", "色は", "色も", "色合い"),
    },
}


def _fold(text: str) -> str:
    """Lower case, full-width letters folded ("ＳＩＺＥ" -> "size")."""
    return unicodedata.normalize("NFKC", text or "").lower()


@functools.lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    patterns = {}
    for topic, by_language in KEYWORDS.items():
        alternatives = []
        for language, words in by_language.items():
            for word in words:
                folded = re.escape(_fold(word))
                alternatives.append(rf"\b{folded}" if language == "en" else folded)
        patterns[topic] = re.compile("|".join(sorted(alternatives, key=len, reverse=True)))
    return patterns


def topics_in(text: str) -> tuple[str, ...]:
    """The topics ``text`` mentions, in the order of :data:`TOPICS`."""
    folded = _fold(text)
    if not folded.strip():
        return ()
    return tuple(topic for topic, pattern in _patterns().items() if pattern.search(folded))


# "do they run small?", "true to size?", "偏小吗", "サイズ感は？": how a size runs, not whether one is in stock
_HOW_SIZE_RUNS = re.compile(
    r"\b(?:runs?|running|come|comes|fits?)\s+(?:a\s+(?:bit|little)\s+)?(?:small|large|big|tight|narrow|wide)\b"
    r"|\btrue\s+to\s+size\b|\bsize\s+(?:up|down)\b|\bsizing\b"
    r"|偏小|偏大|尺码准|尺碼準|尺码标准|尺寸標準|小さめ|大きめ|サイズ感", re.I)


def asks_how_size_runs(text: str) -> bool:
    """Whether ``text`` asks how a product's size runs (a question reviews answer)."""
    return bool(_HOW_SIZE_RUNS.search(_fold(text)))
