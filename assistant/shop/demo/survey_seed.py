"""Demo history for the satisfaction figures: bot-only results and NPS/CES answers over the past weeks.

On a fresh demo the metrics page's NPS, CES, containment and weekly trend would be empty; this adds
about a dozen bot-only results a day over ``HISTORY_WEEKS`` weeks (``conversation_outcomes``) and, for
a share of them, the survey question asked after it with its answer, a skip or no reply
(``survey_responses``), with scores that improve slowly over the weeks. Demo rows belong to made-up
conversations (``demo-bot-...``) and to no customer, so they never put a real shopper in the
survey's cooling-off period.

Runs only while both tables are empty, so it never mixes with real answers.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.models import ConversationOutcome, SurveyResponse
from assistant.shop.support.surveys import sender_key

logger = logging.getLogger(__name__)

__all__ = ["HISTORY_WEEKS", "seed_demo_surveys"]

T = TypeVar("T")

HISTORY_WEEKS = 12
RESULTS_PER_DAY = (8, 16)
FIRST_INTENTS: dict[str, int] = {"order_status": 52, "refund_status": 14, "request_refund": 9, "return_item": 10,
                                 "cancel_order": 8, "change_shipping_address": 7}
LANGUAGE_WEIGHTS: dict[str, int] = {"en": 60, "zh-Hans": 13, "zh-Hant": 13, "ja": 14}
CHANNEL_WEIGHTS: dict[str, int] = {"socketio": 55, "telegram": 20, "facebook": 15, "twilio": 10}
ASKED_SHARE = 0.3
ANSWERED, SKIPPED = 0.62, 0.12  # of the asked; the rest never replied
# scores early in the history; later weeks shift toward the top (the shop is getting better)
NPS_WEIGHTS: dict[int, int] = {10: 20, 9: 22, 8: 17, 7: 11, 6: 7, 5: 7, 4: 4, 3: 4, 2: 3, 1: 2, 0: 3}
CES_WEIGHTS: dict[int, int] = {7: 30, 6: 27, 5: 15, 4: 10, 3: 8, 2: 6, 1: 4}
_HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 5, 5, 4, 3, 2, 1, 1]


def _weighted(rng: random.Random, weights: Mapping[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _improving(rng: random.Random, weights: Mapping[int, int], progress: float) -> int:
    """A score from ``weights``, nudged up with ``progress`` (0 at the oldest week, 1 now)."""
    top = max(weights)
    score = _weighted(rng, weights)
    if score < top and rng.random() < 0.25 * progress:
        score += 1
    return score


def seed_demo_surveys(sessions: sessionmaker[Session], today: date | None = None, rng_seed: int = 11,
                      weeks: int = HISTORY_WEEKS) -> tuple[int, int]:
    """Adds demo results and survey rows over the ``weeks`` weeks before ``today``: (results, surveys).

    Does nothing (returns (0, 0)) when either table has a row.
    """
    if weeks < 0:
        raise ValueError(f"weeks must not be negative, got {weeks}")
    today = today or utcnow().date()
    rng = random.Random(rng_seed)
    days = weeks * 7
    with sessions() as session, session.begin():
        if (session.scalar(select(func.count(ConversationOutcome.id))) or 0) or \
                (session.scalar(select(func.count(SurveyResponse.id))) or 0):
            logger.info("survey tables have rows; demo surveys not added")
            return 0, 0
        outcomes: list[dict] = []
        surveys: list[dict] = []
        kind = "nps"
        for offset in range(days, 0, -1):
            day = today - timedelta(days=offset)
            progress = 1.0 - offset / max(days, 1)
            for _ in range(rng.randint(*RESULTS_PER_DAY)):
                hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
                done = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=timezone.utc)
                conversation = f"demo-bot-{rng.getrandbits(64):016x}"
                first = _weighted(rng, FIRST_INTENTS)
                channel, language = _weighted(rng, CHANNEL_WEIGHTS), _weighted(rng, LANGUAGE_WEIGHTS)
                outcomes.append({"conversation_id": conversation, "first_intent": first, "result_intent": first,
                                 "customer_id": None, "channel": channel, "language": language,
                                 "completed_at": done})
                if rng.random() >= ASKED_SHARE:
                    continue
                asked = done + timedelta(seconds=rng.randint(1, 4))
                reply = rng.random()
                status = "answered" if reply < ANSWERED else "skipped" if reply < ANSWERED + SKIPPED else "asked"
                score = None
                if status == "answered":
                    score = _improving(rng, NPS_WEIGHTS if kind == "nps" else CES_WEIGHTS, progress)
                surveys.append({"kind": kind, "status": status, "score": score, "customer_id": None,
                                "sender_key": sender_key(channel, conversation), "conversation_id": conversation,
                                "channel": channel, "trigger_intent": first, "language": language,
                                "asked_at": asked,
                                "answered_at": asked + timedelta(seconds=rng.randint(4, 90))
                                if status != "asked" else None})
                kind = "ces" if kind == "nps" else "nps"
        if outcomes:
            session.execute(insert(ConversationOutcome), outcomes)
        if surveys:
            session.execute(insert(SurveyResponse), surveys)
    logger.info("added %d demo results and %d survey questions over %d weeks", len(outcomes), len(surveys), weeks)
    return len(outcomes), len(surveys)
