"""The console's pages: login, the queue, and the ticket view with its actions.

Pages are rendered on the server; the small script in ``static/console.js``
swaps in fresh fragments when the live stream says something changed.
"""
from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit
from typing import Any, Dict, List, Optional

from aiohttp import web
from sqlalchemy import select

from actions.hours import describe_hours, describe_opening, fill_support_hours
from actions.localization import phrase
from actions.shop.business_hours import load_business_hours
from actions.shop.clock import utcnow
from actions.shop.models import Customer, Order
from actions.shop.pii import find_pii
from actions.shop.tickets import TicketError, TicketView
from assistant.console.auth import COOKIE, SESSION_LIFETIME
from assistant.console.keys import ACCOUNTS, KNOWLEDGE, RASA, SETTINGS, SHOP, THROTTLE, TICKETS
from assistant.console.rasa_client import RasaUnavailable
from assistant.console.rendering import masked_html, render

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


async def login_form(request: web.Request) -> web.Response:
    return render(request, "login.html", error="", next=_safe_next(request.query.get("next", "/")), username="")


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()
    password = str(form.get("password", ""))
    next_url = _safe_next(str(form.get("next", "/")))
    throttle = request.app[THROTTLE]
    keys = (f"user:{username}", f"addr:{request.remote}")
    if throttle.blocked(*keys):
        logger.warning("login for %r refused: too many failed attempts", username)
        return render(request, "login.html", status=429, next=next_url, username=username,
                      error="Too many failed attempts. Wait 15 minutes and try again.")
    agent = await asyncio.to_thread(request.app[ACCOUNTS].authenticate, username, password)
    if agent is None:
        throttle.failed(*keys)
        logger.info("failed console login for %r", username)
        return render(request, "login.html", status=401, next=next_url, username=username,
                      error="Wrong username or password.")
    throttle.succeeded(*keys)
    token, _csrf = await asyncio.to_thread(request.app[ACCOUNTS].start_session, agent.id)
    logger.info("agent %s logged in", agent.username)
    response = web.HTTPFound(next_url)
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/",
                        secure=request.app[SETTINGS].secure_cookies, max_age=int(SESSION_LIFETIME.total_seconds()))
    raise response


async def logout(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[ACCOUNTS].end_session, request.cookies.get(COOKIE, ""))
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


# ---- queue ----------------------------------------------------------------
def support_hours_status(request: web.Request) -> Dict[str, Any]:
    """The team's hours as the bot states them to shoppers (from business_hours.yml), and whether it is open now."""
    hours = load_business_hours(request.app[SETTINGS].business_hours_file)
    now = utcnow()
    return {"hours": describe_hours(hours, now, "en"), "open": hours.is_open(now),
            "next_open": describe_opening(hours.next_opening(now), hours, "en")}


async def queue(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.app[TICKETS].queue)
    return render(request, "queue.html", tickets=tickets, support=support_hours_status(request))


async def queue_fragment(request: web.Request) -> web.Response:
    tickets = await asyncio.to_thread(request.app[TICKETS].queue)
    response = render(request, "_queue_rows.html", tickets=tickets)
    response.headers["X-Queue-Waiting"] = str(sum(1 for t in tickets if t.status == "open"))
    return response


# ---- ticket view ----------------------------------------------------------
def _ticket_id(request: web.Request) -> int:
    try:
        return int(request.match_info["ticket_id"])
    except ValueError:
        raise web.HTTPNotFound(text="No such ticket.")


async def _load(request: web.Request) -> TicketView:
    ticket = await asyncio.to_thread(request.app[TICKETS].get, _ticket_id(request))
    if ticket is None:
        raise web.HTTPNotFound(text="No such ticket.")
    return ticket


