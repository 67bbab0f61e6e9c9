"""The router end to end, in every language: each of the five ways the intent alone lost an answer
(issue 11), through the real Rasa and action servers. The messages are written for these tests (none is in
``knowledge_base/eval``), and each is checked on what the shopper gets: the source of the answer, no
verification form where none was asked for, the task where one was."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

import pytest

pytestmark = pytest.mark.e2e


def sources(replies: List[Dict[str, Any]]) -> List[str]:
    return [r["custom"]["doc_id"] for r in replies
            if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "kb_source"]


def buttons(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def started_task(chat: Any) -> bool:
    events = chat.tracker()["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return any(e["event"] == "action" and e["name"] in ("action_start_order_task", "action_handoff")
               for e in events[last_user:])


def assert_answered(shop: Any, text: str, wanted: Sequence[str]) -> List[Dict[str, Any]]:
    chat = shop.chat()
    replies = chat.send(text)
    got = sources(replies)
    assert got and got[0] in wanted, f"{text!r}: wanted one of {wanted}, got {got or replies}"
    assert not started_task(chat), f"{text!r} started a task"
    return replies


# 1. general questions the classifier takes for an order task
@pytest.mark.parametrize("text, wanted", [
    ("where would I see the number of an order I placed?",
     ["guide:find-your-order-number", "policy:order-verification-and-security"]),
    ("can items bought in the sale be sent back?",  # "Sale prices" says sale items can be returned
     ["policy:returns", "guide:start-a-return", "policy:refunds", "policy:pricing-and-taxes"]),
    ("订单编号一般在哪里能看到？", ["guide:find-your-order-number"]),
    ("訂單編號通常可以在哪裡看到？", ["guide:find-your-order-number"]),
    ("注文番号ってどこを見ればわかりますか？", ["guide:find-your-order-number"]),
])
def test_a_general_question_is_answered_not_taken_for_an_order_task(shop, text, wanted):
    assert_answered(shop, text, wanted)


# 2. how-to, care and size questions the classifier takes for a product request
@pytest.mark.parametrize("text, wanted", [
    ("how do I get a rain shell to bead water again?", ["guide:care-waterproof-jackets"]),
    ("羽绒服可以放洗衣机洗吗？", ["guide:care-down-and-insulation"]),
    ("羽絨外套可以用洗衣機洗嗎？", ["guide:care-down-and-insulation"]),
    ("ダウンジャケットは洗濯機で洗えますか？", ["guide:care-down-and-insulation"]),
])
def test_care_and_size_questions_get_the_guide_not_product_cards(shop, text, wanted):
    assert_answered(shop, text, wanted)


# 3. questions the classifier takes for a complaint, a payment problem or feedback
@pytest.mark.parametrize("text, wanted", [
    ("would your staff ever ask me for my card's security code?",
     ["policy:order-verification-and-security", "policy:payment-methods", "guide:contact-support"]),
    ("可以给买过的商品写评价吗？", ["policy:reviews-policy"]),
    ("買過的商品可以寫評價嗎？", ["policy:reviews-policy"]),
    ("買った商品のレビューは書けますか？", ["policy:reviews-policy"]),
])
def test_questions_are_not_taken_for_complaints_payment_problems_or_feedback(shop, text, wanted):
    assert_answered(shop, text, wanted)


PAYMENT_PAGES = ["policy:payment-methods", "guide:checkout-problems"]


# ... and a payment problem or complaint stated, not asked: the page that says what happens, then a person is
# offered (it used to be a fixed apology with generic facts)
@pytest.mark.parametrize("text, wanted", [
    ("the same order was billed to my card two times", PAYMENT_PAGES),
    ("paypal took the money but the site says the payment failed", PAYMENT_PAGES),
    ("I want to complain, the delivery driver threw my parcel over the fence", ["policy:delivery-problems"]),
    ("同一个订单被扣了两次款", PAYMENT_PAGES),
    ("付款的時候信用卡一直被拒絕", PAYMENT_PAGES),
    ("同じ注文で2回引き落とされています", PAYMENT_PAGES),
])
def test_a_stated_payment_problem_or_complaint_gets_the_page_then_a_person(shop, text, wanted):
    replies = assert_answered(shop, text, wanted)
    assert buttons(replies)[-2:] == ["/affirm", "/deny"], replies  # "shall I pass this to a person?"


# ... and what the classifier takes for feedback but asks for a policy: the reviews policy; praise is thanked
@pytest.mark.parametrize("text", ["I posted a review with a mistake in it and want to edit it", "我写的评价有错字，想改一下",
                                  "我寫的評價想修改一下", "投稿したレビューに誤字があったので直したい"])
def test_a_review_to_correct_gets_the_reviews_policy_not_the_thank_you(shop, text):
    assert_answered(shop, text, ["policy:reviews-policy"])


def test_praise_is_thanked_not_answered_from_a_page(shop):
    chat = shop.chat()
    replies = chat.send("your jackets are great, love the fit")
    assert not sources(replies) and "feedback" in " ".join(r.get("text") or "" for r in replies), replies


# 4. policy questions that used to fall to "Sorry, I didn't get that"
@pytest.mark.parametrize("text, wanted", [
    ("which currency do you charge in?", ["policy:pricing-and-taxes", "policy:payment-methods"]),
    ("价格里含增值税吗？", ["policy:pricing-and-taxes"]),
    ("商品標價已經含稅了嗎？還是結帳時會另外加？", ["policy:pricing-and-taxes"]),
    ("表示価格は税込みですか？", ["policy:pricing-and-taxes", "policy:terms-of-sale"]),  # both say tax is added
])
def test_policy_questions_get_the_policy_not_the_fallback(shop, text, wanted):
    assert_answered(shop, text, wanted)


# the shop's own name says nothing about which page answers (the encoders took it for a topic: these
# abstained with it and were answered without it)
@pytest.mark.parametrize("text, wanted", [
    ("does Northwind Outfitters ship to Canada?", ["policy:shipping"]),
    ("what is Northwind's warranty on boots?", ["policy:warranty"]),
    ("Northwind有寄到加拿大嗎？", ["policy:shipping"]),
])
def test_naming_the_shop_does_not_lose_the_answer(shop, text, wanted):
    assert_answered(shop, text, wanted)


# 5. questions our content does not answer: no confident unrelated passage
@pytest.mark.parametrize("text", [
    "do you give a discount to university students?",
    "你们提供礼品包装服务吗？",
    pytest.param("你們有提供禮品包裝嗎？", marks=pytest.mark.xfail(strict=False, reason=(
        "known miss since the overview questions: e5 puts it at 0.94 from the gift-cards page's "
        "'你們有賣禮物卡嗎' (gift wrapping / gift cards), which clears the Traditional Chinese threshold "
        "(1.169 vs 1.159); the tuning part's gift-wrapping question fails the same way"))),
    pytest.param("学生割引はありますか？", marks=pytest.mark.xfail(strict=False, reason=(
        "known miss since the section questions: it is close to the discount-codes guide's question "
        "'割引を後から適用してもらえる？' and clears the Japanese threshold (1.14 vs 1.10)"))),
])
def test_unanswerable_questions_get_no_sourced_answer(shop, text):
    chat = shop.chat()
    replies = chat.send(text)
    assert not sources(replies), f"{text!r} was answered from {sources(replies)}"
    assert not started_task(chat)


@pytest.mark.parametrize("text, task", [
    ("can I still return my order? it came last week", "return_item"),
    ("我的订单还能取消吗？", "cancel_order"),
])
def test_a_question_about_the_shoppers_own_order_gets_the_policy_and_the_task_offered(shop, text, task):
    chat = shop.chat()
    replies = chat.send(text)
    assert sources(replies), replies
    assert f"/{task}" in buttons(replies)
    assert not started_task(chat)
    # the button starts the task: verification first
    assert "order number" in chat.say(f"/{task}").lower() or started_task(chat)


@pytest.mark.parametrize("text", [
    "please cancel my order SO-104233",
    "where is my parcel?",
    "帮我取消订单",
    "注文をキャンセルしたいです",
])
def test_requests_to_act_still_start_the_task(shop, text):
    chat = shop.chat()
    chat.send(text)
    assert started_task(chat), f"{text!r} did not start a task"


@pytest.mark.parametrize("opening, question, wanted, language", [
    ("where is my order?", "how do I pay with a gift card at checkout?", ("policy:gift-cards", "policy:payment-methods",
                                                                          "guide:place-an-order"), "en"),
    ("我的订单到哪了", "礼品卡在结账的时候怎么用？", ("policy:gift-cards", "policy:payment-methods", "guide:place-an-order"),
     "zh-Hans"),
])
def test_a_shop_question_while_verifying_is_answered_and_verification_goes_on(shop, opening, question, wanted, language):
    """The verification form used to take a question for a malformed order number."""
    order = shop.order("shipped", 4)
    chat = shop.chat()
    chat.send(opening)
    replies = chat.send(question)
    got = sources(replies)
    assert got and got[0] in wanted, replies
    assert "SO123456" in " ".join(r.get("text", "") for r in replies)  # the form asks for the number again
    chat.say(order["order_id"])
    assert order["tracking_number"] in chat.say(order["email"])


def _active_loop(chat: Any) -> Any:
    return (chat.tracker().get("active_loop") or {}).get("name")


@pytest.mark.parametrize("opening, search, language", [
    ("where is my order?", "I need trousers for hiking, nothing above $90", "en"),
    ("我的订单到哪了", "有没有200块以内的登山鞋", "zh-Hans"),
])
def test_a_product_search_while_verifying_ends_the_verification(shop, opening, search, language):
    """In a long conversation a product search after "where is my order?" got "That doesn't look like an order
    number" and every later message the same, for 17 turns."""
    chat = shop.chat()
    chat.send(opening)
    assert _active_loop(chat) == "order_verification_form"
    replies = chat.send(search)
    assert _active_loop(chat) is None, replies
    assert "SO123456" not in " ".join(r.get("text", "") for r in replies)
    # the next message is no longer taken for an order number
    assert "SO123456" not in " ".join(r.get("text", "") for r in chat.send("how long does shipping take?"))


