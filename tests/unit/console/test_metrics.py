"""Support metrics, the SVG charts and the tracker-store conversation counts, without a server."""
from __future__ import annotations

import json
import logging
import re
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
import pytest

from assistant.console import charts
from assistant.console.conversations import (
    TrackerStoreReader,
    conversations_per_day,
    sqlite_read_only_url,
    tracker_store_url,
)
from assistant.console.metrics import (
    DEFAULT_DAYS,
    compute_metrics,
    date_range,
    format_seconds,
    metric_charts,
    parse_days,
)
from assistant.console.rendering import template_filters
from assistant.runtime.settings import get_settings
from assistant.shop.support.tickets import TicketView

SVG = "{http://www.w3.org/2000/svg}"
START, END = date(2024, 5, 1), date(2024, 5, 7)
TEMPLATES = Path(__file__).resolve().parents[3] / "assistant" / "console" / "templates"


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2024, 5, day, hour, minute, tzinfo=timezone.utc)


def ticket(id: int, created: datetime, *, conversation: str | None = None, reason: str = "requested",
           status: str = "resolved", first_response: timedelta | None = None,
           resolved: timedelta | None = None,
           csat: int | None = None, language: str = "en", channel: str = "socketio") -> TicketView:
    return TicketView(
        id=id, conversation_id=conversation or f"conv-{id}", channel=channel, customer_id=None, order_id=None,
        contact_email=None, reason=reason, status=status, priority=1, language=language, intents=(),
        summary="",
        tags=(), assignee=None, created_at=created, updated_at=created, taken_at=None,
        first_response_at=created + first_response if first_response is not None else None,
        resolved_at=created + resolved if resolved is not None else None,
        resolution="agent" if resolved is not None else None, csat_rating=csat, payload={})


# ---- compute_metrics ------------------------------------------------------------------------------------


def sample() -> list[TicketView]:
    return [
        ticket(1, at(1), conversation="a", first_response=timedelta(seconds=60),
               resolved=timedelta(minutes=10), csat=5, reason="complaint"),
        ticket(2, at(1, 15), conversation="a", first_response=timedelta(seconds=180),
               resolved=timedelta(minutes=30), csat=4, reason="complaint", language="ja"),
        ticket(3, at(3), conversation="b", first_response=timedelta(seconds=120), status="assigned",
               reason="fallback", channel="telegram"),
        ticket(4, at(7, 23, 59), conversation="c", status="open", reason="requested", language="zh-Hans",
               csat=None),
        ticket(5, at(8), conversation="d", csat=1),  # after the range: ignored
        ticket(6, datetime(2024, 4, 30, 23, 59, tzinfo=timezone.utc), conversation="e"),  # before it
    ]


def test_tickets_per_day_lists_every_day_with_zeros() -> None:
    metrics = compute_metrics(sample(), None, START, END)
    assert [d for d, _ in metrics.tickets_per_day] == [START + timedelta(days=i) for i in range(7)]
    assert dict(metrics.tickets_per_day) == {date(2024, 5, 1): 2, date(2024, 5, 2): 0, date(2024, 5, 3): 1,
                                             date(2024, 5, 4): 0, date(2024, 5, 5): 0, date(2024, 5, 6): 0,
                                             date(2024, 5, 7): 1}
    assert metrics.tickets_total == 4


def test_handoff_rate_counts_distinct_conversations_over_all_conversations() -> None:
    conversations = {START + timedelta(days=i): 2 for i in range(7)}  # 14 in the range
    conversations[date(2024, 5, 8)] = 100  # outside the range: ignored
    metrics = compute_metrics(sample(), conversations, START, END)
    assert metrics.handed_off_conversations == 3  # a, b, c
    assert metrics.conversations_total == 14
    assert metrics.handoff_rate == pytest.approx(3 / 14)
    assert metrics.containment == pytest.approx(11 / 14)


@pytest.mark.parametrize("conversations", [None, {}, {START: 0}])
def test_handoff_rate_is_unknown_without_conversations(conversations: Any) -> None:
    metrics = compute_metrics(sample(), conversations, START, END)
    assert metrics.handoff_rate is None and metrics.containment is None
    assert metrics.conversations_total == (None if conversations is None else 0)


def test_handoff_rate_never_exceeds_one() -> None:
    metrics = compute_metrics(sample(), {START: 1}, START, END)
    assert metrics.handoff_rate == 1.0 and metrics.containment == 0.0


def test_medians_leave_out_tickets_without_the_timestamp() -> None:
    metrics = compute_metrics(sample(), None, START, END)
    assert metrics.median_first_response_seconds == 120.0  # 60, 120, 180
    assert metrics.first_response_count == 3
    assert metrics.median_resolution_seconds == pytest.approx(20 * 60)  # 10 and 30 minutes: resolved only
    assert metrics.resolved_count == 2


