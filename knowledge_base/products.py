"""Product search: category, colour, size and price filters on the catalogue, ranked by relevance.

Plain Python over the knowledge base's product documents; the action server turns the hits into
product cards. The shopper's category and colour words are read in English (below) and in Chinese and
Japanese (``knowledge_base/product_words.py``); product names in English and in katakana
(``content/products/name_readings.ja.yml``).
"""
from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping

from assistant.i18n.scripts import CJK_RE
from knowledge_base import product_words
from knowledge_base.product_names import find_product_in_text, normalise  # the name matching lives there
from knowledge_base.search import KnowledgeBase

# Words shoppers use for a catalogue category or subcategory (matched after normalise()).
CATEGORY_SYNONYMS = {
    "jackets": ["jacket", "coat", "coats", "parka", "parkas", "anorak", "shell", "raincoat", "windbreaker", "puffer"],
    "shoes": ["shoe", "sneaker", "sneakers", "trainer", "trainers", "runner", "runners", "footwear"],
    "boots": ["boot", "wellies", "wellington"],
    "t-shirts": ["t-shirt", "tshirt", "tshirts", "tee", "tees", "t shirt", "t shirts"],
    "shirts": ["shirt", "overshirt", "flannel", "button-down"],
    "pants": ["pant", "trousers", "trouser", "joggers", "leggings"],
    "shorts": ["short"],
    "fleeces": ["fleece", "hoodie", "hoodies", "sweater", "pullover", "midlayer", "mid-layer"],
    "dresses": ["dress", "skirt"],
    "socks": ["sock"],
    "backpacks": ["backpack", "rucksack", "rucksacks", "daypack", "daypacks", "pack", "packs"],
    "bags": ["bag", "tote", "totes", "duffel", "duffle", "hip pack", "bum bag", "fanny pack"],
    "hats": ["hat", "cap", "caps", "beanie", "beanies"],
    "gloves": ["glove", "mittens", "mitts"],
    "tents": ["tent", "shelter"],
    "sleeping bags": ["sleeping bag", "sleepingbag", "quilt"],
    "camping gear": ["camping", "camp gear", "stove", "headlamp", "lantern", "camp chair", "water filter"],
    "accessories": ["accessory", "sunglasses", "gaiter", "gaiters", "neck gaiter", "bottle", "belt"],
}
COLOR_SYNONYMS = {
    "grey": ["gray", "charcoal", "silver"], "navy": ["navy blue", "dark blue"], "blue": ["light blue", "sky blue"],
    "red": ["scarlet", "crimson"], "burgundy": ["maroon", "wine", "bordeaux"], "green": ["forest green", "lime"],
    "olive": ["olive green"], "khaki": ["tan", "sand"], "beige": ["cream", "off-white", "stone"],
    "brown": ["chocolate", "coffee"], "purple": ["violet", "lilac"], "pink": ["rose"], "teal": ["turquoise"],
    "yellow": ["mustard"], "orange": [], "black": [], "white": [],
}
_PRICE_NUMBER = re.compile(r"(\d+(?:[.,]\d{1,2})?)\s*(k)?", re.I)
_SIZE_WORDS = {"small": "S", "medium": "M", "large": "L", "extra large": "XL", "x-large": "XL",
               "extra small": "XS", "x-small": "XS", "xx-large": "XXL", "2xl": "XXL"}


def _lookup(value: str, table: Mapping[str, Iterable[str]]) -> str | None:
    value = normalise(value)
    for canonical, words in table.items():
        if value == canonical or value in words:
            return canonical
    for canonical, words in table.items():  # "rain jackets", "blue-ish": a known word inside
        if any(re.search(rf"\b{re.escape(w)}\b", value) for w in [canonical, *words]):
            return canonical
    return None


@functools.lru_cache(maxsize=4096)  # called per product per search (the subcategory's category)
def category_of(value: str, language: str | None = None) -> str | None:
    """The catalogue's category for a shopper's word: "sneakers" shoes, "登山鞋" shoes, "ジャケット" jackets.
    ``language``, the message's, decides the Chinese characters the languages read differently ("靴")."""
    if product_words.has_cjk(value):
        found = product_words.lookup("category", value, language)
        if found:
            return found
    return _lookup(value, CATEGORY_SYNONYMS)


