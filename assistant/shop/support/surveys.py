"""Satisfaction after a bot-only result: NPS and CES questions, their answers, and the results themselves.

After the bot alone finished a task (order status told, refund or return opened, order cancelled,
address changed) the action server records the result (:meth:`SurveyService.record_outcome`, one row
per conversation: containment by first task intent) and may ask ONE question (:meth:`SurveyService.
maybe_ask`): sampled at ``SurveyPolicy.rate``, never twice within ``cooldown_days`` for one customer or
one channel sender, never in a conversation that was handed to a person. The question is NPS ("how
likely are you to recommend us", 0-10) or CES ("how easy was it", 1-7), alternating or fixed by
configuration. An answer is stored once, only for the conversation that was asked, and only inside
the question's scale.

Plain SQLAlchemy, configured by arguments (the settings are read by the callers), returning views.
"""
from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import ConversationOutcome, SurveyResponse, Ticket

logger = logging.getLogger(__name__)

__all__ = ["NPS", "CES", "SCALES", "AnswerResult", "Asking", "OutcomeView", "SurveyPolicy", "SurveyService",
           "SurveyView", "sender_key"]

NPS, CES = "nps", "ces"
SCALES: dict[str, tuple[int, int]] = {NPS: (0, 10), CES: (1, 7)}
KIND_CHOICES = ("alternate", NPS, CES)

# why no question was asked (for the log and the tests)
ASKED, NOT_SAMPLED, COOLING_OFF, HANDED_OFF = "asked", "not_sampled", "cooling_off", "handed_off"
# what became of an answer
STORED, OUT_OF_RANGE, NOT_PENDING, SKIPPED = "stored", "out_of_range", "not_pending", "skipped"


@dataclass(frozen=True)
class SurveyPolicy:
    """How often and which question: ``rate`` 0..1 of the eligible results, ``kind`` nps, ces or alternate."""

    rate: float = 0.3
    kind: str = "alternate"
    cooldown_days: int = 7

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"the survey rate must be from 0 to 1, got {self.rate}")
        if self.kind not in KIND_CHOICES:
            raise ValueError(f"the survey kind must be one of {', '.join(KIND_CHOICES)}, got {self.kind!r}")
        if self.cooldown_days < 0:
            raise ValueError(f"the cooling-off period must not be negative, got {self.cooldown_days}")


@dataclass(frozen=True)
class SurveyView:
    id: int
    kind: str
    status: str
    score: Optional[int]
    customer_id: Optional[int]
    conversation_id: str
    channel: str
    trigger_intent: str
    language: str
    asked_at: datetime
    answered_at: Optional[datetime]

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.kind]


@dataclass(frozen=True)
class OutcomeView:
    conversation_id: str
    first_intent: str
    result_intent: str
    customer_id: Optional[int]
    channel: str
    language: str
    completed_at: datetime


@dataclass(frozen=True)
class Asking:
    """Who would be asked, after which task."""

    conversation_id: str
    channel: str
    customer_id: Optional[int]
    language: str
    trigger_intent: str


@dataclass(frozen=True)
class AnswerResult:
    status: str  # STORED, SKIPPED, OUT_OF_RANGE or NOT_PENDING
    survey: Optional[SurveyView] = None

    @property
    def stored(self) -> bool:
        return self.status in (STORED, SKIPPED)


def sender_key(channel: str, sender_id: str) -> str:
    """The hash a sender is known by in the survey table (its id itself is not needed there)."""
    raw = f"{str(channel or '').strip().lower()}:{str(sender_id or '').strip()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def _view(row: SurveyResponse) -> SurveyView:
    return SurveyView(id=row.id, kind=row.kind, status=row.status, score=row.score, customer_id=row.customer_id,
                      conversation_id=row.conversation_id, channel=row.channel, trigger_intent=row.trigger_intent,
                      language=row.language, asked_at=row.asked_at, answered_at=row.answered_at)


def _outcome_view(row: ConversationOutcome) -> OutcomeView:
    return OutcomeView(conversation_id=row.conversation_id, first_intent=row.first_intent,
                       result_intent=row.result_intent, customer_id=row.customer_id, channel=row.channel,
                       language=row.language, completed_at=row.completed_at)


