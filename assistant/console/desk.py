"""What an agent does to a ticket, for the console's pages and its JSON API alike: reply, take,
resolve, reopen, and reveal a masked value. Each step is saved in the shop database first, then
delivered to the shopper through Rasa; a delivery failure is reported, never lost.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from assistant.console.live_metrics import EXTERNAL_PREFIX, WAITING_SLOT
from assistant.console.rasa_client import RasaClient, RasaUnavailable
from assistant.i18n.phrases import phrase
from assistant.shop.support.pii import find_pii
from assistant.shop.support.tickets import (
    MAX_MESSAGE_LENGTH,
    AgentView,
    TicketError,
    TicketService,
    TicketView,
)

logger = logging.getLogger(__name__)


def said_since(events: List[Dict[str, Any]], since: datetime) -> List[Tuple[str, str, Optional[str], datetime]]:
    """(sender, text, intent, time) of the shopper's and the bot's messages after ``since``, from the first
    shopper message on (the bot's words about the ticket itself are in the ticket already); an agent's
    message, a notification and a message the system triggered are left out."""
    start = since.replace(tzinfo=timezone.utc) if since.tzinfo is None else since
    lines: List[Tuple[str, str, Optional[str], datetime]] = []
    for event in events:
        stamp, kind = event.get("timestamp"), event.get("event")
        text = event.get("text")
        if not isinstance(stamp, (int, float)) or not isinstance(text, str) or not text.strip():
            continue
        said_at = datetime.fromtimestamp(stamp, timezone.utc)
        if said_at <= start:
            continue
        metadata = event.get("metadata") or {}
        if kind == "user" and not text.startswith(EXTERNAL_PREFIX) and not metadata.get("is_external"):
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            lines.append(("shopper", text.strip()[:MAX_MESSAGE_LENGTH], intent, said_at))
        elif kind == "bot" and lines and not metadata.get("agent") and not metadata.get("notification"):
            lines.append(("bot", text.strip()[:MAX_MESSAGE_LENGTH], None, said_at))
    return lines


class SupportDesk:
    def __init__(self, tickets: TicketService, rasa: RasaClient) -> None:
        self.tickets, self.rasa = tickets, rasa

    async def reply(self, agent: AgentView, ticket_id: int, text: str) -> Dict[str, Any]:
        """Saves the agent's message, then delivers it; a delivery failure is reported, the message kept."""
        tickets = self.tickets
        ticket = await asyncio.to_thread(tickets.get, ticket_id)
        if ticket is None:
            raise TicketError(f"there is no ticket #{ticket_id}")
        if ticket.status == "resolved":
            raise TicketError(f"ticket #{ticket_id} is resolved; reopen it to reply")
        if ticket.status == "open":  # replying takes the ticket
            await self.take(agent, ticket_id)
        message = await asyncio.to_thread(tickets.add_message, ticket_id, "agent", text, agent_id=agent.id)
        try:
            await self.rasa.send_agent_message(ticket.conversation_id, message.text, agent.display_name)
            return {"message_id": message.id, "delivered": True}
        except RasaUnavailable as exc:
            logger.warning("ticket %s: agent message saved but not delivered: %s", ticket_id, exc)
            await asyncio.to_thread(tickets.mark_undelivered, message.id)
            return {"message_id": message.id, "delivered": False, "error": str(exc)}

    async def take(self, agent: AgentView, ticket_id: int) -> TicketView:
        before = await asyncio.to_thread(self.tickets.get, ticket_id)
        ticket = await asyncio.to_thread(self.tickets.take, ticket_id, agent.id)
        if before is not None and before.assignee is None:
            await self._catch_up(ticket)
        if before is not None and (before.assignee is None or before.assignee.id != agent.id):
            text = phrase("handoff.agent_joined", ticket.language, name=agent.display_name)
            try:
                await self.rasa.send_agent_message(ticket.conversation_id, text, agent.display_name, "joined")
                await asyncio.to_thread(self.tickets.add_message, ticket_id, "system", text)
            except RasaUnavailable as exc:
                logger.warning("ticket %s taken, but the shopper was not told: %s", ticket_id, exc)
        return ticket

    async def _catch_up(self, ticket: TicketView) -> int:
        """Adds to a ticket what the shopper and the bot said while it waited after hours (the bot went on
        answering, so those messages are in Rasa's tracker, not in the ticket); the number added.

        Only while the conversation's ``handoff_waiting`` is set: during business hours every message
        was relayed to the ticket already. Rasa being down costs the catch-up, never the take.
        """
        try:
            tracker = await self.rasa.tracker(ticket.conversation_id)
        except RasaUnavailable as exc:
            logger.warning("ticket %s: what was said while it waited could not be read: %s", ticket.id, exc)
            return 0
        if not (tracker.get("slots") or {}).get(WAITING_SLOT):
            return 0
        lines = said_since(tracker.get("events") or [], ticket.created_at)
        for sender, text, intent, said_at in lines:
            await asyncio.to_thread(self.tickets.add_message, ticket.id, sender, text, intent=intent, now=said_at)
        logger.info("ticket %s: %d messages said while it waited added", ticket.id, len(lines))
        return len(lines)

    async def resolve(self, agent: AgentView, ticket_id: int) -> Dict[str, Any]:
        ticket = await asyncio.to_thread(self.tickets.resolve, ticket_id, agent.id)
        try:
            await self.rasa.resume_bot(ticket.conversation_id)
            return {"ticket": ticket, "bot_resumed": True}
        except RasaUnavailable as exc:
            logger.warning("ticket %s resolved, but the bot could not be resumed: %s", ticket_id, exc)
            return {"ticket": ticket, "bot_resumed": False, "error": str(exc)}

    async def reopen(self, agent: AgentView, ticket_id: int) -> TicketView:
        return await asyncio.to_thread(self.tickets.reopen, ticket_id, agent.id)

    async def reveal(self, agent: AgentView, ticket_id: int, message_id: int, index: int) -> Dict[str, str]:
        """The ``index``-th masked value of a message, written to the audit log; LookupError if none."""
        ticket = await asyncio.to_thread(self.tickets.get, ticket_id)
        message = next((m for m in ticket.messages if m.id == message_id), None) if ticket else None
        if message is None:
            raise LookupError("no such message")
        spans = find_pii(message.text)
        if not 0 <= index < len(spans):
            raise LookupError("nothing hidden there")
        span = spans[index]
        await asyncio.to_thread(self.tickets.audit, agent.id, ticket_id, "reveal",
                                {"message_id": message_id, "kind": span.kind})
        logger.info("agent %s revealed a %s in ticket %s", agent.username, span.kind, ticket_id)
        return {"kind": span.kind, "value": span.value}