@functools.lru_cache(maxsize=4096)
def color_of(value: str, language: str | None = None) -> str | None:
    """The catalogue's colour for a shopper's word: "gray" grey, "蓝色" blue, "青い" blue, "青色" teal in Chinese."""
    if product_words.has_cjk(value):
        found = product_words.lookup("color", value, language)
        if found:
            return found
    return _lookup(value, COLOR_SYNONYMS)


def words_language(text: str, language: str | None = None) -> str | None:
    """The language to read a message's category and colour words in: Japanese when the message has kana
    ("青いジャケット"), else the conversation's ``language``."""
    return "ja" if product_words.has_kana(text) else language


def size_of(value: str) -> str:
    value = normalise(value)
    return _SIZE_WORDS.get(value, value.upper() if len(value) <= 4 and value.isalpha() else value)


def parse_price(value: str) -> float | None:
    """"$100", "100 dollars", "1.5k", "80,50" -> 100.0, 100.0, 1500.0, 80.5."""
    match = _PRICE_NUMBER.search(unicodedata.normalize("NFKC", str(value)))
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    return number * 1000 if match.group(2) else number


@dataclass
class ProductQuery:
    text: str = ""
    category: str | None = None
    color: str | None = None
    size: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    terms: list[str] = field(default_factory=list)  # unmatched category words, e.g. "rain" in "rain jackets"

    @classmethod
    def from_entities(cls, text: str, entities: Iterable[Mapping[str, Any]],
                      language: str | None = None) -> ProductQuery:
        """Build filters from Rasa-style entities: category, color, size and price (role min/max).
        ``language``: the conversation's, for Chinese and Japanese words (see ``words_language``)."""
        query = cls(text=text)
        language = words_language(text, language)
        prices: list[tuple[str | None, float]] = []
        for entity in entities:
            kind, value = entity.get("entity"), str(entity.get("value", ""))
            if kind == "category":
                query.category = category_of(value, language) or query.category
                if query.category is None:
                    query.terms.append(value)
            elif kind == "color":
                query.color = color_of(value, language) or query.color
            elif kind == "size":
                query.size = size_of(value)
            elif kind == "price":
                number = parse_price(value)
                if number is not None:
                    prices.append((entity.get("role"), number))
        for role, number in prices:
            if role == "min":
                query.price_min = number
            elif role == "max" or len(prices) == 1:
                query.price_max = number
        if len(prices) == 2 and not any(role for role, _ in prices):  # "between 50 and 100"
            low, high = sorted(number for _, number in prices)
            query.price_min, query.price_max = low, high
        return query

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProductQuery:
        return cls(**{key: data.get(key) for key in cls.__dataclass_fields__ if key in data})

    def matches(self, product: Mapping[str, Any]) -> bool:
        if self.category and self.category not in (product.get("category"), _category_of_sub(product)):
            return False
        if self.color and self.color not in product.get("colors", []):
            return False
        if self.size:
            stock = product.get("stock", {})
            sizes = {str(s).upper(): s for s in product.get("sizes", [])}
            size = sizes.get(self.size.upper())
            if size is None or int(stock.get(size, 0)) <= 0:
                return False
        price = float(product.get("price", 0))
        if self.price_max is not None and price > self.price_max:
            return False
        if self.price_min is not None and price < self.price_min:
            return False
        return True


def _category_of_sub(product: Mapping[str, Any]) -> str | None:
    return category_of(product.get("subcategory", "")) if product.get("subcategory") else None


@dataclass(frozen=True)
class ProductHit:
    sku: str
    name: str
    price: float
    currency: str
    rating: float | None
    review_count: int
    image: str
    url: str
    colors: list[str]
    sizes_in_stock: list[str]

    def card(self) -> dict[str, Any]:
        return asdict(self)


def _hit(doc_id: str, product: Mapping[str, Any]) -> ProductHit:
    stock = product.get("stock", {})
    return ProductHit(
        sku=doc_id.split(":", 1)[1], name=product.get("title", ""), price=float(product.get("price", 0)),
        currency=product.get("currency", "USD"), rating=product.get("rating"),
        review_count=int(product.get("review_count", 0)), image=product.get("image", ""),
        url=product.get("url", ""), colors=list(product.get("colors", [])),
        sizes_in_stock=[s for s in product.get("sizes", []) if int(stock.get(s, 0)) > 0],
    )


