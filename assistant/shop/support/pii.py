"""Find and mask personal data in free text: emails, phone numbers, card numbers, street addresses.

Used wherever a shopper's own words leave the conversation: the support console,
logs and exports. Detection is deliberately conservative about numbers: order
numbers (``SO123456``, ``#123456``), prices, dates, sizes, quantities and tracking
numbers are left alone, and a card number is masked only when it passes the Luhn
check.

    >>> mask_pii("mail me at jane+shop@example.com or call 555-123-4567")
    'mail me at [email] or call [phone]'
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["PiiSpan", "find_pii", "install_log_masking", "luhn_valid", "mask_conversation_id", "mask_for_log",
           "mask_pii"]

KINDS: tuple[str, ...] = ("card", "email", "phone", "address")  # overlap preference, strongest first
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: its kind and where it sits in the text (``text[start:end] == value``)."""

    kind: str
    start: int
    end: int
    value: str


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (digits only, at least two) passes the Luhn checksum used by card numbers."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(char for char in text if "0" <= char <= "9")


# --- emails -------------------------------------------------------------------------------------------

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{{0,63}})@(?:{_LABEL}\.)+[A-Za-z]{{2,24}}"
    r"(?![A-Za-z0-9-])"
)

# --- cards: 13-19 digits, contiguous or in groups of 3-6 split by single spaces or dashes --------------

_CARD = re.compile(
    r"(?<![A-Za-z0-9+#$¥€£.,/-])(?:\d{13,19}|\d{3,6}(?:[ -]\d{3,6}){2,5})(?![A-Za-z0-9]|[.,/-]\d)"
)

# --- phones --------------------------------------------------------------------------------------------
# Numbers glued to letters, '#', currency signs or other digits are ids, prices or parts of something else.
_PHONE_BEFORE = r"(?<![A-Za-z0-9_#$¥€£+/.,-])"
_PHONE_AFTER = r"(?![A-Za-z0-9_]|[-./,]\d)"
_PHONE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(_PHONE_BEFORE + body + _PHONE_AFTER)
    for body in (
        # international: +1 (555) 123-4567, +44 20 7946 0958, +81 90-1234-5678, +8613812345678
        r"\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}",
        # North American: 555-123-4567, (555) 123-4567, 1-800-555-0199, 555.123.4567
        r"(?:1[ .-])?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}",
        # national numbers with a trunk 0: 090-1234-5678, 03-1234-5678, 020 7946 0958, 0912-345-678,
        # 07700 900393
        r"0\d{1,4}[ -]\d{1,4}[ -]\d{3,4}",
        r"0\d{2,4}[ -]\d{6,8}",
        # contiguous mobiles: Japan 09012345678, Taiwan 0912345678, China 13812345678
        r"0[789]0\d{8}|09\d{8}|1[3-9]\d{9}",
        # China mobile in groups: 138 1234 5678, 138-1234-5678
        r"1[3-9]\d[ -]\d{4}[ -]\d{4}",
    )
)
_PHONE_DIGITS = {"+": (8, 15), "0": (10, 11), "1": (11, 11)}


def _phone_ok(value: str) -> bool:
    digits = _digits(value)
    if value.count("(") != value.count(")"):
        return False
    if value.startswith("+"):
        low, high = _PHONE_DIGITS["+"]
    elif value.startswith("0"):
        low, high = _PHONE_DIGITS["0"]
    else:
        low, high = 10, 11  # North American, optionally with the leading 1; Chinese mobiles
    return low <= len(digits) <= high


# --- street addresses ------------------------------------------------------------------------------------

_EN_SUFFIXES = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Terr|"
    "Parkway|Pkwy|Highway|Hwy|Square|Sq|Crescent|Cres|Close|Circle|Cir|Alley|Row|Trail|Trl|Grove|Gardens|"
    "Mews|Walk"
)
_EN_UNIT = (
    r"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm)\.?\s*#?\s*[A-Za-z0-9-]{1,6}"
    r"|,?\s*#\s?\d{1,5})"
)
_EN_STREET = re.compile(
    rf"(?<![A-Za-z0-9_#$¥€£.,/-])\d{{1,5}}[A-Za-z]?(?:-\d{{1,4}})?"
    rf"((?:\s+[A-Za-z][A-Za-z'.-]*){{1,4}}?)\s+(?:{_EN_SUFFIXES})\b\.?{_EN_UNIT}?",
    re.IGNORECASE,
)
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s*Box\s+\d{1,7}\b", re.IGNORECASE)
# Words that turn "<number> <words> <suffix>" into an ordinary phrase ("3 items the same way",
# "a 10 minute drive", "2 more days, way too long").
_NOT_STREET_WORDS = frozenset("""
    a an the this that these those my your his her our their its same other another some any more most
    less few many much all each every only just very too so and or but of in on at to for from by with
    into onto about over under than then is are was were be been am it i you he she we they me us them
    item items piece pieces pair pairs size sizes order orders pack packs box boxes unit units time times
    minute minutes min mins hour hours hr hrs day days week weeks month months year years second seconds
    mile miles km kilometer kilometers kilometre kilometres meter meters metre metres foot feet ft step steps
    percent dollar dollars euro euros pound pounds yen usd eur gbp
    x times people person
""".split())

