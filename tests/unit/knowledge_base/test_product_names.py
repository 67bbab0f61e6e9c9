"""Finding the catalogue product a shopper names in a message (``find_product_in_text``), in English or in
katakana (the readings in ``knowledge_base/content/products/name_readings.ja.yml``)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from knowledge_base.products import find_product, find_product_in_text

KB = SimpleNamespace(documents={
    "product:NW-X-1": {"kind": "product", "title": "Basalt Hiker"},
    "product:NW-X-2": {"kind": "product", "title": "Basalt Hiker Classic"},
    "product:NW-X-3": {"kind": "product", "title": "Trail Runner 3"},
    "product:NW-X-4": {"kind": "product", "title": "Granite Cargo Shorts II"},
    "product:NW-X-5": {"kind": "product", "title": "Beanie"},  # a one-word name is never matched
    "product:NW-X-6": {"kind": "product", "title": "Cascade Hiker"},
    "product:NW-X-7": {"kind": "product", "title": "Larch Quarter Zip"},
    "product:NW-X-8": {"kind": "product", "title": "Larch Quarter Zip II"},
    "product:NW-X-9": {"kind": "product", "title": "Aspen UL Shelter II"},
    "guide:care-basalt": {"kind": "guide", "title": "Basalt Hiker Classic care"},  # not a product
})


def found(text: str) -> str | None:
    hit = find_product_in_text(KB, text)
    return hit[0] if hit else None


def test_returns_the_document_id_and_the_document():
    doc_id, doc = find_product_in_text(KB, "is the Trail Runner 3 good for mud?")
    assert doc_id == "product:NW-X-3"
    assert doc is KB.documents["product:NW-X-3"]


@pytest.mark.parametrize("text", [
    "is the basalt hiker waterproof?",
    "Is the BASALT HIKER waterproof?",
    "basalt hiker!!",
    "Basalt, Hiker: sizes?",
    "Ｂａｓａｌｔ　Ｈｉｋｅｒ sizes",  # full-width letters and space (NFKC)
    "do you have the\nBasalt   Hiker\tin 44?",
])
def test_the_full_name_with_punctuation_and_case_differences(text):
    assert found(text) == "product:NW-X-1"


def test_a_model_number_and_a_roman_numeral():
    assert found("trail runner 3 — does it run small?") == "product:NW-X-3"
    assert found("granite cargo shorts ii in XL?") == "product:NW-X-4"


def test_the_longest_name_wins():
    assert found("is the Basalt Hiker Classic waterproof?") == "product:NW-X-2"
    assert found("basalt hiker classic") == "product:NW-X-2"


def test_a_typo_in_a_word_is_tolerated():
    assert found("is the Basalt Hikr Classic waterproof?") == "product:NW-X-2"
    assert found("basalt hikers") == "product:NW-X-1"


@pytest.mark.parametrize("text", [
    "trail runner 2",
    "does the Trail Runner 4 run small?",
    "trail runner",  # the model number is part of the name
    "granite cargo shorts iii",  # another numeral, even a close one
    "granite cargo shorts",
])
def test_another_model_number_is_not_tolerated(text):
    assert found(text) is None


@pytest.mark.parametrize("text", [
    "where is my order?",
    "hiking boots for winter",
    "basalt",  # part of a name
    "I want a beanie",  # one-word names are ignored
    "",
    "   ?!  ",
])
def test_a_message_without_a_product_name_finds_nothing(text):
    assert found(text) is None


def test_only_product_documents_count():
    kb = SimpleNamespace(documents={"guide:x": {"kind": "guide", "title": "Basalt Hiker"}})
    assert find_product_in_text(kb, "basalt hiker") is None


# a name is one phrase: words elsewhere in the message never complete a longer name
@pytest.mark.parametrize("text, wanted", [
    ("is the Basalt Hiker as warm as a classic leather boot?", "product:NW-X-1"),
    ("is the Trail Runner a good shoe for 3 days of hiking?", None),
    ("is the Granite Cargo Shorts a good fit? I tried the ii version", None),
])
def test_the_name_must_be_one_phrase_not_scattered_words(text, wanted):
    # "the full name a message contains" ("is the Granite Cargo Shorts II waterproof?"): words of a name
    # scattered over the message are not the name
    assert found(text) == wanted


# ---- katakana names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "カスケードハイカーは防水ですか",
    "カスケード・ハイカーは防水ですか",  # a middle dot between the words
    "カスケード ハイカーのサイズ",  # a space
    "カスケード　ハイカー",  # a full-width space
    "カスケードハイカは防水？",  # the final long-vowel mark left out
    "カスケードハイカーーって重い？",  # or doubled
    "ｶｽｹｰﾄﾞﾊｲｶｰ",  # half-width katakana
    "Cascade Hikerは防水ですか",  # the English name in a Japanese sentence
])
def test_a_katakana_name_with_or_without_separators(text):
    assert found(text) == "product:NW-X-6"


def test_a_katakana_name_and_the_english_name_find_the_same_product():
    assert find_product_in_text(KB, "バサルト・ハイカーのサイズ") == find_product_in_text(KB, "basalt hiker sizes")


def test_the_longest_katakana_name_wins():
    assert found("バサルトハイカークラシックは防水ですか") == "product:NW-X-2"
    assert found("バサルト・ハイカー・クラシック") == "product:NW-X-2"
    assert found("バサルトハイカーは防水ですか") == "product:NW-X-1"
    assert found("ラーチクォータージップIIの色") == "product:NW-X-8"
    assert found("ラーチクォータージップの色") == "product:NW-X-7"


@pytest.mark.parametrize("text, wanted", [
    ("ラーチクォータージップⅡ", "product:NW-X-8"),  # the roman-numeral character
    ("ラーチクォータージップ II", "product:NW-X-8"),
    ("ラーチクォータージップｉｉ", "product:NW-X-8"),  # full-width letters
    ("アスペンULシェルターIIは何人用？", "product:NW-X-9"),
    ("アスペン・UL・シェルター・II", "product:NW-X-9"),
    ("トレイルランナー３は泥に強い？", "product:NW-X-3"),  # a full-width digit
    ("トレイルランナー 3", "product:NW-X-3"),
    ("カスケードハイカー 42ある？", "product:NW-X-6"),  # a size after the name is no model number
    ("カスケードハイカー3足ください", "product:NW-X-6"),  # nor an amount
])
def test_model_numbers_in_katakana_names(text, wanted):
    assert found(text) == wanted


@pytest.mark.parametrize("text", [
    "トレイルランナー2は泥に強い？",  # another model
    "トレイルランナーは泥に強い？",  # the model number is part of the name
    "ラーチクォータージップIII",  # not II, and not the name without a numeral either
    "ラーチクォータージップ2の色",  # no Larch Quarter Zip 2: not the one without a number
    "カスケードハイカーⅡ",  # no Cascade Hiker II
    "アスペンULシェルター",  # II is part of the name
    "アスペンシェルターII",  # so is UL
    "カスケード",  # part of a name
    "ハイカーを探しています",
    "ビーニーありますか",  # one-word names are ignored
    "防水の靴はありますか",
])
def test_a_katakana_name_is_whole_and_never_another_model(text):
    assert found(text) is None


def test_find_product_reads_a_katakana_entity_value():
    assert find_product(KB, "カスケード・ハイカー")[0] == "product:NW-X-6"
    assert find_product(KB, "バサルトハイカークラシック")[0] == "product:NW-X-2"
    assert find_product(KB, "ラーチクォータージップⅡ")[0] == "product:NW-X-8"
    # a katakana value is the whole name or none: no "Larch Quarter Zip II" for the model without a numeral
    assert find_product(KB, "ラーチクォータージップ")[0] == "product:NW-X-7"
    assert find_product(KB, "アスペンULシェルター") is None
    assert find_product(KB, "カスケード") is None
    assert find_product(KB, "Cascade Hikerの")[0] == "product:NW-X-6"  # the English words of a mixed value
    assert find_product(KB, "cascade hiker")[0] == "product:NW-X-6"
