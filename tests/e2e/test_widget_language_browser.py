"""The conversation's language in the widget, in Chromium set to en-US, against the real system.

A shopper on an English browser who writes Chinese or Japanese is answered in that language and
script through the whole handoff: the notice, the agent's reply, the resolve and the rating question.
Only a choice the shopper makes (the language menu) persists over what they write.
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.console_client import wait_for
from tests.e2e.test_widget_browser import bots, open_shop, open_widget, say, session_id, snap

CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_SENTENCE = re.compile(r"\b(the|you|your|and|our|ticket|rate)\b", re.IGNORECASE)

CASES = {
    # language: (what the shopper writes, a word of the handoff notice, the agent's reply,
    #            a word of the rating question)
    "zh-Hans": ("我想和人工客服说话", "工单", "您好，我是客服，请问有什么可以帮您？", "打分"),
    "zh-Hant": ("我想跟真人客服說話，謝謝", "工單", "您好，我是客服，請問有什麼可以幫您？", "評分"),
    "ja": ("担当者と話したいです", "チケット", "担当の者です。ご用件をお伺いします。", "評価"),
}


def assert_in_language(text: str, language: str) -> None:
    assert CJK.search(text), f"expected {language}, got {text!r}"
    assert not ENGLISH_SENTENCE.search(text), f"English in a {language} conversation: {text!r}"


@pytest.mark.parametrize("language", list(CASES))
def test_a_conversation_stays_in_the_language_the_shopper_writes(shop, agents, browser, screenshots,
                                                                  language) -> None:
    ask, notice_word, agent_reply, rating_word = CASES[language]
    context, page = open_shop(browser, shop)  # the browser says en-US
    try:
        open_widget(page)
        assert page.evaluate("() => window.ShopChat.language") == "en", "the greeting follows the browser"
        notice = say(page, ask, notice_word)
        assert_in_language(notice, language)
        page.wait_for_function(f"() => window.ShopChat.language === '{language}'")  # the indicator follows

        conversation = session_id(page)
        alice = agents.alice()
        ticket = wait_for(lambda: next((t for t in alice.api("GET", "/api/tickets")["tickets"]
                                        if t.get("conversation_id") == conversation), None))
        assert ticket["language"] == language

        before = bots(page).count()
        alice.api("POST", f"/api/tickets/{ticket['id']}/messages", {"text": agent_reply})
        page.locator(".sc-agent", has_text=agent_reply).wait_for(timeout=30_000)
        for text in bots(page).all_inner_texts()[before:]:
            if agent_reply not in text:  # the "joined" note is the bot's, in the shopper's language
                assert_in_language(text, language)

        before = bots(page).count()
        alice.api("POST", f"/api/tickets/{ticket['id']}/resolve")
        page.locator(".sc-rating").wait_for(timeout=60_000)
        rating = "\n".join(bots(page).all_inner_texts()[before:])
        assert rating_word in rating
        assert_in_language(rating, language)
        assert page.evaluate("() => window.ShopChat.language") == language
        snap(page, screenshots / f"widget-language-{language}.png")
        assert page.errors == []
    finally:
        context.close()


def test_an_explicit_choice_of_english_keeps_english(shop, browser, screenshots) -> None:
    context, page = open_shop(browser, shop)
    try:
        open_widget(page)
        page.locator(".sc-lang select").select_option("zh-Hans")
        page.locator(".sc-lang select").select_option("en")  # the shopper picks English in the menu
        reply = say(page, "我的订单在哪里？", "order number")
        assert not CJK.search(reply), reply
        assert page.evaluate("() => window.ShopChat.language") == "en"
        page.reload()
        page.wait_for_function("() => window.ShopChat !== undefined")
        assert page.evaluate("() => window.ShopChat.language") == "en"
    finally:
        context.close()
