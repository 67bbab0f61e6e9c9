"""Product search (filters from entities, product cards, "show more") and questions about one product.

A search remembers its filters and the top result, so "show more" pages on and "is it in stock in
M?" refers to the product just shown. A price in another currency than the catalogue's ("2万円以上") is
left out of the search, with a word that the prices are in US dollars (the shop has no exchange rates).
"""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, first
from actions.knowledge import utter_answer
from actions.product_filters import price_filter, product_query, size_values
from actions.services import Services, get_knowledge_base
from assistant.i18n.formatting import money
from assistant.i18n.phrases import current_language, maybe_phrase, phrase
from assistant.shop.commerce.review_topics import asks_how_size_runs, topics_in
from knowledge_base.answers import Answer, answer
from knowledge_base.products import (
    ProductHit,
    ProductQuery,
    color_of,
    find_product,
    find_product_in_text,
    search_products,
    size_of,
    words_language,
)
from knowledge_base.search import KnowledgeBase
from knowledge_base.shoe_sizes import eu_size_for, shoe_size_table

PAGE = 5
_REFERS_BACK = re.compile(r"\b(it|this|that|these|those|them|this one|that one)\b", re.I)
_STOCK_WORDS = re.compile(r"\b(stock|available|availability|sold out|left|have it|get it|come in)\b", re.I)


def about_last_product(tracker: Tracker) -> bool:
    """A message that asks about the product just shown: it names a size, or asks about stock."""
    if not tracker.get_slot("last_product_sku"):
        return False
    text = tracker.latest_message.get("text") or ""
    return bool(_sizes(tracker) or (_STOCK_WORDS.search(text) and _REFERS_BACK.search(text)))


def card(hit: ProductHit, ratings: Optional[Dict[str, tuple[float, int]]] = None) -> Dict[str, Any]:
    """A product card; the rating and review count from the shop's reviews when they are known."""
    data = {**hit.card(), "price_text": money(hit.price, hit.currency)}
    if ratings and hit.sku in ratings:
        data["rating"], data["review_count"] = ratings[hit.sku]
    return data


def stars(rating: float) -> str:
    """``★★★★☆`` for 4.2 (rounded to whole stars)."""
    full = max(0, min(5, int(float(rating) + 0.5)))
    return "★" * full + "☆" * (5 - full)


def tell_reviews(dispatcher: CollectingDispatcher, services: Services, sku: str, name: str, question: str) -> bool:
    """The rating, the count and the one or two reviews that best answer ``question``; False if none."""
    reviews = services.shop.reviews
    summary = reviews.summary(sku)
    if summary is None:
        return False
    language = current_language()
    lines = [f"{stars(e.rating)} “{e.text}” ({phrase('personal.reviewer', author=e.author)})"
             for e in reviews.excerpts(sku, question, language)]
    fit = ""
    if summary.fit and "fit" in topics_in(question):
        fit = phrase(f"personal.fit_{summary.fit}", votes=summary.fit_votes, total=summary.fit_reviews)
    dispatcher.utter_message(response="utter_product_reviews", product=name, rating=f"{summary.average:.1f}",
                             count=summary.count, stars=stars(summary.average), fit=fit,
                             excerpts="\n".join(lines))
    return True


def describe(query: ProductQuery, currency: str = "USD") -> str:
    """"blue jackets under $100", "蓝色外套，100.00美元以下", "ブルーのジャケット（100.00米ドル以下）"."""
    category = maybe_phrase(f"category.{query.category}", query.category or "") if query.category else phrase(
        "product.products")
    text = phrase("product.colored", color=maybe_phrase(f"color.{query.color}", query.color),
                  category=category) if query.color else category
    if query.size:
        text += phrase("product.in_size", size=query.size)
    low = money(query.price_min, currency) if query.price_min is not None else None
    high = money(query.price_max, currency) if query.price_max is not None else None
    if low and high:
        text += phrase("product.between", low=low, high=high)
    elif high:
        text += phrase("product.under", high=high)
    elif low:
        text += phrase("product.over", low=low)
    return text


def result_line(number: int, hit: ProductHit) -> str:
    parts = [money(hit.price, hit.currency)]
    if hit.rating:
        parts.append(phrase("product.rated", rating=hit.rating))
    return f"{number}. {hit.name}: {phrase('product.line_separator').join(parts)}"


