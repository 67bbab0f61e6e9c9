"""Support metrics: handoffs, containment, response and resolution times, satisfaction.

``compute_metrics`` is plain Python over ticket views and conversation counts, so
it is tested directly; ``setup(app)`` adds the page (``GET /metrics``) and its JSON
twin (``GET /api/metrics?days=N``). The date range is the last ``days`` UTC days,
today included.

Definitions:
- handoff rate: conversations handed to a person (distinct ``conversation_id`` of the
  tickets created in the range) ÷ conversations with a shopper message in the range
  (summed per UTC day from Rasa's tracker store), at most 100%; unknown (None) when
  the tracker store cannot be read or holds no conversation in the range;
- bot containment: 1 − handoff rate;
- median first response: ticket created → first agent message (tickets without one left out);
- median resolution: ticket created → resolved (resolved tickets only, whoever ended them);
- CSAT: average, count and 1..5 distribution of the ratings on the range's tickets;
- NPS, CES, containment by intent and the weekly trend: ``assistant.console.satisfaction``.

The page's Live section (and ``GET /api/metrics/live``, and the fragment ``GET /metrics/live`` the page
reloads every 15 s) shows the last hour from Rasa's event broker: ``assistant.console.event_feed`` and,
for the definitions, ``assistant.console.live_metrics``.
"""
from __future__ import annotations

import asyncio
import logging
import statistics
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from aiohttp import web
from markupsafe import Markup

from assistant.console import charts
from assistant.console.conversations import TrackerStoreReader, tracker_store_url
from assistant.console.event_feed import LiveView, live_view
from assistant.console.keys import SETTINGS, SHOP, TICKETS
from assistant.console.live_metrics import LiveFigures, ranked
from assistant.console.rendering import duration, render
from assistant.console.satisfaction import (
    Satisfaction,
    compute_satisfaction,
    satisfaction_charts,
    trend_start,
)
from assistant.i18n.languages import REGISTRY
from assistant.shop.storage.clock import utcnow
from assistant.shop.support.handoff_rules import REASON_LABELS
from assistant.shop.support.tickets import TicketView

logger = logging.getLogger(__name__)

__all__ = ["DAY_CHOICES", "DEFAULT_DAYS", "Metrics", "ReasonCount", "compute_metrics", "date_range",
           "format_seconds", "live_charts", "parse_days", "setup"]

DAY_CHOICES: tuple[int, ...] = (7, 14, 30, 90)
DEFAULT_DAYS = 14
TOP_REASONS = 6
CSAT_SCALE: tuple[int, ...] = (1, 2, 3, 4, 5)

LANGUAGE_NAMES: dict[str, str] = {code: language.english_name for code, language in REGISTRY.items()}
CHANNEL_NAMES: dict[str, str] = {
    "socketio": "Web chat", "rest": "REST API", "telegram": "Telegram", "facebook": "Messenger",
    "twilio": "WhatsApp (Twilio)", "whatsapp": "WhatsApp",
}

TRACKER_READER: web.AppKey[TrackerStoreReader] = web.AppKey("tracker_reader")


# ---- the computation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    label: str
    count: int


@dataclass(frozen=True)
class Metrics:
    start: date
    end: date
    tickets_total: int
    tickets_per_day: tuple[tuple[date, int], ...]
    conversations_total: int | None  # None: the tracker store could not be read
    handed_off_conversations: int
    handoff_rate: float | None
    containment: float | None
    median_first_response_seconds: float | None
    first_response_count: int
    median_resolution_seconds: float | None
    resolved_count: int
    csat_average: float | None
    csat_count: int
    csat_distribution: tuple[tuple[int, int], ...]  # (rating, count) for 1..5
    top_reasons: tuple[ReasonCount, ...]
    by_language: tuple[tuple[str, int], ...]  # most tickets first
    by_channel: tuple[tuple[str, int], ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days,
            "tickets_total": self.tickets_total,
            "tickets_per_day": [{"date": d.isoformat(), "tickets": n} for d, n in self.tickets_per_day],
            "conversations_total": self.conversations_total,
            "handed_off_conversations": self.handed_off_conversations,
            "handoff_rate": self.handoff_rate, "containment": self.containment,
            "median_first_response_seconds": self.median_first_response_seconds,
            "first_response_count": self.first_response_count,
            "median_resolution_seconds": self.median_resolution_seconds,
            "resolved_count": self.resolved_count,
            "csat": {"average": self.csat_average, "count": self.csat_count,
                     "distribution": {str(r): n for r, n in self.csat_distribution}},
            "top_reasons": [{"reason": r.reason, "label": r.label, "count": r.count}
                            for r in self.top_reasons],
            "by_language": [{"language": k, "tickets": n} for k, n in self.by_language],
            "by_channel": [{"channel": k, "tickets": n} for k, n in self.by_channel],
        }


