"""The console's calls to Rasa's HTTP API.

- An agent's message is appended to the conversation as a bot event with
  ``metadata.agent`` and ``execute_side_effects``, so Rasa delivers it through
  the shopper's own channel (``output_channel=latest``): socket.io for the
  widget, the messenger's API elsewhere. The transcript keeps it too.
- Resolving triggers the ``handoff_resolved`` intent: the bot resumes and asks
  for a rating (``HandoffPolicy`` routes it).
"""
from __future__ import annotations

import logging
import time
from typing import Any, Dict

from assistant.console.live_metrics import HANDOFF_SLOT, WAITING_SLOT
from assistant.runtime.rasa_http import RasaHttp, RasaRefused, RasaUnavailable, conversation_path

__all__ = ["RasaClient", "RasaRefused", "RasaUnavailable"]

logger = logging.getLogger(__name__)


class RasaClient(RasaHttp):
    """Started and closed with the console application; every failure is a RasaUnavailable (a 4xx a
    RasaRefused too), whose message the agent sees."""

    async def send_agent_message(self, conversation_id: str, text: str, agent_name: str,
                                 kind: str = "message") -> None:
        """Delivers ``text`` from the agent to the shopper, in the channel they last wrote from.

        An agent writing owns the chat: the same request sets ``handoff_active`` (and clears
        ``handoff_waiting``, the after-hours wait in which the bot kept answering), so the shopper's
        next message goes to the agent, also when the ticket was reopened or waited overnight.
        """
        now = time.time()
        events = [{"event": "bot", "text": text, "timestamp": now, "data": {},
                   "metadata": {"agent": {"name": agent_name}, "handoff": kind}},
                  {"event": "slot", "name": HANDOFF_SLOT, "value": True, "timestamp": now},
                  {"event": "slot", "name": WAITING_SLOT, "value": False, "timestamp": now}]
        await self._call("POST", f"{conversation_path(conversation_id)}/tracker/events", events,
                         output_channel="latest", execute_side_effects="true")
        logger.info("agent message delivered to conversation %s", conversation_id)

    async def resume_bot(self, conversation_id: str) -> None:
        """The ticket is resolved: the bot takes over again and asks for a rating."""
        await self._call("POST", f"{conversation_path(conversation_id)}/trigger_intent",
                         {"name": "handoff_resolved", "entities": {}}, output_channel="latest")
        logger.info("conversation %s handed back to the bot", conversation_id)

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        """The conversation's tracker as Rasa dumps it (slots and events)."""
        return await self._call("GET", f"{conversation_path(conversation_id)}/tracker")
