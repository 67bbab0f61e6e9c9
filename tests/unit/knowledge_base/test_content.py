"""Knowledge-base content: parsing, chunking, BM25 tokens, product filters (no models needed)."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.chunking import chunk_document, length_units, windows
from knowledge_base.documents import ContentError, load_documents, parse_markdown, split_sections
from knowledge_base.products import ProductQuery, category_of, color_of, parse_price
from knowledge_base.text import tokenize

REPO = Path(__file__).resolve().parents[3]
CONTENT = REPO / "knowledge_base" / "content"

GUIDE = """---
id: reset-password
title: Reset your password
tags: [account, password]
language: en
updated: 2026-11-01
url: /help/account/reset-password
---

# Reset your password

Use "Forgot password?" on the sign-in page.

## Request a reset link

Choose "Sign in", then "Forgot password?".

### A deeper heading stays in its section

Still the same section.

## The link expired

Links work for 1 hour; request a new one.
"""


def write(tmp_path: Path, text: str, kind: str = "guides", lang: str = "en", name: str = "reset-password") -> Path:
    path = tmp_path / kind / lang / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_guide_is_split_by_h2_with_its_front_matter(tmp_path):
    doc = parse_markdown(write(tmp_path, GUIDE), "guide", tmp_path)
    assert doc.doc_id == "guide:reset-password" and doc.title == "Reset your password"
    assert doc.language == "en" and doc.updated == "2026-11-01" and doc.tags == ("account", "password")
    assert [s.heading for s in doc.sections] == ["", "Request a reset link", "The link expired"]
    assert "Still the same section." in doc.sections[1].text


def test_chunks_carry_source_anchor_and_language(tmp_path):
    doc = parse_markdown(write(tmp_path, GUIDE), "guide", tmp_path)
    chunks = chunk_document(doc)
    second = chunks[1]
    assert second.chunk_id == "guide:reset-password#request-a-reset-link"
    assert second.url == "/help/account/reset-password#request-a-reset-link"
    assert second.language == "en" and second.title == "Reset your password"
    assert second.embed_text.startswith("Reset your password. Request a reset link.")


@pytest.mark.parametrize("broken, message", [
    (GUIDE.replace("title: Reset your password\n", ""), "lacks title"),
    (GUIDE.replace("language: en", "language: fr"), "language 'fr'"),
    (GUIDE.replace("---\nid", "id", 1), "front matter"),
])
def test_broken_content_is_reported_with_the_file_and_the_problem(tmp_path, broken, message):
    with pytest.raises(ContentError, match=message) as error:
        parse_markdown(write(tmp_path, broken), "guide", tmp_path)
    assert "reset-password.md" in str(error.value)


def test_long_sections_become_overlapping_windows():
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(40)]
    parts = windows(" ".join(sentences), max_units=60, overlap_units=15)
    assert len(parts) > 3
    assert all(length_units(p) <= 60 for p in parts)
    for left, right in zip(parts, parts[1:]):  # each window starts with the end of the one before
        assert left.split(". ")[-1].rstrip(".") in right


def test_cjk_length_counts_characters():
    assert length_units("我的订单到哪了") == 4  # two characters count as one word
    assert length_units("order SO123456 shipped") == 3


def test_shop_content_meets_the_documented_format():
    documents = load_documents(CONTENT)
    guides = [d for d in documents if d.kind == "guide" and d.language == "en"]
    policies = [d for d in documents if d.kind == "policy" and d.language == "en"]
    products = [d for d in documents if d.kind == "product"]
    assert len(guides) >= 25 and len(policies) >= 10 and len(products) >= 300
    ids = {d.doc_id for d in policies}
    for required in ("shipping", "returns", "refunds", "cancellation-fees", "payment-methods", "privacy",
                     "warranty", "price-match", "gift-cards", "contact-and-opening-hours"):
        assert f"policy:{required}" in ids


def test_product_documents_are_worded_from_the_catalogue():
    product = next(d for d in load_documents(CONTENT) if d.doc_id == "product:NW-SHO-0002")
    text = " ".join(s.text for s in product.sections)
    assert product.title == "Cascade Hiker" and "waterproof: yes" in text and "USD" in text
    assert product.attributes["category"] == "shoes" and product.attributes["price"] > 0


def test_duplicate_ids_are_refused(tmp_path):
    write(tmp_path, GUIDE, name="one")
    write(tmp_path, GUIDE, name="two")
    with pytest.raises(ContentError, match="already used"):
        load_documents(tmp_path)


def test_split_sections_ignores_headings_inside_code():
    title, sections = split_sections("# T\n\nintro\n\n```\n## not a heading\n```\n\n## Real\n\ntext\n")
    assert title == "T" and [s.heading for s in sections] == ["", "Real"]


@pytest.mark.parametrize("text, expected", [
    ("Where is my parcel?", ["where", "parcel"]),
    ("Returning shoes", ["return", "shoe"]),
    ("ＳＯ１２３４５６", ["so123456"]),
])
def test_bm25_tokens_for_english(text, expected):
    assert tokenize(text) == expected


def test_bm25_tokens_for_chinese_and_mixed_text():
    tokens = tokenize("iPhone 15 的保护壳")
    assert "iphon" in tokens and "15" in tokens and "保护" in tokens and "的" not in tokens
    assert "退货" in tokenize("我想退货")


@pytest.mark.parametrize("value, expected", [("$100", 100.0), ("100 euros", 100.0), ("1.5k", 1500.0),
                                             ("80,50", 80.5), ("cheap", None)])
def test_price_values(value, expected):
    assert parse_price(value) == expected


def test_entities_become_product_filters():
    query = ProductQuery.from_entities("blue rain jacket under $100 in M", [
        {"entity": "color", "value": "Blue"}, {"entity": "category", "value": "rain jackets"},
        {"entity": "price", "value": "$100", "role": "max"}, {"entity": "size", "value": "m"}])
    assert (query.category, query.color, query.size, query.price_max) == ("jackets", "blue", "M", 100.0)
    between = ProductQuery.from_entities("between 50 and 80", [
        {"entity": "price", "value": "80"}, {"entity": "price", "value": "50"}])
    assert (between.price_min, between.price_max) == (50.0, 80.0)


def test_synonyms_map_to_catalogue_words():
    assert category_of("sneakers") == "shoes" and category_of("rucksack") == "backpacks"
    assert color_of("gray") == "grey" and color_of("chartreuse") is None


def test_filters_match_stock_colour_and_price():
    product = {"category": "jackets", "subcategory": "rain jackets", "colors": ["blue"], "price": 90.0,
               "sizes": ["S", "M"], "stock": {"S": 0, "M": 3}}
    assert ProductQuery(category="jackets", color="blue", size="M", price_max=100).matches(product)
    assert not ProductQuery(size="S").matches(product)  # sold out in S
    assert not ProductQuery(price_max=80).matches(product)
    assert not ProductQuery(color="red").matches(product)


# Support hours are rendered from business_hours.yml when said (assistant/shop/support/hours_text.py); the pages hold a
# placeholder, never hours of their own that could contradict the schedule.
# (business days for deliveries and refunds, "Monday to Friday", are not the team's hours)
FIXED_HOURS = [r"\d{1,2}:\d\d\s*(?:to|–|-|〜|～|至)\s*(?:翌|次日|隔天)?\d{1,2}:\d\d", r"\bUTC\b"]


def test_pages_state_support_hours_only_through_the_placeholder():
    import re

    docs = [d for d in load_documents(CONTENT) if d.kind in ("guide", "policy")]
    body = {d.path: "\n".join(s.text for s in d.sections) for d in docs}
    about_hours = [d for d in docs if "{{support_hours}}" in body[d.path]]
    assert {d.doc_id for d in about_hours} >= {"policy:contact-and-opening-hours", "guide:contact-support"}
    assert {d.language for d in about_hours} == {"en", "zh-Hans", "zh-Hant", "ja"}
    for doc in docs:
        for pattern in FIXED_HOURS:
            found = re.search(pattern, body[doc.path])
            assert not found, f"{doc.path}: fixed support hours {found.group(0)!r}; write {{{{support_hours}}}}"