def test_csat_average_count_and_distribution() -> None:
    metrics = compute_metrics(sample(), None, START, END)
    assert metrics.csat_average == pytest.approx(4.5)
    assert metrics.csat_count == 2
    assert metrics.csat_distribution == ((1, 0), (2, 0), (3, 0), (4, 1), (5, 1))


def test_top_reasons_languages_and_channels_are_ranked() -> None:
    metrics = compute_metrics(sample(), None, START, END)
    assert [(r.reason, r.label, r.count) for r in metrics.top_reasons] == [
        ("complaint", "Complaint", 2), ("requested", "Asked for a person", 1),
        ("fallback", "Bot did not understand", 1)]
    assert metrics.by_language == (("en", 2), ("ja", 1), ("zh-Hans", 1))
    assert metrics.by_channel == (("socketio", 3), ("telegram", 1))


def test_empty_range_has_no_medians_and_zero_counts() -> None:
    metrics = compute_metrics([], {START: 5}, START, START)
    assert metrics.tickets_per_day == ((START, 0),)
    assert metrics.tickets_total == 0 and metrics.handoff_rate == 0.0 and metrics.containment == 1.0
    assert metrics.median_first_response_seconds is None and metrics.median_resolution_seconds is None
    assert metrics.csat_average is None and metrics.csat_count == 0
    assert metrics.top_reasons == () and metrics.by_language == () and metrics.by_channel == ()


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        compute_metrics([], None, END, START)


def test_to_dict_is_json() -> None:
    data = compute_metrics(sample(), {START: 10}, START, END).to_dict()
    assert json.loads(json.dumps(data))["csat"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert data["days"] == 7 and data["tickets_per_day"][0] == {"date": "2024-05-01", "tickets": 2}
    assert data["handoff_rate"] == pytest.approx(0.3)


def test_days_parameter_and_range() -> None:
    assert parse_days(None) == DEFAULT_DAYS == parse_days("")
    assert parse_days("30") == 30
    for bad in ("5", "abc", "-7", "1e3"):
        with pytest.raises(ValueError, match="one of 7, 14, 30, 90"):
            parse_days(bad)
    assert date_range(7, END) == (START, END)
    assert format_seconds(None) == "n/a" and format_seconds(90) == "1 min"


# ---- charts -------------------------------------------------------------------------------------------


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == title
    assert root[1].tag == f"{SVG}desc" and root[1].text
    ids = root.get("aria-labelledby", "").split()
    assert ids == [root[0].get("id"), root[1].get("id")]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bar_chart_is_well_formed_with_values_and_axis_labels() -> None:
    markup = charts.bar_chart(["Mon", "Tue", "Wed"], [3, 0, 7], "Tickets per day",
                              x_label="Day", y_label="Tickets")
    root = parse(markup)
    assert_accessible(root, "Tickets per day")
    assert "Mon: 3; Tue: 0; Wed: 7." == root[1].text
    assert {"3", "0", "7", "Mon", "Tue", "Wed", "Day", "Tickets"} <= set(texts(root))
    assert len(root.findall(f".//{SVG}g[@class='bars']/{SVG}g")) == 3
    assert "style=" not in markup and "<script" not in markup


def test_charts_escape_every_label() -> None:
    evil = '<script>alert("x")</script> & co'
    for markup in (charts.bar_chart([evil], [1], evil, x_label=evil, y_label=evil),
                   charts.horizontal_bars([evil], [2], evil, x_label=evil)):
        assert "<script>" not in markup
        root = parse(markup)  # well-formed despite the label
        assert root[0].text == evil
        assert any(evil in t or t.startswith("<script") for t in texts(root))


def test_histogram_covers_ratings_one_to_five() -> None:
    root = parse(charts.histogram({5: 4, 2: 1}, "Satisfaction ratings"))
    assert_accessible(root, "Satisfaction ratings")
    assert root[1].text == "1: 0; 2: 1; 3: 0; 4: 0; 5: 4."


def test_horizontal_bars_truncate_long_labels_but_keep_them_in_tooltips() -> None:
    label = "A very long handoff reason that does not fit in the label column"
    root = parse(charts.horizontal_bars([label, "Short"], [5, 2], "Top handoff reasons"))
    assert_accessible(root, "Top handoff reasons")
    shown = texts(root)
    assert "Short" in shown and "5" in shown and "2" in shown
    assert label not in shown and any(t.endswith("…") for t in shown)
    assert f"{label}: 5" in [t.text for t in root.iter(f"{SVG}title")]


def test_empty_and_inconsistent_chart_data() -> None:
    assert "No data" in texts(parse(charts.bar_chart([], [], "Nothing")))
    assert "No data" in texts(parse(charts.horizontal_bars([], [], "Nothing either")))
    with pytest.raises(ValueError, match="one value per label"):
        charts.bar_chart(["a"], [1, 2], "Mismatch")


def test_many_days_thin_out_the_labels() -> None:
    labels = [f"d{i}" for i in range(90)]
    root = parse(charts.bar_chart(labels, list(range(90)), "Ninety days"))
    assert len(root.findall(f".//{SVG}g[@class='bars']/{SVG}g")) == 90
    assert len([t for t in texts(root) if t.startswith("d")]) <= 15


def test_metrics_page_renders_without_inline_styles() -> None:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters.update(template_filters())
    environment.globals["static"] = lambda name: f"/static/{name}"
    metrics = compute_metrics(sample(), {START: 10}, START, END)
    html = environment.get_template("metrics.html").render(
        agent=None, csrf_token="", shop_name="Shop", path="/metrics", error=None, metrics=metrics,
        charts=metric_charts(metrics), days=7, day_choices=(7, 14, 30, 90),
        percent=lambda r: "n/a" if r is None else f"{r * 100:.1f}%", seconds=format_seconds,
        language_names={"en": "English"}, channel_names={})
    assert "30.0%" in html and "70.0%" in html and "2 min" in html and "4.50" in html
    assert 'href="/metrics?days=7" aria-current="page"' in html
    assert "reports.css" in html and html.count("<svg") == 3
    assert not re.search(r"\sstyle=", html) and "<script>" not in html


# ---- conversations from the tracker store ---------------------------------------------------------------


def tracker_db(path: Path, events: list[tuple[str, str, float]]) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                           "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                           "action_name VARCHAR(255), data TEXT)")
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp) VALUES (?, ?, ?)",
                               events)
    return path


