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
                 documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        import bm25s

        self.chunks = chunks
        self.vectors = vectors
        self.index = index
        self.encoder = encoder
        self.documents = dict(documents or {})
        self._bm25 = bm25s.BM25()
        # BM25 also reads the document's tags: the synonyms shoppers use ("mailing list" for newsletter)
        corpus = [tokenize(f"{chunk.embed_text} {' '.join(self.documents.get(chunk.doc_id, {}).get('tags', []))}")
                  or [""] for chunk in chunks]
        self._bm25.index(corpus, show_progress=False)
        self._lock = threading.Lock()  # bm25s scoring is not re-entrant (the encoder locks itself)
        self.second: KnowledgeBase | None = None  # another encoder's index of the same passages
        self._rows = {chunk.chunk_id: i for i, chunk in enumerate(chunks)}

    @classmethod
    def load(cls, index_dir: str | Path, encoder: str | Encoder = "e5") -> KnowledgeBase:
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
        logger.info("knowledge base loaded: %d chunks, encoder %s, %s index",
                    len(chunks), encoder.name, manifest.get("index_type"))
        return cls(chunks, vectors, index, encoder, documents)

    def with_second_opinion(self, index_dir: str | Path, encoder: str) -> KnowledgeBase:
        """Loads ``encoder``'s index of the same passages as a second opinion for answer confidence
        (``knowledge_base.answers.judge``); without that index, or with other passages, none is used."""
        try:
            second = KnowledgeBase.load(index_dir, encoder)
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
        return {chunk_id: float(self.vectors[row] @ qvec) for chunk_id, row in rows}

    # ---- retrieval -------------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, filters: Mapping[str, Any] | Filter | None = None,
               mode: str = "hybrid", unique_documents: bool = True) -> list[Passage]:
        """The ``k`` best passages for ``query``; with ``unique_documents`` one (the best) per document."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or not self.chunks:
            return []
        keep = filters if callable(filters) else make_filter(filters)
        allowed = None if keep is None else np.fromiter((keep(c) for c in self.chunks), bool, len(self.chunks))
        qvec = self.encoder.encode_queries([query])[0] if mode != "bm25" else None
        with self._lock:
            dense = self._dense(qvec, allowed) if qvec is not None else {}
            lexical = self._lexical(query, allowed) if mode != "dense" else {}
        if mode == "dense":
            fused = {i: s for i, s in dense.items()}
        elif mode == "bm25":
            fused = {i: s for i, s in lexical.items()}
        elif mode == "rrf":
            fused = rrf([dense, lexical])
        else:
            fused = self._linear(qvec, dense, lexical)
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
                cosine = float(self.vectors[i] @ qvec)
            results.append(Passage(chunk, float(fused[i]), float(cosine or 0.0), float(lexical.get(i, 0.0)),
                                   self.documents.get(chunk.doc_id, {})))
            if len(results) >= k:
                break
        return results

    def _linear(self, qvec: np.ndarray, dense: Mapping[int, float], lexical: Mapping[int, float]) -> dict[int, float]:
        """Cosine plus the BM25 score scaled to the best one: a lexical match moves a close passage ahead,
        and the result stays on the cosine scale the abstention threshold is set on."""
        top = max(lexical.values(), default=0.0) or 1.0
        fused = {}
        for i in set(dense) | set(lexical):
            cosine = dense[i] if i in dense else float(self.vectors[i] @ qvec)
            fused[i] = cosine + BM25_WEIGHT * lexical.get(i, 0.0) / top
        return fused

    def passages_of(self, doc_id: str) -> list[Chunk]:
        return [chunk for chunk in self.chunks if chunk.doc_id == doc_id]

    def _dense(self, qvec: np.ndarray, allowed: np.ndarray | None) -> dict[int, float]:
        depth = min(CANDIDATES, len(self.chunks))
        if allowed is None:
            scores, ids = self.index.search(qvec.reshape(1, -1).astype(np.float32), depth)
            return {int(i): float(s) for s, i in zip(scores[0], ids[0]) if i >= 0}
        candidates = np.flatnonzero(allowed)  # filtered: exact scores over the allowed rows
        if candidates.size == 0:
            return {}
        scores = self.vectors[candidates] @ qvec
        top = np.argsort(-scores)[:depth]
        return {int(candidates[j]): float(scores[j]) for j in top}

    def _lexical(self, query: str, allowed: np.ndarray | None) -> dict[int, float]:
        tokens = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        if not tokens:
            return {}
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        depth = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth]
        return {int(i): float(scores[i]) for i in top if scores[i] > 0}


def rrf(rankings: Iterable[Mapping[int, float]]) -> dict[int, float]:
    """Reciprocal-rank fusion of several rankings (key -> score, higher is better)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(sorted(ranking, key=lambda j: ranking[j], reverse=True), start=1):
            fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
    return fused

