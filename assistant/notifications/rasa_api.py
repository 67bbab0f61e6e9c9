"""The worker's two calls to Rasa's HTTP API: read a conversation, append a bot message and send it."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from assistant.runtime.rasa_http import RasaHttp, RasaRefused, RasaUnavailable, conversation_path

__all__ = ["ConversationState", "RasaApi", "RasaRefused", "RasaUnavailable", "conversation_state"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConversationState:
    language: str | None                 # the conversation's language slot
    last_user_at: datetime | None        # the shopper's last message
    notification_deliveries: frozenset[int] = field(default_factory=frozenset)  # delivery ids in the transcript


def conversation_state(tracker: dict[str, Any]) -> ConversationState:
    """What the worker needs from a tracker dump."""
    slots = tracker.get("slots") if isinstance(tracker.get("slots"), dict) else {}
    language = slots.get("language") if isinstance(slots.get("language"), str) else None
    last_user: float | None = None
    delivered: set[int] = set()
    for event in tracker.get("events") or []:
        if not isinstance(event, dict):
            continue
        if event.get("event") == "user" and isinstance(event.get("timestamp"), (int, float)):
            last_user = max(last_user or 0.0, float(event["timestamp"]))
        elif event.get("event") == "bot":
            note = (event.get("metadata") or {}).get("notification")
            if isinstance(note, dict) and isinstance(note.get("delivery"), int):
                delivered.add(note["delivery"])
    when = datetime.fromtimestamp(last_user, tz=timezone.utc) if last_user else None
    return ConversationState(language, when, frozenset(delivered))


class RasaApi(RasaHttp):
    """Started with ``async with``; a refused call (RasaRefused) is not retried, an unavailable one is."""

    async def conversation(self, conversation_id: str) -> ConversationState:
        path = f"{conversation_path(conversation_id)}/tracker"
        tracker = await self._call("GET", path, include_events="ALL")
        return conversation_state(tracker if isinstance(tracker, dict) else {})

    async def deliver(self, conversation_id: str, channel: str, text: str, buttons: list[dict[str, str]],
                      metadata: dict[str, Any]) -> None:
        """Appends the bot message to the conversation and has Rasa send it on ``channel``."""
        event = {"event": "bot", "text": text, "timestamp": time.time(), "data": {"buttons": buttons},
                 "metadata": metadata}
        await self._call("POST", f"{conversation_path(conversation_id)}/tracker/events", event,
                         output_channel=channel, execute_side_effects="true")