def epoch(value: datetime) -> float:
    return value.timestamp()


def test_conversations_per_day_counts_distinct_senders_with_a_user_message(tmp_path: Path) -> None:
    path = tracker_db(tmp_path / "trackers.db", [
        ("alice", "user", epoch(at(1, 0, 0))), ("alice", "bot", epoch(at(1, 0, 1))),
        ("alice", "user", epoch(at(1, 23, 59))),  # same sender, same day: once
        ("bob", "user", epoch(at(1, 12))), ("bob", "user", epoch(at(2, 0, 0))),  # bob on two days
        ("carol", "action", epoch(at(3))), ("carol", "session_started", epoch(at(3))),  # no shopper message
        ("dave", "user", epoch(at(7, 23, 59))), ("erin", "user", epoch(at(8, 0, 0))),  # erin: after the range
        ("frank", "user", epoch(datetime(2024, 4, 30, 23, 59, 59, tzinfo=timezone.utc))),  # before it
    ])
    reader = TrackerStoreReader(sqlite_read_only_url(path))
    try:
        counts = reader.conversations_per_day(START, END)
    finally:
        reader.close()
    assert counts == {date(2024, 5, 1): 2, date(2024, 5, 2): 1, date(2024, 5, 3): 0, date(2024, 5, 4): 0,
                      date(2024, 5, 5): 0, date(2024, 5, 6): 0, date(2024, 5, 7): 1}


def test_a_missing_tracker_store_gives_none_logged_once_and_is_not_created(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "absent.db"
    reader = TrackerStoreReader(sqlite_read_only_url(path))
    with caplog.at_level(logging.INFO, logger="assistant.console.conversations"):
        assert reader.conversations_per_day(START, END) is None
        assert reader.conversations_per_day(START, END) is None
    reader.close()
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    assert not path.exists()


def test_a_store_without_events_table_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    reader = TrackerStoreReader(sqlite_read_only_url(path))
    assert reader.conversations_per_day(START, END) is None
    reader.close()


def test_the_reader_is_read_only(tmp_path: Path) -> None:
    path = tracker_db(tmp_path / "trackers.db", [("alice", "user", epoch(at(2)))])
    reader = TrackerStoreReader(sqlite_read_only_url(path))
    engine = reader._open()
    with pytest.raises(Exception, match="readonly"):
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM events")
    reader.close()


def test_tracker_store_url_follows_the_rasa_endpoints(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path / "var dir")})
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    url = tracker_store_url(settings)
    assert url.get_backend_name() == "sqlite" and url.query == {"mode": "ro", "uri": "true"}
    assert url.database == f"file:{tmp_path}/var%20dir/trackers.db"
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path / "var dir"),
                             "TRACKER_STORE_URL": "postgres://rasa:s%40cret@db.local:5433/rasa"})
    url = tracker_store_url(settings)
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql", "rasa", "s@cret", "db.local", 5433, "rasa")


def test_conversations_per_day_uses_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path)})
    assert conversations_per_day(settings, START, END) is None
    tracker_db(tmp_path / "trackers.db", [("alice", "user", epoch(at(5)))])
    assert conversations_per_day(settings, START, END)[date(2024, 5, 5)] == 1  # type: ignore[index]
