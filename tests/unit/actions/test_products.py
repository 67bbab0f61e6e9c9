"""action_product_search, action_product_search_more and action_product_question over the real
knowledge-base index (products, their pages) and the test shop's stock.

The index loads once per process (a few seconds); the module is skipped when it has not been built.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from actions.products import ActionProductQuestion, ActionProductSearch, ActionProductSearchMore
from actions.support import ActionFallback
from assistant.shop.storage.models import Product
from tests.unit.actions.conftest import needs_kb, reply, responses, run, slots_of, tracker, unfilled

pytestmark = needs_kb

HIKER = "NW-SHO-0001"  # "Basalt Hiker Classic" in the index: colours pink, brown, olive, beige; sizes 37-46
BLUE_JACKETS = [{"entity": "color", "value": "blue"}, {"entity": "category", "value": "jackets"},
                {"entity": "price", "value": "100", "role": "max"}]


@pytest.fixture()
def hiker_in_stock(services) -> None:
    """The shop's stock of the hiker: 3 in size 42, none in 43."""
    with services.shop.sessions.begin() as session:
        session.add(Product(sku=HIKER, name="Basalt Hiker Classic", category="shoes", price=Decimal("65.00"),
                            currency="USD", colors=["pink", "brown", "olive", "beige"],
                            sizes=[str(n) for n in range(37, 47)], stock={"42": 3, "43": 0, "44": 1}))


def _search(text: str, entities, language: str | None = None, **slots):
    if language:
        slots["language"] = language
    return run(ActionProductSearch(), tracker(slots=slots, text=text, intent="product_search",
                                              entities=entities))


def _question(text: str, entities=(), **slots):
    return run(ActionProductQuestion(), tracker(slots=slots, text=text, intent="product_question",
                                                entities=list(entities)))


# ---- search ------------------------------------------------------------------------------------------

def test_a_search_shows_matching_products_and_remembers_the_query(services, domain, clock) -> None:
    events, messages = _search("blue jackets under 100", BLUE_JACKETS)
    results = reply(messages, "utter_product_results")
    assert results["description"] == "blue jackets under $100.00" and results["first"] == 1
    assert unfilled(domain, results) == set()
    cards = results["custom"]["products"]
    assert results["custom"]["type"] == "product_carousel" and len(cards) == results["last"] == results["total"]
    assert all("blue" in card["colors"] and card["price"] <= 100 for card in cards)
    assert cards[0]["price_text"] == f"${cards[0]['price']:,.2f}"
    slots = slots_of(events)
    assert json.loads(slots["product_query"])["color"] == "blue"
    assert slots["product_offset"] == float(len(cards)) and slots["last_product_sku"] == cards[0]["sku"]


def test_a_japanese_search_reads_in_japanese(services, clock) -> None:
    _, messages = _search("100ドル以下の青いジャケット", BLUE_JACKETS, "ja")
    results = reply(messages, "utter_product_results")
    assert results["description"] == "ブルーのジャケット（100.00米ドル以下）"
    assert "米ドル" in results["results"] and results["custom"]["products"][0]["price_text"].endswith("米ドル")


def test_show_more_pages_on_and_says_when_there_is_no_more(services, clock) -> None:
    events, messages = _search("show me jackets", [{"entity": "category", "value": "jackets"}])
    first = reply(messages, "utter_product_results")
    assert (first["first"], first["last"]) == (1, 5) and first["total"] > 10
    assert first["buttons"] == [{"title": "Show more", "payload": "/show_more"}]
    events, messages = run(ActionProductSearchMore(), tracker(slots=slots_of(events), text="more",
                                                              intent="show_more"))
    second = reply(messages, "utter_product_results")
    assert (second["first"], second["last"]) == (6, 10) and second["results"].startswith("6. ")
    assert {c["sku"] for c in second["custom"]["products"]}.isdisjoint(c["sku"] for c in first["custom"]["products"])
    assert slots_of(events)["product_offset"] == 10.0
    past_the_end = {**slots_of(events), "product_offset": float(first["total"])}
    events, messages = run(ActionProductSearchMore(), tracker(slots=past_the_end, text="more", intent="show_more"))
    assert responses(messages) == ["utter_product_no_more"] and events == []


