"""Satisfaction and containment figures for the metrics page: NPS, CES, containment by intent, weekly trend.

Plain Python over views (survey responses, bot-only results, tickets), tested directly. Definitions:

- NPS: of the NPS answers (0-10) asked in the range, % promoters (9-10) − % detractors (0-6), from
  −100 to 100; passives (7-8) count in the total only.
- CES: the average of the CES answers (1-7, 7 = very easy) and their distribution.
- Response rate: answered ÷ asked (skips count as asked, not answered).
- Containment by intent: for each order task, the conversations whose FIRST task intent it was and that
  the bot finished alone (a ``conversation_outcomes`` row and no ticket) ÷ those plus the conversations
  with that first task intent that were handed to a person (a ticket; its first task intent).
  Conversations that neither reached a result nor reached a person (the shopper left) are not counted.
- Weekly trend: the same CSAT, NPS, CES and overall containment for each of the last ``weeks`` ISO
  weeks (Monday to Sunday, UTC), the current week included.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

from markupsafe import Markup

from assistant.console import charts
from assistant.shop.commerce.order_tasks import ORDER_TASKS
from assistant.shop.support.surveys import CES, NPS, SCALES, OutcomeView, SurveyView
from assistant.shop.support.tickets import TicketView

__all__ = ["IntentContainment", "Satisfaction", "TREND_WEEKS", "WeekPoint", "compute_satisfaction",
           "nps_of", "satisfaction_charts", "trend_start"]

TREND_WEEKS = 12
INTENT_LABELS: dict[str, str] = {
    "order_status": "Order status", "cancel_order": "Cancel an order", "change_order": "Change an order",
    "change_shipping_address": "Change the address", "request_refund": "Refund", "return_item": "Return",
    "refund_status": "Refund status",
}


@dataclass(frozen=True)
class IntentContainment:
    intent: str
    label: str
    contained: int
    handed_off: int

    @property
    def total(self) -> int:
        return self.contained + self.handed_off

    @property
    def rate(self) -> Optional[float]:
        return self.contained / self.total if self.total else None


@dataclass(frozen=True)
class WeekPoint:
    start: date
    csat: Optional[float]
    nps: Optional[float]
    ces: Optional[float]
    containment: Optional[float]


@dataclass(frozen=True)
class Satisfaction:
    nps: Optional[float]
    nps_count: int
    promoters: int
    passives: int
    detractors: int
    ces_average: Optional[float]
    ces_count: int
    ces_distribution: tuple[tuple[int, int], ...]  # (score, count) for 1..7
    asked: int
    answered: int
    skipped: int
    containment_by_intent: tuple[IntentContainment, ...]
    weekly: tuple[WeekPoint, ...]

    @property
    def response_rate(self) -> Optional[float]:
        return self.answered / self.asked if self.asked else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "nps": {"score": self.nps, "count": self.nps_count, "promoters": self.promoters,
                    "passives": self.passives, "detractors": self.detractors},
            "ces": {"average": self.ces_average, "count": self.ces_count,
                    "distribution": {str(s): n for s, n in self.ces_distribution}},
            "surveys": {"asked": self.asked, "answered": self.answered, "skipped": self.skipped,
                        "response_rate": self.response_rate},
            "containment_by_intent": [{"intent": c.intent, "contained": c.contained, "handed_off": c.handed_off,
                                       "rate": c.rate} for c in self.containment_by_intent],
            "weekly": [{"week": w.start.isoformat(), "csat": w.csat, "nps": w.nps, "ces": w.ces,
                        "containment": w.containment} for w in self.weekly],
        }


def nps_of(scores: Sequence[int]) -> tuple[Optional[float], int, int, int]:
    """(NPS from −100 to 100 or None without answers, promoters, passives, detractors)."""
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    passives = len(scores) - promoters - detractors
    if not scores:
        return None, 0, 0, 0
    return 100.0 * (promoters - detractors) / len(scores), promoters, passives, detractors


def _day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def _scores(responses: Sequence[SurveyView], kind: str) -> list[int]:
    low, high = SCALES[kind]
    return [r.score for r in responses
            if r.kind == kind and r.status == "answered" and r.score is not None and low <= r.score <= high]


def _first_task(intents: Sequence[str]) -> Optional[str]:
    return next((i for i in intents if i in ORDER_TASKS), None)


def _containment(outcomes: Sequence[OutcomeView], tickets: Sequence[TicketView],
                 handed_off_anywhere: set[str]) -> tuple[IntentContainment, ...]:
    contained: Counter[str] = Counter()
    for outcome in {o.conversation_id: o for o in outcomes}.values():
        if outcome.conversation_id not in handed_off_anywhere and outcome.first_intent in ORDER_TASKS:
            contained[outcome.first_intent] += 1
    handed: Counter[str] = Counter()
    for ticket in {t.conversation_id: t for t in tickets}.values():
        first = _first_task(ticket.intents or ())
        if first is not None:
            handed[first] += 1
    rows = [IntentContainment(i, INTENT_LABELS.get(i, i), contained[i], handed[i]) for i in ORDER_TASKS
            if contained[i] or handed[i]]
    return tuple(sorted(rows, key=lambda r: (-r.total, r.intent)))


def _overall(rows: Sequence[IntentContainment]) -> Optional[float]:
    total = sum(r.total for r in rows)
    return sum(r.contained for r in rows) / total if total else None


def trend_start(today: date, weeks: int = TREND_WEEKS) -> date:
    """The Monday that starts the trend: ``weeks`` ISO weeks ending with the current one."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def compute_satisfaction(responses: Sequence[SurveyView], outcomes: Sequence[OutcomeView],
                         tickets: Sequence[TicketView], start: date, end: date, today: date, *,
                         weeks: int = TREND_WEEKS) -> Satisfaction:
    """The range's figures (``start`` to ``end``, UTC days inclusive) and the ``weeks``-week trend to ``today``.

    The inputs may cover more than the range (the trend needs ``weeks`` weeks); a conversation with a
    ticket anywhere in the inputs is not counted as contained.
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    handed_off_anywhere = {t.conversation_id for t in tickets}

    def between(first: date, last: date) -> tuple[list[SurveyView], list[OutcomeView], list[TicketView]]:
        return ([r for r in responses if first <= _day(r.asked_at) <= last],
                [o for o in outcomes if first <= _day(o.completed_at) <= last],
                [t for t in tickets if first <= _day(t.created_at) <= last])

    in_responses, in_outcomes, in_tickets = between(start, end)
    nps, promoters, passives, detractors = nps_of(_scores(in_responses, NPS))
    ces = _scores(in_responses, CES)
    ces_counts = Counter(ces)
    low, high = SCALES[CES]

    weekly = []
    first_monday = trend_start(today, weeks)
    for week in range(weeks):
        monday = first_monday + timedelta(weeks=week)
        w_responses, w_outcomes, w_tickets = between(monday, monday + timedelta(days=6))
        ratings = [t.csat_rating for t in w_tickets if t.csat_rating is not None and 1 <= t.csat_rating <= 5]
        w_ces = _scores(w_responses, CES)
        weekly.append(WeekPoint(
            start=monday, csat=statistics.fmean(ratings) if ratings else None,
            nps=nps_of(_scores(w_responses, NPS))[0], ces=statistics.fmean(w_ces) if w_ces else None,
            containment=_overall(_containment(w_outcomes, w_tickets, handed_off_anywhere))))

    return Satisfaction(
        nps=nps, nps_count=promoters + passives + detractors, promoters=promoters, passives=passives,
        detractors=detractors, ces_average=statistics.fmean(ces) if ces else None, ces_count=len(ces),
        ces_distribution=tuple((s, ces_counts.get(s, 0)) for s in range(low, high + 1)),
        asked=len(in_responses), answered=sum(1 for r in in_responses if r.status == "answered"),
        skipped=sum(1 for r in in_responses if r.status == "skipped"),
        containment_by_intent=_containment(in_outcomes, in_tickets, handed_off_anywhere),
        weekly=tuple(weekly),
    )


def _one_decimal(value: float) -> str:
    return f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{value:.0f}%"


def satisfaction_charts(satisfaction: Satisfaction) -> dict[str, Markup]:
    weeks = satisfaction.weekly
    labels = [w.start.strftime("%d %b") for w in weeks]
    rows = satisfaction.containment_by_intent
    return {
        "ces": charts.histogram(dict(satisfaction.ces_distribution), "Customer effort (CES) answers",
                                x_label="Score (1 = very difficult, 7 = very easy)", y_label="Answers",
                                scale=range(1, 8), chart_id="chart-ces"),
        "containment": charts.horizontal_bars(
            [r.label for r in rows], [round(100 * (r.rate or 0.0), 1) for r in rows], "Containment by intent",
            x_label="% of conversations the bot finished alone", chart_id="chart-containment",
            value_format=_percent,
            description="; ".join(f"{r.label}: {r.contained} of {r.total} finished by the bot" for r in rows)
            or "No data."),
        "trend_csat": charts.line_chart(labels, [w.csat for w in weeks], "CSAT per week (1-5)", low=1, high=5,
                                        chart_id="chart-trend-csat", value_format=_one_decimal),
        "trend_nps": charts.line_chart(labels, [w.nps for w in weeks], "NPS per week (-100 to 100)", low=-100,
                                       high=100, chart_id="chart-trend-nps"),
        "trend_ces": charts.line_chart(labels, [w.ces for w in weeks], "CES per week (1-7)", low=1, high=7,
                                       chart_id="chart-trend-ces", value_format=_one_decimal),
        "trend_containment": charts.line_chart(
            labels, [None if w.containment is None else 100 * w.containment for w in weeks],
            "Containment per week (%)", low=0, high=100, chart_id="chart-trend-containment",
            value_format=_percent),
    }
