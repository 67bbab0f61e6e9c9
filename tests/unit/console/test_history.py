"""Ticket history: filter parsing, masked JSON and CSV exports and the page template, without a server."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import jinja2
import pytest

from assistant.console.history import (
    CSV_COLUMNS,
    EXPORT_LIMIT,
    FilterError,
    audit_detail,
    export_csv,
    export_filename,
    export_json,
    masked_ticket,
    parse_filters,
    query_string,
)
from assistant.console.rendering import template_filters
from assistant.shop.support.tickets import MessageView, NoteView, SearchQuery, TicketView

TEMPLATES = Path(__file__).resolve().parents[3] / "assistant" / "console" / "templates"
CREATED = datetime(2024, 5, 3, 10, 0, tzinfo=timezone.utc)
EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


def ticket(id: int = 7, *, messages: tuple[MessageView, ...] = (), notes: tuple[NoteView, ...] = (),
           summary: str = f"Refund for SO123456, write to {EMAIL}", tags: tuple[str, ...] = ("refund", "vip"),
           resolved: bool = True) -> TicketView:
    return TicketView(
        id=id, conversation_id=f"conv-{id}", channel="telegram", customer_id=3, order_id="SO123456",
        contact_email=EMAIL, reason="payment_issue", status="resolved" if resolved else "open", priority=2,
        language="en", intents=("payment_issue", "human_handoff"), summary=summary, tags=tags, assignee=None,
        created_at=CREATED, updated_at=CREATED, taken_at=CREATED + timedelta(minutes=1),
        first_response_at=CREATED + timedelta(minutes=2),
        resolved_at=CREATED + timedelta(minutes=20) if resolved else None,
        resolution="agent" if resolved else None, csat_rating=4 if resolved else None, payload={"demo": True},
        messages=messages, notes=notes)


def transcript() -> tuple[MessageView, ...]:
    return (
        MessageView(1, "shopper", f"I was charged twice, card {CARD}", "payment_issue", None, CREATED),
        MessageView(2, "bot", "Let me get a person.", None, None, CREATED + timedelta(seconds=5)),
        MessageView(3, "agent", "=HYPERLINK(\"http://evil\") sorry about that", None, "Maya",
                    CREATED + timedelta(minutes=2)),
    )


def full_ticket() -> TicketView:
    return ticket(messages=transcript(),
                  notes=(NoteView(9, "Maya", f"Called back on +1 555 123 4567, {EMAIL}", CREATED),))


# ---- filters ------------------------------------------------------------------------------------------


def test_defaults_search_resolved_tickets() -> None:
    assert parse_filters({}) == SearchQuery(status="resolved", limit=200)


def test_filters_are_parsed_and_normalised() -> None:
    search = parse_filters({"q": "  where   is my  order ", "tag": " VIP ", "intent": "order_status",
                            "reason": "complaint", "from": "2024-05-01", "to": "2024-05-31", "status": "any",
                            "limit": "50"})
    assert search == SearchQuery(text="where is my order", tag="vip", intent="order_status",
                                 reason="complaint", date_from=date(2024, 5, 1), date_to=date(2024, 5, 31),
                                 status="any", limit=50)


@pytest.mark.parametrize("query, message", [
    ({"from": "31/05/2024"}, "'from' is not a date"),
    ({"to": "2024-02-30"}, "'to' is not a date"),
    ({"from": "2024-06-01", "to": "2024-05-01"}, "'from' (2024-06-01) is after 'to' (2024-05-01)"),
    ({"reason": "angry"}, "unknown reason 'angry'"),
    ({"status": "deleted"}, "'status' is one of"),
    ({"limit": "0"}, "'limit' is a whole number"),
    ({"limit": str(EXPORT_LIMIT + 1)}, "'limit' is a whole number"),
    ({"limit": "ten"}, "'limit' is a whole number"),
    ({"q": "x" * 201}, "'q' is at most 200 characters"),
])
def test_bad_filters_say_what_is_wrong(query: dict[str, str], message: str) -> None:
    with pytest.raises(FilterError) as error:
        parse_filters(query)
    assert message in str(error.value)


def test_the_page_caps_the_limit_lower_than_exports() -> None:
    assert parse_filters({}, default_limit=EXPORT_LIMIT).limit == EXPORT_LIMIT
    with pytest.raises(FilterError):
        parse_filters({"limit": "500"}, max_limit=200)


def test_query_string_selects_the_same_tickets_again() -> None:
    search = parse_filters({"q": "double charge & refund", "tag": "vip", "reason": "payment_issue",
                            "from": "2024-05-01", "status": "any"})
    again = parse_filters(dict(parse_qsl(query_string(search))))
    assert again == search
    assert "limit" not in query_string(search)
    assert query_string(SearchQuery()) == "status=resolved"


def test_audit_detail_records_filters_and_count_with_the_text_masked() -> None:
    detail = audit_detail(parse_filters({"q": EMAIL, "from": "2024-05-01"}), "csv", 3)
    assert detail["count"] == 3 and detail["format"] == "csv" and detail["date_from"] == "2024-05-01"
    assert EMAIL not in json.dumps(detail) and detail["text"] == "[email]"


# ---- exports ------------------------------------------------------------------------------------------


def test_masked_ticket_masks_summary_messages_and_notes() -> None:
    data = masked_ticket(full_ticket())
    dumped = json.dumps(data, ensure_ascii=False)
    assert EMAIL not in dumped and CARD not in dumped and "555 123 4567" not in dumped
    assert data["summary"] == "Refund for SO123456, write to [email]"  # order numbers are kept
    assert data["messages"][0]["text"] == "I was charged twice, card [card •••• 1111]"
    assert "[phone]" in data["notes"][0]["text"]
    assert data["reason_label"] == "Payment issue"
    assert "messages" not in masked_ticket(full_ticket(), with_messages=False)


def test_export_json_holds_whole_tickets() -> None:
    body = json.loads(export_json([full_ticket(), ticket(8)],
                                  exported_at=datetime(2024, 6, 1, tzinfo=timezone.utc)))
    assert body["count"] == 2 and body["exported_at"] == "2024-06-01T00:00:00+00:00"
    first = body["tickets"][0]
    assert first["id"] == 7 and [m["sender"] for m in first["messages"]] == ["shopper", "bot", "agent"]
    assert first["notes"][0]["agent"] == "Maya" and first["csat_rating"] == 4
    assert body["tickets"][1]["messages"] == []
    assert EMAIL not in json.dumps(body)


def test_export_csv_has_one_row_per_message_and_note_with_ticket_columns_repeated() -> None:
    text = export_csv([full_ticket(), ticket(8, summary="no messages", tags=())])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["ticket_id"], r["entry_type"], r["entry_id"]) for r in rows] == [
        ("7", "message", "1"), ("7", "message", "2"), ("7", "message", "3"), ("7", "note", "9"),
        ("8", "", "")]
    assert {r["summary"] for r in rows[:4]} == {"Refund for SO123456, write to [email]"}
    assert rows[0]["intents"] == "payment_issue;human_handoff" and rows[0]["tags"] == "refund;vip"
    assert rows[0]["created_at"] == "2024-05-03T10:00:00+00:00" and rows[0]["csat_rating"] == "4"
    assert rows[2]["author"] == "Maya" and rows[2]["sender"] == "agent"
    assert EMAIL not in text and CARD not in text


def test_export_csv_defuses_spreadsheet_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(export_csv([full_ticket()]))))
    assert rows[2]["text"].startswith("'=HYPERLINK(")


def test_export_csv_keeps_non_latin_text() -> None:
    message = MessageView(1, "shopper", "我的订单到哪了？", "order_status", None, CREATED)
    rows = list(csv.DictReader(io.StringIO(export_csv([ticket(messages=(message,))]))))
    assert rows[0]["text"] == "我的订单到哪了？"


def test_export_filenames() -> None:
    assert export_filename("csv", 42) == "ticket-42.csv"
    assert export_filename("json", now=datetime(2024, 5, 3, 4, 5, 6, tzinfo=timezone.utc)) == \
        "tickets-20240503-040506.json"


# ---- the page -----------------------------------------------------------------------------------------


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(template_filters())
    env.globals["static"] = lambda name: f"/static/{name}"
    return env


def render_history(**context: object) -> str:
    base = {"agent": None, "csrf_token": "", "shop_name": "Shop", "path": "/history", "error": None,
            "form": {k: "" for k in ("q", "tag", "intent", "reason", "from", "to", "status")},
            "reasons": {"complaint": "Complaint"}, "statuses": ("resolved", "any"), "results": [],
            "export_query": "status=resolved", "limit": 200}
    base.update(context)
    return environment().get_template("history.html").render(**base)


def test_history_page_lists_masked_results_with_export_links() -> None:
    html = render_history(results=[ticket(summary=f"<b>{EMAIL}</b> wants a refund")],
                          export_query="status=any&reason=complaint")
    assert '<a href="/tickets/7">#7</a>' in html
    assert EMAIL not in html and "&lt;b&gt;" in html
    assert 'href="/history/export.csv?status=any&amp;reason=complaint"' in html
    assert "20 min" in html and "Payment issue" in html and "2024-05-03 10:00 UTC" in html
    assert not re.search(r"\sstyle=", html) and "<script>" not in html


def test_history_page_shows_a_filter_error_and_keeps_the_input() -> None:
    form = {k: "" for k in ("q", "tag", "intent", "reason", "from", "to", "status")}
    form["from"] = "not-a-date\"><x>"
    html = render_history(error="'from' is not a date: use YYYY-MM-DD", form=form)
    assert 'role="alert"' in html and "is not a date" in html
    assert "not-a-date&#34;&gt;&lt;x&gt;" in html and "Export" not in html