def test_a_search_without_results_says_what_was_looked_for(services, domain, clock) -> None:
    events, messages = _search("jackets under 5", [{"entity": "category", "value": "jackets"},
                                                   {"entity": "price", "value": "5", "role": "max"}])
    none = reply(messages, "utter_product_none")
    assert none["description"] == "jackets under $5.00" and unfilled(domain, none) == set()
    assert events == []


def test_show_more_without_a_search_asks_what_to_look_for(services, clock) -> None:
    events, messages = run(ActionProductSearchMore(), tracker(text="more", intent="show_more"))
    assert responses(messages) == ["utter_ask_what_product"] and events == []


# ---- questions about one product ---------------------------------------------------------------------

@pytest.mark.parametrize(("color", "response", "said"), [("olive", "utter_product_has_color", "olive"),
                                                         ("red", "utter_product_lacks_color", "red")])
def test_a_colour_question_about_a_named_product(services, domain, clock, color, response, said) -> None:
    events, messages = _question(f"does the Basalt Hiker Classic come in {color}?",
                                 [{"entity": "product", "value": "Basalt Hiker Classic"},
                                  {"entity": "color", "value": color}])
    answer = reply(messages, response)
    assert answer["product"] == "Basalt Hiker Classic" and answer["color"] == said
    assert answer["colors"] == "pink, brown, olive, beige" and unfilled(domain, answer) == set()
    assert slots_of(events) == {"last_product_sku": HIKER}


def test_a_size_of_the_product_just_shown_is_checked_against_the_shops_stock(services, domain, clock,
                                                                            hiker_in_stock) -> None:
    _, messages = _search("do you have it in 42?", [{"entity": "size", "value": "42"}], last_product_sku=HIKER)
    in_stock = reply(messages, "utter_product_in_stock")
    assert (in_stock["product"], in_stock["size"], in_stock["count"]) == ("Basalt Hiker Classic", "42", 3)
    assert unfilled(domain, in_stock) == set()


def test_a_sold_out_size_names_the_sizes_in_stock(services, clock, hiker_in_stock) -> None:
    _, messages = _question("any left in 43?", [{"entity": "size", "value": "43"}], last_product_sku=HIKER)
    sold_out = reply(messages, "utter_product_sold_out_size")
    assert sold_out["size"] == "43" and sold_out["sizes"] == "42, 44"


def test_stock_without_a_size_lists_the_sizes_in_stock(services, clock, hiker_in_stock) -> None:
    _, messages = _question("is it in stock?", last_product_sku=HIKER)
    assert reply(messages, "utter_product_sizes_in_stock")["sizes"] == "42, 44"


def test_a_product_the_shop_does_not_stock_is_unavailable(services, clock) -> None:
    _, messages = _question("do you have it in 42?", [{"entity": "size", "value": "42"}], last_product_sku=HIKER)
    assert responses(messages) == ["utter_product_unavailable"]


def test_another_question_is_answered_from_the_products_page(services, domain, clock) -> None:
    events, messages = _question("is it waterproof?", last_product_sku=HIKER)
    answer = reply(messages, "utter_kb_answer")
    assert answer["custom"]["doc_id"] == f"product:{HIKER}" and answer["source"] == "Basalt Hiker Classic"
    assert "waterproof" in answer["answer"] and unfilled(domain, answer) == set()
    assert slots_of(events) == {"last_product_sku": HIKER}


def test_a_japanese_shopper_is_told_in_japanese_that_the_page_is_english(services, clock) -> None:
    _, messages = _question("防水ですか？", last_product_sku=HIKER, language="ja")
    answer = reply(messages, "utter_kb_answer")
    assert answer["custom"]["doc_id"] == f"product:{HIKER}"  # product pages are in English only
    assert answer["answer"].startswith("（このページは日本語版がまだないため")
    assert "{language}" not in answer["answer"]


def test_the_fallback_hands_a_stock_question_about_the_last_product_over(services, clock, hiker_in_stock) -> None:
    state = tracker(slots={"last_product_sku": HIKER}, text="size 44?", ranking=[("nlu_fallback", 0.6)],
                    entities=[{"entity": "size", "value": "44"}])
    _, messages = run(ActionFallback(), state)
    assert responses(messages) == ["utter_product_in_stock"] and messages[0]["count"] == 1
