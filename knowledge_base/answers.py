"""From retrieved passages to what the shopper is told: the best passage trimmed to the answer, or an
honest abstention with the closest topics."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Collection, Mapping

from knowledge_base.chunking import length_units, sentences
from knowledge_base.search import KnowledgeBase, Passage, rrf
from knowledge_base.text import tokenize

# Cosine similarity of the best passage under which we say we don't know, per encoder.
# Calibrated on knowledge_base/eval (answerable vs unanswerable questions) by `make kb-eval`,
# which prints the sweep; KB_MIN_SCORE overrides.
DEFAULT_MIN_SCORE = {"e5": 0.84, "minilm": 0.33, "use": 0.26}
# With a second encoder's index beside the first (``KnowledgeBase.second``), the confidence is the
# passage's cosine plus SECOND_WEIGHT times the second encoder's cosine for the same passage: two
# independent models agreeing separate answerable from unanswerable questions better than either alone.
# Its threshold is per language (cosine levels differ by language), set on the tuning part of
# `make answer-eval` where 90% of the unanswerable questions score below it (both cosines include the
# section questions, ``knowledge_base.search.QUESTION_OFFSET``). zh-Hans rose from 1.089 to 1.095 with
# the third round of section questions (2026-12-07): 1.089 now let 2 of its 15 unanswerable questions
# through; every answerable one above 1.089 is above 1.095 too.
SECOND_WEIGHT = 0.5
MIN_CONFIDENCE = {"e5+use": {"en": 1.06, "zh-Hans": 1.095, "zh-Hant": 1.159, "ja": 1.101}}
# The best RERANK_DOCUMENTS documents are re-ranked by their passage's score plus VOTE_WEIGHT times their
# question vote (``KnowledgeBase.question_votes``). Tuning part of `make answer-eval`, knowledge base
# alone: first document right 0.882 -> 0.905 (en 0.875 -> 0.891, zh-Hans 0.918 -> 0.939, zh-Hant 0.907 ->
# 0.963, ja 0.860 -> 0.895), answered with the right page 0.839 -> 0.848 at the same unanswerable rate;
# weights 0.5-2 all gain, the best one question alone (what the passage score already holds) gains nothing.
RERANK_DOCUMENTS = 5
VOTE_WEIGHT = 1.0
MAX_UNITS = 75  # about three sentences
MAX_STEP_UNITS = 140  # numbered steps are kept whole up to this
INTRO_WITHIN = 4  # the introduction answers when it is among the document's best passages


@dataclass(frozen=True)
class Answer:
    text: str
    passage: Passage
    confidence: float = 1.0  # compared with ``threshold``; the margin says how sure the answer is
    threshold: float = 0.0

    @property
    def source(self) -> dict[str, str]:
        return self.passage.source


@dataclass(frozen=True)
class Abstention:
    closest: list[Passage] = field(default_factory=list)  # up to two other topics to offer


def min_score_for(encoder: str, override: float | None = None) -> float:
    return override if override is not None else DEFAULT_MIN_SCORE.get(encoder, 0.5)


def answer(kb: KnowledgeBase, question: str, filters: Mapping[str, Any] | None = None,
           min_score: float | None = None, language: str | None = None,
           leniency: float = 0.0, expected: Collection[str] = (), expected_leniency: float = 0.0,
           ) -> Answer | Abstention:
    """Answer ``question`` from guides and policies (and products unless filtered out). ``leniency``
    lowers the threshold when other evidence (a confident intent for this kind of question) agrees;
    ``expected_leniency`` lowers it further when the best document is one of ``expected`` (the pages
    that evidence names: ``knowledge_base.intent_topics``)."""
    chunks = search_in_language(kb, question, k=30, filters=filters, language=language)
    retrieved = _one_per_document(chunks)
    if not retrieved:
        return Abstention()
    documents = rerank(kb, question, retrieved)
    best = documents[0]
    # whether the content answers at all is judged on retrieval's own best match; the question vote only
    # chooses among the close pages (judged on the re-ranked page, 3 more of 84 unanswerable questions of
    # the tuning part were answered, for 1 more answerable one)
    confidence, threshold = judge(kb, question, retrieved[0], min_score)
    threshold -= leniency  # other evidence agrees that the question is one the content answers
    if best.doc_id in expected:
        threshold -= expected_leniency  # ... and names this very page
    if confidence < threshold:
        return Abstention(closest=documents[:2])
    # A document's introduction sums it up; when it ranks among that document's best few passages, the
    # question is a general one ("what's your return policy?") and the introduction is the better answer.
    # (ranked among themselves by reciprocal-rank fusion: the cosine scale of the fused score makes the
    # introduction trail a section that merely repeats the question's words)
    own = _rank_fused([p for p in chunks if p.doc_id == best.doc_id])[:INTRO_WITHIN]
    intro = next((p for p in own if not p.chunk.heading), None)
    chosen = intro if intro is not None and best.chunk.heading else best
    return Answer(text=trim(chosen.chunk.text, question), passage=chosen, confidence=confidence,
                  threshold=threshold)


def rerank(kb: KnowledgeBase, question: str, documents: list[Passage]) -> list[Passage]:
    """``documents`` (one passage each, best first) with the first few re-ranked by their question vote;
    unchanged unless every one of them has questions (products have none)."""
    head, tail = documents[:RERANK_DOCUMENTS], documents[RERANK_DOCUMENTS:]
    votes = kb.question_votes(question, [(p.doc_id, p.chunk.language) for p in head])
    if len(head) < 2 or len(votes) < len(head):
        return documents
    return sorted(head, key=lambda p: p.score + VOTE_WEIGHT * votes[(p.doc_id, p.chunk.language)], reverse=True) + tail


def judge(kb: KnowledgeBase, question: str, best: Passage, min_score: float | None = None) -> tuple[float, float]:
    """(confidence, threshold) for answering ``question`` with ``best``."""
    table = MIN_CONFIDENCE.get(f"{kb.encoder.name}+{kb.second.encoder.name}") if kb.second else None
    if min_score is not None or not table or best.chunk.language not in table:
        return best.dense, min_score_for(kb.encoder.name, min_score)
    second = kb.second.cosines(question, [best.chunk.chunk_id]).get(best.chunk.chunk_id, 0.0)
    return best.dense + SECOND_WEIGHT * second, table[best.chunk.language]


def _rank_fused(passages: list[Passage]) -> list[Passage]:
    """``passages`` ordered by reciprocal-rank fusion of their cosine and BM25 ranks."""
    fused = rrf([{i: p.dense for i, p in enumerate(passages)}, {i: p.bm25 for i, p in enumerate(passages)}])
    return [passages[i] for i in sorted(fused, key=lambda i: fused[i], reverse=True)]


def _one_per_document(passages: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    result = []
    for passage in passages:
        if passage.doc_id not in seen:
            seen.add(passage.doc_id)
            result.append(passage)
    return result


def search_in_language(kb: KnowledgeBase, query: str, k: int, filters: Mapping[str, Any] | None,
                       language: str | None) -> list[Passage]:
    """Passages (several per document) in the shopper's language first; other languages only where
    the shopper's has none."""
    base = dict(filters or {})
    if language:
        own = kb.search(query, k=k, filters={**base, "language": language}, unique_documents=False)
        if own:
            return own
    return kb.search(query, k=k, filters=base or None, unique_documents=False)


_STEP = re.compile(r"^\s*(\d+\.|[-*])\s", re.M)


def trim(text: str, question: str = "") -> str:
    """The passage cut to its answer: the leading sentences, plus the sentence that matches the
    question best if it comes later. Numbered steps stay whole."""
    if length_units(text) <= MAX_UNITS or (_STEP.search(text) and length_units(text) <= MAX_STEP_UNITS):
        return text.strip()
    parts = sentences(text)
    wanted = set(tokenize(question))
    best = max(range(len(parts)), key=lambda i: len(wanted & set(tokenize(parts[i]))), default=0)
    chosen: list[int] = []
    size = 0
    for i, part in enumerate(parts):
        if size and size + length_units(part) > MAX_UNITS:
            break
        chosen.append(i)
        size += length_units(part)
    if best not in chosen and len(wanted & set(tokenize(parts[best]))) > 0:
        chosen.append(best)
    return " ".join(parts[i] for i in chosen).strip()
