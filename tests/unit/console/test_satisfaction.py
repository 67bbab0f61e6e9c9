"""NPS, CES, containment by intent and the weekly trend (assistant/console/satisfaction.py), the line chart,
and the metrics page with them."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jinja2
import pytest

from assistant.console import charts
from assistant.console.metrics import compute_metrics, format_seconds, metric_charts
from assistant.console.rendering import template_filters
from assistant.console.satisfaction import compute_satisfaction, nps_of, satisfaction_charts, trend_start
from assistant.shop.support.surveys import OutcomeView, SurveyView
from tests.unit.console.test_metrics import ticket

TODAY = date(2024, 5, 15)  # a Wednesday
TEMPLATES = Path(__file__).resolve().parents[3] / "assistant" / "console" / "templates"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def survey(id: int, kind: str, score: int | None, day: date = TODAY, status: str | None = None) -> SurveyView:
    return SurveyView(id=id, kind=kind, status=status or ("answered" if score is not None else "asked"), score=score,
                      customer_id=None, conversation_id=f"s{id}", channel="rest", trigger_intent="order_status",
                      language="en", asked_at=at(day), answered_at=at(day) if score is not None else None)


def outcome(conversation: str, intent: str, day: date = TODAY) -> OutcomeView:
    return OutcomeView(conversation_id=conversation, first_intent=intent, result_intent=intent, customer_id=None,
                       channel="rest", language="en", completed_at=at(day))


def handoff(id: int, conversation: str, intents: tuple[str, ...], day: date = TODAY, csat: int | None = None):
    return __import__("dataclasses").replace(ticket(id, at(day), conversation=conversation, csat=csat),
                                             intents=intents)


def test_nps_is_promoters_minus_detractors_in_percent() -> None:
    assert nps_of([10, 9, 8, 7, 6, 0]) == (0.0, 2, 2, 2)
    assert nps_of([10, 10, 9, 3]) == (50.0, 3, 0, 1)
    assert nps_of([]) == (None, 0, 0, 0)
    assert nps_of([0, 6]) == (-100.0, 0, 0, 2)


def test_the_range_figures() -> None:
    responses = [survey(1, "nps", 10), survey(2, "nps", 9), survey(3, "nps", 4), survey(4, "ces", 7),
                 survey(5, "ces", 5), survey(6, "ces", None, status="skipped"), survey(7, "nps", None),
                 survey(8, "nps", 0, day=TODAY - timedelta(days=40))]  # outside the range
    result = compute_satisfaction(responses, [], [], TODAY - timedelta(days=6), TODAY, TODAY)
    assert (result.nps, result.promoters, result.passives, result.detractors) == (pytest.approx(100 / 3), 2, 0, 1)
    assert result.ces_average == 6.0 and result.ces_count == 2
    assert dict(result.ces_distribution) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 0, 7: 1}
    assert (result.asked, result.answered, result.skipped) == (7, 5, 1)
    assert result.response_rate == pytest.approx(5 / 7)


def test_containment_by_first_task_intent() -> None:
    outcomes = [outcome("a", "order_status"), outcome("b", "order_status"), outcome("c", "request_refund"),
                outcome("d", "order_status")]
    tickets = [handoff(1, "d", ("order_status",)),                        # a result, then a person: not contained
               handoff(2, "e", ("greet", "order_status", "complaint")),   # first task intent: order_status
               handoff(3, "f", ("complaint",)),                           # no order task: not counted
               handoff(4, "g", ("request_refund",))]
    result = compute_satisfaction([], outcomes, tickets, TODAY, TODAY, TODAY)
    rows = {r.intent: (r.contained, r.handed_off, r.rate) for r in result.containment_by_intent}
    assert rows == {"order_status": (2, 2, 0.5), "request_refund": (1, 1, 0.5)}
    assert [r.intent for r in result.containment_by_intent] == ["order_status", "request_refund"]


def test_the_weekly_trend_covers_twelve_weeks_with_gaps() -> None:
    monday = trend_start(TODAY)
    assert monday.weekday() == 0 and monday == date(2024, 2, 26)
    last_week = TODAY - timedelta(days=7)
    responses = [survey(1, "nps", 10, last_week), survey(2, "nps", 0, last_week), survey(3, "ces", 6, TODAY)]
    tickets = [handoff(1, "x", ("order_status",), last_week, csat=4)]
    outcomes = [outcome("y", "order_status", last_week), outcome("z", "cancel_order", last_week),
                outcome("w", "order_status", last_week)]
    result = compute_satisfaction(responses, outcomes, tickets, TODAY - timedelta(days=13), TODAY, TODAY)
    assert len(result.weekly) == 12 and result.weekly[-1].start == date(2024, 5, 13)
    previous, current = result.weekly[-2], result.weekly[-1]
    assert (previous.csat, previous.nps, previous.ces, previous.containment) == (4.0, 0.0, None, 0.75)
    assert (current.ces, current.nps, current.containment) == (6.0, None, None)
    assert all(w.nps is None for w in result.weekly[:-2])


def test_to_dict_and_an_end_before_the_start() -> None:
    result = compute_satisfaction([survey(1, "nps", 9)], [], [], TODAY, TODAY, TODAY)
    assert result.to_dict()["nps"]["score"] == 100.0 and len(result.to_dict()["weekly"]) == 12
    with pytest.raises(ValueError):
        compute_satisfaction([], [], [], TODAY, TODAY - timedelta(days=1), TODAY)


def test_the_line_chart_breaks_at_gaps_and_escapes_labels() -> None:
    svg = str(charts.line_chart(["<w1>", "w2", "w3", "w4"], [1.0, None, 3.0, 4.5], "CSAT <trend>", low=1, high=5))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "&lt;w1&gt;" in svg and "CSAT &lt;trend&gt;" in svg
    assert svg.count("<circle") == 3 and svg.count("<polyline") == 1  # w3-w4 joined, w1 alone
    with pytest.raises(ValueError):
        charts.line_chart(["a"], [6.0], "x", low=1, high=5)
    with pytest.raises(ValueError):
        charts.line_chart(["a", "b"], [1.0], "x", low=1, high=5)
    assert "No data" in str(charts.line_chart(["a"], [None], "x", low=0, high=1))


def test_the_metrics_page_shows_nps_ces_containment_and_the_trend() -> None:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters.update(template_filters())
    environment.globals["static"] = lambda name: f"/static/{name}"
    start = TODAY - timedelta(days=6)
    metrics = compute_metrics([], {TODAY: 3}, start, TODAY)
    satisfaction = compute_satisfaction([survey(1, "nps", 9), survey(2, "nps", 3), survey(3, "ces", 6)],
                                        [outcome("a", "order_status")], [], start, TODAY, TODAY)
    html = environment.get_template("metrics.html").render(
        agent=None, csrf_token="", shop_name="Shop", path="/metrics", error=None, metrics=metrics,
        satisfaction=satisfaction, charts={**metric_charts(metrics), **satisfaction_charts(satisfaction)}, days=7,
        day_choices=(7, 14, 30, 90), percent=lambda r: "n/a" if r is None else f"{r * 100:.1f}%",
        seconds=format_seconds, language_names={}, channel_names={})
    assert re.search(r'id="kpi-nps".*?kpi-value">\+0<', html, re.S)
    assert "1 promoters · 0 passives · 1 detractors" in html and "6.00<small> / 7" in html
    assert "Order status" in html and "100.0%" in html
    assert html.count("<svg") == 3 + 6 and "chart-trend-nps" in html
    assert not re.search(r"\sstyle=", html) and "<script>" not in html