def show_page(dispatcher: CollectingDispatcher, kb: KnowledgeBase, query: ProductQuery, offset: int,
              services: Optional[Services] = None) -> Events:
    hits, total = search_products(kb, query, limit=PAGE, offset=offset)
    ratings = services.shop.reviews.ratings(h.sku for h in hits) if services and hits else {}
    if not hits:
        dispatcher.utter_message(response="utter_product_none" if offset == 0 else "utter_product_no_more",
                                 description=describe(query))
        return []
    shown = offset + len(hits)
    lines = "\n".join(result_line(offset + i + 1, h) for i, h in enumerate(hits))
    buttons: List[Dict[str, str]] = []
    if shown < total:
        buttons.append({"title": phrase("button.show_more"), "payload": "/show_more"})
    dispatcher.utter_message(response="utter_product_results", first=offset + 1, last=shown, total=total,
                             description=describe(query), results=lines, buttons=buttons,
                             json_message={"type": "product_carousel", "products": [card(h, ratings) for h in hits],
                                           "total": total, "offset": offset})
    return [SlotSet("product_query", json.dumps(query.to_dict())), SlotSet("product_offset", float(shown)),
            SlotSet("last_product_sku", hits[0].sku)]


def _values(tracker: Tracker, name: str) -> List[Any]:
    return list(tracker.get_latest_entity_values(name))


def _sizes(tracker: Tracker) -> List[Any]:
    """The sizes in the latest message, never an amount of money ("200" in "100到200元的帽子")."""
    return size_values(tracker.latest_message.get("text") or "", tracker.latest_message.get("entities") or [])


SHOE_CATEGORIES = frozenset({"shoes", "boots"})


def shoe_size_in_eu(text: str, query: ProductQuery, services: Services) -> Optional[Tuple[int, str, str]]:
    """(EU size, size system, the size as said) when a shoe search names a US, UK or foot-length size;
    the conversions are the shop's shoe size guide's (``knowledge_base/shoe_sizes.py``)."""
    if not query.size or query.category not in SHOE_CATEGORIES:
        return None
    return eu_size_for(text, query.size, shoe_size_table(services.settings.kb_content_dir))


class ActionProductSearch(ShopAction):
    def name(self) -> Text:
        return "action_product_search"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        text = tracker.latest_message.get("text") or ""
        entities = tracker.latest_message.get("entities", [])
        currency = services.policy.currency  # the catalogue's prices are all in the shop's currency
        # prices from the message's words (actions/product_filters.py); one in another currency sets no bound
        prices = price_filter(text, entities, currency)
        query = product_query(text, entities, currency, current_language(), prices=prices)
        refers_back = tracker.get_slot("last_product_sku") and _REFERS_BACK.search(text) and not (
            query.category or _values(tracker, "product"))
        kb = get_knowledge_base()
        # the extractor finds no katakana name ("カスケードハイカーは防水?"): the message's words count too
        named = find_product_in_text(kb, text) is not None or any(
            find_product(kb, str(value)) for value in _values(tracker, "product"))
        if refers_back or (named and not query.category):
            # "do you have it in M?" right after a result, or "is the Cascade Hiker waterproof?":
            # a question about one product, not a search
            return ActionProductQuestion().perform(dispatcher, tracker, services)
        converted = shoe_size_in_eu(text, query, services)
        if converted is not None:  # "size 9", "25cm": the catalogue's shoes are in EU sizes
            eu, system, said = converted
            query.size = str(eu)
            dispatcher.utter_message(text=phrase("product.shoe_size", eu=eu,
                                                 said=phrase(f"product.shoe_size_said.{system}", value=said)))
        if prices.unconverted:  # "2万円以上": no exchange rates, so searched without it; say so first
            dispatcher.utter_message(text=phrase("product.other_currency", amount=prices.unconverted[0],
                                                 currency=maybe_phrase(f"currency_name.{currency}", currency)))
        return show_page(dispatcher, kb, query, 0, services)


