"""``bench.load``'s messages: held-out NLU examples parsed, stripped of annotations and drawn by seed."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.phrasings import (
    KNOWLEDGE_INTENTS,
    LANGUAGES,
    ORDER_STATUS_INTENTS,
    PRODUCT_SEARCH_INTENTS,
    SMALL_TALK_INTENTS,
    Phrasing,
    PhrasingSampler,
    annotated_entities,
    file_language,
    load_phrasings,
    parse_examples,
    strip_annotations,
)

DOCUMENT = """
version: "3.1"
nlu:
- intent: order_status
  examples: |
    - where is [SO123456](order_id)?
    - has my parcel shipped
    - 我的订单到哪了
- intent: product_search
  examples: |
    - [boots](category) cheaper than [€100]{"entity": "price", "role": "max"}
    - any [dark green](color:green) [parkas](category)
- synonym: green
  examples: |
    - dark green
"""


@pytest.mark.parametrize(("annotated", "plain"), [
    ("where is [SO123456](order_id)?", "where is SO123456?"),
    ("[boots](category) under [$90]{\"entity\": \"price\", \"role\": \"max\"}", "boots under $90"),
    ("any [dark green](color:green) ones", "any dark green ones"),
    ("请取消订单[ＳＯ８１９０５４](order_id)", "请取消订单ＳＯ８１９０５４"),
    ("no entities (just brackets) here", "no entities (just brackets) here"),
])
def test_strip_annotations_keeps_what_the_shopper_typed(annotated: str, plain: str) -> None:
    assert strip_annotations(annotated) == plain


@pytest.mark.parametrize(("example", "entities"), [
    ("where is [SO123456](order_id) for [a@b.test](email)", {"order_id", "email"}),
    ("[boots](category) under [$90]{\"entity\": \"price\", \"role\": \"max\"}", {"category", "price"}),
    ("any [dark green](color:green) ones", {"color"}),
    ("nothing marked", set()),
])
def test_annotated_entities(example: str, entities: set[str]) -> None:
    assert annotated_entities(example) == entities


def test_parse_examples_reads_intents_and_marks_annotated_ones() -> None:
    found = parse_examples(DOCUMENT, "en")
    assert [p.text for p in found] == [
        "where is SO123456?", "has my parcel shipped", "我的订单到哪了",
        "boots cheaper than €100", "any dark green parkas",
    ]
    assert [p.entities for p in found] == [
        {"order_id"}, frozenset(), frozenset(), {"category", "price"}, {"color", "category"}]
    assert {p.intent for p in found} == {"order_status", "product_search"}  # the synonym block is no message


@pytest.mark.parametrize(("name", "language"), [
    ("en_part_a.yml", "en"), ("en.yml", "en"), ("zh-Hans.yml", "zh-Hans"), ("zh-Hant.yml", "zh-Hant"), ("ja.yml", "ja"),
])
def test_file_language(name: str, language: str) -> None:
    assert file_language(Path(name)) == language


def test_file_language_refuses_an_unknown_file() -> None:
    with pytest.raises(ValueError):
        file_language(Path("fr.yml"))


def pool() -> list[Phrasing]:
    return [Phrasing(f"{language} {intent} {n}", intent, language,
                     frozenset({"order_id"} if n == 0 else {"category"} if n == 1 else set()))
            for language in LANGUAGES for intent in ("order_status", "greet") for n in range(5)]


def test_same_seed_same_texts_other_seed_other_texts() -> None:
    def draws(seed: int | str) -> list[str]:
        sampler = PhrasingSampler(pool(), seed)
        return [sampler.draw(("greet",)).text for _ in range(12)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)


def test_every_text_is_dealt_before_one_repeats() -> None:
    sampler = PhrasingSampler(pool(), 3)
    first_deck = [sampler.draw(("greet",)).text for _ in range(20)]  # 4 languages x 5 examples
    assert len(set(first_deck)) == 20
    second_deck = [sampler.draw(("greet",)).text for _ in range(20)]
    assert sorted(second_deck) == sorted(first_deck)


def test_draw_by_language_and_without_entities() -> None:
    sampler = PhrasingSampler(pool(), 3)
    texts = [sampler.draw(("order_status",), "ja", plain=True) for _ in range(8)]
    assert {p.language for p in texts} == {"ja"}
    assert not any("order_id" in p.entities for p in texts)
    assert {p.text for p in texts} == {f"ja order_status {n}" for n in range(1, 5)}  # a category may stay


def test_draw_without_examples_says_what_is_missing() -> None:
    with pytest.raises(ValueError, match="refund_policy"):
        PhrasingSampler(pool(), 1).draw(("refund_policy",))


def test_languages_are_picked_evenly() -> None:
    sampler = PhrasingSampler(pool(), 5)
    counts = Counter(sampler.pick_language(("greet",)) for _ in range(4000))
    assert set(counts) == set(LANGUAGES)
    assert min(counts.values()) > 850  # 1000 expected each


def test_the_held_out_set_covers_every_scenario_in_every_language() -> None:
    """The benchmark's intents exist in nlu_data/eval, in the four languages, with enough variety."""
    phrasings = load_phrasings()
    assert not any("](" in p.text or "]{" in p.text for p in phrasings)
    for intents, plain in ((ORDER_STATUS_INTENTS, True), (KNOWLEDGE_INTENTS, False),
                           (PRODUCT_SEARCH_INTENTS, False), (SMALL_TALK_INTENTS, False)):
        sampler = PhrasingSampler(phrasings, 1)
        assert sampler.languages(intents) == list(LANGUAGES)
        for language in LANGUAGES:
            texts = {sampler.draw(intents, language, plain).text for _ in range(30)}
            assert len(texts) >= 5, (intents, language)