class SurveyService:
    def __init__(self, sessions: sessionmaker[Session], rng: Optional[random.Random] = None) -> None:
        self._sessions = sessions
        self._rng = rng or random.Random()

    # ---- asking -----------------------------------------------------------
    def maybe_ask(self, asking: Asking, policy: SurveyPolicy, now: Optional[datetime] = None
                  ) -> tuple[Optional[SurveyView], str]:
        """Opens a survey question for ``asking`` when it is eligible and sampled: (survey or None, why)."""
        now = resolve_now(now)
        key = sender_key(asking.channel, asking.conversation_id)
        with self._sessions.begin() as session:
            if self._handed_off(session, asking.conversation_id):
                return None, HANDED_OFF
            if self._asked_recently(session, asking.customer_id, key, now - timedelta(days=policy.cooldown_days)):
                return None, COOLING_OFF
            if not self._rng.random() < policy.rate:
                return None, NOT_SAMPLED
            row = SurveyResponse(kind=self._next_kind(session, policy), status="asked", customer_id=asking.customer_id,
                                 sender_key=key, conversation_id=asking.conversation_id[:120],
                                 channel=(asking.channel or "rest")[:40], trigger_intent=asking.trigger_intent[:80],
                                 language=(asking.language or "en")[:8], asked_at=now)
            session.add(row)
            session.flush()
            logger.info("survey %s (%s) asked in conversation %s after %s", row.id, row.kind,
                        asking.conversation_id, asking.trigger_intent)
            return _view(row), ASKED

    @staticmethod
    def _handed_off(session: Session, conversation_id: str) -> bool:
        return session.scalar(select(Ticket.id).where(Ticket.conversation_id == conversation_id).limit(1)) is not None

    @staticmethod
    def _asked_recently(session: Session, customer_id: Optional[int], key: str, since: datetime) -> bool:
        who = [SurveyResponse.sender_key == key]
        if customer_id is not None:
            who.append(SurveyResponse.customer_id == customer_id)
        found = session.scalar(select(SurveyResponse.id).where(SurveyResponse.asked_at >= since, or_(*who)).limit(1))
        return found is not None

    @staticmethod
    def _next_kind(session: Session, policy: SurveyPolicy) -> str:
        if policy.kind in SCALES:
            return policy.kind
        last = session.scalar(select(SurveyResponse.kind).order_by(SurveyResponse.id.desc()).limit(1))
        return CES if last == NPS else NPS

    # ---- answering --------------------------------------------------------
    def get(self, survey_id: int) -> Optional[SurveyView]:
        with self._sessions() as session:
            row = session.get(SurveyResponse, survey_id)
            return _view(row) if row else None

    def answer(self, survey_id: int, conversation_id: str, score: int, now: Optional[datetime] = None
               ) -> AnswerResult:
        """Stores ``score`` once, for the conversation that was asked, inside the question's scale."""
        return self._complete(survey_id, conversation_id, score, now)

    def skip(self, survey_id: int, conversation_id: str, now: Optional[datetime] = None) -> AnswerResult:
        """The shopper chose not to answer: the question is closed without a score."""
        return self._complete(survey_id, conversation_id, None, now)

    def _complete(self, survey_id: int, conversation_id: str, score: Optional[int],
                  now: Optional[datetime]) -> AnswerResult:
        now = resolve_now(now)
        with self._sessions.begin() as session:
            row = session.get(SurveyResponse, survey_id)
            if row is None or row.conversation_id != conversation_id or row.status != "asked":
                return AnswerResult(NOT_PENDING, _view(row) if row else None)
            low, high = SCALES[row.kind]
            if score is not None and not (isinstance(score, int) and low <= score <= high):
                return AnswerResult(OUT_OF_RANGE, _view(row))
            status = "skipped" if score is None else "answered"
            done = session.execute(
                update(SurveyResponse).where(SurveyResponse.id == survey_id, SurveyResponse.status == "asked")
                .values(status=status, score=score, answered_at=now)
            ).rowcount
            if not done:  # answered by a concurrent request a moment ago
                return AnswerResult(NOT_PENDING, _view(row))
            session.refresh(row)
            logger.info("survey %s %s", survey_id, status)
            return AnswerResult(SKIPPED if score is None else STORED, _view(row))

    # ---- bot-only results -------------------------------------------------
    def record_outcome(self, conversation_id: str, first_intent: str, result_intent: str, *,
                       customer_id: Optional[int] = None, channel: str = "rest", language: str = "en",
                       now: Optional[datetime] = None) -> bool:
        """Records that the bot reached a result in the conversation; True the first time (later ones keep it)."""
        now = resolve_now(now)
        try:
            with self._sessions.begin() as session:
                exists = session.scalar(select(ConversationOutcome.id)
                                        .where(ConversationOutcome.conversation_id == conversation_id))
                if exists is not None:
                    return False
                session.add(ConversationOutcome(
                    conversation_id=conversation_id[:120], first_intent=first_intent[:80],
                    result_intent=result_intent[:80], customer_id=customer_id, channel=(channel or "rest")[:40],
                    language=(language or "en")[:8], completed_at=now))
            return True
        except IntegrityError:  # recorded by a concurrent request
            return False

    # ---- reports ----------------------------------------------------------
    def responses_between(self, start: datetime, end: datetime) -> list[SurveyView]:
        """Questions asked from ``start`` (inclusive) to ``end`` (exclusive), answered or not."""
        with self._sessions() as session:
            rows = session.scalars(select(SurveyResponse).where(SurveyResponse.asked_at >= start,
                                                                SurveyResponse.asked_at < end)
                                   .order_by(SurveyResponse.asked_at)).all()
            return [_view(r) for r in rows]

    def outcomes_between(self, start: datetime, end: datetime) -> list[OutcomeView]:
        with self._sessions() as session:
            rows = session.scalars(select(ConversationOutcome).where(ConversationOutcome.completed_at >= start,
                                                                     ConversationOutcome.completed_at < end)
                                   .order_by(ConversationOutcome.completed_at)).all()
            return [_outcome_view(r) for r in rows]

    def count(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count(SurveyResponse.id))) or 0)
