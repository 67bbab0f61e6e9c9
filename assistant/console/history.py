"""Ticket history: search past handoffs and export them with their transcripts, personal data masked.

Routes (all behind the console login; every export writes an ``export`` audit event):

- ``GET /history`` search form and results;
- ``GET /history/export.json`` and ``GET /history/export.csv``: the tickets matching the same filters;
- ``GET /tickets/{id}/export.json`` and ``GET /tickets/{id}/export.csv``: one ticket;
- ``GET /api/tickets/search``: the matching tickets as a JSON list (no transcripts).

Filters (query parameters): ``q`` free text (summary, transcript or conversation id), ``tag``,
``intent``, ``reason`` (a reason code), ``from`` and ``to`` (creation dates, UTC, inclusive,
``YYYY-MM-DD``), ``status`` (``resolved`` by default, ``active`` or ``any``) and ``limit``.

The filter parsing and the export builders are plain functions, tested directly.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from assistant.console.keys import TICKETS
from assistant.console.rendering import render
from assistant.shop.support.handoff_rules import REASON_LABELS, REASONS
from assistant.shop.support.pii import mask_conversation_id, mask_pii
from assistant.shop.support.tickets import SearchQuery, TicketView

logger = logging.getLogger(__name__)

__all__ = ["CSV_COLUMNS", "FilterError", "audit_detail", "export_csv", "export_filename", "export_json",
           "masked_ticket", "parse_filters", "query_string", "setup"]

STATUSES: tuple[str, ...] = ("resolved", "active", "any")
PAGE_LIMIT = 200
EXPORT_LIMIT = 1000
MAX_TEXT_LENGTH = 200
MAX_FIELD_LENGTH = 80
FORM_FIELDS: tuple[str, ...] = ("q", "tag", "intent", "reason", "from", "to", "status")

CSV_COLUMNS: tuple[str, ...] = (
    "ticket_id", "conversation_id", "created_at", "status", "resolution", "reason", "reason_label",
    "priority", "channel", "language", "intents", "tags", "assignee", "summary", "taken_at",
    "first_response_at", "resolved_at", "csat_rating",
    "entry_type", "entry_id", "entry_created_at", "sender", "author", "intent", "text",
)
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FilterError(ValueError):
    """A search filter that cannot be used; the message says which and how to fix it."""


# ---- filters ------------------------------------------------------------------------------------------


def _date(query: Mapping[str, str], name: str) -> date | None:
    raw = (query.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"'{name}' is not a date: {raw[:40]!r}; use YYYY-MM-DD, e.g. 2024-05-31") from None


def _field(query: Mapping[str, str], name: str, limit: int = MAX_FIELD_LENGTH) -> str:
    value = " ".join((query.get(name) or "").split())
    if len(value) > limit:
        raise FilterError(f"'{name}' is at most {limit} characters")
    return value


def parse_filters(query: Mapping[str, str], *, default_limit: int = PAGE_LIMIT,
                  max_limit: int = EXPORT_LIMIT) -> SearchQuery:
    """A validated :class:`SearchQuery` from request parameters; raises FilterError on bad input."""
    reason = _field(query, "reason")
    if reason and reason not in REASONS:
        raise FilterError(f"unknown reason {reason!r}; use one of: {', '.join(REASONS)}")
    status = _field(query, "status") or "resolved"
    if status not in STATUSES:
        raise FilterError(f"'status' is one of {', '.join(STATUSES)}, got {status!r}")
    date_from, date_to = _date(query, "from"), _date(query, "to")
    if date_from and date_to and date_from > date_to:
        raise FilterError(f"'from' ({date_from}) is after 'to' ({date_to})")
    raw_limit = (query.get("limit") or "").strip()
    limit = default_limit
    if raw_limit:
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = 0
        if not 1 <= limit <= max_limit:
            raise FilterError(f"'limit' is a whole number from 1 to {max_limit}, got {raw_limit[:20]!r}")
    return SearchQuery(text=_field(query, "q", MAX_TEXT_LENGTH), tag=_field(query, "tag").lower(),
                       intent=_field(query, "intent"), reason=reason, date_from=date_from, date_to=date_to,
                       status=status, limit=limit)


def query_string(search: SearchQuery, *, with_limit: bool = False) -> str:
    """The query string that selects ``search`` again (empty filters left out), e.g. for export links."""
    params = {"q": search.text, "tag": search.tag, "intent": search.intent, "reason": search.reason,
              "from": search.date_from.isoformat() if search.date_from else "",
              "to": search.date_to.isoformat() if search.date_to else "", "status": search.status,
              "limit": str(search.limit) if with_limit else ""}
    return urlencode({k: v for k, v in params.items() if v})


def audit_detail(search: SearchQuery, fmt: str, count: int) -> dict[str, Any]:
    """What an export audit event records: the filters (search text masked), the format and the count."""
    return {"format": fmt, "text": mask_pii(search.text), "tag": search.tag, "intent": search.intent,
            "reason": search.reason, "date_from": search.date_from.isoformat() if search.date_from else None,
            "date_to": search.date_to.isoformat() if search.date_to else None, "status": search.status,
            "limit": search.limit, "count": count}


# ---- export builders ----------------------------------------------------------------------------------


def masked_ticket(ticket: TicketView, with_messages: bool = True) -> dict[str, Any]:
    """The ticket as a dict, personal data masked in its summary, messages and notes."""
    data = ticket.to_dict(with_messages=with_messages)
    data["reason_label"] = ticket.reason_label
    data["conversation_id"] = mask_conversation_id(ticket.conversation_id)
    data["summary"] = mask_pii(ticket.summary)
    for entry in data.get("messages", []) + data.get("notes", []):
        entry["text"] = mask_pii(entry.get("text") or "")
    return data


def export_json(tickets: Sequence[TicketView], exported_at: datetime | None = None) -> str:
    """``{"exported_at", "count", "tickets": [...]}``: whole tickets with transcripts and notes, masked."""
    body = {"exported_at": (exported_at or datetime.now(timezone.utc)).isoformat(), "count": len(tickets),
            "tickets": [masked_ticket(t) for t in tickets]}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_rows(ticket: dict[str, Any]) -> Iterable[list[str]]:
    common = [ticket["id"], ticket["conversation_id"], ticket["created_at"], ticket["status"],
              ticket["resolution"], ticket["reason"], ticket["reason_label"], ticket["priority"],
              ticket["channel"], ticket["language"], ";".join(ticket["intents"]), ";".join(ticket["tags"]),
              ticket["assignee"], ticket["summary"], ticket["taken_at"], ticket["first_response_at"],
              ticket["resolved_at"], ticket["csat_rating"]]
    entries = [["message", m["id"], m["created_at"], m["sender"], m["agent"], m["intent"], m["text"]]
               for m in ticket["messages"]]
    entries += [["note", n["id"], n["created_at"], "agent", n["agent"], None, n["text"]]
                for n in ticket["notes"]]
    for entry in entries or [[None] * 7]:
        yield [_cell(v) for v in common + entry]


def export_csv(tickets: Sequence[TicketView]) -> str:
    """One row per message (then one per internal note, ``entry_type`` says which), ticket columns repeated.

    A ticket without messages or notes still gets one row. Personal data is masked and
    cells that a spreadsheet would run as a formula are prefixed with ``'``.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ticket in tickets:
        writer.writerows(_csv_rows(masked_ticket(ticket)))
    return out.getvalue()


