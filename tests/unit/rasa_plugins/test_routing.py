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
    ("i wore the trousers on one hike, can i still return them", "en", True, False),
    ("可以直接在我的帳戶頁面申請退貨嗎？", "zh-Hant", True, False),  # 申請 is "apply", not 請 "please"
    ("请帮我取消订单", "zh-Hans", False, False),
    ("物流一直不更新是什么意思", "zh-Hans", True, False),
    ("你们仓库一般几点开始打包发货", "zh-Hans", True, False),  # what time, with no question mark
    ("申請保固要準備哪些資料", "zh-Hant", True, False),
    ("换货的包裹要送去哪里寄", "zh-Hans", True, False),
    ("at what point can my order no longer be changed", "en", True, True),
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
    assert decide(parsed("can I change it?", "change_order", 0.15, language="en")) is None


def test_care_and_size_questions_go_to_the_guides_unless_a_product_is_named() -> None:
    care = parsed("how should I wash a rain jacket?", "product_question", 0.6, language="en",
                  doc="guide:care-waterproof-jackets")
    assert decide(care)["reason"].startswith("a how-to")
    assert decide({**care, "entities": [{"entity": "product", "value": "Basalt Hiker Classic"}]}) is None
    # "is it waterproof?" right after a product was shown is about that product
    assert decide(care, State(product_shown=True)) is None


def test_a_kind_of_product_taken_for_a_product_question_is_a_search() -> None:
    """"any fleeces in navy" after a result: product_question first, the search close behind."""
    message = parsed("any fleeces in navy", "product_question", 0.18, entities=["category", "color"], language="en")
    message["intent_ranking"] = [{"name": "product_question", "confidence": 0.45},
                                 {"name": "product_search", "confidence": 0.40}]
    assert route(message, State(product_shown=True))["intent"]["name"] == "product_search"
    # a product named, the search not among the first three, or a how-to question: not a search
    named = {**message, "knowledge": {**message["knowledge"], "named_product": "NW-SHO-0001"}}
    assert decide(named, State(product_shown=True)) is None
    assert decide({**message, "intent_ranking": message["intent_ranking"][:1]}, State(product_shown=True)) is None
    care = parsed("how do I wash a fleece?", "product_question", 0.6, entities=["category"], language="en",
                  doc="guide:care-fleece")
    care["intent_ranking"] = message["intent_ranking"]
    assert decide(care)["reason"].startswith("a how-to")


def test_a_product_search_with_filters_stays_a_search() -> None:
    search = parsed("do you have a blue rain jacket under $100", "product_search", 0.5, product=0.6,
                    entities=["color", "category", "price"], language="en")
    assert decide(search) is None


def test_questions_taken_for_complaint_or_payment_problem_are_answered() -> None:
    assert decide(parsed("will you ever ask for my card number?", "payment_issue", 0.6, language="en"))
    assert decide(parsed("my card was charged twice", "payment_issue", 0.6, language="en")) is None


def test_a_question_about_the_chat_taken_for_back_to_the_bot_is_answered_outside_a_handoff() -> None:
    question = parsed("if I leave the chat and return later, will it remember me?", "back_to_bot", 0.5,
                      language="en", doc="policy:order-verification-and-security")
    assert decide(question)["decision"] == "answer"
    # a person owns the chat, or a ticket waits for the team after hours: "back to the bot" keeps its meaning
    assert decide(question, State(handoff_active=True)) is None
    assert decide(question, State(handoff_waiting=True)) is None
    assert decide(parsed("back to the bot please", "back_to_bot", 0.5, language="en")) is None


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


def order_number(text: str, intent: str, value: str = "NW-10023") -> Dict[str, Any]:
    message = parsed(text, intent, 0.2, language="en")
    start = text.find(value)
    message["entities"] = [{"entity": "order_id", "value": value, "start": start, "end": start + len(value)}]
    return message


@pytest.mark.parametrize("text,intent", [
    ("NW-10023", "inform"),
    ("NW-10023", "nlu_fallback"),
    ("my order number is NW-10023", "inform"),
    ("NW-10023?", "greet"),          # nothing but the number, whatever the classifier said
    ("注文番号 NW-10023 です", "inform"),
])
def test_an_order_number_on_its_own_looks_the_order_up(text: str, intent: str) -> None:
    routed = route(order_number(text, intent))
    assert routed["intent"]["name"] == "order_status"
    assert routed["route"]["decision"] == "task" and routed["route"]["from_intent"] == intent
    assert routed["intent_ranking"][0]["name"] == "order_status"


@pytest.mark.parametrize("text,intent", [
    ("cancel NW-10023", "cancel_order"),              # the task the shopper asked for stays
    ("NW-10023 I want a person", "human_handoff"),
    ("NW-10023 arrived with a broken zip", "complaint"),  # words besides the number: the classifier decides
])
def test_an_order_number_with_a_request_keeps_the_request(text: str, intent: str) -> None:
    assert route(order_number(text, intent))["intent"]["name"] == intent


