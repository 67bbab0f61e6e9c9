"""Building, loading and searching a small knowledge base with the real multilingual encoder."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base import IndexMissing, KnowledgeBase, build_index
from knowledge_base.answers import Abstention, Answer, answer, rerank, trim
from knowledge_base.chunking import Chunk
from knowledge_base.products import ProductQuery, find_product, search_products
from knowledge_base.search import Passage

REPO = Path(__file__).resolve().parents[3]

DOCS = {
    ("guides", "reset-password"): ("Reset your password", "/help/account/reset-password", {
        "Request a reset link": "Choose \"Sign in\" and then \"Forgot password?\". Enter your account email and "
                                "open the link we send you. The link works for 1 hour.",
        "The link never arrives": "Check your spam folder first. Reset emails come from no-reply addresses.",
    }),
    ("policies", "shipping"): ("Shipping policy", "/policies/shipping", {
        "Countries we ship to": "We ship to the United States, Canada, the United Kingdom, most of the EU, "
                                "Japan, Australia and New Zealand.",
        "Shipping costs": "Standard shipping costs 5.95 USD and is free on orders over 75 USD.",
    }),
    ("policies", "payment-methods"): ("Payment methods", "/policies/payment-methods", {
        "What you can pay with": "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and Google Pay.",
    }),
}
CATALOG = """products:
- {sku: NW-JAC-0001, name: Summit Rain Shell, category: jackets, subcategory: rain jackets,
   description: A light waterproof rain jacket for hiking., colors: [blue, black], sizes: [S, M, L],
   stock: {S: 0, M: 4, L: 2}, price: 89.0, currency: USD, rating: 4.6, review_count: 120,
   url: /products/summit-rain-shell, image: /static/products/NW-JAC-0001.svg, specs: {waterproof: 'yes'}}
- {sku: NW-JAC-0002, name: Alpine Down Parka, category: jackets, subcategory: insulated parkas,
   description: A warm down parka for winter cities., colors: [black], sizes: [M, L],
   stock: {M: 1, L: 1}, price: 240.0, currency: USD, rating: 4.8, review_count: 40,
   url: /products/alpine-down-parka, image: /static/products/NW-JAC-0002.svg, specs: {fill: 700 down}}
- {sku: NW-SHO-0001, name: Trail Runner 2, category: shoes, subcategory: trail running shoes,
   description: Grippy trail running shoes with a waterproof membrane., colors: [blue, grey], sizes: ['41', '42'],
   stock: {'41': 5, '42': 0}, price: 120.0, currency: USD, rating: 4.2, review_count: 88,
   url: /products/trail-runner-2, image: /static/products/NW-SHO-0001.svg, specs: {waterproof: 'yes'}}
