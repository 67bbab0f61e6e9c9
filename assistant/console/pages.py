"""The console's pages: login, the queue, and the ticket view with its actions.

Pages are rendered on the server; the small script in ``static/console.js``
swaps in fresh fragments when the live stream says something changed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

from aiohttp import web

from assistant.console.auth import COOKIE, LOGIN_COOKIE, SESSION_LIFETIME, client_address, csrf_ok, is_https
from assistant.console.keys import ACCOUNTS, DESK, KNOWLEDGE, SETTINGS, SHOP, THROTTLE, TICKETS
from assistant.console.rendering import masked_html, render
from assistant.shop.storage.clock import utcnow
from assistant.shop.support.business_hours import load_business_hours
from assistant.shop.support.hours_text import describe_hours, describe_opening, fill_support_hours
from assistant.shop.support.tickets import TicketError, TicketView

logger = logging.getLogger(__name__)


# ---- login ----------------------------------------------------------------
def _safe_next(value: str) -> str:
    """Where to go after login: a path on the console only. Anything a browser could read as another
    host ("//host", "/\\host", a scheme, tabs or newlines it drops from URLs) becomes "/"."""
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(char) < 33 or ord(char) == 127 for char in value)):
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


routes = web.RouteTableDef()


def _secure(request: web.Request) -> bool:
    settings = request.config_dict[SETTINGS]
    return settings.secure_cookies or is_https(request, settings.trusted_proxies)


LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _login_page(request: web.Request, status: int = 200, **context: Any) -> web.Response:
    """The login form with its CSRF token, in a cookie and in the form (double submit). The browser's
    token is kept if it has one, so two tabs, or a script's request sent to the login page, do not
    invalidate a form already on screen."""
    existing = request.cookies.get(LOGIN_COOKIE, "")
    token = existing if LOGIN_TOKEN.fullmatch(existing) else secrets.token_urlsafe(24)
    response = render(request, "login.html", status=status, login_csrf=token, **context)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/login",
                        secure=_secure(request), max_age=3600)
    return response


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request, error="", next=_safe_next(request.query.get("next", "/")), username="")


@routes.post("/login")
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/")))
    settings = request.config_dict[SETTINGS]
    supplied = form.get("csrf_token")
    if not csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), supplied if isinstance(supplied, str) else None):
        logger.warning("login refused: the form's CSRF token is missing or does not match its cookie")
        return _login_page(request, status=403, next=next_url, username=username,
                           error="The login form expired or came from another site. Please log in again.")
    throttle = request.config_dict[THROTTLE]
    keys = (f"user:{username}", f"addr:{client_address(request, settings.trusted_proxies)}")
    if await asyncio.to_thread(throttle.blocked, *keys):
        logger.warning("login for %r refused: too many failed attempts", username)
        return _login_page(request, status=429, next=next_url, username=username,
                           error="Too many failed attempts. Wait 15 minutes and try again.")
    agent = await asyncio.to_thread(request.config_dict[ACCOUNTS].authenticate, username, password)
    if agent is None:
        await asyncio.to_thread(throttle.failed, *keys)
        logger.info("failed console login for %r", username)
        return _login_page(request, status=401, next=next_url, username=username,
                           error="Wrong username or password.")
    await asyncio.to_thread(throttle.succeeded, *keys)
    token, _csrf = await asyncio.to_thread(request.config_dict[ACCOUNTS].start_session, agent.id)
    logger.info("agent %s logged in", agent.username)
    response = web.HTTPFound(next_url)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=_secure(request), max_age=int(SESSION_LIFETIME.total_seconds()))
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.config_dict[ACCOUNTS].end_session, request.cookies.get(COOKIE, ""))
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


# ---- queue ----------------------------------------------------------------
def support_hours_status(request: web.Request) -> Dict[str, Any]:
    """The team's hours as the bot states them to shoppers (from business_hours.yml), and whether it is open now."""
    hours = load_business_hours(request.config_dict[SETTINGS].business_hours_file)
    now = utcnow()
    return {"hours": describe_hours(hours, now, "en"), "open": hours.is_open(now),
            "next_open": describe_opening(hours.next_opening(now), hours, "en")}


