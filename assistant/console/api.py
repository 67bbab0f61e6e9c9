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

from assistant.console import history, metrics, pages
from assistant.console.history import masked_ticket
from assistant.console.keys import DESK, TICKETS
from assistant.shop.support.tickets import TicketError


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _error(web.HTTPBadRequest, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "the body must be a JSON object")
    return body


def _ticket_id(request: web.Request) -> int:
    try:
        return int(request.match_info["ticket_id"])
    except ValueError:
        raise _error(web.HTTPNotFound, "no such ticket") from None


api_routes = web.RouteTableDef()


@web.middleware
async def json_errors(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """Errors as ``{"error": ...}`` JSON, also for paths and methods the API does not have."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        raise type(exc)(text=json.dumps({"error": exc.reason.lower()}), content_type="application/json",
                        headers={k: v for k, v in exc.headers.items() if k == "Allow"}) from None


@api_routes.get("/tickets")
async def list_tickets(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.config_dict[TICKETS].queue)
    return web.json_response({"tickets": [masked_ticket(t, False) for t in tickets]})


@api_routes.get(r"/tickets/{ticket_id:\d+}")
async def get_ticket(request: web.Request) -> web.Response:
    ticket = await asyncio.to_thread(request.config_dict[TICKETS].get, _ticket_id(request))
    if ticket is None:
        raise _error(web.HTTPNotFound, "no such ticket")
    return web.json_response(masked_ticket(ticket, True))


@api_routes.post(r"/tickets/{ticket_id:\d+}/messages")
async def post_message(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _error(web.HTTPBadRequest, "text is required")
    try:
        result = await request.config_dict[DESK].reply(request["agent"], _ticket_id(request), text)
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc)) from None
    return web.json_response(result, status=201 if result["delivered"] else 202)


@api_routes.post(r"/tickets/{ticket_id:\d+}/take")
async def take(request: web.Request) -> web.Response:
    try:
        ticket = await request.config_dict[DESK].take(request["agent"], _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc)) from None
    return web.json_response(masked_ticket(ticket, False))


@api_routes.post(r"/tickets/{ticket_id:\d+}/resolve")
async def resolve(request: web.Request) -> web.Response:
    try:
        result = await request.config_dict[DESK].resolve(request["agent"], _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc)) from None
    data = {"ticket": masked_ticket(result["ticket"], False), "bot_resumed": result["bot_resumed"]}
    if "error" in result:
        data["error"] = result["error"]
    return web.json_response(data)


@api_routes.post(r"/tickets/{ticket_id:\d+}/reopen")
async def reopen(request: web.Request) -> web.Response:
    try:
        ticket = await request.config_dict[DESK].reopen(request["agent"], _ticket_id(request))
    except TicketError as exc:
        raise _error(web.HTTPConflict, str(exc)) from None
    return web.json_response(masked_ticket(ticket, False))


@api_routes.put(r"/tickets/{ticket_id:\d+}/tags")
async def put_tags(request: web.Request) -> web.Response:
    body = await _body(request)
    tags = body.get("tags")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _error(web.HTTPBadRequest, "tags must be a list of strings")
    try:
        ticket = await asyncio.to_thread(request.config_dict[TICKETS].set_tags, _ticket_id(request), tags,
                                         request["agent"].id)
    except TicketError as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    return web.json_response(masked_ticket(ticket, False))


@api_routes.post(r"/tickets/{ticket_id:\d+}/notes")
async def post_note(request: web.Request) -> web.Response:
    body = await _body(request)
    text = body.get("text")
    if not isinstance(text, str):
        raise _error(web.HTTPBadRequest, "text is required")
    try:
        note = await asyncio.to_thread(request.config_dict[TICKETS].add_note, _ticket_id(request), request["agent"].id, text)
    except TicketError as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from None
    return web.json_response({"id": note.id, "agent": note.agent_name, "text": note.text,
                              "created_at": note.created_at.isoformat()}, status=201)


@api_routes.post(r"/tickets/{ticket_id:\d+}/messages/{message_id:\d+}/reveal")
async def reveal(request: web.Request) -> web.Response:
    body = await _body(request)
    try:
        index = int(body.get("index", -1))
        message_id = int(request.match_info["message_id"])
    except (TypeError, ValueError):
        raise _error(web.HTTPBadRequest, "index must be a number") from None
    return web.json_response(await pages.reveal_json(request, _ticket_id(request), message_id, index))


@api_routes.get("/me")
async def me(request: web.Request) -> web.Response:
    agent = request["agent"]
    return web.json_response({"id": agent.id, "username": agent.username, "display_name": agent.display_name})


def setup(app: web.Application) -> None:
    """The JSON API under ``/api``: a sub-application with its own error format (the console's login
    and CSRF middleware, on the parent, apply to it too)."""
    api = web.Application(middlewares=[json_errors])
    api.add_routes(api_routes)
    api.add_routes(history.api_routes)  # /api/tickets/search
    api.add_routes(metrics.api_routes)  # /api/metrics
    app.add_subapp("/api", api)