"""


def write_content(root: Path) -> None:
    for (folder, doc_id), (title, url, sections) in DOCS.items():
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
        path = root / folder / "en" / f"{doc_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\nid: {doc_id}\ntitle: {title}\ntags: [help]\nlanguage: en\nupdated: 2026-11-01\n"
                        f"url: {url}\n---\n\n# {title}\n\n{body}\n", encoding="utf-8")
    (root / "products").mkdir(parents=True, exist_ok=True)
    (root / "products" / "catalog.yml").write_text(CATALOG, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    write_content(root / "content")
    report = build_index(root / "content", root / "index", "e5", progress=False)
    return root, report, KnowledgeBase.load(root / "index", "e5")


def test_build_reports_chunks_and_speed(built):
    _, report, kb = built
    assert report.chunks == len(kb.chunks) == 5 + 3 * 2  # 5 sections, 3 products x overview/details
    assert report.embedded == report.chunks and report.chunks_per_second > 0
    assert "chunks/s" in report.summary()


@pytest.mark.parametrize("question, doc_id", [
    ("I forgot my password", "guide:reset-password"),
    ("do you deliver to canada?", "policy:shipping"),
    ("can I pay with paypal", "policy:payment-methods"),
])
def test_hybrid_search_finds_the_answering_document(built, question, doc_id):
    _, _, kb = built
    passages = kb.search(question, k=3)
    assert passages[0].doc_id == doc_id
    assert len({p.doc_id for p in passages}) == len(passages)  # one passage per document
    assert passages[0].source["url"].startswith("/")


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_every_mode_ranks(built, mode):
    _, _, kb = built
    assert kb.search("shipping costs", k=2, mode=mode)[0].doc_id == "policy:shipping"


def test_filters_restrict_kind_and_language(built):
    _, _, kb = built
    assert {p.chunk.kind for p in kb.search("waterproof", k=5, filters={"kind": "product"})} == {"product"}
    assert kb.search("waterproof", k=5, filters={"language": "ja"}) == []
    with pytest.raises(ValueError, match="unknown filter"):
        kb.search("x", filters={"colour": "blue"})


def test_answer_is_the_passage_with_its_source_or_an_abstention(built):
    _, _, kb = built
    reply = answer(kb, "how much is shipping?", filters={"kind": ["guide", "policy"]})
    assert isinstance(reply, Answer) and "5.95 USD" in reply.text
    assert reply.source["title"] == "Shipping policy" and reply.source["url"].endswith("#shipping-costs")
    unsure = answer(kb, "who won the football last night", filters={"kind": ["guide", "policy"]})
    assert isinstance(unsure, Abstention) and 0 < len(unsure.closest) <= 2


def test_trim_keeps_the_leading_sentences_and_the_matching_one():
    text = " ".join(f"Filler sentence {i} about nothing in particular here." for i in range(12))
    text += " Gift cards never expire."
    trimmed = trim(text, "do gift cards expire")
    assert trimmed.startswith("Filler sentence 0") and trimmed.endswith("Gift cards never expire.")
    assert len(trimmed.split()) < len(text.split())


def test_product_search_applies_filters_and_pages(built):
    _, _, kb = built
    hits, total = search_products(kb, ProductQuery(text="blue jacket under 100", category="jackets",
                                                   color="blue", price_max=100))
    assert total == 1 and hits[0].name == "Summit Rain Shell" and hits[0].sizes_in_stock == ["M", "L"]
    first, total = search_products(kb, ProductQuery(), limit=2)
    rest, _ = search_products(kb, ProductQuery(), limit=2, offset=2)
    assert total == 3 and len(first) == 2 and len(rest) == 1
    assert not {h.sku for h in first} & {h.sku for h in rest}
    none, total = search_products(kb, ProductQuery(category="shoes", size="42"))  # 42 is sold out
    assert none == [] and total == 0


def test_find_product_by_name(built):
    _, _, kb = built
    assert find_product(kb, "trail runner 2")[0] == "product:NW-SHO-0001"
    assert find_product(kb, "Summit Rain Shel")[0] == "product:NW-JAC-0001"
    assert find_product(kb, "quantum teleporter") is None


def test_a_second_opinion_builds_no_bm25_index_and_scores_the_same(built):
    root, _, kb = built
    kb_with_second = KnowledgeBase.load(root / "index", "e5").with_second_opinion(root / "index", "e5")
    second = kb_with_second.second
    assert second is not None and second._bm25 is None  # cosines only: the BM25 index is never needed
    chunk_ids = [chunk.chunk_id for chunk in kb.chunks]
    assert second.cosines("how much is shipping?", chunk_ids) == kb.cosines("how much is shipping?", chunk_ids)
    # a search that does need BM25 builds it then, and ranks as a fully loaded index does
    lazy = KnowledgeBase.load(root / "index", "e5", lexical=False)
    assert lazy._bm25 is None
    for mode in ("hybrid", "bm25", "rrf"):
        assert lazy.search("shipping costs", k=3, mode=mode) == kb.search("shipping costs", k=3, mode=mode)
    assert lazy._bm25 is not None


def test_rebuild_embeds_only_changed_chunks(built, tmp_path):
    root, _, _ = built
    again = build_index(root / "content", root / "index", "e5", progress=False)
    assert again.embedded == 0 and again.reused == again.chunks
    path = root / "content" / "policies" / "en" / "payment-methods.md"
    path.write_text(path.read_text().replace("Google Pay.", "Google Pay and gift cards."))
    changed = build_index(root / "content", root / "index", "e5", progress=False)
    assert changed.embedded == 1
    kb = KnowledgeBase.load(root / "index", "e5")
    assert "gift cards" in kb.search("pay with a gift card", k=1)[0].chunk.text


@pytest.mark.parametrize("index_type", ["flat", "ivf", "hnsw"])
def test_index_types_all_search(built, tmp_path, index_type):
    root, _, _ = built
    report = build_index(root / "content", tmp_path, "e5", index_type=index_type, progress=False)
    assert report.index_type == index_type
    kb = KnowledgeBase.load(tmp_path, "e5")
    assert kb.search("reset password", k=1)[0].doc_id == "guide:reset-password"


def test_missing_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexMissing, match="make kb-build"):
        KnowledgeBase.load(tmp_path, "e5")


def test_section_questions_lead_a_question_to_their_section(tmp_path):
    """A question worded nothing like the passage still finds it through the section's own questions."""
    write_content(tmp_path / "content")
    question = "my inbox never got the email to change my login"
    before = build_index(tmp_path / "content", tmp_path / "plain", "e5", progress=False)
    plain = KnowledgeBase.load(tmp_path / "plain", "e5")
    asked = tmp_path / "content" / "questions" / "en" / "reset-password.yml"
    asked.parent.mkdir(parents=True)
    asked.write_text('doc: reset-password\nsections:\n  "The link never arrives":\n'
                     '    - the reset email never came, what now?\n    - no password email in my inbox\n',
                     encoding="utf-8")
    build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)
    kb = KnowledgeBase.load(tmp_path / "index", "e5")
    best = kb.search(question, k=1, unique_documents=False)[0]
    assert best.chunk.heading == "The link never arrives"
    chunk_id = best.chunk.chunk_id
    # the question lifts the section's dense score, and only that section's
    assert kb.cosines(question, [chunk_id])[chunk_id] > plain.cosines(question, [chunk_id])[chunk_id]
    other = next(c.chunk_id for c in kb.chunks if c.heading == "Request a reset link")
    assert kb.cosines(question, [other]) == plain.cosines(question, [other])
    assert before.chunks == len(kb.chunks)  # questions add no passages