def _median_seconds(spans: Sequence[timedelta]) -> float | None:
    return float(statistics.median(s.total_seconds() for s in spans)) if spans else None


def compute_metrics(tickets: Sequence[TicketView], conversations: Mapping[date, int] | None,
                    start: date, end: date, *, top_reasons: int = TOP_REASONS) -> Metrics:
    """The metrics of the tickets created from ``start`` to ``end`` (UTC days, inclusive).

    Tickets outside the range are ignored; ``conversations`` are conversations with a
    shopper message per UTC day (None when unknown).
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    in_range = [t for t in tickets if start <= t.created_at.astimezone(timezone.utc).date() <= end]
    per_day = Counter(t.created_at.astimezone(timezone.utc).date() for t in in_range)
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]

    handed_off = len({t.conversation_id for t in in_range})
    conversations_total: int | None = None
    handoff_rate: float | None = None
    if conversations is not None:
        conversations_total = sum(n for d, n in conversations.items() if start <= d <= end)
        if conversations_total > 0:
            # demo tickets (or a pruned tracker store) can outnumber the recorded conversations
            handoff_rate = min(1.0, handed_off / conversations_total)

    first_responses = [t.first_response_at - t.created_at
                       for t in in_range if t.first_response_at is not None]
    resolutions = [t.resolved_at - t.created_at for t in in_range
                   if t.status == "resolved" and t.resolved_at is not None]
    ratings = [t.csat_rating for t in in_range if t.csat_rating is not None and 1 <= t.csat_rating <= 5]
    rating_counts = Counter(ratings)
    reasons = Counter(t.reason for t in in_range)
    ranked_reasons = sorted(reasons.items(),
                            key=lambda item: (-item[1], REASON_LABELS.get(item[0], item[0])))[:top_reasons]

    return Metrics(
        start=start, end=end, tickets_total=len(in_range),
        tickets_per_day=tuple((d, per_day.get(d, 0)) for d in days),
        conversations_total=conversations_total, handed_off_conversations=handed_off,
        handoff_rate=handoff_rate, containment=None if handoff_rate is None else 1.0 - handoff_rate,
        median_first_response_seconds=_median_seconds(first_responses),
        first_response_count=len(first_responses),
        median_resolution_seconds=_median_seconds(resolutions), resolved_count=len(resolutions),
        csat_average=statistics.fmean(ratings) if ratings else None, csat_count=len(ratings),
        csat_distribution=tuple((r, rating_counts.get(r, 0)) for r in CSAT_SCALE),
        top_reasons=tuple(ReasonCount(r, REASON_LABELS.get(r, r), n) for r, n in ranked_reasons),
        by_language=ranked(Counter(t.language for t in in_range)),
        by_channel=ranked(Counter(t.channel for t in in_range)),
    )


# ---- inputs and presentation --------------------------------------------------------------------------


def parse_days(raw: str | None) -> int:
    """The ``days`` query parameter: one of 7, 14, 30 or 90 (default 14)."""
    if raw is None or raw.strip() == "":
        return DEFAULT_DAYS
    try:
        days = int(raw.strip())
    except ValueError:
        days = -1
    if days not in DAY_CHOICES:
        raise ValueError(f"days must be one of {', '.join(map(str, DAY_CHOICES))}, got {raw!r}")
    return days


def date_range(days: int, today: date) -> tuple[date, date]:
    """The last ``days`` UTC days ending with ``today``."""
    return today - timedelta(days=days - 1), today


def format_seconds(seconds: float | None) -> str:
    return "n/a" if seconds is None else duration(timedelta(seconds=round(seconds)))


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def metric_charts(metrics: Metrics) -> dict[str, Markup]:
    days = metrics.tickets_per_day
    labels = [d.strftime("%b %d") for d, _ in days]
    per_day = "; ".join(f"{d:%d %b}: {n}" for d, n in days)
    return {
        "per_day": charts.bar_chart(
            labels, [n for _, n in days], "Tickets per day",
            description=(f"{metrics.tickets_total} tickets from {metrics.start:%d %b %Y} "
                         f"to {metrics.end:%d %b %Y}. {per_day}."),
            x_label="Day (UTC)", y_label="Tickets", chart_id="chart-tickets-per-day"),
        "csat": charts.histogram(dict(metrics.csat_distribution), "Satisfaction ratings",
                                 chart_id="chart-csat"),
        "reasons": charts.horizontal_bars([r.label for r in metrics.top_reasons],
                                          [r.count for r in metrics.top_reasons], "Top handoff reasons",
                                          x_label="Tickets", chart_id="chart-reasons"),
    }


def live_charts(figures: LiveFigures | None) -> dict[str, Markup]:
    """Shopper messages and bot replies per minute over the live window (none without figures)."""
    if figures is None:
        return {}
    labels = [m.minute.strftime("%H:%M") for m in figures.per_minute]
    charts_: dict[str, Markup] = {}
    for key, title, values, color in (
            ("live_messages", "Shopper messages per minute", [m.shopper_messages for m in figures.per_minute],
             charts.BAR),
            ("live_replies", "Bot replies per minute", [m.bot_replies for m in figures.per_minute],
             charts.ACCENT_BAR)):
        charts_[key] = charts.bar_chart(
            labels, values, title, x_label="Minute (UTC)", y_label="Per minute", color=color,
            chart_id=f"chart-{key.replace('_', '-')}", max_labels=12,
            description=(f"{sum(values)} in the last {figures.window_minutes} minutes, "
                         f"at most {max(values, default=0)} in one minute."))
    return charts_


def _seconds_precise(seconds: float | None) -> str:
    """Reply times are seconds, often under one: one decimal below a minute."""
    if seconds is None:
        return "n/a"
    return f"{seconds:.1f} s" if seconds < 60 else format_seconds(seconds)


def _live_context(view: LiveView) -> dict[str, Any]:
    return {"live": view, "live_charts": live_charts(view.figures), "reply_seconds": _seconds_precise}


# ---- routes -------------------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.utc)


async def _gather(request: web.Request, days: int) -> tuple[Metrics, Satisfaction]:
    today = utcnow().date()
    start, end = date_range(days, today)
    since, until = _start_of(min(start, trend_start(today))), _start_of(end + timedelta(days=1))
    service = request.config_dict[TICKETS]
    surveys = request.config_dict[SHOP].surveys
    reader = request.config_dict[TRACKER_READER]
    tickets, conversations, responses, outcomes = await asyncio.gather(
        asyncio.to_thread(service.all_between, since, until),
        asyncio.to_thread(reader.conversations_per_day, start, end),
        asyncio.to_thread(surveys.responses_between, since, until),
        asyncio.to_thread(surveys.outcomes_between, since, until),
    )
    return (compute_metrics(tickets, conversations, start, end),
            compute_satisfaction(responses, outcomes, tickets, start, end, today))


api_routes = web.RouteTableDef()
routes = web.RouteTableDef()


@routes.get("/metrics")
async def metrics_page(request: web.Request) -> web.Response:
    context: dict[str, Any] = {"day_choices": DAY_CHOICES, "percent": _percent, "seconds": format_seconds,
                               "language_names": LANGUAGE_NAMES, "channel_names": CHANNEL_NAMES}
    live = _live_context(await asyncio.to_thread(live_view, request))
    try:
        days = parse_days(request.query.get("days"))
    except ValueError as exc:
        return render(request, "metrics.html", status=400, error=str(exc), metrics=None, charts={},
                      days=DEFAULT_DAYS, **context, **live)
    metrics, satisfaction = await _gather(request, days)
    return render(request, "metrics.html", error=None, metrics=metrics, satisfaction=satisfaction,
                  charts={**metric_charts(metrics), **satisfaction_charts(satisfaction)}, days=days, **context,
                  **live)


@routes.get("/metrics/live")
async def live_fragment(request: web.Request) -> web.Response:
    """The page's Live section alone, which the page's script reloads every 15 s."""
    view = await asyncio.to_thread(live_view, request)
    return render(request, "_live_metrics.html", percent=_percent, language_names=LANGUAGE_NAMES,
                  channel_names=CHANNEL_NAMES, **_live_context(view))


@api_routes.get("/metrics")
async def metrics_api(request: web.Request) -> web.Response:
    try:
        days = parse_days(request.query.get("days"))
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    metrics, satisfaction = await _gather(request, days)
    return web.json_response({**metrics.to_dict(), "satisfaction": satisfaction.to_dict()},
                             headers={"Cache-Control": "no-store"})


@api_routes.get("/metrics/live")
async def live_api(request: web.Request) -> web.Response:
    """The live figures from Rasa's event broker; ``"available": false`` and a ``reason`` when RabbitMQ is not
    configured or not reachable (the figures counted before an outage are still included)."""
    view = await asyncio.to_thread(live_view, request)
    return web.json_response(view.to_dict(), headers={"Cache-Control": "no-store"})


async def _tracker_reader(app: web.Application) -> AsyncIterator[None]:
    reader = TrackerStoreReader(tracker_store_url(app[SETTINGS]))
    app[TRACKER_READER] = reader
    yield
    reader.close()


def setup(app: web.Application) -> None:
    """Adds ``GET /metrics`` and the tracker-store reader it shares with ``GET /api/metrics``."""
    app.cleanup_ctx.append(_tracker_reader)
    app.add_routes(routes)
