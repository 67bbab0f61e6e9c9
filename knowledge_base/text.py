"""Language-aware tokens for BM25: stemmed words for Latin text, jieba words for Chinese, and
morphemes (fugashi + unidic-lite) for Japanese, falling back to character bigrams where the analyser
is not installed."""
from __future__ import annotations

import functools
import logging
import re
import unicodedata

from assistant.i18n.scripts import CJK, KANA_RE
from assistant.i18n.segmenters import chinese_words, japanese_words, to_simplified

logger = logging.getLogger(__name__)

_RUNS = re.compile(
    r"(?P<latin>[a-z0-9][a-z0-9'’-]*)"
    rf"|(?P<cjk>[{CJK}]+)"
)
_KANA = KANA_RE

# Function words that carry no topic; kept short on purpose (negations and question words stay).
ENGLISH_STOPWORDS = frozenset("""
a an the and or but if then of to in on at by for with from as is are was were be been being am do does did
i me my mine we us our you your yours he she it its they them their this that these those there here
can could would should will shall may might must have has had having get got just so very really please
hi hello hey thanks thank ok okay im i'm it's its about into any some also too
""".split())
CJK_STOPWORDS = frozenset("的 了 吗 嗎 呢 吧 啊 是 我 你 请 請 么 麼 一下 の は が を に で と も か です ます ください".split())


def normalise(text: str) -> str:
    """NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer, the Snowball stemmers

    return Stemmer.Stemmer("english")


def _japanese(run: str) -> list[str]:
    try:
        return [word for word, _ in japanese_words(run)]
    except Exception as exc:  # noqa: BLE001 - no analyser or dictionary: bigrams still work
        logger.info("Japanese analyser unavailable (%s); using character bigrams", exc)
        return _bigrams(run)


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i:i + 2] for i in range(len(run) - 1)]


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` for BM25 in any of the shop's languages (mixed scripts welcome)."""
    tokens: list[str] = []
    stem = _stemmer().stemWord
    text = normalise(text)
    japanese = bool(_KANA.search(text))  # kana anywhere: the Han runs are Japanese too
    for match in _RUNS.finditer(text):
        run = match.group(0)
        if match.lastgroup == "latin":
            word = run.strip("'’-")
            if word and word not in ENGLISH_STOPWORDS:
                tokens.append(stem(word))
        elif japanese:
            tokens.extend(w for w in _japanese(run) if w not in CJK_STOPWORDS)
        else:  # traditional text is matched in its simplified form, the one jieba's dictionary knows
            words = [word for word, _ in chinese_words(to_simplified()(run), for_search=True)]
            tokens.extend(w for w in words if w not in CJK_STOPWORDS)
    return tokens


_LEADING = r"(?:\b(?:at|from|with|to|of|by|for|in)\s+)?"


@functools.lru_cache(maxsize=8)
def _shop_name_pattern(shop_name: str) -> re.Pattern | None:
    words = shop_name.split()
    if not words:
        return None
    # the full name, or its first word when it is a distinctive one ("Northwind" of "Northwind Outfitters")
    names = [r"\s+".join(map(re.escape, words))]
    if len(words) > 1 and len(words[0]) >= 4:
        names.append(re.escape(words[0]))
    # bounded by anything but a Latin letter or digit: "Northwind有寄到加拿大嗎" has no word boundary
    name = rf"(?<![a-z0-9])(?:{'|'.join(names)})(?:['’]s|\s*[的の])?(?![a-z0-9])"
    # "at Northwind?" loses its preposition too; "in touch with Northwind customer care" keeps it
    return re.compile(rf"{_LEADING}{name}(?=\s*(?:[?!.,;:]|$))|{name}", re.I)


def without_shop_name(text: str, shop_name: str) -> str:
    """``text`` without the shop's own name ("how do returns work at Northwind?" -> "how do returns work?").
    Every guide and policy is the shop's, so the name says nothing about which one answers, and the
    encoders read it as a topic of its own: "how do I get in touch with northwind customer care?" was
    closest to creating an account and abstained, without the name it is the contact guide. Products
    keep it (a product may carry the shop's name)."""
    pattern = _shop_name_pattern(shop_name.strip())
    if pattern is None:
        return text
    stripped = re.sub(r"\s{2,}", " ", pattern.sub("", text)).strip()
    stripped = re.sub(r"\s+([?!.,])", r"\1", stripped)
    return stripped if re.search(r"\w", stripped) else text