def export_filename(fmt: str, ticket_id: int | None = None, now: datetime | None = None) -> str:
    if ticket_id is not None:
        return f"ticket-{ticket_id}.{fmt}"
    return f"tickets-{(now or datetime.now(timezone.utc)):%Y%m%d-%H%M%S}.{fmt}"


# ---- routes -------------------------------------------------------------------------------------------


def _download(body: str, fmt: str, filename: str) -> web.Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        # the byte-order mark makes spreadsheet programs read UTF-8 (Chinese, Japanese) correctly
        return web.Response(text="\ufeff" + body, content_type="text/csv", charset="utf-8", headers=headers)
    return web.Response(text=body, content_type="application/json", charset="utf-8", headers=headers)


def _build(tickets: Sequence[TicketView], fmt: str) -> str:
    return export_csv(tickets) if fmt == "csv" else export_json(tickets)


api_routes = web.RouteTableDef()
routes = web.RouteTableDef()


@routes.get("/history")
async def history_page(request: web.Request) -> web.Response:
    form = {name: request.query.get(name, "") for name in FORM_FIELDS}
    context: dict[str, Any] = {"form": form, "reasons": REASON_LABELS, "statuses": ("resolved", "any"),
                               "results": [], "export_query": "", "error": None, "limit": PAGE_LIMIT}
    try:
        search = parse_filters(request.query, max_limit=PAGE_LIMIT)
    except FilterError as exc:
        context["error"] = str(exc)
        return render(request, "history.html", status=400, **context)
    context["results"] = await asyncio.to_thread(request.config_dict[TICKETS].search, search)
    context["export_query"] = query_string(search)
    return render(request, "history.html", **context)


