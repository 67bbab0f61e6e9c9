"""Tokenizer for English, Chinese and Japanese that keeps order numbers and emails whole.

Splits by script:

- Latin text (and digits, full-width included): words, punctuation dropped, like a whitespace tokenizer;
- Han text: jieba's segmenter (the words of ``我的订单到哪了`` are ``我 的 订单 到 哪 了``); traditional
  characters are segmented through their simplified form (OpenCC), which jieba's dictionary knows;
- text with kana: morphemes from fugashi with the unidic-lite dictionary (``注文 は いつ 届き ます か``);
  when a message has kana anywhere, its Han runs are Japanese too.

Mixed text ("iPhone 15 的保护壳") gets each part from its own splitter, with offsets into the
original text, so entities line up in every language.

Shoppers paste order numbers ("SO482913", "#so-482913", "ＳＯ４８２９１３", "482913") and emails into
their questions, often with no space around them in Chinese and Japanese. Each such span becomes one
token whose text is a placeholder (``ordernumber``, ``emailaddress``), keeping the span's offsets, so
the classifier learns "asks where the order is" rather than a new unseen number, while entity
extraction still returns the shopper's real value. The message text with those spans replaced by plain
words (``order number``, ``email address``) is stored under ``MASKED_TEXT`` for sentence encoders.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Pattern, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.i18n.scripts import CJK, KANA_RE
from assistant.i18n.segmenters import chinese_words, japanese_words
from assistant.shop.commerce import order_ids

MASKED_TEXT = "shop_masked_text"

# (pattern, token placeholder, words for sentence encoders). No word boundary before the order number:
# in Chinese and Japanese it follows a character directly ("订单SO482913到了吗").
DEFAULT_SPANS = {
    "email": (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "emailaddress", "email address"),
    "order_id": (order_ids.TOKEN_PATTERN, "ordernumber", "order number"),
}

_CJK = CJK
# a word may start with a currency sign, so "$50" stays one token, as price entities are annotated
_RUNS = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>[$€£¥]?[^\W{_CJK}_]+(?:['’.,-][^\W{_CJK}_]+)*)")
_KANA = KANA_RE


def split_cjk(run: str, japanese: bool) -> List[Tuple[str, int]]:
    """(word, offset in ``run``) for a run of Chinese or Japanese characters."""
    return japanese_words(run) if japanese else chinese_words(run)


def split_words(text: str, offset: int = 0, japanese: bool | None = None) -> List[Token]:
    """Tokens of ``text`` (no protected spans inside), offsets shifted by ``offset``."""
    if japanese is None:
        japanese = bool(_KANA.search(text))
    tokens: List[Token] = []
    for match in _RUNS.finditer(text):
        start = offset + match.start()
        if match.lastgroup == "word":
            tokens.append(Token(match.group(0), start))
            continue
        for word, at in split_cjk(match.group(0), japanese):
            tokens.append(Token(word, start + at))
    return tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ShopTokenizer(Tokenizer):
    """Script-aware tokens (Latin words, jieba, fugashi), with emails and order numbers whole and masked."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **Tokenizer.get_default_config(),
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "mask_spans": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._spans: List[Tuple[Pattern[str], str, str]] = [
            (re.compile(pattern), placeholder, words) for pattern, placeholder, words in DEFAULT_SPANS.values()
        ]

    def _protected(self, text: str) -> List[Tuple[int, int, str, str]]:
        """Non-overlapping (start, end, placeholder, words) spans, earliest first."""
        found: List[Tuple[int, int, str, str]] = []
        for pattern, placeholder, words in self._spans:
            for match in pattern.finditer(text):
                start, end = match.span()
                if not any(start < e and s < end for s, e, _, _ in found):
                    found.append((start, end, placeholder, words))
        return sorted(found)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        japanese = bool(_KANA.search(text))
        spans = self._protected(text) if attribute == TEXT and self._config["mask_spans"] else []
        tokens: List[Token] = []
        masked: List[str] = []
        last = 0
        for start, end, placeholder, words in spans:
            tokens.extend(split_words(text[last:start], last, japanese))
            tokens.append(Token(placeholder, start, end=end, lemma=placeholder))
            masked.extend([text[last:start], words])
            last = end
        tokens.extend(split_words(text[last:], last, japanese))
        if attribute == TEXT:
            masked.append(text[last:])
            message.set(MASKED_TEXT, "".join(masked))
        return tokens