def search_products(kb: KnowledgeBase, query: ProductQuery, limit: int = 5,
                    offset: int = 0) -> tuple[list[ProductHit], int]:
    """Products matching every filter, best first, and how many match in all."""
    products = {doc_id: doc for doc_id, doc in kb.documents.items() if doc.get("kind") == "product"}
    allowed = {doc_id for doc_id, doc in products.items() if query.matches(doc)}
    if not allowed:
        return [], 0
    text = _free_text(query)
    if text:
        passages = kb.search(text, k=len(allowed), filters=lambda chunk: chunk.doc_id in allowed)
        ranked = [p.doc_id for p in passages]
        ranked += sorted(allowed - set(ranked), key=lambda d: _popularity(products[d]), reverse=True)
    else:
        ranked = sorted(allowed, key=lambda d: _popularity(products[d]), reverse=True)
    return [_hit(d, products[d]) for d in ranked[offset:offset + limit]], len(allowed)


def _popularity(product: Mapping[str, Any]) -> float:
    return float(product.get("rating") or 0) + 0.1 * math.log1p(int(product.get("review_count") or 0))


_FILLER = re.compile(
    r"\b(do|you|have|has|any|some|show|me|i|im|i'm|am|looking|look|for|want|need|a|an|the|in|of|with|under|"
    r"over|below|above|less|more|than|between|and|to|size|colou?r|cheap|please|search|find|got|sell|"
    r"something|stuff|products?|items?|what|which|is|are|there|can|get)\b", re.I)


def _free_text(query: ProductQuery) -> str:
    """What is left of the shopper's words once filter words are removed ("waterproof", "for hiking")."""
    text = normalise(query.text)
    text = re.sub(r"[$€£¥]?\s*\d+(?:[.,]\d+)?\s*(?:k|dollars?|usd|euros?|eur|bucks|pounds?)?", " ", text)
    for value in (query.color, query.size, query.category):
        if value:
            text = re.sub(rf"\b{re.escape(value.lower())}s?\b", " ", text)
    for word in CATEGORY_SYNONYMS.get(query.category or "", []) + COLOR_SYNONYMS.get(query.color or "", []):
        text = re.sub(rf"\b{re.escape(word)}\b", " ", text)
    text = _FILLER.sub(" ", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    words = [w for w in text.split() if len(w) > 1]
    return " ".join(words + [t for t in query.terms if t not in words])


def find_product(kb: KnowledgeBase, name: str) -> tuple[str, Mapping[str, Any]] | None:
    """The catalogue product a shopper names ("cascade hiker", "trail runner 2", "カスケードハイカー"), or None."""
    if CJK_RE.search(name or ""):  # "カスケードハイカー", "Cascade Hikerの": a whole name, never a part of one
        return find_product_in_text(kb, name)
    wanted = normalise(name)
    if not wanted:
        return None
    products = {d: doc for d, doc in kb.documents.items() if doc.get("kind") == "product"}
    exact = [d for d, doc in products.items() if normalise(doc.get("title", "")) == wanted]
    if exact:
        return exact[0], products[exact[0]]
    contained = [d for d, doc in products.items() if wanted in normalise(doc.get("title", ""))]
    if contained:  # the shortest title containing the words: "basalt hiker" -> "Basalt Hiker", not "... Classic"
        best = min(contained, key=lambda d: len(products[d].get("title", "")))
        return best, products[best]
    for passage in kb.search(name, k=3, filters={"kind": "product"}, mode="bm25"):
        title_words = normalise(passage.chunk.title).split()
        # every word the shopper typed is in the name, allowing a typo ("cascade hikr"), never another
        # model number ("trail runner 2" is not "Trail Runner 3")
        if all(word in title_words or (not word.isdigit() and difflib.get_close_matches(word, title_words, 1, 0.75))
               for word in wanted.split()):
            return passage.doc_id, products[passage.doc_id]
    return None
