"""Reviews: topics in four languages, excerpt choice, summaries, and the demo data's consistency."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.shop.commerce.review_topics import asks_how_size_runs, topics_in
from assistant.shop.commerce.reviews import ReviewService, excerpt
from assistant.shop.demo.review_generator import LANGUAGES, apply_reviews, fit_of, load_templates
from assistant.shop.demo.seed import CATALOG_FILE, _records, normalize_products
from assistant.shop.storage.db import init_db, make_engine, session_factory
from assistant.shop.storage.models import Product, Review

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("question, topic", [
    ("do they run small?", "fit"), ("Are these true to size?", "fit"), ("偏小吗", "fit"), ("尺碼準嗎？", "fit"),
    ("サイズ感は？", "fit"), ("are they warm?", "warmth"), ("冬天穿保暖吗", "warmth"), ("暖かいですか", "warmth"),
    ("is it waterproof", "waterproof"), ("下雨天能穿吗", "waterproof"), ("雨の日でも濡れない？", "waterproof"),
    ("are they comfortable for long walks", "comfort"), ("穿着舒服吗", "comfort"), ("履き心地はどう？", "comfort"),
    ("is it durable?", "quality"), ("質量好嗎", "quality"), ("丈夫ですか", "quality"),
    ("does the colour fade?", "colour"), ("颜色和图片一样吗", "colour"), ("色落ちしますか", "colour"),
    ("ＳＩＺＥ？", "fit"),
])
def test_a_question_finds_its_topic_in_each_language(question: str, topic: str) -> None:
    assert topic in topics_in(question)


@pytest.mark.parametrize("text, not_topic", [
    ("とても丈夫です", "fit"),          # 丈夫 (sturdy) is not 丈 (length)
    ("做工扎实，用了一年", "comfort"),   # 扎实 (solid) is not 扎人 (itchy)
    ("the strain on the seams", "waterproof"),  # "rain" only at the start of a word
    ("", "fit"),
])
def test_no_topic_from_a_look_alike(text: str, not_topic: str) -> None:
    assert not_topic not in topics_in(text)


def test_an_excerpt_is_cut_at_a_sentence_or_a_word() -> None:
    assert excerpt("Short.") == "Short."
    long = "Runs small, size up. " + "word " * 60
    assert excerpt(long, 30) == "Runs small, size up."
    cut = excerpt("x" * 30 + " " + "y" * 200, 60)
    assert cut.endswith("…") and len(cut) <= 60
    assert len(excerpt("字" * 300)) <= 140


@pytest.fixture()
def reviews(tmp_path: Path) -> ReviewService:
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    init_db(engine)
    sessions = session_factory(engine)
    rows = [  # (language, rating, text, topic, fit, helpful, days ago)
        ("en", 4, "Runs small. I went half a size up and now they fit perfectly.", "fit", "small", 9, 40),
        ("en", 3, "Runs small and a bit tight. Order one size up.", "fit", "small", 2, 5),
        ("en", 5, "Really warm. I wore it at minus ten.", "warmth", None, 1, 3),
        ("en", 5, "Beautiful colour, even nicer in person.", "colour", None, 12, 100),
        ("en", 2, "Fits as expected, no need to size up or down.", "fit", "true", 0, 200),
        ("zh-Hans", 4, "鞋码偏小，我买大了半码，现在刚刚好。", "fit", "small", 3, 10),
        ("zh-Hans", 5, "颜色和图片一模一样。", "colour", None, 8, 20),
        ("ja", 5, "色は写真どおりで、何度洗っても色落ちしていません。", "colour", None, 4, 15),
        ("zh-Hant", 5, "非常保暖，零下十度穿也不會冷。", "warmth", None, 2, 30),
    ]
    with sessions() as session, session.begin():
        session.add(Product(sku="HIKER", name="Hiker", category="shoes", price=Decimal("90"), colors=[], sizes=[],
                            stock={}, rating=4.2, review_count=len(rows)))
        session.add(Product(sku="NONE", name="New", category="shoes", price=Decimal("10"), colors=[], sizes=[],
                            stock={}))
        for language, rating, text, topic, fit, helpful, days in rows:
            session.add(Review(sku="HIKER", language=language, rating=rating, text=text, topic=topic, fit=fit,
                               helpful=helpful, author="A.", created_at=NOW - timedelta(days=days)))
    return ReviewService(sessions)


def test_the_summary_has_the_mean_the_count_and_the_fit_most_reviewers_report(reviews) -> None:
    summary = reviews.summary("HIKER")
    assert (summary.average, summary.count) == (round(38 / 9, 1), 9)
    assert (summary.fit, summary.fit_votes, summary.fit_reviews) == ("small", 3, 4)
    assert reviews.summary("NONE") is None and reviews.summary("'; DROP TABLE reviews; --") is None
    assert reviews.ratings(["HIKER", "NONE", "NOPE"]) == {"HIKER": (4.2, 9)}


def test_a_fit_question_gets_fit_reviews_in_the_shoppers_language_most_helpful_first(reviews) -> None:
    found = reviews.excerpts("HIKER", "do they run small?", "en")
    assert [e.text[:10] for e in found] == ["Runs small", "Runs small"] and found[0].rating == 4
    assert all("fit" in e.topics for e in found)
    chinese = reviews.excerpts("HIKER", "偏小吗", "zh-Hans")
    assert [e.language for e in chinese] == ["zh-Hans"] and "偏小" in chinese[0].text


def test_another_language_is_used_only_when_none_in_the_shoppers_is_on_the_topic(reviews) -> None:
    japanese = reviews.excerpts("HIKER", "サイズ感は？", "ja")
    assert len(japanese) == 1 and japanese[0].language == "en" and "fit" in japanese[0].topics
    warm = reviews.excerpts("HIKER", "暖かいですか", "ja")
    assert len(warm) == 1 and "warmth" in warm[0].topics


def test_no_topic_falls_back_to_the_most_helpful_reviews_in_the_shoppers_language(reviews) -> None:
    found = reviews.excerpts("HIKER", "what do people think?", "zh-Hans")
    assert [e.text for e in found] == ["颜色和图片一模一样。", "鞋码偏小，我买大了半码，现在刚刚好。"]
    assert reviews.excerpts("HIKER", "", "ja", limit=2)[0].language == "ja"
    assert reviews.excerpts("NONE", "do they run small?", "en") == []
    assert len(reviews.excerpts("HIKER", "colour", "en", limit=999)) <= 5


def test_the_demo_reviews_match_the_catalogue_and_are_the_same_every_time() -> None:
    catalogue = _records(CATALOG_FILE, "products")
    rows = normalize_products(catalogue)
    ratings = {r["sku"]: r["rating"] for r in rows}
    first = apply_reviews(rows, catalogue, seed=42, today=date(2025, 6, 1))
    again = apply_reviews(normalize_products(catalogue), catalogue, seed=42, today=date(2025, 6, 1))
    assert first == again and len(first) >= 3000
    by_sku: dict[str, list[dict]] = {}
    for review in first:
        by_sku.setdefault(review["sku"], []).append(review)
    for product in rows:
        own = by_sku[product["sku"]]
        assert product["review_count"] == len(own)
        assert product["rating"] == ratings[product["sku"]] == round(sum(r["rating"] for r in own) / len(own), 1)
        assert {r["language"] for r in own} == set(LANGUAGES)
        assert all(1 <= r["rating"] <= 5 and r["text"] for r in own)
    # the reviews say what the catalogue says about the fit
    records = {r["sku"]: r for r in catalogue}
    for sku, own in by_sku.items():
        fits = {r["fit"] for r in own if r["fit"]}
        assert fits <= {fit_of(records[sku])}, (sku, fits)
    assert Counter(r["topic"] for r in first)["fit"] > 300


def test_every_template_is_written_in_each_language() -> None:
    templates = load_templates()
    assert all(set(t.texts) == set(LANGUAGES) and all(t.texts.values()) for t in templates.texts)
    assert all(templates.reviewers[lang] for lang in LANGUAGES)
    # a template's own words find its topic (so a question on that topic finds it) in every language
    for template in templates.texts:
        for language, text in template.texts.items():
            assert template.topic in topics_in(text), (language, text)


@pytest.mark.parametrize("text, asks", [
    ("Does the Cascade Hiker run small?", True), ("do they run a bit large", True), ("true to size?", True),
    ("这双偏小吗", True), ("這雙尺碼準嗎", True), ("サイズ感は？", True), ("小さめですか", True),
    ("do you have it in small?", False), ("is size 42 in stock", False), ("有M码吗", False),
])
def test_how_a_size_runs_is_told_from_a_size_in_stock(text: str, asks: bool) -> None:
    assert asks_how_size_runs(text) is asks
