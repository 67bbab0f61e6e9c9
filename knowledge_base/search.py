"""Hybrid retrieval over the knowledge base: dense (faiss) plus BM25 (bm25s), fused linearly (or by reciprocal rank)."""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from knowledge_base.chunking import Chunk
from knowledge_base.encoders import Encoder, get_encoder
from knowledge_base.text import tokenize

logger = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

MODES = ("hybrid", "dense", "bm25", "rrf")
RRF_K = 60  # the usual reciprocal-rank-fusion constant ("rrf" mode)
# "hybrid": cosine similarity plus this much of the BM25 score relative to the query's best BM25 score.
# Chosen on the tuning part of `make answer-eval` (top-1 document 0.795 with rank fusion, 0.831 with this).
BM25_WEIGHT = 0.02
CANDIDATES = 50  # how deep each ranker's list goes into the fusion
# A passage's dense score is the better of its own cosine and its section's closest shopper question
# (content/questions) plus this offset: question-to-question cosines run higher than question-to-passage
# ones, so the offset puts them on the passage scale the thresholds are set on. Set on the tuning part of
# `make answer-eval`.
# (Tuning part: first document right 0.86 en / 0.94 zh-Hans / 0.87 zh-Hant / 0.86 ja, from 0.82 / 0.90 /
# 0.85 / 0.86 without the questions.)
QUESTION_OFFSET = {"e5": -0.03, "use": -0.15, "minilm": -0.10}
# A document's *question vote*: the mean cosine of its VOTE_QUESTIONS questions (sections' and overview
# ones, in the query's language) closest to the query. One close question can be luck; several close
# ones mean the page is about what was asked (``knowledge_base.answers.rerank``).
VOTE_QUESTIONS = 5


