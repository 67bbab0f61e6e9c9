"""Price filters read from the shopper's own words, in English, Chinese (simplified and traditional) and Japanese.

The entity extractor marks a price's words but not always their meaning: "2万円以上のジャケット" came out as
"at most 2" (万 dropped, 以上 read as "or less") and "100到200元的帽子" as size 200 and "under 100". So the
product search reads the amounts from the message itself:

* numbers: "100", "1,200", "80,50", "1.5k", "2万", "1.5万", "1万5千", "三千", "两百五", "一萬"
* currencies before or after the number: "$", "US$", "美元", "美金", "ドル", "USD", "dollars"; "元",
  "块", "人民币", "人民幣", "RMB", "CNY"; "円", "日元", "日圓", "JPY", "yen"; "港币", "港幣", "HK$",
  "HKD"; "新台币", "新台幣", "台幣", "NT$", "NTD", "TWD"; "¥" is yen, or yuan in a Chinese message
* at most: "under", "below", "less than", "up to", "以下", "以内", "不超过", "不超過", "低于", "低於",
  "未満", "まで", "予算"; at least: "over", "above", "more than", "以上", "超过", "超過", "高于", "高於",
  "より高い", "から"; around (within ``AROUND``): "around", "about", "左右", "前後", "上下", "くらい"
* ranges: "between 50 and 80", "$50-$80", "100到200元", "100至200元", "8000円から15000円", "1〜2万円"
  (the 万 of the upper end applies to the lower one too)

A number is a price only with a currency, a comparison word or (for a range) "between" or a price word
("price", "价格", "予算"...) around it; a bare "42" stays a size, and an amount that is a price is
never a size. The words of the message decide over the extractor's price entities, whose roles only
settle an amount said with no comparison word ("三千円のジャケット").

The catalogue's prices are all in the shop's one currency (USD, ``assistant/shop/commerce/policy.yml``)
and the shop has no exchange-rate table: its pricing policy says shoppers pay in USD and their bank
converts. So an amount in another currency ("2万円以上", "100到200元") sets no bound: comparing 20,000 yen
with dollar prices would look for $20,000 jackets, and converting needs rates the shop does not have.
``price_filter(..., currency=...)`` lists such amounts in ``PriceFilter.unconverted``; the search leaves
them out and tells the shopper that the prices are in US dollars (``actions/products.py``). An amount
with no currency word is in the currency another amount of the message names ("2万円以上5万以下"), else in
the catalogue's.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from knowledge_base.products import ProductQuery

AROUND = 0.2  # "about 100", "100元左右": 80 to 120

# ---- numbers -------------------------------------------------------------------------------------------

_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
               "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "k": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_DIGIT_CHARS = "".join(_CJK_DIGITS)
_UNIT_CHARS = "十百千万萬亿億"
# "1,200" (thousands), "1.5", "80,50" (a decimal comma), "100"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+(?:,\d{1,2}(?!\d))?"
# Arabic or Chinese digits with 十百千万亿 between them, or "1.5k"; never the tail of a word or of an order number
_NUMBER = (rf"(?:(?:{_ARABIC})|[{_DIGIT_CHARS}十百千])(?:(?:{_ARABIC})|[{_DIGIT_CHARS}{_UNIT_CHARS}])*"
           rf"(?:\s?[kK](?![A-Za-z]))?")
_NOT_INSIDE = r"(?<![A-Za-z0-9.,])"
_NUMBER_TOKEN = re.compile(rf"({_ARABIC})|([{_DIGIT_CHARS}])|([{_UNIT_CHARS}kK])")


def parse_amount(text: str) -> float | None:
    """The number in a price: "$100" 100, "1.5k" 1500, "80,50" 80.5, "2万円" 20000, "1.5万" 15000, "三千" 3000,
    "一万五" 15000, "两百五十" 250, "1万5千" 15000; None when there is none."""
    match = re.search(_NOT_INSIDE + _NUMBER, _nfkc(str(text)))
    return _number_value(match.group(0)) if match else None


def _number_value(number: str) -> float | None:
    total = section = 0.0
    current: float | None = None
    previous = ""  # the kind of the token before: "digit" (Chinese), "arabic", "unit", "zero"
    last_unit = 0  # the unit a trailing single digit abbreviates: 一万五 is 一万五千, 两百五 is 两百五十
    for arabic, digit, unit in _NUMBER_TOKEN.findall(number.replace(" ", "")):
        if arabic:
            current = float(arabic.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", arabic)
                            else arabic.replace(",", "."))
            last_unit = last_unit if previous == "unit" and re.fullmatch(r"\d", arabic) else 0
            previous = "arabic"
        elif digit:
            value = _CJK_DIGITS[digit]
            if previous in ("digit", "zero") and current is not None:  # 二〇〇: digit by digit
                current = current * 10 + value
                last_unit = 0
            else:
                current = float(value)
                last_unit = last_unit if previous == "unit" and value else 0
            previous = "zero" if value == 0 else "digit"
        elif unit.lower() in _SMALL_UNITS:
            section += (current if current is not None else 1) * _SMALL_UNITS[unit.lower()]
            current, last_unit, previous = None, _SMALL_UNITS[unit.lower()], "unit"
        else:
            big = _BIG_UNITS[unit]
            amount = section + (current or 0) or (1 if not total else 0)
            total = (total + amount) * big if big > 10_000 else total + amount * big
            section, current, last_unit, previous = 0.0, None, big, "unit"
    if current is None and previous != "unit":
        return None
    if current is not None and last_unit >= 100:  # 一万五 = 15000, 三千五 = 3500
        current *= last_unit / 10
    value = total + section + (current or 0)
    return round(value, 2) if math.isfinite(value) else None


# ---- currencies ----------------------------------------------------------------------------------------

_CURRENCY_WORDS = {
    "USD": ["us$", "$", "美元", "美金", "米ドル", "ドル", "usd", "us dollars", "us dollar", "dollars", "dollar",
            "bucks", "buck"],
    "CNY": ["人民币", "人民幣", "人民元", "rmb", "cny", "yuan", "块钱", "塊錢", "元", "块", "塊"],
    "JPY": ["日元", "日圓", "日圆", "日币", "日幣", "円", "jpy", "yen"],
    "HKD": ["hk$", "港币", "港幣", "港元", "蚊", "香港ドル", "hkd", "hong kong dollars", "hk dollars"],
    "TWD": ["nt$", "新台币", "新台幣", "台币", "台幣", "台湾ドル", "台湾元", "ntd", "twd", "nt dollars",
            "taiwan dollars"],
    "EUR": ["€", "欧元", "歐元", "ユーロ", "eur", "euros", "euro"],
    "GBP": ["£", "英镑", "英鎊", "ポンド", "gbp", "pounds", "pound"],
    "YEN_SIGN": ["¥"],  # yen, or yuan in a Chinese message (below)
}
_CODES = {word: code for code, words in _CURRENCY_WORDS.items() for word in words}


def _alternatives(words: Iterable[str]) -> str:
    """Longest first, and English words whole: "dollars" before "dollar", "美元" before "元"."""
    return "|".join((r"(?<![a-z])" if w[0].isalpha() and w.isascii() else "") + re.escape(w)
                    + (r"(?![a-z])" if w[-1].isalpha() and w.isascii() else "")
                    for w in sorted(set(words), key=len, reverse=True))


_CURRENCY = _alternatives(_CODES)
# a currency word before the number: signs, codes and Chinese words ("$100", "USD 100", "人民币200"), not "元"
_CURRENCY_BEFORE = _alternatives(w for w in _CODES if not (w.isascii() and w.isalpha() and len(w) > 3)
                                 and w not in ("元", "块", "塊", "円", "ドル", "块钱", "塊錢"))
_AMOUNT = re.compile(rf"{_NOT_INSIDE}(?:(?P<before>{_CURRENCY_BEFORE})\s?)?(?P<number>{_NUMBER})"
                     rf"(?:\s?(?P<after>{_CURRENCY}))?", re.I)
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def currency_of(word: str, text: str = "") -> str | None:
    """"円" -> "JPY", "人民幣" -> "CNY", "NT$" -> "TWD"; "¥" is yuan in a Chinese ``text``, else yen."""
    code = _CODES.get(_nfkc(word).lower().strip())
    if code == "YEN_SIGN":
        return "CNY" if _HAN.search(text) and not _KANA.search(text) else "JPY"
    return code


# ---- comparison words ----------------------------------------------------------------------------------

_AT_MOST_BEFORE = ["under", "below", "less than", "cheaper than", "lower than", "at most", "up to", "max",
                   "maximum", "within", "no more than", "not more than", "not over", "not above", "no higher than",
                   "nothing above", "nothing over", "nothing more than", "nothing pricier than", "未满", "未滿",
                   "不满", "不滿",
                   "budget of", "budget is", "budget", "<=", "<", "≤",
                   "不超过", "不超過", "不高于", "不高於", "不多于", "不多於", "别超过", "別超過", "不要超过", "不要超過",
                   "低于", "低於", "少于", "少於", "小于", "小於", "便宜于", "最多", "最高", "顶多", "頂多",
                   "预算", "預算", "预算是", "預算是", "予算は", "予算", "最大", "最高で"]
_AT_LEAST_BEFORE = ["over", "above", "more than", "greater than", "higher than", "at least", "min", "minimum",
                    "starting at", "starting from", "from", "no less than", "not less than", "upwards of",
                    ">=", ">", "≥", "超过", "超過", "高于", "高於", "多于", "多於", "大于", "大於", "至少", "最少",
                    "最低", "不低于", "不低於", "不少于", "不少於", "满", "滿"]
_AROUND_BEFORE = ["around", "about", "approximately", "approx", "roughly", "circa", "大约", "大約", "大概",
                  "约", "約", "差不多", "およそ", "だいたい"]
_AT_MOST_AFTER = ["以下", "以内", "以內", "之内", "之內", "内", "內", "未満", "未滿", "まで", "より安い", "より安く",
                  "より下", "or less", "or under", "or below", "or cheaper", "and under", "and below", "max",
                  "at most", "tops"]
_AT_LEAST_AFTER = ["以上", "起", "超え", "より高い", "より高く", "より上", "から", "or more", "or over",
                   "or above", "and up", "and above", "and over", "plus", "+"]
_AROUND_AFTER = ["左右", "前後", "前后", "上下", "くらい", "ぐらい", "程度", "ほど", "or so", "ish", "-ish"]

_BEFORE = re.compile(rf"(?:(?P<max>{_alternatives(_AT_MOST_BEFORE)})|(?P<min>{_alternatives(_AT_LEAST_BEFORE)})|"
                     rf"(?P<around>{_alternatives(_AROUND_BEFORE)}))(?:\s*(?:是|は|で|在|為|为))?\s*$", re.I)
# (a Japanese "2万円超", never the Chinese "超值", great value)
_AFTER = re.compile(rf"^\s*(?:(?P<max>{_alternatives(_AT_MOST_AFTER)})|"
                    rf"(?P<min>{_alternatives(_AT_LEAST_AFTER)}|超(?![\u4e00-\u9fff]))|"
                    rf"(?P<around>{_alternatives(_AROUND_AFTER)}))", re.I)
# Japanese "〜5000円" is up to, "5000円〜" from; elsewhere "~100" is about 100
_STARTS_AMOUNT = re.compile(r"^\s*(?:us\$|[$€£¥])?\s*\d", re.I)
_TILDE_BEFORE = re.compile(r"[~〜]\s?$")
_TILDE_AFTER = re.compile(r"^\s?[~〜](?!\s?\d)")
# between two amounts: a range
_RANGE = re.compile(r"^\s*(?:-|–|—|~|〜|到|至|から|to|and|和|与|與|跟)\s*$", re.I)
_BETWEEN_BEFORE = re.compile(r"(?:(?<![a-z])between|在|介于|介於)\s*$", re.I)
_BETWEEN_AFTER = re.compile(r"^\s*(?:之间|之間|中间|中間|の間|の範囲|の間で|範囲)")
_PRICE_WORDS = re.compile(r"\b(?:price|prices|priced|cost|costs|costing|budget)\b|价格|價格|价位|價位|价钱|價錢|"
                          r"预算|預算|售价|售價|価格|値段|予算|価格帯", re.I)
# a number with one of these after it counts something else: "over 2 people", "3天以内", "42码以下"
_NOT_MONEY_AFTER = re.compile(
    r"^\s?(?:%|percent|cm|mm|kg|g\b|l\b|litres?|liters?|years?|months?|days?|hours?|items?|pieces?|pcs|colou?rs?|"
    r"sizes?|people|persons?|-person|pairs?|人|码|碼|号|號|センチ|サイズ|度|℃|°|件|个|個|双|雙|天|日|年|月|歳|岁|歲|"
    r"公斤|克|升|公分|厘米|寸|吋|坪|点|點|つ|足|枚|着|本|台|種|种|色)", re.I)
# a size's label before the number ("size 42", "尺码42", "サイズ27"); "42码" has its word after
_SIZE_BEFORE = re.compile(r"(?:\bsizes?|\beu|\buk|\bus|尺码|尺碼|码数|碼數|サイズ)\s*(?:是|は|为|為)?\s*$", re.I)
# said without a currency, these are not prices: one Chinese digit ("一から", "一起", "五坪"), six digits or
# more (an order number, "from 671205"), or a number only "from" frames ("from 2019")
_BARE_NOT_PRICE = re.compile(rf"^(?:[{_DIGIT_CHARS}]|\d{{6,}})$")
_WEAK_BEFORE = re.compile(r"^(?:from|starting at|starting from)", re.I)


def _nfkc(text: str) -> str:
    """NFKC one character at a time, so offsets into the normalised text are offsets into the original
    ("２万円" is "2万円", "＄" is "$", "～" is "~")."""
    out = []
    for char in text:
        normal = unicodedata.normalize("NFKC", char)
        out.append(normal if len(normal) == 1 else char)
    return "".join(out)


# ---- reading the message -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Amount:
    value: float
    currency: str | None  # the ISO code the shopper named, None when no currency word
    start: int  # the number with its currency words, as offsets into the message
    end: int
    unit: int = 0  # a trailing 万/千/k ("2万" 10000): a range's bare lower end takes it ("1〜2万円")


@dataclass(frozen=True)
class PriceWords:
    """One price the shopper named: ``relation`` "max", "min", "around", "range" or None (no comparison word,
    "三千円のジャケット"); ``start``/``end`` take in the comparison words."""

    relation: str | None
    amounts: tuple[Amount, ...]
    start: int
    end: int

    @property
    def currency(self) -> str | None:
        return next((a.currency for a in self.amounts if a.currency), None)


def _amounts(text: str) -> list[Amount]:
    found = []
    for match in _AMOUNT.finditer(text):
        value = _number_value(match.group("number"))
        if value is None:
            continue
        words = match.group("before") or match.group("after")
        number = match.group("number").strip()
        unit = next((u for c, u in [*_BIG_UNITS.items(), *_SMALL_UNITS.items()] if number.lower().endswith(c)
                     and number[:-1].strip()), 0)
        found.append(Amount(value, currency_of(words, text) if words else None, match.start(), match.end(), unit))
    return found


_AND = ("and", "和", "与", "與", "跟")
_WINDOW = 40  # how far before and after an amount its comparison and size words are looked for


def _range(text: str, low: Amount, high: Amount, price_words: bool) -> PriceWords | None:
    """Two amounts with "-", "~", "到", "至", "から", "to" (or "between ... and ...") between them: a price
    range when either has a currency, or "between"/"在...之间" or a price word ("价格", "予算") frames it,
    and nothing says they are sizes ("size 38 to 42", "38到42码")."""
    gap = text[low.end:high.start]
    offset = max(0, low.start - _WINDOW)
    before, after = text[offset:low.start], text[high.end:high.end + _WINDOW]
    between = _BETWEEN_BEFORE.search(before)
    between_after = _BETWEEN_AFTER.match(after)
    sizes = bool(_SIZE_BEFORE.search(before[:between.start()] if between else before)) or bool(
        _NOT_MONEY_AFTER.match(after))
    currency = low.currency or high.currency
    if gap.strip().lower() in _AND:
        priced = bool(between or between_after) and (currency is not None or not sizes)
    else:
        priced = currency is not None or (bool(between or between_after or price_words) and not sizes)
    if not priced:
        return None
    if high.unit and not low.unit and low.value * high.unit <= high.value:  # "1〜2万円", "1-2k"
        low = replace(low, value=round(low.value * high.unit, 2))
    low, high = (replace(a, currency=a.currency or currency) for a in (low, high))
    if low.value > high.value:
        low, high = high, low
    closing = between_after or _AFTER.match(after)
    return PriceWords("range", (low, high), offset + between.start() if between else low.start,
                      high.end + (closing.end() if closing else 0))


def _single(text: str, amount: Amount, japanese: bool) -> PriceWords | None:
    """One amount: a price when it has a currency, or a comparison word and nothing that makes it a size or
    a count ("42码以下", "over 2 people")."""
    offset = max(0, amount.start - _WINDOW)
    before, after = text[offset:amount.start], text[amount.end:amount.end + _WINDOW]
    relation, start, end = None, amount.start, amount.end
    counts_something = bool(_NOT_MONEY_AFTER.match(after))
    after_match, before_match = _AFTER.match(after), _BEFORE.search(before)
    tilde_after, tilde_before = _TILDE_AFTER.match(after), _TILDE_BEFORE.search(before)
    if japanese and tilde_after:  # "5000円〜"
        relation, end = "min", amount.end + tilde_after.end()
    elif after_match and not counts_something and not (
            after_match.group(0).strip().isascii() and _STARTS_AMOUNT.match(after[after_match.end():])):
        # ("$50 and under"; but "over 50 and under 100" is two prices, the second "under 100")
        relation, end = after_match.lastgroup, amount.end + after_match.end()
    if before_match:
        relation, start = relation or before_match.lastgroup, offset + before_match.start()
    elif tilde_before and not re.search(r"\d\s*[~〜]\s*$", before):  # "〜5000円", "~$100"
        relation, start = relation or ("max" if japanese else "around"), offset + tilde_before.start()
    if amount.currency is None and (relation is None or counts_something
                                    or _SIZE_BEFORE.search(text[max(0, start - _WINDOW):start])
                                    or _BARE_NOT_PRICE.match(text[amount.start:amount.end].strip())
                                    or (before_match and not after_match and _WEAK_BEFORE.match(before_match.group(0)))):
        return None
    return PriceWords(relation, (amount,), start, end)


def read_prices(message: str) -> list[PriceWords]:
    """The prices a message names, in order. "2万円以上のジャケット": one, at least 20000 JPY."""
    text = _nfkc(message)
    amounts = _amounts(text)
    japanese = bool(_KANA.search(text))
    price_words = bool(_PRICE_WORDS.search(text))
    prices: list[PriceWords] = []
    i = 0
    while i < len(amounts):
        following = amounts[i + 1] if i + 1 < len(amounts) else None
        if following and _RANGE.match(text[amounts[i].end:following.start]):
            pair = _range(text, amounts[i], following, price_words)
            if pair:
                prices.append(pair)
            i += 2  # a range, or two numbers that are not money ("size 38 to 42", "from 50 to 80")
            continue
        single = _single(text, amounts[i], japanese)
        if single:
            prices.append(single)
        i += 1
    return prices


@dataclass
class PriceFilter:
    """The price bounds of a search, in the catalogue's currency (see the module's docstring)."""

    low: float | None = None
    high: float | None = None
    currency: str | None = None  # the currency the shopper named, None when they named none
    spans: list[tuple[int, int]] = field(default_factory=list)  # the message's words that said it
    # prices in another currency than the catalogue's, as the shopper wrote them ("2万円以上"): no bound,
    # as the shop has no exchange rates
    unconverted: list[str] = field(default_factory=list)
    unconverted_currency: str | None = None  # the currency of the first of them


def _entity_text(entity: Mapping[str, Any], text: str) -> str:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return str(entity.get("value", ""))


_SIZE_AFTER = re.compile(r"^\s?(?:码|碼|号|號|cm|センチ|サイズ|公分|厘米)", re.I)


def _number_framed(entity: Mapping[str, Any], text: str, after: "re.Pattern[str]") -> bool:
    """Whether the entity's number has ``after`` right behind it or a size label before it; False when the
    entity has no offsets."""
    start, end = entity.get("start"), entity.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return False
    normalised = _nfkc(text)
    return bool(after.match(normalised[end:end + _WINDOW])
                or _SIZE_BEFORE.search(normalised[max(0, start - _WINDOW):start]))


def _labelled_size(entity: Mapping[str, Any], text: str) -> bool:
    """Whether a size word labels the entity's number ("44码", "25號", "25cm", "size 9", "尺码42")."""
    return _number_framed(entity, text, _SIZE_AFTER)


