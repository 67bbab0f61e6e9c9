"""Product reviews as the assistant and the shop page use them: the rating, the count, and the one or two
excerpts that best answer a shopper's question.

Excerpts are chosen by topic (``review_topics``: fit, warmth, waterproof, comfort, quality, colour): reviews
on the question's topics, in the shopper's language first, the most helpful and then the most recent
first. A review in another language is shown only when none in the shopper's language is on the topic.
A question with no topic, or a topic no review covers, gets the most helpful recent reviews in the
shopper's language.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.commerce.review_topics import topics_in
from assistant.shop.storage.models import Review

EXCERPT_CHARS = 140
MAX_EXCERPTS = 2


@dataclass(frozen=True)
class ReviewSummary:
    sku: str
    average: float      # mean stars, one decimal
    count: int
    fit: Optional[str]  # "small" / "true" / "large" when most fit reviews agree, else None
    fit_votes: int      # how many fit reviews say so
    fit_reviews: int    # how many reviews said how the size runs


@dataclass(frozen=True)
class ReviewExcerpt:
    text: str           # at most EXCERPT_CHARS characters, cut at a sentence or a word
    rating: int
    author: str
    language: str
    created_at: datetime
    topics: tuple[str, ...]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` shortened to ``limit`` characters at a sentence end, else at a word, with an ellipsis."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    window = text[:limit]
    cut = max(window.rfind(mark) for mark in (". ", "! ", "? ", "。", "！", "？"))
    if cut >= limit // 2:
        return window[:cut + 1].strip()
    space = window.rfind(" ")
    return (window[:space] if space >= limit // 2 else window[:limit - 1]).rstrip(" ,，、") + "…"


class ReviewService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def summary(self, sku: str) -> Optional[ReviewSummary]:
        """Rating, count and the fit most reviewers report; None when the product has no reviews."""
        with self._sessions() as session:
            rows = session.execute(select(Review.rating, Review.fit).where(Review.sku == str(sku))).all()
        if not rows:
            return None
        fits = Counter(fit for _, fit in rows if fit)
        fit, votes = fits.most_common(1)[0] if fits else (None, 0)
        agreed = fit if fits and votes * 2 > sum(fits.values()) else None
        return ReviewSummary(sku=str(sku), average=round(sum(r for r, _ in rows) / len(rows) + 1e-9, 1),
                             count=len(rows), fit=agreed, fit_votes=votes if agreed else 0,
                             fit_reviews=sum(fits.values()))

    def ratings(self, skus: Iterable[str]) -> dict[str, tuple[float, int]]:
        """``{sku: (average, count)}`` for the products that have reviews, in one query (for result cards)."""
        wanted = sorted({str(s) for s in skus})
        if not wanted:
            return {}
        with self._sessions() as session:
            rows = session.execute(select(Review.sku, func.avg(Review.rating), func.count())
                                   .where(Review.sku.in_(wanted)).group_by(Review.sku)).all()
        return {sku: (round(float(avg) + 1e-9, 1), int(count)) for sku, avg, count in rows}

    def excerpts(self, sku: str, question: str = "", language: str = "en",
                 limit: int = MAX_EXCERPTS) -> list[ReviewExcerpt]:
        """The ``limit`` reviews of ``sku`` that best answer ``question``, for a shopper reading ``language``."""
        limit = max(0, min(int(limit), 5))
        with self._sessions() as session:
            reviews = session.scalars(select(Review).where(Review.sku == str(sku))).all()
            candidates = [(r, _topics(r)) for r in reviews]
            wanted = set(topics_in(question))

            def rank(item: tuple[Review, tuple[str, ...]]) -> tuple[int, int, float]:
                review, _ = item
                return (-(review.helpful or 0), -review.created_at.timestamp(), review.id)

            own = [c for c in candidates if c[0].language == language]
            chosen: list[tuple[Review, tuple[str, ...]]] = []
            if wanted:
                def on_topic(pool: list[tuple[Review, tuple[str, ...]]]) -> list[tuple[Review, tuple[str, ...]]]:
                    hits = [c for c in pool if wanted & set(c[1])]
                    # the review that covers more of the question's topics first
                    return sorted(hits, key=lambda c: (-len(wanted & set(c[1])), *rank(c)))
                chosen = on_topic(own)[:limit] or on_topic(candidates)[:1]
            if not chosen:
                chosen = sorted(own, key=rank)[:limit]
            return [ReviewExcerpt(text=excerpt(r.text), rating=r.rating, author=r.author, language=r.language,
                                  created_at=r.created_at, topics=t) for r, t in chosen]


def _topics(review: Review) -> tuple[str, ...]:
    found = topics_in(review.text)
    if review.topic and review.topic not in found:
        return (review.topic, *found)
    return found
