"""The router's decisions on parsed messages (plain Python; the end-to-end tests run it inside Rasa)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from assistant.rasa_plugins.routing import ASK, State, cues, decide, route


def parsed(text: str, intent: str, page: float, product: float = 0.2, entities: Optional[List[str]] = None,
           language: Optional[str] = None, doc: str = "guide:find-your-order-number") -> Dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.8},
            "intent_ranking": [{"name": intent, "confidence": 0.8}],
            "entities": [{"entity": e, "value": "x"} for e in entities or []],
            "knowledge": {"language": language, "pages": [{"doc_id": doc, "score": page}],
                          "products": [{"doc_id": "product:NW-SHO-0001", "score": product}]}}


@pytest.mark.parametrize("text,language,how,own", [
    ("where do I find my order number?", "en", True, True),
    ("where is my order?", "en", False, True),
    ("cancel my order please", "en", False, True),
    ("can sale items be returned?", "en", True, False),
    ("订单号在哪里看？", "zh-Hans", True, False),
    ("我的订单到哪了", "zh-Hans", False, True),
    ("我的訂單還能改地址嗎", "zh-Hant", True, True),
    ("注文番号はどこで確認できますか", "ja", True, False),
    ("私の注文はどこですか", "ja", False, True),
])
def test_cues_tell_a_general_question_from_a_request(text: str, language: str, how: bool, own: bool) -> None:
    assert cues(text, language) == (how, own)


def test_a_general_question_taken_for_an_order_task_is_answered() -> None:
    result = route(parsed("where do I find my order number?", "order_status", 0.7, language="en"))
    assert result["intent"]["name"] == ASK
    assert result["route"]["from_intent"] == "order_status"
    assert result["route"]["offer_task"] == "order_status"  # the task is offered after the answer
    assert result["route"]["own_order"] is True


def test_a_request_to_act_keeps_its_task() -> None:
    for text in ("where is my order?", "cancel my order please"):
        assert decide(parsed(text, "order_status", 0.7, language="en")) is None
    # an order number typed with the question: the shopper wants this order looked at
    assert decide(parsed("can I return SO-123456?", "return_item", 0.7, entities=["order_id"], language="en")) is None


def test_a_weak_page_keeps_the_task() -> None:
    assert decide(parsed("can I change it?", "change_order", 0.2, language="en")) is None


def test_care_and_size_questions_go_to_the_guides_unless_a_product_is_named() -> None:
    care = parsed("how should I wash a rain jacket?", "product_question", 0.6, language="en",
                  doc="guide:care-waterproof-jackets")
    assert decide(care)["reason"].startswith("a how-to")
    assert decide({**care, "entities": [{"entity": "product", "value": "Basalt Hiker Classic"}]}) is None
    # "is it waterproof?" right after a product was shown is about that product
    assert decide(care, State(product_shown=True)) is None


def test_a_product_search_with_filters_stays_a_search() -> None:
    search = parsed("do you have a blue rain jacket under $100", "product_search", 0.5, product=0.6,
                    entities=["color", "category", "price"], language="en")
    assert decide(search) is None


def test_questions_taken_for_complaint_or_payment_problem_are_answered() -> None:
    assert decide(parsed("will you ever ask for my card number?", "payment_issue", 0.6, language="en"))
    assert decide(parsed("my card was charged twice", "payment_issue", 0.6, language="en")) is None


def test_the_fallback_is_answered_only_with_a_close_page() -> None:
    assert decide(parsed("what currency are your prices in?", "nlu_fallback", 0.7, language="en"))
    assert decide(parsed("what is the capital of peru", "nlu_fallback", 0.3, language="en")) is None


def test_nothing_is_rerouted_during_a_form_a_handoff_or_for_a_button() -> None:
    message = parsed("where do I find my order number?", "order_status", 0.7, language="en")
    assert decide(message, State(active_loop="order_verification_form")) is None
    assert decide(message, State(handoff_active=True)) is None
    assert decide({**message, "text": "/order_status"}) is None


def test_without_knowledge_the_intent_decides() -> None:
    message = parsed("where do I find my order number?", "order_status", 0.7, language="en")
    del message["knowledge"]
    assert decide(message) is None


def test_a_named_product_is_weighed_against_the_pages_text_not_its_questions() -> None:
    """Section questions lift a page's score; a product page has none, so it is compared with the page's
    text alone (``passage``)."""
    message = parsed("how long are the Aspen Swim Short II in the leg", "nlu_fallback", 0.62, product=0.5,
                     entities=["product"], language="en", doc="guide:clothing-size-guide")
    message["knowledge"]["pages"][0]["passage"] = 0.45
    assert route(message)["intent"]["name"] == "product_question"
    message["knowledge"]["pages"][0]["passage"] = 0.55
    assert route(message)["intent"]["name"] == ASK  # the guide answers (a general "how" question)