def test_overview_questions_lead_a_general_question_to_the_introduction(tmp_path):
    """``overview:`` questions belong to the page's introduction (the text under its H1)."""
    from knowledge_base.documents import ContentError

    write_content(tmp_path / "content")
    asked = tmp_path / "content" / "questions" / "en" / "reset-password.yml"
    asked.parent.mkdir(parents=True)
    asked.write_text('doc: reset-password\nsections: {}\noverview:\n  - help with my password\n'
                     '  - I need to sort out my login details\n', encoding="utf-8")
    with pytest.raises(ContentError, match="no introduction"):  # this page starts with its first H2
        build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)
    page = tmp_path / "content" / "guides" / "en" / "reset-password.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "# Reset your password\n", "# Reset your password\n\nLocked out? A new password takes two minutes.\n"),
        encoding="utf-8")
    build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)
    kb = KnowledgeBase.load(tmp_path / "index", "e5")
    best = kb.search("I need some help sorting my login details out", k=1, unique_documents=False)[0]
    assert (best.doc_id, best.chunk.heading) == ("guide:reset-password", "")


def test_question_vote_favours_the_page_several_questions_agree_on(tmp_path):
    """A page with several questions close to the query outvotes one with a single close question."""
    write_content(tmp_path / "content")
    folder = tmp_path / "content" / "questions" / "en"
    folder.mkdir(parents=True)
    (folder / "shipping.yml").write_text(
        'doc: shipping\nsections:\n  "Shipping costs":\n    - how much is delivery?\n    - what does postage cost?\n'
        '    - is shipping free over some amount?\n  "Countries we ship to":\n    - do you deliver to japan?\n',
        encoding="utf-8")
    (folder / "payment-methods.yml").write_text(
        'doc: payment-methods\nsections:\n  "What you can pay with":\n    - how much is delivery if I pay by card?\n',
        encoding="utf-8")
    build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)
    kb = KnowledgeBase.load(tmp_path / "index", "e5")
    votes = kb.question_votes("how much does delivery cost?", [("policy:shipping", "en"), ("policy:payment-methods", "en"),
                                                               ("guide:reset-password", "en")])
    assert set(votes) == {("policy:shipping", "en"), ("policy:payment-methods", "en")}  # no questions, no vote
    assert votes[("policy:shipping", "en")] > votes[("policy:payment-methods", "en")]