async def _export_search(request: web.Request, fmt: str) -> web.Response:
    try:
        search = parse_filters(request.query, default_limit=EXPORT_LIMIT)
    except FilterError as exc:
        raise web.HTTPBadRequest(text=f"Cannot export: {exc}") from None
    service = request.config_dict[TICKETS]
    found = await asyncio.to_thread(service.search, search)
    tickets = await asyncio.to_thread(service.export, [t.id for t in found])
    agent = request["agent"]
    await asyncio.to_thread(service.audit, agent.id, None, "export", audit_detail(search, fmt, len(tickets)))
    logger.info("agent %s exported %d tickets as %s", agent.username, len(tickets), fmt)
    return _download(_build(tickets, fmt), fmt, export_filename(fmt))


@routes.get("/history/export.json")
async def export_search_json(request: web.Request) -> web.Response:
    return await _export_search(request, "json")


@routes.get("/history/export.csv")
async def export_search_csv(request: web.Request) -> web.Response:
    return await _export_search(request, "csv")


async def _export_ticket(request: web.Request, fmt: str) -> web.Response:
    ticket_id = int(request.match_info["id"])
    service = request.config_dict[TICKETS]
    ticket = await asyncio.to_thread(service.get, ticket_id)
    if ticket is None:
        raise web.HTTPNotFound(text=f"There is no ticket #{ticket_id}.")
    agent = request["agent"]
    await asyncio.to_thread(service.audit, agent.id, ticket_id, "export", {"format": fmt, "count": 1})
    logger.info("agent %s exported ticket %s as %s", agent.username, ticket_id, fmt)
    return _download(_build([ticket], fmt), fmt, export_filename(fmt, ticket_id))


@routes.get(r"/tickets/{id:\d+}/export.json")
async def export_ticket_json(request: web.Request) -> web.Response:
    return await _export_ticket(request, "json")


@routes.get(r"/tickets/{id:\d+}/export.csv")
async def export_ticket_csv(request: web.Request) -> web.Response:
    return await _export_ticket(request, "csv")


@api_routes.get("/tickets/search")
async def api_search(request: web.Request) -> web.Response:
    try:
        search = parse_filters(request.query)
    except FilterError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    found = await asyncio.to_thread(request.config_dict[TICKETS].search, search)
    return web.json_response([masked_ticket(t, with_messages=False) for t in found],
                             headers={"Cache-Control": "no-store"})


def setup(app: web.Application) -> None:
    """Adds the history page and the exports (the search API is in ``api_routes``)."""
    app.add_routes(routes)