def test_an_order_number_during_a_form_is_the_forms() -> None:
    assert decide(order_number("NW-10023", "inform"), State(active_loop="order_verification_form")) is None


def test_a_product_named_in_katakana_counts_as_named() -> None:
    """The extractor finds no katakana name; the retriever's text match does (``named_product``)."""
    message = parsed("カスケードハイカーの手入れ方法は？", "product_question", 0.6, product=0.3, language="ja",
                     doc="guide:care-guide")
    assert route(message)["intent"]["name"] == ASK   # no product named: the care guide
    message["knowledge"]["named_product"] = "product:NW-SHO-0002"
    assert route(message)["intent"]["name"] == "product_question"


def test_an_order_number_with_an_unsure_task_takes_the_task_ranked_first() -> None:
    """Below the fallback threshold the classifier still ranks the refund first: that, not the status."""
    message = order_number("SO640218 這筆我要申請退款", "nlu_fallback", "SO640218")
    message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.35}, {"name": "request_refund", "confidence": 0.5},
                                 {"name": "return_item", "confidence": 0.46}]
    assert route(message)["intent"]["name"] == "request_refund"
    message["intent_ranking"][1]["confidence"] = 0.2   # not sure of anything: look the order up
    assert route(message)["intent"]["name"] == "order_status"
    message["intent_ranking"][1] = {"name": "greet", "confidence": 0.9}
    assert route(message)["intent"]["name"] == "order_status"


@pytest.mark.parametrize("text,language,intent", [
    ("chest 112cm - is that XL or XXL in your fleeces?", "en", "product_question"),
    ("I'm between two sizes, 40 or 41", "en", "product_question"),
    ("胸围98腰围85，男款外套该拿哪个码", "zh-Hans", "product_search"),
    ("我胸圍剛好卡在 M 跟 L 中間，買外套要挑哪一號", "zh-Hant", "product_search"),
    ("胸囲がMとLの境目くらいで、どっちがいいでしょう", "ja", "product_search"),
])
def test_which_size_to_choose_goes_to_the_size_guides(text: str, language: str, intent: str) -> None:
    """Even when a product page scores close: with no product named, the size guide answers."""
    message = parsed(text, intent, 0.5, product=0.49, language=language, doc="guide:clothing-size-guide")
    assert route(message)["intent"]["name"] == ASK


@pytest.mark.parametrize("text,language", [
    ("winter boots in size 39 for women", "en"),
    ("想找冬天穿的保暖雪靴，女生 39 號", "zh-Hant"),
    ("メリノウールのTシャツでMサイズの在庫があるもの", "ja"),
])
def test_a_search_with_a_size_stays_a_search(text: str, language: str) -> None:
    message = parsed(text, "product_search", 0.5, product=0.49, language=language, doc="guide:shoe-size-guide")
    assert decide(message) is None


def test_a_shop_question_while_verifying_is_answered_and_data_stays_the_forms() -> None:
    """The form took "how do I get to the checkout?" for an order number; now it is answered (and the form
    asks again); anything that may be the form's answer stays the form's."""
    verifying = State(active_loop="order_verification_form")
    question = parsed("how do I get to the checkout?", "place_order", 0.55, language="en", doc="guide:place-an-order")
    assert route(question, verifying)["intent"]["name"] == ASK
    assert decide(parsed("i dont remember it", "nlu_fallback", 0.55, language="en"), verifying) is None
    assert decide(parsed("how about SO123456?", "inform", 0.55, entities=["order_id"], language="en"), verifying) is None
    assert decide(parsed("can I cancel it?", "cancel_order", 0.55, language="en"), verifying) is None  # switches task
    # placed by the classifier as a shop question, it is answered even with no close page (the knowledge base
    # abstains if it must); the form used to answer "That doesn't look like an order number" to every such message
    assert route(parsed("how do I get to the checkout?", "place_order", 0.3, language="en"), verifying)["intent"]["name"] == ASK
    assert decide(parsed("what is this about", "nlu_fallback", 0.3, language="en"), verifying) is None
    # a product search ends the verification (a rule), a product question stays the form's
    for intent in ("product_search", "product_question"):
        assert decide(parsed("rain jackets in blue?", intent, 0.3, entities=["category"], language="en"), verifying) is None
    assert decide(question, State(active_loop="address_form")) is None


def _with_ranking(message: Dict[str, Any], ranking: List[tuple]) -> Dict[str, Any]:
    message["intent"] = {"name": ranking[0][0], "confidence": ranking[0][1]}
    message["intent_ranking"] = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return message