def _names_a_size_or_count(entity: Mapping[str, Any], text: str) -> bool:
    """Whether the words around an entity make its number a size or a count, as they do for an amount the
    words name ("44码", "size 9", "25cm", "2 people")."""
    return _number_framed(entity, text, _NOT_MONEY_AFTER)


def _within(entity: Mapping[str, Any], text: str, start: int, end: int) -> bool:
    """Whether an entity lies on the words text[start:end]: by its offsets, or, when it has none, by a number
    in its value that is there ("200" in "100到200元"; never "S" in "less than 100")."""
    if isinstance(entity.get("start"), int) and isinstance(entity.get("end"), int):
        return entity["start"] < end and start < entity["end"]
    value = _nfkc(str(entity.get("value", ""))).strip().lower()
    digits = rf"\d{_DIGIT_CHARS}{_UNIT_CHARS}"
    return bool(re.search(rf"[{digits}]", value)) and bool(
        re.search(rf"(?<![{digits}.]){re.escape(value)}(?![{digits}.])", _nfkc(text[start:end]).lower()))


def price_filter(text: str, entities: Iterable[Mapping[str, Any]] = (), currency: str | None = None) -> PriceFilter:
    """Price bounds from the message's words; the extractor's price entities only give the direction of an
    amount said without a comparison word, or the prices when the words name none.

    ``currency``: the catalogue's. An amount in another one sets no bound and goes to ``unconverted``
    (with no ``currency``, every amount is compared as it stands)."""
    entities = list(entities)
    diet = [e for e in entities if e.get("entity") == "price"]
    result = PriceFilter()
    undirected: list[float] = []

    def foreign(named: str | None, words: str) -> bool:
        """Whether an amount in ``named`` is in another currency than the catalogue's; noted if so."""
        if currency is None or named is None or named == currency.upper():
            return False
        result.unconverted.append(words.strip())
        result.unconverted_currency = result.unconverted_currency or named
        return True

    def bound(relation: str | None, low: float | None = None, high: float | None = None) -> None:
        if relation == "min" and result.low is None:
            result.low = low
        elif relation == "max" and result.high is None:
            result.high = high
        elif relation in ("range", "around") and result.low is None and result.high is None:
            result.low, result.high = low, high

    prices = read_prices(text)
    named = next((p.currency for p in prices if p.currency), None)  # what an amount with no currency is in
    for price in prices:
        result.spans.append((price.start, price.end))
        result.currency = result.currency or price.currency
        if foreign(price.currency or named, text[price.start:price.end]):
            continue
        values = [a.value for a in price.amounts]
        if price.relation == "range":
            bound("range", values[0], values[-1])
        elif price.relation == "around":
            bound("around", round(values[0] * (1 - AROUND), 2), round(values[0] * (1 + AROUND), 2))
        elif price.relation in ("min", "max"):
            bound(price.relation, values[0], values[0])
        else:
            role = next((e.get("role") for e in diet if e.get("role") in ("min", "max")
                         and _within(e, text, price.start, price.end)), None)
            if role:
                bound(role, values[0], values[0])
            else:
                undirected.append(values[0])
    if not prices:  # the extractor found a price the words did not show: its value, read as a number
        for entity in diet:
            words = _entity_text(entity, text)
            value = parse_amount(words)
            if value is None:
                continue
            own = next((a.currency for a in _amounts(_nfkc(words)) if a.currency), None)
            if own is None and _names_a_size_or_count(entity, text):
                continue  # "有44码的登山鞋吗": the extractor's "44" is a size, not "under $44"
            result.currency = result.currency or own
            if foreign(own, words):
                continue
            if entity.get("role") in ("min", "max"):
                bound(entity["role"], value, value)
            else:
                undirected.append(value)
    if len(undirected) == 1:  # "$100 jackets": at most, as the extractor's role-less price always was
        if result.high is None:
            result.high = undirected[0]
        elif result.low is None:
            result.low = undirected[0]
    elif len(undirected) > 1 and result.low is None and result.high is None:
        result.low, result.high = min(undirected), max(undirected)
    if result.low is not None and result.high is not None and result.low > result.high:
        result.low, result.high = result.high, result.low
    return result


