"""The end-to-end answer evaluation set: the held-out rule, the checks, and the shipped files."""
from __future__ import annotations

import hashlib

import pytest

from assistant.runtime import eval_set
from assistant.runtime.eval_set import (
    HELD_OUT_BELOW,
    Problems,
    Question,
    check,
    coverage,
    headings,
    is_held_out,
    load,
    product_skus,
)

# ---- is_held_out ----------------------------------------------------------------------------------


def test_is_held_out_is_deterministic():
    for text in ("how do I reset my password?", "返品できますか？", ""):
        assert is_held_out(text) == is_held_out(text)
        assert Question(q=text, language="en", expect="abstain").held_out == is_held_out(text)


def test_is_held_out_follows_the_first_byte_of_the_sha1():
    for i in range(200):
        text = f"question {i}"
        assert is_held_out(text) == (hashlib.sha1(text.encode("utf-8")).digest()[0] < HELD_OUT_BELOW)


def test_is_held_out_is_about_40_percent():
    texts = [f"shopper question number {i}" for i in range(5000)]
    share = sum(map(is_held_out, texts)) / len(texts)
    assert 0.37 < share < 0.43, share


def test_split_names_the_held_out_part():
    questions = [Question(q=f"q{i}", language="en", expect="abstain") for i in range(50)]
    assert {q.split for q in questions} == {"held_out", "tune"}
    assert all(q.split == ("held_out" if is_held_out(q.q) else "tune") for q in questions)


# ---- check ----------------------------------------------------------------------------------------


def problems_of(*questions: Question) -> list[str]:
    problems = Problems()
    check(list(questions), problems)
    return problems.items


@pytest.fixture(scope="module")
def catalogue_skus() -> frozenset[str]:
    return frozenset(product_skus())


@pytest.fixture(autouse=True)
def _parse_the_catalogue_once(monkeypatch, catalogue_skus):
    """check() reads the real catalogue every call (about a second); read it once for this module."""
    monkeypatch.setattr(eval_set, "product_skus", lambda: set(catalogue_skus))


@pytest.fixture(scope="module")
def sku(catalogue_skus) -> str:
    return sorted(catalogue_skus)[0]


def test_check_accepts_valid_questions(sku):
    ja_heading = headings("guide", "reset-password", "ja")[0]
    assert problems_of(
        Question(q="I forgot my password", language="en", expect="answer",
                 sources=("guide:reset-password",), section="Request a reset link", origin="en.yml"),
        Question(q="パスワードを忘れました", language="ja", expect="answer",
                 sources=("guide:reset-password",), section=ja_heading, origin="ja.yml"),
        Question(q="how do I reset my password?", language="en", expect="answer",
                 sources=("guide:reset-password",), origin="en.yml"),  # no section: the introduction
        Question(q="can I still return it?", language="en", expect="answer",
                 sources=("policy:returns", "guide:start-a-return"), task="return_item", origin="en.yml"),
        Question(q="cancel order SO-104233", language="en", expect="task", task="cancel_order", origin="en.yml"),
        Question(q="get me a human", language="en", expect="task", task="human_handoff", origin="en.yml"),
        Question(q="red jackets", language="en", expect="product_search", origin="en.yml"),
        Question(q="is it waterproof?", language="en", expect="product", sources=(f"product:{sku}",),
                 origin="en.yml"),
        Question(q="do you sell gift cards?", language="en", expect="abstain", origin="en.yml"),
        Question(q="what's the weather?", language="en", expect="fallback", origin="out_of_domain_en.yml"),
    ) == []


def test_check_reports_an_unknown_document():
    items = problems_of(Question(q="x", language="en", expect="answer", sources=("guide:no-such-guide",)))
    assert len(items) == 1 and "no guide 'no-such-guide'" in items[0]
    items = problems_of(Question(q="y", language="en", expect="answer", sources=("policy:no-such-policy",)))
    assert len(items) == 1 and "no policy 'no-such-policy'" in items[0]


def test_check_reports_a_source_of_an_unknown_kind():
    items = problems_of(Question(q="x", language="en", expect="answer", sources=("faq:returns",)))
    assert len(items) == 1 and "must start with guide:, policy: or product:" in items[0]


def test_check_reports_a_section_heading_the_document_lacks():
    items = problems_of(Question(q="x", language="en", expect="answer", sources=("guide:reset-password",),
                                 section="No such heading"))
    assert len(items) == 1
    assert "guide:reset-password in en has no H2 'No such heading'" in items[0]


def test_check_wants_the_heading_in_the_question_language():
    items = problems_of(Question(q="パスワード", language="ja", expect="answer",
                                 sources=("guide:reset-password",), section="Request a reset link"))
    assert len(items) == 1 and "in ja has no H2 'Request a reset link'" in items[0]


def test_check_reports_a_missing_or_unknown_task():
    items = problems_of(Question(q="x", language="en", expect="task"))
    assert len(items) == 1 and "expect task needs task" in items[0]
    items = problems_of(Question(q="y", language="en", expect="answer", sources=("policy:returns",),
                                 task="teleport_order"))
    assert len(items) == 1 and "unknown task 'teleport_order'" in items[0]


def test_check_reports_an_unknown_expect_and_language():
    items = problems_of(Question(q="x", language="en", expect="dance"))
    assert len(items) == 1 and "expect must be one of" in items[0]
    items = problems_of(Question(q="y", language="de", expect="abstain"))
    assert len(items) == 1 and "language must be one of" in items[0]


def test_check_reports_an_answer_without_sources():
    items = problems_of(Question(q="x", language="en", expect="answer"),
                        Question(q="y", language="en", expect="product"))
    assert len(items) == 2
    assert "expect answer needs sources" in items[0] and "expect product needs sources" in items[1]


def test_check_reports_a_product_sku_not_in_the_catalogue():
    items = problems_of(Question(q="x", language="en", expect="product", sources=("product:NW-XXX-9999",)))
    assert len(items) == 1 and "no product 'NW-XXX-9999' in the catalogue" in items[0]


def test_check_reports_a_duplicate_question():
    first = Question(q="same words", language="en", expect="abstain", origin="en.yml")
    again = Question(q="same words", language="en", expect="abstain", origin="other.yml")
    items = problems_of(first, again)
    assert len(items) == 1 and "already in en.yml" in items[0]


# ---- the shipped files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> tuple[list[Question], Problems]:
    return load()


def test_the_shipped_set_has_no_problems(shipped):
    questions, problems = shipped
    assert problems.items == []
    assert any(q.origin.startswith("kb-eval") for q in questions)
    assert any(not q.origin.startswith("kb-eval") for q in questions)


def test_the_shipped_set_covers_every_section(shipped):
    questions, _ = shipped
    result = coverage(questions)
    assert result["missing"] == []
    assert result["covered"] == result["sections"] == 205