def test_a_kind_of_product_is_searched_not_taken_for_the_product_just_shown() -> None:
    """In a long conversation "got any parkas in dark green" was answered "The Glacier Hydro Vest 2 doesn't
    come in green" and "trail shoes in size 9" about the Glacier Trail Pant ("trail" read as a product)."""
    parkas = parsed("got any parkas in dark green", "nlu_fallback", 0.19, product=0.35,
                    entities=["category", "color"], language="en")
    assert route(parkas, State(product_shown=True))["intent"]["name"] == "product_search"
    shoes = parsed("trail shoes in size 9", "product_search", 0.46, product=0.48,
                   entities=["product", "category", "size"], language="en")
    assert decide(shoes) is None  # stays a search
    # a product named in full is still a question about it
    named = parsed("is the Glacier Trail Pant in size 9?", "nlu_fallback", 0.3, product=0.6,
                   entities=["category", "size"], language="en")
    named["knowledge"]["named_product"] = "product:NW-PAN-0001"
    assert route(named)["intent"]["name"] == "product_question"


@pytest.mark.parametrize("text,ranking,entities,expected", [
    # change_order 0.45 with a size and a product search ranked third: a search
    ("I'd like a blouse in size 12", [("change_order", 0.45), ("place_order", 0.18), ("product_search", 0.14)],
     ["size"], "product_search"),
    # the shopper's own order: the task
    ("change my order to size 12", [("change_order", 0.45), ("place_order", 0.18), ("product_search", 0.14)],
     ["size"], None),
    # a sure task keeps it
    ("swap the size to 12", [("change_order", 0.85), ("product_search", 0.1)], ["size"], None),
    # a question about sizes: the size guide, not a search
    ("my 11 yr old wears EU 37 shoes, kids section or adult sizes?",
     [("change_order", 0.49), ("give_feedback", 0.24), ("product_search", 0.08)], ["size"], None),
    # no product detail: the task
    ("i want to change something", [("change_order", 0.45), ("product_search", 0.2)], [], None),
])
def test_an_unsure_order_task_that_names_a_product_is_a_search(text, ranking, entities, expected) -> None:
    result = route(_with_ranking(parsed(text, "x", 0.2, entities=entities, language="en"), ranking))
    assert (result.get("route", {}).get("decision") == "search") == bool(expected)


@pytest.mark.parametrize("text,language", [
    ("do you have walking boots in a 45?", "en"),
    ("有没有43码的徒步鞋？", "zh-Hans"),
    ("有賣 26 號的登山鞋嗎", "zh-Hant"),
    ("27cmのトレランシューズはありますか", "ja"),
    ("寝袋はありますか", "ja"),
])
def test_a_request_for_a_kind_of_product_stays_a_search_even_when_a_size_guide_scores_higher(text, language) -> None:
    """A size or a question mark in a request for products is no size question: the shopper wants cards."""
    message = parsed(text, "product_search", 0.6, product=0.4, entities=["category"], language=language,
                     doc="guide:shoe-size-guide")
    assert decide(message) is None


@pytest.mark.parametrize("text,language", [
    ("do you have a care guide for down jackets?", "en"),
    ("有没有羽绒服怎么洗的说明", "zh-Hans"),
    ("ダウンの洗い方のガイドはありますか", "ja"),
])
def test_a_request_for_advice_is_not_a_request_for_products(text, language) -> None:
    message = parsed(text, "product_search", 0.6, product=0.4, language=language, doc="guide:care-down-and-insulation")
    assert route(message)["intent"]["name"] == ASK


@pytest.mark.parametrize("text,language,intent,search", [
    ("我想买一双42码的登山鞋", "zh-Hans", "change_order", True),
    ("想買一件L號的刷毛外套", "zh-Hant", "change_order", True),
    ("Mサイズのフリースが欲しいです", "ja", "change_order", True),
    ("I'd like to buy a tent for two", "en", "change_order", True),
    ("I want to return the boots", "en", "return_item", False),  # a request to act keeps its task
    ("我想要退这双登山鞋", "zh-Hans", "return_item", False),
])
def test_an_order_task_that_wants_a_kind_of_product_is_a_search(text, language, intent, search) -> None:
    message = parsed(text, intent, 0.3, product=0.4, entities=["category"], language=language)
    message["intent"]["confidence"] = 0.94  # sure of the task: the purchase words decide, not the confidence
    decision = decide(message)
    assert (decision or {}).get("decision") == ("search" if search else None)


def test_a_message_the_classifier_could_not_place_that_names_no_product_is_a_search() -> None:
    message = parsed("I need a daypack around 25 litres", "nlu_fallback", 0.27, product=0.33)
    assert decide(message)["decision"] == "search"
    # ... unless a product was just shown: then it is about that product
    assert decide(message, State(product_shown=True))["decision"] == "product"


