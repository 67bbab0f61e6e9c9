"""Conversations in English, Simplified and Traditional Chinese and Japanese through the real servers.

Every reply must come back in the shopper's language and script: no English sentence leaks into a
Chinese or Japanese conversation (order numbers, emails, tracking numbers, carriers, product and
brand names, URLs are not language), and simplified and traditional characters do not mix.
"""
from __future__ import annotations

import re

import pytest
from opencc import OpenCC

pytestmark = pytest.mark.e2e

S2T, T2S = OpenCC("s2t"), OpenCC("t2s")
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
NOT_LANGUAGE = re.compile(
    r"https?://\S+|\S+@\S+|\bSO\d{6}\b|\bRF\w+|\b[A-Z0-9]{8,}\b|UPS|DHL|FedEx|USPS|Northwind Outfitters"
    r"|(?:[A-Z][\w'’.-]*\s?)+"  # proper names: products ("Cascade Hiker"), countries, card brands
)
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")

PHRASES = {
    "zh-Hans": {"status": "我的订单到哪了？", "refund": "我要退款", "policy": "你们的退货政策是什么？",
                "person": "转人工客服"},
    "zh-Hant": {"status": "我的訂單到哪裡了？", "refund": "我要退款，請幫我處理", "policy": "請問退貨規定是什麼？",
                "person": "我要找真人客服，請幫我轉接"},
    "ja": {"status": "注文はいつ届きますか？", "refund": "返金してほしいです", "policy": "返品ポリシーを教えてください",
           "person": "担当者と話したいです"},
}


def assert_in_language(text: str, language: str) -> None:
    assert text.strip(), "empty reply"
    rest = NOT_LANGUAGE.sub(" ", text)
    leaked = ENGLISH_WORD.findall(rest)
    assert not leaked, f"English in a {language} reply: {leaked} in {text!r}"
    if language == "ja":
        assert KANA.search(text), f"no kana in a Japanese reply: {text!r}"
        return
    han = HAN.findall(text)
    assert han and not KANA.search(text), f"not Chinese: {text!r}"
    # a character of one script only: converting it to the other changes it, converting back does not
    simplified_only = [c for c in han if S2T.convert(c) != c and T2S.convert(c) == c]
    traditional_only = [c for c in han if T2S.convert(c) != c and S2T.convert(c) == c]
    if language == "zh-Hans":
        assert not traditional_only, f"traditional characters {traditional_only} in a simplified reply: {text!r}"
    else:
        assert not simplified_only, f"simplified characters {simplified_only} in a traditional reply: {text!r}"


def replies_in(chat, text: str, language: str) -> str:
    reply = chat.say(text)
    assert_in_language(reply, language)
    return reply


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_order_status_with_verification(shop, language):
    order = shop.order("shipped", 2)
    chat = shop.chat()
    replies_in(chat, PHRASES[language]["status"], language)
    replies_in(chat, order["order_id"], language)
    reply = replies_in(chat, order["email"], language)
    assert order["tracking_number"] in reply
    assert chat.tracker()["slots"]["language"] == language


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_refund_in_each_language(shop, language):
    order = shop.order("delivered", {"zh-Hans": 3, "zh-Hant": 4, "ja": 5}[language])
    chat = shop.chat()
    replies_in(chat, PHRASES[language]["refund"], language)
    replies_in(chat, order["order_id"], language)
    offer = replies_in(chat, order["email"], language)
    assert order["order_id"] in offer


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_policy_question_is_answered_from_the_page_in_that_language(shop, language):
    chat = shop.chat()
    replies = chat.send(PHRASES[language]["policy"])
    text = "\n".join(r.get("text", "") for r in replies)
    assert_in_language(text, language)
    assert "30" in text
    sources = [r["custom"] for r in replies if isinstance(r.get("custom"), dict) and r["custom"].get("type") == "kb_source"]
    assert sources and sources[0]["url"].startswith("/policies/")


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_asking_for_a_person(shop, language):
    replies_in(shop.chat(), PHRASES[language]["person"], language)


def test_the_widgets_language_wins_over_detection_and_persists(shop):
    chat = shop.chat()
    greeting = "\n".join(r.get("text", "") for r in chat.send("hello", metadata={"language": "ja-JP"}))
    assert_in_language(greeting, "ja")
    follow = chat.say("where is my order, please tell me")
    assert_in_language(follow, "ja")  # the choice persists over English detection
    assert chat.tracker()["slots"]["language"] == "ja"


def test_a_shopper_can_switch_language(shop):
    chat = shop.chat()
    assert_in_language(chat.say("我的订单到哪了？"), "zh-Hans")
    assert_in_language(chat.say("日本語でお願いします"), "ja")
    assert_in_language(chat.say("where is my order, can you check it for me"), "ja")


def test_english_conversation_stays_english(shop):
    chat = shop.chat()
    reply = chat.say("where is my order?")
    assert "order number" in reply.lower()
    assert chat.tracker()["slots"]["language"] == "en"


def test_an_english_browser_does_not_override_what_the_shopper_writes(shop):
    chat = shop.chat()
    reply = "\n".join(r.get("text", "") for r in chat.send("我想找真人客服", metadata={"browser_language": "en-US"}))
    assert_in_language(reply, "zh-Hans")
    slots = chat.tracker()["slots"]
    assert slots["language"] == "zh-Hans" and slots["language_choice"] is None


def test_the_browser_language_fills_a_conversation_without_words(shop):
    order = shop.order("shipped", 3)
    chat = shop.chat()
    reply = "\n".join(r.get("text", "") for r in chat.send(order["order_id"], metadata={"browser_language": "ja-JP"}))
    assert_in_language(reply, "ja")
    assert chat.tracker()["slots"]["language"] == "ja"