class IndexMissing(FileNotFoundError):
    """No index was built for this encoder; the message says which command builds it."""


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with its source and scores."""

    chunk: Chunk
    score: float  # the fused score used for ranking
    dense: float  # cosine similarity to the query (confidence)
    bm25: float
    document: Mapping[str, Any] = field(default_factory=dict)  # product attributes, when a product

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def source(self) -> dict[str, str]:
        return {"doc_id": self.chunk.doc_id, "title": self.chunk.title, "heading": self.chunk.heading,
                "url": self.chunk.url, "language": self.chunk.language}


Filter = Callable[[Chunk], bool]


def make_filter(filters: Mapping[str, Any] | None) -> Filter | None:
    """``{"kind": "policy"}``, ``{"kind": ["guide", "policy"], "language": "en"}``, ``{"doc_id": ...}``."""
    if not filters:
        return None
    wanted = {key: (set(value) if isinstance(value, (list, tuple, set, frozenset)) else {value})
              for key, value in filters.items() if value is not None}
    unknown = set(wanted) - {"kind", "language", "doc_id"}
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}; use kind, language or doc_id")
    return lambda chunk: all(getattr(chunk, key) in values for key, values in wanted.items())


class KnowledgeBase:
    """Load with ``KnowledgeBase.load(index_dir)``; ask with ``kb.search(query, k, filters)``."""

    def __init__(self, chunks: list[Chunk], vectors: np.ndarray, index, encoder: Encoder,
                 documents: Mapping[str, Mapping[str, Any]] | None = None,
                 questions: list[Mapping[str, Any]] | None = None, question_vectors: np.ndarray | None = None,
                 lexical: bool = True) -> None:
        """``lexical`` False leaves the BM25 index unbuilt until a search needs it: a second opinion
        (``with_second_opinion``) only ever computes cosines, and the index costs about 20 MB and 3 s."""
        self.chunks = chunks
        self.vectors = vectors
        self.index = index
        self.encoder = encoder
        self.documents = dict(documents or {})
        self._bm25 = self._build_bm25() if lexical else None
        self._lock = threading.Lock()  # bm25s scoring is not re-entrant (the encoder locks itself)
        self.second: KnowledgeBase | None = None  # another encoder's index of the same passages
        self._rows = {chunk.chunk_id: i for i, chunk in enumerate(chunks)}
        self._masks: dict[tuple, np.ndarray | None] = {}  # filter -> allowed rows
        # section questions: one (question, chunk row) pair per chunk of the section it belongs to
        pairs = [(q, self._rows[c]) for q, question in enumerate(questions or [])
                 for c in question["chunks"] if c in self._rows]
        self._question_vectors = question_vectors if pairs and question_vectors is not None else None
        self._row_max = RowMax(np.asarray([q for q, _ in pairs], dtype=np.int64),
                               np.asarray([r for _, r in pairs], dtype=np.int64), len(chunks))
        self.question_offset = QUESTION_OFFSET.get(encoder.name, 0.0)
        # (doc_id, language) -> the rows of its questions in ``_question_vectors``
        self._doc_questions: dict[tuple[str, str], np.ndarray] = {}
        if self._question_vectors is not None:
            by_doc: dict[tuple[str, str], set[int]] = {}
            for q, row in pairs:  # a question of a section cut into several chunks counts once
                by_doc.setdefault((chunks[row].doc_id, chunks[row].language), set()).add(q)
            self._doc_questions = {key: np.asarray(sorted(q), dtype=np.int64) for key, q in by_doc.items()}

    @classmethod
    def load(cls, index_dir: str | Path, encoder: str | Encoder = "e5", lexical: bool = True) -> KnowledgeBase:
        import faiss

        encoder = get_encoder(encoder) if isinstance(encoder, str) else encoder
        folder = Path(index_dir) / encoder.name
        if not (folder / "manifest.json").exists():
            raise IndexMissing(f"no knowledge-base index for encoder {encoder.name!r} in {folder}; run `make kb-build`")
        manifest = json.loads((folder / "manifest.json").read_text())
        chunks = [Chunk(**row) for row in json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
        vectors = np.load(folder / "vectors.npy")
        index = faiss.read_index(str(folder / "index.faiss"))
        if len(chunks) != index.ntotal or manifest.get("chunks") != len(chunks):
            raise IndexMissing(f"the index in {folder} is incomplete; run `make kb-build` again")
        documents = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        questions, question_vectors = [], None
        if (folder / "questions.json").exists() and (folder / "questions.npy").exists():
            questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
            question_vectors = np.load(folder / "questions.npy")
            if len(questions) != len(question_vectors):
                questions, question_vectors = [], None
        logger.info("knowledge base loaded: %d chunks, %d section questions, encoder %s, %s index",
                    len(chunks), len(questions), encoder.name, manifest.get("index_type"))
        return cls(chunks, vectors, index, encoder, documents, questions, question_vectors, lexical)

    def with_second_opinion(self, index_dir: str | Path, encoder: str) -> KnowledgeBase:
        """Loads ``encoder``'s index of the same passages as a second opinion for answer confidence
        (``knowledge_base.answers.judge``); without that index, or with other passages, none is used."""
        try:
            second = KnowledgeBase.load(index_dir, encoder, lexical=False)  # cosines only
        except IndexMissing as error:
            logger.warning("no second opinion for answer confidence: %s", error)
            return self
        if [c.chunk_id for c in second.chunks] != [c.chunk_id for c in self.chunks]:
            logger.warning("the %s index holds other passages than the %s one; run `make kb-build`",
                           encoder, self.encoder.name)
            return self
        self.second = second
        return self

    def cosines(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """The query's cosine similarity to each of these passages."""
        rows = [(chunk_id, self._rows[chunk_id]) for chunk_id in chunk_ids if chunk_id in self._rows]
        if not rows or not (query or "").strip():
            return {}
        qvec = self.encoder.encode_queries([query])[0]
        by_question = self._question_scores(qvec)
        return {chunk_id: max(float(self.vectors[row] @ qvec),
                              float(by_question[row]) if by_question is not None else -1.0)
                for chunk_id, row in rows}

    def question_votes(self, query: str, documents: Iterable[tuple[str, str]],
                       top: int = VOTE_QUESTIONS) -> dict[tuple[str, str], float]:
        """Per (doc_id, language), the mean cosine of its ``top`` questions closest to ``query`` (a document
        with fewer questions counts the missing ones as 0); documents without questions are left out."""
        wanted = [key for key in documents if key in self._doc_questions]
        if not wanted or not (query or "").strip():
            return {}
        qvec = self.encoder.encode_queries([query])[0]  # the search's own vector, from the cache
        votes = {}
        for key in wanted:
            cosines = np.sort(self._question_vectors[self._doc_questions[key]] @ qvec)[::-1][:top]
            votes[key] = float(cosines.sum()) / top
        return votes

    def _question_scores(self, qvec: np.ndarray) -> np.ndarray | None:
        """Per chunk row, its section's closest question's cosine plus the offset (-inf without one)."""
        if self._question_vectors is None:
            return None
        return self._row_max(self._question_vectors @ qvec) + self.question_offset

    # ---- retrieval -------------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, filters: Mapping[str, Any] | Filter | None = None,
               mode: str = "hybrid", unique_documents: bool = True) -> list[Passage]:
        """The ``k`` best passages for ``query``; with ``unique_documents`` one (the best) per document."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or not self.chunks:
            return []
        allowed = self._allowed(filters)
        qvec = self.encoder.encode_queries([query])[0] if mode != "bm25" else None
        by_question = self._question_scores(qvec) if qvec is not None else None
        with self._lock:
            dense = self._dense(qvec, allowed, by_question) if qvec is not None else {}
            lexical = self._lexical(query, allowed) if mode != "dense" else {}
        if mode == "dense":
            fused = {i: s for i, s in dense.items()}
        elif mode == "bm25":
            fused = {i: s for i, s in lexical.items()}
        elif mode == "rrf":
            fused = rrf([dense, lexical])
        else:
            fused = self._linear(qvec, dense, lexical, by_question)
        order = sorted(fused, key=lambda i: fused[i], reverse=True)
        results: list[Passage] = []
        seen: set[str] = set()
        for i in order:
            chunk = self.chunks[i]
            if unique_documents and chunk.doc_id in seen:
                continue
            seen.add(chunk.doc_id)
            cosine = dense.get(i)
            if cosine is None and qvec is not None:
                cosine = self._dense_score(i, qvec, by_question)
            results.append(Passage(chunk, float(fused[i]), float(cosine or 0.0), float(lexical.get(i, 0.0)),
                                   self.documents.get(chunk.doc_id, {})))
            if len(results) >= k:
                break
        return results

    def _allowed(self, filters: Mapping[str, Any] | Filter | None) -> np.ndarray | None:
        """The rows a filter keeps; a filter given as a mapping is worked out once (it was a Python call
        per chunk, about 9 ms per search)."""
        if callable(filters):
            return np.fromiter((filters(c) for c in self.chunks), bool, len(self.chunks))
        if not filters:
            return None
        key = tuple(sorted((name, tuple(sorted(value)) if isinstance(value, (list, tuple, set, frozenset)) else value)
                           for name, value in filters.items()))
        mask = self._masks.get(key)
        if mask is None:
            keep = make_filter(filters)
            mask = None if keep is None else np.fromiter((keep(c) for c in self.chunks), bool, len(self.chunks))
            if len(self._masks) < 256:  # filters come from code, a handful of shapes
                self._masks[key] = mask
        return mask

    def _dense_score(self, row: int, qvec: np.ndarray, by_question: np.ndarray | None) -> float:
        cosine = float(self.vectors[row] @ qvec)
        return max(cosine, float(by_question[row])) if by_question is not None else cosine

    def _linear(self, qvec: np.ndarray, dense: Mapping[int, float], lexical: Mapping[int, float],
                by_question: np.ndarray | None = None) -> dict[int, float]:
        """Cosine plus the BM25 score scaled to the best one: a lexical match moves a close passage ahead,
        and the result stays on the cosine scale the abstention threshold is set on."""
        top = max(lexical.values(), default=0.0) or 1.0
        fused = {}
        for i in set(dense) | set(lexical):
            cosine = dense[i] if i in dense else self._dense_score(i, qvec, by_question)
            fused[i] = cosine + BM25_WEIGHT * lexical.get(i, 0.0) / top
        return fused

    def passages_of(self, doc_id: str) -> list[Chunk]:
        return [chunk for chunk in self.chunks if chunk.doc_id == doc_id]

    def _dense(self, qvec: np.ndarray, allowed: np.ndarray | None,
               by_question: np.ndarray | None = None) -> dict[int, float]:
        depth = min(CANDIDATES, len(self.chunks))
        if allowed is None:
            scores, ids = self.index.search(qvec.reshape(1, -1).astype(np.float32), depth)
            found = {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        else:
            candidates = np.flatnonzero(allowed)  # filtered: exact scores over the allowed rows
            if candidates.size == 0:
                return {}
            scores = self.vectors[candidates] @ qvec
            top = np.argsort(-scores)[:depth]
            found = {int(candidates[j]): float(scores[j]) for j in top}
        if by_question is None:
            return found
        if allowed is not None:
            by_question = np.where(allowed, by_question, -np.inf)
        for row in np.argsort(-by_question)[:depth]:
            if not np.isfinite(by_question[row]):
                break
            cosine = found.get(int(row))
            cosine = float(self.vectors[row] @ qvec) if cosine is None else cosine
            found[int(row)] = max(cosine, float(by_question[row]))
        for row in found:  # a passage found on its own text may still have a closer question
            if np.isfinite(by_question[row]):
                found[row] = max(found[row], float(by_question[row]))
        return dict(sorted(found.items(), key=lambda item: item[1], reverse=True)[:depth])

    def _build_bm25(self):
        import bm25s

        bm25 = bm25s.BM25()
        # BM25 also reads the document's tags: the synonyms shoppers use ("mailing list" for newsletter).
        # (Adding the section questions to it was tried: no gain on the tuning part.)
        corpus = [tokenize(f"{chunk.embed_text} {' '.join(self.documents.get(chunk.doc_id, {}).get('tags', []))}")
                  or [""] for chunk in self.chunks]
        bm25.index(corpus, show_progress=False)
        return bm25

    def _lexical(self, query: str, allowed: np.ndarray | None) -> dict[int, float]:
        """BM25 scores (called under ``self._lock``, which also guards building the index on first use)."""
        if self._bm25 is None:
            self._bm25 = self._build_bm25()
        tokens = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        if not tokens:
            return {}
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        depth = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}


class RowMax:
    """Each row's best score among its (question, row) pairs, -inf for a row with none: one sorted
    ``np.maximum.reduceat`` (``np.maximum.at`` took about 1 ms per query over the section questions)."""

    def __init__(self, questions: np.ndarray, rows: np.ndarray, row_count: int) -> None:
        order = np.argsort(rows, kind="stable")
        self._questions = questions[order]
        sorted_rows = rows[order]
        changes = sorted_rows[1:] != sorted_rows[:-1]
        self._starts = np.flatnonzero(np.concatenate(([True], changes))) if len(rows) else np.zeros(0, np.int64)
        self._rows = sorted_rows[self._starts]
        self._count = row_count

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        best = np.full(self._count, -np.inf, dtype=np.float32)
        if len(self._starts):
            best[self._rows] = np.maximum.reduceat(scores[self._questions], self._starts)
        return best


def rrf(rankings: Iterable[Mapping[int, float]]) -> dict[int, float]:
    """Reciprocal-rank fusion of several rankings (key -> score, higher is better)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(sorted(ranking, key=lambda j: ranking[j], reverse=True), start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    return fused