_CJK_DIGIT = r"[0-9０-９]"
_ZH_NUMBER = rf"(?:{_CJK_DIGIT}+|[一二三四五六七八九十百零〇]+)"
# Characters that begin a sentence around an address rather than a place name.
_ZH_STOP = "我你您他她它们們在是的了到寄送为為请請改要把想从從住址给給就都也还還吗嗎呢吧啊"
_ZH_NAME = rf"(?:(?![{_ZH_STOP}])[\u3400-\u9fff])"
_ZH_ADDRESS = re.compile(
    rf"(?:{_ZH_NAME}{{1,7}}?(?:省|自治区|自治區|特别行政区|特別行政區|市|县|縣|区|區|州|镇|鎮|乡|鄉)){{0,4}}"
    rf"{_ZH_NAME}{{1,10}}?(?:大道|路|街|道|巷|弄|胡同)"
    rf"(?:{_ZH_NUMBER}段)?(?:{_CJK_DIGIT}+(?:巷|弄))*"
    rf"{_CJK_DIGIT}+(?:号|號)(?:之{_CJK_DIGIT}+)?"
    rf"(?:{_CJK_DIGIT}+(?:楼|樓|层|層|F|f|室))?(?:{_CJK_DIGIT}+室)?"
)
_JA_NAME = r"[\u4e00-\u9fffァ-ヺヶヵー々]"
_DASH = r"[-−‐－ー―]"
_JA_ADDRESS = re.compile(
    rf"(?:{_JA_NAME}{{1,4}}?(?:都|道|府|県))?(?:{_JA_NAME}{{1,6}}?(?:市|区|町|村|郡)){{1,3}}"
    rf"{_JA_NAME}{{0,8}}?"
    rf"{_CJK_DIGIT}+(?:丁目|{_DASH}){_CJK_DIGIT}+(?:番地?|{_DASH}){_CJK_DIGIT}+(?:号)?"
)


def _english_streets(text: str) -> Iterator[tuple[int, int]]:
    for match in _EN_STREET.finditer(text):
        words = match.group(1).split()
        if any(word.lower().strip(".'-") in _NOT_STREET_WORDS for word in words):
            continue
        yield match.start(), match.end()


# --- finding and masking -------------------------------------------------------------------------------


def _candidates(text: str) -> Iterator[PiiSpan]:
    for match in _EMAIL.finditer(text):
        yield PiiSpan("email", match.start(), match.end(), match.group())
    for match in _CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield PiiSpan("card", match.start(), match.end(), match.group())
    for pattern in _PHONE_PATTERNS:
        for match in pattern.finditer(text):
            if _phone_ok(match.group()):
                yield PiiSpan("phone", match.start(), match.end(), match.group())
    spans = list(_english_streets(text))
    spans += [(m.start(), m.end()) for m in _PO_BOX.finditer(text)]
    spans += [(m.start(), m.end()) for m in _ZH_ADDRESS.finditer(text)]
    spans += [(m.start(), m.end()) for m in _JA_ADDRESS.finditer(text)]
    for start, end in spans:
        yield PiiSpan("address", start, end, text[start:end])


def find_pii(text: str) -> list[PiiSpan]:
    """Every piece of personal data in ``text``, sorted by position and never overlapping.

    Where two findings overlap, the stronger kind wins (card > email > phone > address),
    then the longer one.
    """
    if not text:
        return []
    ranked = sorted(_candidates(text), key=lambda s: (_RANK[s.kind], -(s.end - s.start), s.start))
    chosen: list[PiiSpan] = []
    for span in ranked:
        if all(span.end <= kept.start or span.start >= kept.end for kept in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def default_placeholder(span: PiiSpan) -> str:
    """``[email]``, ``[phone]``, ``[address]``; cards keep their last four digits: ``[card •••• 4242]``."""
    if span.kind == "card":
        return f"[card •••• {_digits(span.value)[-4:]}]"
    return f"[{span.kind}]"


def mask_pii(text: str, placeholder: Callable[[PiiSpan], str] | None = None) -> str:
    """``text`` with each piece of personal data replaced by ``placeholder(span)``."""
    render = placeholder or default_placeholder
    parts: list[str] = []
    cursor = 0
    for span in find_pii(text):
        parts.append(text[cursor:span.start])
        parts.append(render(span))
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def mask_for_log(text: str) -> str:
    """``text`` masked with the default placeholders, for log lines (None-safe: returns ``""``)."""
    if not text:
        return ""
    return mask_pii(str(text))


_MESSENGER_ID = re.compile(r"^(?P<prefix>[a-z]+:)?(?P<id>\+?\d{6,})$")


def mask_conversation_id(conversation_id: str) -> str:
    """A conversation id as shown in exports and the API: phone numbers and messenger user ids (which
    identify a person) masked but for their last 3 digits; the widget's random ids are kept."""
    masked = mask_pii(conversation_id)
    if masked != conversation_id:
        return masked
    match = _MESSENGER_ID.match(conversation_id)
    if match:
        return f"{match.group('prefix') or ''}•••{match.group('id')[-3:]}"
    return conversation_id


_MESSENGER_IDS_IN_TEXT = re.compile(r"\b(?:whatsapp|telegram|facebook|messenger|twilio|sms):\+?\d{6,}")


def mask_log_text(text: str) -> str:
    """A log line with personal data and messenger user ids masked."""
    return _MESSENGER_IDS_IN_TEXT.sub(lambda m: mask_conversation_id(m.group(0)), mask_for_log(text))


def install_log_masking() -> None:
    """Every log record of this process has personal data masked in its message (emails, phones,
    addresses, cards, messenger user ids), whichever handler writes it. Idempotent."""
    import logging

    current = logging.getLogRecordFactory()
    if getattr(current, "_shop_masking", False):
        return

    def factory(*args, **kwargs):  # type: ignore[no-untyped-def]
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logging's to report, not ours
            return record
        masked = mask_log_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return record

    factory._shop_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