def is_price(entity: Mapping[str, Any], text: str, prices: PriceFilter | None = None) -> bool:
    """Whether an entity (a "size" the extractor found, say) is one of the message's prices: "200" in
    "100到200元的帽子", or a value with a currency word of its own ("200元")."""
    prices = prices if prices is not None else price_filter(text)
    if any(_within(entity, text, start, end) for start, end in prices.spans):
        return True
    return any(a.currency for a in _amounts(_nfkc(_entity_text(entity, text))))


def size_values(text: str, entities: Iterable[Mapping[str, Any]]) -> list[Any]:
    """The sizes the extractor found in a message (as ``Tracker.get_latest_entity_values("size")``), leaving
    out any that is an amount of money."""
    entities = list(entities)
    prices = price_filter(text, entities)
    return [e.get("value") for e in entities if e.get("entity") == "size" and e.get("role") is None
            and e.get("group") is None and not is_price(e, text, prices)]


def product_query(text: str, entities: Iterable[Mapping[str, Any]], currency: str | None = "USD",
                  language: str | None = None, prices: PriceFilter | None = None) -> ProductQuery:
    """The search's filters: category, colour and size from the entities, prices from the words (above).
    The query's free text leaves the price words out, so they do not rank the products.

    ``currency``: the catalogue's; an amount in another currency sets no bound (``price_filter``).
    ``language``: the conversation's, for category and colour words in Chinese and Japanese.
    ``prices``: ``price_filter(text, entities, currency)`` when the caller has it already."""
    entities = list(entities)
    prices = prices if prices is not None else price_filter(text, entities, currency)
    others = [e for e in entities if e.get("entity") != "price"
              and not (e.get("entity") == "size" and is_price(e, text, prices))]
    if not any(e.get("entity") == "size" for e in others):
        # "25號的登山鞋": the extractor's "price" with a size word next to it is the size asked for
        others += [{**e, "entity": "size", "role": None} for e in entities
                   if e.get("entity") == "price" and _labelled_size(e, text)][:1]
    rest = text
    for start, end in sorted(prices.spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    query = ProductQuery.from_entities(re.sub(r"\s+", " ", rest).strip(), others, language)
    query.price_min, query.price_max = prices.low, prices.high
    return query
