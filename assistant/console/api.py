"""The console's JSON API under ``/api/``: the same actions as the pages, for integrations.

Authenticate with ``Authorization: Bearer <token>`` (``python -m assistant.console
create-token``) or, from the console's own pages, the session cookie plus the
``X-CSRF-Token`` header. Errors are ``{"error": "..."}`` with a 4xx status.
Transcripts are masked; ``POST .../reveal`` returns one hidden value and is logged.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict

from aiohttp import web

from actions.shop.tickets import TicketError
from assistant.console import pages
from assistant.console.history import masked_ticket
from assistant.console.keys import TICKETS


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _error(web.HTTPBadRequest, "the body must be JSON")
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "the body must be a JSON object")
    return body


def _ticket_id(request: web.Request) -> int:
    try:
        return int(request.match_info["ticket_id"])
    except ValueError:
        raise _error(web.HTTPNotFound, "no such ticket")


async def list_tickets(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.app[TICKETS].queue)
    return web.json_response({"tickets": [masked_ticket(t, False) for t in tickets]})


async def get_ticket(request: web.Request) -> web.Response:
    ticket = await asyncio.to_thread(request.app[TICKETS].get, _ticket_id(request))
    if ticket is None:
        raise _error(web.HTTPNotFound, "no such ticket")
    return web.json_response(masked_ticket(ticket, True))


async def post_message(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _error(web.HTTPBadRequest, "text is required")
    try:
        result = await pages.do_reply(request, _ticket_id(request), text)
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc))
    return web.json_response(result, status=201 if result["delivered"] else 202)


async def take(request: web.Request) -> web.Response:
    try:
        ticket = await pages.do_take(request, _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc))
    return web.json_response(masked_ticket(ticket, False))


async def resolve(request: web.Request) -> web.Response:
    try:
        result = await pages.do_resolve(request, _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc))
    data = {"ticket": masked_ticket(result["ticket"], False), "bot_resumed": result["bot_resumed"]}
    if "error" in result:
        data["error"] = result["error"]
    return web.json_response(data)


async def reopen(request: web.Request) -> web.Response:
    try:
        ticket = await pages.do_reopen(request, _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc))
    return web.json_response(masked_ticket(ticket, False))


async def put_tags(request: web.Request) -> web.Response:
    body = await _body(request)
    tags = body.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _error(web.HTTPBadRequest, "tags must be a list of strings")
    try:
        ticket = await asyncio.to_thread(request.app[TICKETS].set_tags, _ticket_id(request), tags,
                                         request["agent"].id)
    except TicketError as exc:
        raise _error(web.HTTPBadRequest, str(exc))
    return web.json_response(masked_ticket(ticket, False))


async def post_note(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str):
        raise _error(web.HTTPBadRequest, "text is required")
    try:
        note = await asyncio.to_thread(request.app[TICKETS].add_note, _ticket_id(request), request["agent"].id, text)
    except TicketError as exc:
        raise _error(web.HTTPBadRequest, str(exc))
    return web.json_response({"id": note.id, "agent": note.agent_name, "text": note.text,
                              "created_at": note.created_at.isoformat()}, status=201)


async def reveal(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        index = int(body.get("index", -1))
        message_id = int(request.match_info["message_id"])
    except (TypeError, ValueError):
        raise _error(web.HTTPBadRequest, "index must be a number")
    return web.json_response(await pages.do_reveal(request, _ticket_id(request), message_id, index))


async def me(request: web.Request) -> web.Response:
    agent = request["agent"]
    return web.json_response({"id": agent.id, "username": agent.username, "display_name": agent.display_name})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/tickets/{ticket_id:\\d+}", get_ticket)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/messages", post_message)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/take", take)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/resolve", resolve)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/reopen", reopen)
    app.router.add_put("/api/tickets/{ticket_id:\\d+}/tags", put_tags)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/notes", post_note)
    app.router.add_post("/api/tickets/{ticket_id:\\d+}/messages/{message_id:\\d+}/reveal", reveal)
