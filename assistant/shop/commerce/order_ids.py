"""The shop's order numbers: "SO" and six digits ("SO482913"). The one place that knows the format.

Shoppers write them as "SO482913", "so-482913", "SO 482913", "#SO482913", "#482913" or just the six
digits, on CJK keyboards with full-width characters ("ＳＯ４８２９１３"). Rasa finds them with the
regexes in ``nlu_data/train/regex_entities.yml`` and keeps only whole matches of ``ENTITY_PATTERN``
(``assistant/config.yml``); ``tests/unit/shop/commerce/test_order_ids.py`` checks both against this module.
"""
from __future__ import annotations

import re
import unicodedata

PREFIX = "SO"
DIGITS = 6

# Rasa's RegexEntityExtractor patterns (full-width letters and digits included, no NFKC there)
RASA_REGEXES = (
    f"#?[SsＳｓ][OoＯｏ][- ]?[0-9０-９]{{{DIGITS}}}",
    f"#?[0-9０-９]{{{DIGITS}}}",
)
# an entity value is an order number only if it is one of the forms above, whole
ENTITY_PATTERN = f"^#?(?:[SsＳｓ][OoＯｏ][- ]?)?[0-9０-９]{{{DIGITS}}}$"

# the NLU tokenizer's span, which becomes one "ordernumber" token: no word boundary before it, as in
# Chinese and Japanese it follows a character directly ("订单SO482913到了吗")
TOKEN_PATTERN = rf"(?<![A-Za-z0-9@.])#?(?:[SsＳｓ][OoＯｏ][- ]?)?[0-9０-９]{{{DIGITS}}}(?![A-Za-z0-9０-９@])"

# on NFKC-normalised text: the prefixed form wins over bare digits
_PREFIXED_ID = re.compile(rf"(?<![0-9A-Za-z])#?\s*{PREFIX}\s?[-\s]?\s?(\d{{{DIGITS}}})(?![0-9A-Za-z])", re.IGNORECASE)
# exactly six digits, not part of a longer number or word
_BARE_ID = re.compile(rf"(?<![0-9A-Za-z])#?(\d{{{DIGITS}}})(?![0-9A-Za-z])")


def format_order_id(number: int) -> str:
    """The order id for a sequence number (482913 -> "SO482913")."""
    if not 0 <= number < 10 ** DIGITS:
        raise ValueError(f"an order number has {DIGITS} digits, not {number}")
    return f"{PREFIX}{number:0{DIGITS}d}"


def normalize_order_id(text: str | None) -> str | None:
    """Extract an order id from free text and return it as "SO" + 6 digits, or None."""
    if not text:
        return None
    normalized = unicodedata.normalize("NFKC", str(text))
    match = _PREFIXED_ID.search(normalized) or _BARE_ID.search(normalized)
    return f"{PREFIX}{match.group(1)}" if match else None


def canonical_order_id(order_id: str) -> str:
    """The canonical form of an id a service receives ("so-482913" -> "SO482913").

    Text that holds no order id is upper-cased and passed through (it will not be found).
    """
    return normalize_order_id(order_id) or str(order_id).strip().upper()