def test_an_advice_question_the_classifier_could_not_place_is_not_sent_to_a_product() -> None:
    message = parsed("how do I look after rubber wellies", "nlu_fallback", 0.22, product=0.3,
                     doc="guide:care-leather-and-hiking-shoes")
    assert decide(message) is None  # the fallback, which answers from the knowledge base when it is sure


def test_care_words_let_the_guide_answer_without_the_product_margin() -> None:
    """A guide a little closer than the best product page answers when the message asks for care advice."""
    care = parsed("is it fine to tumble dry a raincoat", "product_question", 0.42, product=0.33,
                  entities=["category"], doc="guide:care-waterproof-jackets")
    assert route(care)["intent"]["name"] == ASK
    plain = parsed("is the raincoat any good in a storm", "product_question", 0.42, product=0.33,
                   entities=["category"], doc="guide:care-waterproof-jackets")
    assert route(plain)["intent"]["name"] != ASK


def test_a_size_question_that_names_a_kind_of_product_gets_the_size_guide_not_a_search() -> None:
    message = parsed("shoulders 48 cm, which size of rain shell?", "product_question", 0.5, product=0.49,
                     entities=["category"], doc="guide:clothing-size-guide")
    message["intent_ranking"].append({"name": "product_search", "confidence": 0.1})
    assert route(message)["intent"]["name"] == ASK


@pytest.mark.parametrize("intent", ["ask_shop_question", "nlu_fallback"])
def test_a_kind_of_product_wanted_taken_for_a_shop_question_is_a_search(intent) -> None:
    message = parsed("have you got trail shoes in a 43", intent, 0.45, product=0.4, entities=["category", "size"],
                     doc="guide:shoe-size-guide")
    assert decide(message)["decision"] == "search"
    advice = parsed("do you have a size chart for trail shoes", intent, 0.45, product=0.4, entities=["category"],
                    doc="guide:shoe-size-guide")
    assert (decide(advice) or {}).get("decision") != "search"
    # "有没有" also asks whether there is a warranty: a kind of product alone, with the guides closer, is no search
    policy = parsed("登山鞋有没有保修", intent, 0.45, product=0.4, entities=["category"], language="zh-Hans",
                    doc="policy:warranty")
    assert (decide(policy) or {}).get("decision") != "search"


@pytest.mark.parametrize("intent", ["product_search", "ask_shop_question", "place_order"])
def test_a_question_naming_a_product_in_full_is_about_that_product(intent) -> None:
    message = parsed("Kestrel Rain Shell 的兜帽能调松紧吗", intent, 0.36, product=0.35, entities=["product", "category"],
                     language="zh-Hans", doc="guide:accessory-sizes")
    message["knowledge"]["named_product"] = "product:NW-JAC-0005"
    assert decide(message)["decision"] == "product"
    # ... but not a policy question that names it, where the policy is much closer than the product's page
    policy = parsed("can I return the Kestrel Rain Shell if it's unworn?", intent, 0.6, product=0.35,
                    entities=["product"], doc="policy:returns")
    policy["knowledge"]["named_product"] = "product:NW-JAC-0005"
    assert (decide(policy) or {}).get("decision") != "product"


@pytest.mark.parametrize("text,language,answered", [
    ("can I talk to a person on a sunday?", "en", True),
    ("日曜日でも担当者と話せますか", "ja", True),
    ("星期天也能找真人客服吗", "zh-Hans", True),
    ("晚上十點以後還能轉真人嗎？", "zh-Hant", True),
    ("I want to talk to a human now", "en", False),  # asking for a person now is asking for a person
    ("转人工", "zh-Hans", False),
])
def test_asking_when_a_person_is_there_gets_the_hours_with_the_person_offered(text, language, answered) -> None:
    message = parsed(text, "human_handoff", 0.3, language=language, doc="policy:contact-and-opening-hours")
    decision = decide(message)
    if answered:
        assert decision["decision"] == "answer" and decision["offer_task"] == "human_handoff"
    else:
        assert decision is None


def test_a_kind_of_product_the_extractor_missed_is_read_from_the_catalogue_words() -> None:
    """No annotated example teaches the extractor "テント" or "寝袋": the catalogue's own words for its categories
    (knowledge_base.product_words) make the request a search."""
    message = parsed("ソロキャンプ用の軽いテントが欲しいけど、何かある？", "nlu_fallback", 0.27, product=0.29,
                     language="ja", doc="guide:shoe-size-guide")
    assert decide(message)["decision"] == "search"
    # part of another word is no kind of product: "いくつか" holds "くつ" (shoes), "包裹" (a parcel) "包" (a bag)
    for text, language in (("おすすめの曲をいくつかありますか", "ja"), ("有没有我包裹的消息", "zh-Hans")):
        message = parsed(text, "nlu_fallback", 0.27, product=0.29, language=language, doc="guide:track-your-order")
        assert (decide(message) or {}).get("decision") != "search", text
