"""The katakana readings of the catalogue's name words (``knowledge_base/content/products/name_readings.ja.yml``):
every word of every product name has one, and every product is found by its katakana name."""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from knowledge_base.product_names import find_product_in_text, katakana_pattern, name_readings

REPO = Path(__file__).resolve().parents[3]
CATALOG = yaml.safe_load((REPO / "knowledge_base" / "content" / "products" / "catalog.yml").read_text(encoding="utf-8"))
NAMES = [product["name"] for product in CATALOG["products"]]
NAME_WORDS = {word for name in NAMES for word in name.split()}
KB = SimpleNamespace(documents={f"product:{p['sku']}": {"kind": "product", "title": p["name"]}
                                for p in CATALOG["products"]})


def test_every_catalogue_name_word_has_a_reading():
    missing = sorted(NAME_WORDS - set(name_readings()))
    assert not missing, f"add their katakana readings to name_readings.ja.yml: {missing}"


def test_every_reading_is_of_a_catalogue_name_word():
    assert sorted(set(name_readings()) - NAME_WORDS) == []


def test_readings_are_katakana_or_kept_as_written():
    for word, readings in name_readings().items():
        assert readings and len(set(readings)) == len(readings), word
        for reading in readings:
            # katakana (with a model number inside, "3シーズン"), or the word itself: 2, 3, II, LT, UL
            assert re.fullmatch(r"[0-9]?[ァ-ヴー]+", reading) or reading == word.lower(), (word, reading)


def test_every_product_has_a_katakana_name():
    assert [name for name in NAMES if katakana_pattern(name) is None] == []


def test_every_spelling_of_every_katakana_name_finds_that_product_and_no_other():
    readings = name_readings()
    wrong = {}
    for doc_id, doc in KB.documents.items():
        for spelling in itertools.product(*(readings[word] for word in doc["title"].split())):
            hit = find_product_in_text(KB, "".join(spelling) + "は在庫ありますか")
            if hit is None or hit[0] != doc_id:
                wrong["".join(spelling)] = hit and hit[1]["title"]
    assert wrong == {}


@pytest.mark.parametrize("separator", ["・", " "])
def test_every_katakana_name_is_found_with_its_words_apart(separator):
    readings = name_readings()
    wrong = {}
    for doc_id, doc in KB.documents.items():
        japanese = separator.join(readings[word][0] for word in doc["title"].split())
        hit = find_product_in_text(KB, f"{japanese}は防水ですか")
        if hit is None or hit[0] != doc_id:
            wrong[japanese] = hit and hit[1]["title"]
    assert wrong == {}