@routes.get("/")
async def queue(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.config_dict[TICKETS].queue)
    return render(request, "queue.html", tickets=tickets, support=support_hours_status(request))


@routes.get("/fragments/queue")
async def queue_fragment(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.config_dict[TICKETS].queue)
    response = render(request, "_queue_rows.html", tickets=tickets)
    response.headers["X-Queue-Waiting"] = str(sum(1 for t in tickets if t.status == "open"))
    return response


# ---- ticket view ----------------------------------------------------------
def _ticket_id(request: web.Request) -> int:
    try:
        return int(request.match_info["ticket_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such ticket.") from None


async def _load(request: web.Request) -> TicketView:
    ticket = await asyncio.to_thread(request.config_dict[TICKETS].get, _ticket_id(request))
    if ticket is None:
        raise web.HTTPNotFound(text="No such ticket.")
    return ticket


def customer_panel(request: web.Request, ticket: TicketView) -> Optional[Dict[str, Any]]:
    """The customer (verified, or recognised from a linked channel) with their orders and other tickets."""
    if ticket.customer_id is None:
        return None
    shop = request.config_dict[SHOP]
    card = shop.customers.card(ticket.customer_id)
    if card is None:
        return None
    data = {"id": card.id, "name": card.name, "email": card.email, "phone": card.phone, "address": card.address,
            "language": card.language, "identity": ticket.payload.get("identity", "verified"),
            "orders": [{"id": o.id, "status": o.status, "total": o.total, "created_at": o.created_at,
                        "carrier": o.carrier, "tracking": o.tracking, "highlight": o.id == ticket.order_id}
                       for o in card.orders],
            "channels": shop.identities.identities_of(card.id)}
    data["other_tickets"] = request.config_dict[TICKETS].for_customer(card.id, exclude=ticket.id, limit=10)
    # the same open orders the bot offers a verified shopper as buttons (assistant.shop.commerce.personal)
    data["open_orders"] = shop.personal.open_orders(card.id)
    return data


NOT_A_QUESTION = {"human_handoff", "greet", "goodbye", "thank_you", "affirm", "deny", "back_to_bot", "csat"}


def last_question(ticket: TicketView) -> str:
    """The shopper's latest message that asks something (not "a person please", "thanks" or a button)."""
    candidates = [m for m in ticket.messages
                  if m.sender == "shopper" and not m.text.startswith("/") and len(m.text.strip()) > 3]
    for message in reversed(candidates):
        if message.intent not in NOT_A_QUESTION:
            return message.text
    return candidates[-1].text if candidates else ""


def suggestions(request: web.Request, question: str) -> List[Dict[str, str]]:
    """Knowledge-base passages for the shopper's last question (the index loads on first use)."""
    if not question:
        return []
    cache = request.config_dict[KNOWLEDGE]
    if "kb" not in cache:
        from knowledge_base.search import KnowledgeBase

        settings = request.config_dict[SETTINGS]
        try:
            cache["kb"] = KnowledgeBase.load(settings.kb_index_dir, settings.kb_encoder)
        except Exception as exc:  # noqa: BLE001 - suggestions are a help, the ticket view must still open
            logger.warning("knowledge base unavailable for suggestions: %s", exc)
            cache["kb"] = None
    kb = cache["kb"]
    if kb is None:
        return []
    passages = kb.search(question, k=3, filters={"kind": ["guide", "policy"]})
    hours, now = load_business_hours(request.config_dict[SETTINGS].business_hours_file), utcnow()
    return [{"title": p.chunk.title, "heading": p.chunk.heading or "",
             "text": fill_support_hours(p.chunk.text, hours, now, p.chunk.language)[:400],
             "url": p.chunk.url or ""} for p in passages]


@routes.get("/tickets/{ticket_id}")
async def ticket_page(request: web.Request) -> web.Response:
    ticket = await _load(request)
    customer = await asyncio.to_thread(customer_panel, request, ticket)
    question = last_question(ticket)
    try:
        passages = await asyncio.to_thread(suggestions, request, question)
    except Exception:  # noqa: BLE001
        logger.exception("knowledge-base suggestions failed for ticket %s", ticket.id)
        passages = []
    return render(request, "ticket.html", ticket=ticket, customer=customer, question=question,
                  passages=passages, messages=_messages(ticket), notice=request.query.get("notice", ""),
                  error=request.query.get("error", ""))


def _messages(ticket: TicketView) -> List[Dict[str, Any]]:
    return [{"id": m.id, "sender": m.sender, "agent_name": m.agent_name, "created_at": m.created_at,
             "intent": m.intent, "undelivered": m.data.get("undelivered", False),
             "html": masked_html(m.text, f"/tickets/{ticket.id}/messages/{m.id}/reveal")} for m in ticket.messages]


@routes.get("/tickets/{ticket_id}/fragments/messages")
async def messages_fragment(request: web.Request) -> web.Response:
    ticket = await _load(request)
    response = render(request, "_messages.html", ticket=ticket, messages=_messages(ticket))
    response.headers["X-Ticket-Status"] = ticket.status
    return response


async def reveal_json(request: web.Request, ticket_id: int, message_id: int, index: int) -> Dict[str, str]:
    """One hidden value of a message, audited; 404 when there is no such message or span."""
    try:
        return await request.config_dict[DESK].reveal(request["agent"], ticket_id, message_id, index)
    except LookupError as exc:
        raise web.HTTPNotFound(text=json.dumps({"error": str(exc)}), content_type="application/json") from None


# ---- form handlers ----------------------------------------------------------
def _back(ticket_id: int, notice: str = "", error: str = "") -> web.HTTPFound:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    return web.HTTPFound(f"/tickets/{ticket_id}" + (f"?{query}" if query else ""))


@routes.post("/tickets/{ticket_id}/reply")
async def reply_form(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    form = await request.post()
    try:
        result = await request.config_dict[DESK].reply(request["agent"], ticket_id, str(form.get("text", "")))
    except TicketError as exc:
        raise _back(ticket_id, error=str(exc)) from None
    if not result["delivered"]:
        raise _back(ticket_id, error=f"Saved, but not delivered to the shopper: {result['error']}")
    raise _back(ticket_id)


@routes.post("/tickets/{ticket_id}/{action:take|resolve|reopen|tags|notes}")
async def action_form(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    action = request.match_info["action"]
    form = await request.post()
    try:
        if action == "take":
            await request.config_dict[DESK].take(request["agent"], ticket_id)
            raise _back(ticket_id, notice="You have taken this ticket.")
        if action == "resolve":
            result = await request.config_dict[DESK].resolve(request["agent"], ticket_id)
            if not result["bot_resumed"]:
                raise _back(ticket_id, error=f"Resolved, but the bot could not be resumed: {result['error']}")
            raise _back(ticket_id, notice="Resolved. The bot is back and asks the shopper for a rating.")
        if action == "reopen":
            await request.config_dict[DESK].reopen(request["agent"], ticket_id)
            raise _back(ticket_id, notice="Reopened and assigned to you.")
        if action == "tags":
            tags = str(form.get("tags", "")).split(",")
            await asyncio.to_thread(request.config_dict[TICKETS].set_tags, ticket_id, tags, request["agent"].id)
            raise _back(ticket_id, notice="Tags saved.")
        if action == "notes":
            await asyncio.to_thread(request.config_dict[TICKETS].add_note, ticket_id, request["agent"].id,
                                    str(form.get("text", "")))
            raise _back(ticket_id, notice="Note added.")
    except TicketError as exc:
        raise _back(ticket_id, error=str(exc)) from None
    raise web.HTTPNotFound(text="Unknown action.")


@routes.post("/tickets/{ticket_id}/messages/{message_id}/reveal")
async def reveal(request: web.Request) -> web.Response:
    body = await request.json() if request.content_type == "application/json" else await request.post()
    try:
        index = int(body.get("index", -1))  # type: ignore[union-attr]
        message_id = int(request.match_info["message_id"])
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text='{"error": "index must be a number"}', content_type="application/json") from None
    return web.json_response(await reveal_json(request, _ticket_id(request), message_id, index))


def setup(app: web.Application) -> None:
    """Adds the login, the queue and the ticket pages."""
    app.add_routes(routes)