def test_goodbye_while_verifying_ends_the_verification(shop):
    chat = shop.chat()
    chat.send("where is my order?")
    replies = chat.send("never mind, bye")
    assert _active_loop(chat) is None
    assert "SO123456" not in " ".join(r.get("text", "") for r in replies)


def test_a_kind_of_product_after_a_product_is_a_new_search(shop):
    """After a result, "got any parkas in dark green" was answered about the product just shown."""
    chat = shop.chat()
    chat.send("search for ski jackets in L")
    replies = chat.send("got any parkas in dark green")
    events = chat.tracker()["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    actions = [e["name"] for e in events[last_user:] if e["event"] == "action"]
    assert "action_product_search" in actions and "action_product_question" not in actions, (actions, replies)


def _actions_of_last_message(chat: Any) -> List[str]:
    events = chat.tracker()["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["name"] for e in events[last_user:] if e["event"] == "action"]


# a request for products of a kind, with a size or a question form, is a search: it used to get the size
# guide ("...はありますか" reads as a question, "26.5cm" as a size question) or start an order change
@pytest.mark.parametrize("text", [
    "do you have walking boots in a 45?",
    "I need a daypack around 25 litres",
    "我想买一双42码的登山鞋",
    "有沒有 27 號的越野跑鞋",
    "26.5cmの登山靴はありますか",
    "寝袋はありますか",
])
def test_a_request_for_a_kind_of_product_gets_a_search(shop, text):
    chat = shop.chat()
    replies = chat.send(text)
    actions = _actions_of_last_message(chat)
    assert "action_product_search" in actions, (text, actions, replies)
    assert not sources(replies) and not started_task(chat), (text, replies)


# care and fit questions taken for a product: the guide, also when a product page scores close to it
@pytest.mark.parametrize("text, wanted", [
    ("can a rain jacket go in the tumble dryer on low?", ["guide:care-waterproof-jackets"]),
    ("my chest is 106 cm, L or XL in your fleeces?", ["guide:clothing-size-guide", "guide:how-to-measure"]),
    ("should I go a size up on a waterproof shell so a fleece fits under it", ["guide:clothing-size-guide"]),
])
def test_care_and_fit_questions_naming_a_kind_of_product_get_the_guide(shop, text, wanted):
    assert_answered(shop, text, wanted)


@pytest.mark.parametrize("text", ["Kestrel Rain Shell 的兜帽可以调节松紧吗", "Kestrel Rain Shellのフードは調整できますか"])
def test_a_question_naming_a_product_in_full_is_answered_about_that_product(shop, text):
    """The classifier may take it for a search; the product's page answers."""
    chat = shop.chat()
    replies = chat.send(text)
    assert "action_product_question" in _actions_of_last_message(chat), (text, replies)
    assert chat.tracker()["slots"].get("last_product_sku") == "NW-JAC-0005", replies


@pytest.mark.parametrize("text", ["日曜日でも担当者と話せますか", "星期天也能找真人客服吗", "晚上十點以後還能轉真人嗎？"])
def test_asking_when_a_person_is_there_gets_the_hours_and_a_person_offered(shop, text):
    """Not a handoff at 11 p.m. on a question about the hours: the hours, with the person a tap away."""
    replies = assert_answered(shop, text, ["policy:contact-and-opening-hours", "guide:contact-support"])
    assert "/human_handoff" in buttons(replies), replies


def test_a_text_parsed_before_is_routed_by_its_own_conversation(shop):
    """Rasa keeps parse results by text (``assistant.rasa_plugins.parse_cache``): the second time a text comes,
    from another shopper, the NLU is skipped, but the router still weighs that shopper's conversation."""
    question = "how do I pay with a gift card at checkout?"
    wanted = ("policy:gift-cards", "policy:payment-methods", "guide:place-an-order")
    fresh = shop.chat()
    first = fresh.send(question)
    assert sources(first) and sources(first)[0] in wanted, first
    assert "SO123456" not in " ".join(r.get("text", "") for r in first)
    verifying = shop.chat()
    verifying.send("where is my order?")
    assert _active_loop(verifying) == "order_verification_form"
    again = verifying.send(question)  # the same text: a hit, routed as a question while verification waits
    assert sources(again) and sources(again)[0] in wanted, again
    assert "SO123456" in " ".join(r.get("text", "") for r in again)  # and the form asks for the number again
    parsed = [chat.tracker()["latest_message"] for chat in (fresh, verifying)]
    assert parsed[0]["knowledge"] == parsed[1]["knowledge"] and parsed[0]["entities"] == parsed[1]["entities"]
    # the same classifier's intent, routed by each conversation's own state
    fresh_route = parsed[0].get("route") or {}
    assert parsed[1]["route"]["from_intent"] == fresh_route.get("from_intent", parsed[0]["intent"]["name"])
    assert parsed[1]["route"]["reason"] == "a shop question while verification waits for an answer"
    assert fresh_route.get("reason") != parsed[1]["route"]["reason"]