def customer_panel(request: web.Request, ticket: TicketView) -> Optional[Dict[str, Any]]:
    """The customer (verified, or recognised from a linked channel) with their orders and other tickets."""
    if ticket.customer_id is None:
        return None
    shop = request.app[SHOP]
    with shop.sessions() as session:
        customer = session.get(Customer, ticket.customer_id)
        if customer is None:
            return None
        orders = session.scalars(select(Order).where(Order.customer_id == customer.id)
                                 .order_by(Order.created_at.desc()).limit(10)).all()
        order_rows = [{"id": o.id, "status": o.status, "total": f"{o.total} {o.currency}",
                       "created_at": o.created_at, "carrier": o.carrier, "tracking": o.tracking_number,
                       "highlight": o.id == ticket.order_id} for o in orders]
        address = ", ".join(p for p in (customer.street, customer.city, customer.postal_code, customer.country) if p)
        data = {"id": customer.id, "name": customer.name, "email": customer.email, "phone": customer.phone or "",
                "address": address, "language": customer.language, "orders": order_rows,
                "identity": ticket.payload.get("identity", "verified")}
    identities = getattr(shop, "identities", None)
    data["channels"] = identities.identities_of(customer.id) if identities is not None else []
    data["other_tickets"] = request.app[TICKETS].for_customer(customer.id, exclude=ticket.id, limit=10)
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
    cache = request.app[KNOWLEDGE]
    if "kb" not in cache:
        from knowledge_base.search import KnowledgeBase

        settings = request.app[SETTINGS]
        try:
            cache["kb"] = KnowledgeBase.load(settings.kb_index_dir, settings.kb_encoder)
        except Exception as exc:  # noqa: BLE001 - suggestions are a help, the ticket view must still open
            logger.warning("knowledge base unavailable for suggestions: %s", exc)
            cache["kb"] = None
    kb = cache["kb"]
    if kb is None:
        return []
    passages = kb.search(question, k=3, filters={"kind": ["guide", "policy"]})
    hours, now = load_business_hours(request.app[SETTINGS].business_hours_file), utcnow()
    return [{"title": p.chunk.title, "heading": p.chunk.heading or "",
             "text": fill_support_hours(p.chunk.text, hours, now, p.chunk.language)[:400],
             "url": p.chunk.url or ""} for p in passages]


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


async def messages_fragment(request: web.Request) -> web.Response:
    ticket = await _load(request)
    response = render(request, "_messages.html", ticket=ticket, messages=_messages(ticket))
    response.headers["X-Ticket-Status"] = ticket.status
    return response


# ---- actions (shared by pages and the JSON API) ---------------------------
async def do_reply(request: web.Request, ticket_id: int, text: str) -> Dict[str, Any]:
    """Saves the agent's message, then delivers it; a delivery failure is reported, the message kept."""
    tickets, agent = request.app[TICKETS], request["agent"]
    ticket = await asyncio.to_thread(tickets.get, ticket_id)
    if ticket is None:
        raise TicketError(f"there is no ticket #{ticket_id}")
    if ticket.status == "resolved":
        raise TicketError(f"ticket #{ticket_id} is resolved; reopen it to reply")
    if ticket.status == "open":  # replying takes the ticket
        await do_take(request, ticket_id)
    message = await asyncio.to_thread(tickets.add_message, ticket_id, "agent", text, agent_id=agent.id)
    try:
        await request.app[RASA].send_agent_message(ticket.conversation_id, message.text, agent.display_name)
        return {"message_id": message.id, "delivered": True}
    except RasaUnavailable as exc:
        logger.warning("ticket %s: agent message saved but not delivered: %s", ticket_id, exc)
        await asyncio.to_thread(tickets.mark_undelivered, message.id)
        return {"message_id": message.id, "delivered": False, "error": str(exc)}


async def do_take(request: web.Request, ticket_id: int) -> TicketView:
    agent = request["agent"]
    before = await asyncio.to_thread(request.app[TICKETS].get, ticket_id)
    ticket = await asyncio.to_thread(request.app[TICKETS].take, ticket_id, agent.id)
    if before is not None and (before.assignee is None or before.assignee.id != agent.id):
        text = phrase("handoff.agent_joined", ticket.language, name=agent.display_name)
        try:
            await request.app[RASA].send_agent_message(ticket.conversation_id, text, agent.display_name, "joined")
            await asyncio.to_thread(request.app[TICKETS].add_message, ticket_id, "system", text)
        except RasaUnavailable as exc:
            logger.warning("ticket %s taken, but the shopper was not told: %s", ticket_id, exc)
    return ticket


async def do_resolve(request: web.Request, ticket_id: int) -> Dict[str, Any]:
    agent = request["agent"]
    ticket = await asyncio.to_thread(request.app[TICKETS].resolve, ticket_id, agent.id)
    try:
        await request.app[RASA].resume_bot(ticket.conversation_id)
        return {"ticket": ticket, "bot_resumed": True}
    except RasaUnavailable as exc:
        logger.warning("ticket %s resolved, but the bot could not be resumed: %s", ticket_id, exc)
        return {"ticket": ticket, "bot_resumed": False, "error": str(exc)}