def _passage(doc_id: str, score: float, language: str = "en") -> Passage:
    chunk = Chunk(f"{doc_id}#0", doc_id, doc_id.split(":")[0], doc_id, "", "", "/", language, "text", "text")
    return Passage(chunk, score, score, 0.0)


def test_rerank_moves_a_close_second_page_up_by_its_question_vote():
    class Votes:
        def __init__(self, votes):
            self.votes = votes

        def question_votes(self, query, keys):
            return {key: self.votes[key[0]] for key in keys if key[0] in self.votes}

    first, second, third = _passage("guide:a", 0.90), _passage("guide:b", 0.88), _passage("guide:c", 0.50)
    ranked = rerank(Votes({"guide:a": 0.70, "guide:b": 0.80, "guide:c": 0.99}), "q", [first, second, third])
    assert [p.doc_id for p in ranked] == ["guide:b", "guide:a", "guide:c"]  # a far page does not jump ahead
    # a page without questions among them (a product): retrieval's order stands
    product = _passage("product:x", 0.89)
    assert rerank(Votes({"guide:a": 0.70, "guide:b": 0.80}), "q", [first, product, second]) == [first, product, second]


def test_section_questions_must_name_a_real_document_and_heading(tmp_path):
    from knowledge_base.documents import ContentError

    write_content(tmp_path / "content")
    asked = tmp_path / "content" / "questions" / "en" / "reset-password.yml"
    asked.parent.mkdir(parents=True)
    asked.write_text('doc: reset-password\nsections:\n  "A heading that was renamed":\n    - anything?\n',
                     encoding="utf-8")
    with pytest.raises(ContentError, match="has no section 'A heading that was renamed'"):
        build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)
    asked.write_text('doc: no-such-guide\nsections: {}\n', encoding="utf-8")
    with pytest.raises(ContentError, match="no guide or policy 'no-such-guide'"):
        build_index(tmp_path / "content", tmp_path / "index", "e5", progress=False)


def test_an_expected_page_lowers_the_threshold_only_for_that_page(built):
    _, _, kb = built
    question = "who won the football last night"
    guides = {"kind": ["guide", "policy"]}
    unsure = answer(kb, question, filters=guides, min_score=0.99)
    assert isinstance(unsure, Abstention)
    best = unsure.closest[0].doc_id
    # another page named: nothing changes; the best page named: the extra leniency answers
    elsewhere = answer(kb, question, filters=guides, min_score=0.99, expected={"guide:nowhere"}, expected_leniency=0.99)
    assert isinstance(elsewhere, Abstention)
    named = answer(kb, question, filters=guides, min_score=0.99, expected={best}, expected_leniency=0.99)
    assert isinstance(named, Answer) and named.passage.doc_id == best


def test_row_max_equals_the_slow_unbuffered_maximum() -> None:
    import numpy as np

    from knowledge_base.search import RowMax

    rng = np.random.default_rng(3)
    questions, rows = rng.integers(0, 300, 2000), rng.integers(0, 100, 2000)
    rows[rows == 42] = 43  # a row with no question stays -inf
    scores = rng.random(300).astype(np.float32)
    expected = np.full(100, -np.inf, dtype=np.float32)
    np.maximum.at(expected, rows, scores[questions])
    assert np.array_equal(RowMax(questions, rows, 100)(scores), expected)
    assert np.all(RowMax(np.zeros(0, np.int64), np.zeros(0, np.int64), 5)(scores) == -np.inf)
