"""Language detection, the language slot's rules, and localised phrases, dates and amounts."""
from __future__ import annotations

import re
import string
from datetime import date

import pytest

from actions.orders import local_problem
from assistant.i18n.detect import (
    LANGUAGES,
    conversation_language,
    detect_language,
    detected,
    explicit_choice,
    normalise_language,
)
from assistant.i18n.formatting import day, money
from assistant.i18n.phrases import phrase, phrases, speaking
from assistant.shop.commerce.address import validate_address


@pytest.mark.parametrize("text, language", [
    ("where is my order?", "en"),
    ("我的订单到哪了？", "zh-Hans"),
    ("我的訂單到哪裡了？", "zh-Hant"),
    ("注文はいつ届きますか？", "ja"),
    ("iPhone 15 的保护壳", "zh-Hans"),
    ("發票", "zh-Hant"),
    ("返品したい SO123456", "ja"),
    ("注文", "zh-Hans"),  # Han only, shared by Chinese and Japanese: script alone says Chinese
])
def test_script_decides_the_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["SO123456", "tanaka@example.jp", "482913", "👍", ""])
def test_text_without_words_has_no_language(text):
    assert detect_language(text) is None


@pytest.mark.parametrize("value, code", [
    ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-CN", "zh-Hans"), ("zh", "zh-Hans"), ("ja-JP", "ja"),
    ("en-GB", "en"), ("日本語", "ja"), ("繁體中文", "zh-Hant"), ("Simplified Chinese", "zh-Hans"), ("fr", None),
])
def test_widget_and_browser_languages_are_normalised(value, code):
    assert normalise_language(value) == code


def message(text: str, metadata=None, intent="greet", entities=()) -> dict:
    return {"text": text, "intent": {"name": intent}, "entities": list(entities), "metadata": metadata or {}}


def test_an_explicit_choice_comes_from_metadata_an_entity_or_a_request():
    assert explicit_choice(message("hi", metadata={"language": "ja-JP"})) == "ja"
    assert explicit_choice(message("x", entities=[{"entity": "language", "value": "zh-Hant"}])) == "zh-Hant"
    assert explicit_choice(message("please answer in japanese", intent="set_language")) == "ja"
    assert explicit_choice(message("where is my order")) is None


def test_the_browser_language_is_a_hint_not_a_choice():
    assert explicit_choice(message("我想找真人客服", metadata={"browser_language": "en-US"})) is None
    assert explicit_choice(message("hi", metadata=["not", "a", "mapping"])) is None


def _language_after(text, slots=None, metadata=None):
    slots = slots or {}
    return conversation_language(message(text, metadata=metadata), slots.get("language"),
                                 slots.get("language_choice"))


@pytest.mark.parametrize("text, language", [("我想找真人客服", "zh-Hans"), ("我想跟真人客服說話", "zh-Hant"),
                                            ("担当者と話したいです", "ja")])
def test_what_the_shopper_writes_wins_over_an_english_browser(text, language):
    assert _language_after(text, metadata={"browser_language": "en-US"}) == (language, None)


@pytest.mark.parametrize("text, metadata", [
    ('/csat{"csat_rating": "4"}', {}), ("/human_handoff", {}), ("EXTERNAL: handoff_resolved", {"is_external": True}),
])
def test_buttons_and_triggered_intents_keep_the_language(text, metadata):
    assert _language_after(text, slots={"language": "zh-Hant"}, metadata=metadata) == ("zh-Hant", None)


def test_the_browser_language_only_fills_a_conversation_without_one():
    assert _language_after("SO123456", metadata={"browser_language": "ja"}) == ("ja", None)
    assert _language_after("SO123456", slots={"language": "zh-Hant"},
                                 metadata={"browser_language": "en-US"}) == ("zh-Hant", None)


def test_an_explicit_english_choice_keeps_english_for_chinese_text():
    assert _language_after("我的订单在哪里", metadata={"language": "en"}) == ("en", "en")
    assert _language_after("我的订单在哪里", slots={"language": "en", "language_choice": "en"}) == ("en", "en")


def test_short_latin_replies_keep_a_chinese_or_japanese_conversation():
    assert detected("ok", "ja") == "ja"
    assert detected("SO123456", "zh-Hans") is None
    assert detected("where is my order please", "ja") == "en"
    assert detected("我的订单", "en") == "zh-Hans"


def test_every_phrase_exists_in_every_language_with_the_same_placeholders():
    def leaves(node, path=""):
        if isinstance(node, dict) and set(node) & set(LANGUAGES):
            yield path, node
        elif isinstance(node, dict):
            for key, child in node.items():
                yield from leaves(child, f"{path}.{key}" if path else key)

    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(str(text)) if f}  # noqa: E731
    for path, node in leaves(phrases()):
        assert set(node) == set(LANGUAGES), path
        english = fields(node["en"])
        for language in LANGUAGES:
            assert fields(node[language]) <= english | {"sample"}, (path, language)


@pytest.mark.parametrize("language, amount, when", [
    ("en", "$1,234.50", "Tue 24 Nov 2026"),
    ("zh-Hans", "1,234.50美元", "2026年11月24日（周二）"),
    ("zh-Hant", "1,234.50 美元", "2026年11月24日（週二）"),
    ("ja", "1,234.50米ドル", "2026年11月24日（火）"),
])
def test_amounts_and_dates_follow_the_conversation_language(language, amount, when):
    with speaking(language):
        assert money(1234.5, "USD") == amount
        assert day(date(2026, 11, 24)) == when


def test_address_problems_are_worded_in_the_shoppers_language(policy):
    problem = validate_address("", "Berlin", "10115", "DE", policy=policy).errors["street"]
    assert local_problem(problem, "en") == "Please give the street and house number."
    assert local_problem(problem, "zh-Hans") == phrase("address.street_missing", "zh-Hans")
    invalid = validate_address("Main St 1", "Berlin", "1", "DE", policy=policy).errors["postal_code"]
    japanese = local_problem(invalid, "ja")
    assert "「1」" in japanese and not re.search(r"[A-Za-z]{3,}", japanese.replace("Germany", ""))


def test_characters_shared_by_both_scripts_keep_the_chinese_script():
    assert detected("我要找真人客服", "zh-Hant") == "zh-Hant"
    assert detected("我要找真人客服", "en") == "zh-Hans"
    assert detected("我要退貨", "zh-Hans") == "zh-Hant"  # 貨 is traditional only