async def do_reopen(request: web.Request, ticket_id: int) -> TicketView:
    ticket = await asyncio.to_thread(request.app[TICKETS].reopen, ticket_id, request["agent"].id)
    return ticket


async def do_reveal(request: web.Request, ticket_id: int, message_id: int, index: int) -> Dict[str, str]:
    ticket = await asyncio.to_thread(request.app[TICKETS].get, ticket_id)
    message = next((m for m in ticket.messages if m.id == message_id), None) if ticket else None
    if message is None:
        raise web.HTTPNotFound(text='{"error": "no such message"}', content_type="application/json")
    spans = find_pii(message.text)
    if not 0 <= index < len(spans):
        raise web.HTTPNotFound(text='{"error": "nothing hidden there"}', content_type="application/json")
    span = spans[index]
    await asyncio.to_thread(request.app[TICKETS].audit, request["agent"].id, ticket_id, "reveal",
                            {"message_id": message_id, "kind": span.kind})
    logger.info("agent %s revealed a %s in ticket %s", request["agent"].username, span.kind, ticket_id)
    return {"kind": span.kind, "value": span.value}


# ---- form handlers ----------------------------------------------------------
def _back(ticket_id: int, notice: str = "", error: str = "") -> web.HTTPFound:
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    return web.HTTPFound(f"/tickets/{ticket_id}" + (f"?{query}" if query else ""))


async def reply_form(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    form = await request.post()
    try:
        result = await do_reply(request, ticket_id, str(form.get("text", "")))
    except TicketError as exc:
        raise _back(ticket_id, error=str(exc))
    if not result["delivered"]:
        raise _back(ticket_id, error=f"Saved, but not delivered to the shopper: {result['error']}")
    raise _back(ticket_id)


async def action_form(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    action = request.match_info["action"]
    form = await request.post()
    try:
        if action == "take":
            await do_take(request, ticket_id)
            raise _back(ticket_id, notice="You have taken this ticket.")
        if action == "resolve":
            result = await do_resolve(request, ticket_id)
            if not result["bot_resumed"]:
                raise _back(ticket_id, error=f"Resolved, but the bot could not be resumed: {result['error']}")
            raise _back(ticket_id, notice="Resolved. The bot is back and asks the shopper for a rating.")
        if action == "reopen":
            await do_reopen(request, ticket_id)
            raise _back(ticket_id, notice="Reopened and assigned to you.")
        if action == "tags":
            tags = str(form.get("tags", "")).split(",")
            await asyncio.to_thread(request.app[TICKETS].set_tags, ticket_id, tags, request["agent"].id)
            raise _back(ticket_id, notice="Tags saved.")
        if action == "notes":
            await asyncio.to_thread(request.app[TICKETS].add_note, ticket_id, request["agent"].id,
                                    str(form.get("text", "")))
            raise _back(ticket_id, notice="Note added.")
    except TicketError as exc:
        raise _back(ticket_id, error=str(exc))
    raise web.HTTPNotFound(text="Unknown action.")


async def reveal(request: web.Request) -> web.Response:
    body = await request.json() if request.content_type == "application/json" else await request.post()
    try:
        index = int(body.get("index", -1))  # type: ignore[union-attr]
        message_id = int(request.match_info["message_id"])
    except (TypeError, ValueError):
        raise web.HTTPBadRequest(text='{"error": "index must be a number"}', content_type="application/json")
    return web.json_response(await do_reveal(request, _ticket_id(request), message_id, index))


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", queue)
    app.router.add_get("/fragments/queue", queue_fragment)
    app.router.add_get("/tickets/{ticket_id}", ticket_page)
    app.router.add_get("/tickets/{ticket_id}/fragments/messages", messages_fragment)
    app.router.add_post("/tickets/{ticket_id}/reply", reply_form)
    app.router.add_post("/tickets/{ticket_id}/messages/{message_id}/reveal", reveal)
    app.router.add_post(r"/tickets/{ticket_id}/{action:take|resolve|reopen|tags|notes}", action_form)
