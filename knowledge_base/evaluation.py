"""Score retrieval and abstention on the evaluation questions (``knowledge_base/eval/*.yml``).

A question lists the documents that answer it (``sources``), or none when the content cannot answer
it and the assistant must abstain. Recall@k and MRR count a hit when any passage among the first k
(one passage per document) comes from one of the sources.
"""
from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.answers import min_score_for
from knowledge_base.search import MODES, KnowledgeBase

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DEPTH = 10


@dataclass(frozen=True)
class Question:
    text: str
    language: str
    sources: tuple[str, ...]
    origin: str

    @property
    def answerable(self) -> bool:
        return bool(self.sources)


def load_questions(folder: Path = EVAL_DIR) -> list[Question]:
    questions: list[Question] = []
    for path in sorted(Path(folder).rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for row in data.get("questions", []):
            questions.append(Question(str(row["q"]), str(row.get("language", "en")),
                                      tuple(row.get("sources") or ()), path.name))
    return questions


def _rank(ranked_doc_ids: list[str], sources: tuple[str, ...]) -> int | None:
    for position, doc_id in enumerate(ranked_doc_ids, start=1):
        if doc_id in sources:
            return position
    return None


def retrieval_scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
    }


def abstention_scores(confidences: list[tuple[float, bool]], threshold: float) -> dict[str, float]:
    """``confidences``: (best cosine, answerable) per question; abstain when cosine < threshold."""
    abstained = [(c < threshold, answerable) for c, answerable in confidences]
    true_abstain = sum(1 for a, answerable in abstained if a and not answerable)
    said = sum(1 for a, _ in abstained if a)
    unanswerable = sum(1 for _, answerable in abstained if not answerable)
    precision = true_abstain / said if said else 1.0
    recall = true_abstain / unanswerable if unanswerable else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    wrongly = sum(1 for a, answerable in abstained if a and answerable)
    return {"threshold": round(threshold, 3), "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(f1, 4), "answerable_abstained": wrongly}


def sweep(confidences: list[tuple[float, bool]]) -> list[dict[str, float]]:
    values = sorted({round(c, 2) for c, _ in confidences})
    return [abstention_scores(confidences, t) for t in values]


def evaluate(kb: KnowledgeBase, questions: list[Question], min_score: float | None = None,
             modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    threshold = min_score_for(kb.encoder.name, min_score)
    answerable = [q for q in questions if q.answerable]
    result: dict[str, Any] = {"encoder": kb.encoder.name, "questions": len(questions),
                              "answerable": len(answerable), "unanswerable": len(questions) - len(answerable)}
    failures: list[dict[str, Any]] = []
    timings: list[float] = []
    languages = {chunk.language for chunk in kb.chunks}
    confidences: list[tuple[float, bool]] = []
    for mode in modes:
        ranks: list[int | None] = []
        by_language: dict[str, list[int | None]] = defaultdict(list)
        for q in questions:
            started = time.perf_counter()
            # as the assistant does: the shopper's language first, when the content has it
            own = {"language": q.language} if q.language in languages else None
            passages = kb.search(q.text, k=DEPTH, mode=mode, filters=own) or kb.search(q.text, k=DEPTH, mode=mode)
            if mode == "hybrid":
                timings.append(time.perf_counter() - started)
                confidences.append((passages[0].dense if passages else 0.0, q.answerable))
            if not q.answerable:
                continue
            rank = _rank([p.doc_id for p in passages], q.sources)
            ranks.append(rank)
            by_language[q.language].append(rank)
            if mode == "hybrid" and (rank is None or rank > 1):
                failures.append({"q": q.text, "language": q.language, "expected": list(q.sources), "rank": rank,
                                 "got": [p.doc_id for p in passages[:3]], "file": q.origin})
        result[mode] = retrieval_scores(ranks)
        if mode == "hybrid":
            result["hybrid_per_language"] = {lang: {**retrieval_scores(r), "questions": len(r)}
                                             for lang, r in sorted(by_language.items())}
    if confidences:
        result["abstention"] = abstention_scores(confidences, threshold)
        best = max(sweep(confidences), key=lambda row: (row["f1"], -row["answerable_abstained"]))
        result["abstention_best_threshold"] = best
        for q, (confidence, _) in zip(questions, confidences):
            if (confidence < threshold) == q.answerable:
                failures.append({"q": q.text, "language": q.language,
                                 "problem": "abstained on an answerable question" if q.answerable
                                 else "answered an unanswerable question", "confidence": round(confidence, 3),
                                 "file": q.origin})
    if timings:
        result["search_ms_p50"] = round(statistics.median(timings) * 1000, 2)
    result["failures"] = failures
    return result