class ActionProductSearchMore(ShopAction):
    def name(self) -> Text:
        return "action_product_search_more"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        raw = tracker.get_slot("product_query")
        if not raw:
            dispatcher.utter_message(response="utter_ask_what_product")
            return []
        query = ProductQuery.from_dict(json.loads(raw))
        return show_page(dispatcher, get_knowledge_base(), query, int(tracker.get_slot("product_offset") or 0),
                         services)


class ActionProductQuestion(ShopAction):
    """Stock in a size, colours, or anything the product's page says, for the named or last product."""

    def name(self) -> Text:
        return "action_product_question"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        kb = get_knowledge_base()
        text = tracker.latest_message.get("text") or ""
        product = self._product(kb, tracker)
        if product is None:
            reply = answer(kb, text, filters={"kind": "product"}, min_score=services.settings.kb_min_score)
            if isinstance(reply, Answer):
                utter_answer(dispatcher, reply, services)
                return [SlotSet("last_product_sku", reply.passage.doc_id.split(":", 1)[1])]
            dispatcher.utter_message(response="utter_ask_which_product")
            return []
        sku, doc = product
        events: Events = [SlotSet("last_product_sku", sku)]
        # "do they run small?" names no size to check: reviewers answer it
        size = None if asks_how_size_runs(text) else first(_sizes(tracker))
        color = first(_values(tracker, "color"))
        if size or (_STOCK_WORDS.search(text) and not color and not asks_how_size_runs(text)):
            self._stock(dispatcher, services, sku, doc, size_of(str(size)) if size else None)
        elif color:
            self._color(dispatcher, doc, str(color), text)
        else:
            question = text if doc["title"].lower() in text.lower() else f"{doc['title']}: {text}"
            reply = answer(kb, question, filters={"doc_id": f"product:{sku}"}, min_score=-1.0)  # it is this product
            if isinstance(reply, Answer):
                utter_answer(dispatcher, reply, services)
            # what reviewers say, on the question's topic where they say something about it
            if not tell_reviews(dispatcher, services, sku, doc["title"], text) and not isinstance(reply, Answer):
                dispatcher.utter_message(response="utter_ask_which_product")
        return events

    @staticmethod
    def _product(kb: KnowledgeBase, tracker: Tracker) -> Optional[tuple[str, Dict[str, Any]]]:
        in_text = find_product_in_text(kb, tracker.latest_message.get("text") or "")
        if in_text:  # a full product name beats the partial one the entity extractor may have found
            return in_text[0].split(":", 1)[1], dict(in_text[1])
        for value in _values(tracker, "product"):
            found = find_product(kb, str(value))
            if found:
                return found[0].split(":", 1)[1], dict(found[1])
        sku = tracker.get_slot("last_product_sku")
        doc = kb.documents.get(f"product:{sku}") if sku else None
        return (sku, dict(doc)) if doc else None

    @staticmethod
    def _stock(dispatcher: CollectingDispatcher, services: Services, sku: str, doc: Dict[str, Any],
               size: Optional[str]) -> None:
        level = services.shop.catalog.stock(sku)
        name = doc["title"]
        if level is None:
            dispatcher.utter_message(response="utter_product_unavailable", product=name)
            return
        available = ", ".join(level.sizes_in_stock) or phrase("product.none")
        if size is None:
            dispatcher.utter_message(response="utter_product_sizes_in_stock", product=name, sizes=available)
            return
        own = level.size_named(size)
        if own is None:
            dispatcher.utter_message(response="utter_product_no_such_size", product=name, size=size,
                                     sizes=", ".join(level.sizes))
        elif level.in_stock(own) > 0:
            dispatcher.utter_message(response="utter_product_in_stock", product=name, size=own,
                                     count=level.in_stock(own))
        else:
            dispatcher.utter_message(response="utter_product_sold_out_size", product=name, size=own,
                                     sizes=available)

    @staticmethod
    def _color(dispatcher: CollectingDispatcher, doc: Dict[str, Any], color: str, text: str = "") -> None:
        wanted = color_of(color, words_language(text, current_language())) or color.lower()
        colors = ", ".join(maybe_phrase(f"color.{c}", c) for c in doc.get("colors", []))
        response = "utter_product_has_color" if wanted in doc.get("colors", []) else "utter_product_lacks_color"
        dispatcher.utter_message(response=response, product=doc["title"], color=maybe_phrase(f"color.{wanted}", wanted),
                                 colors=colors)
