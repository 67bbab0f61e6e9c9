"""The worker's two calls to Rasa's HTTP API: read a conversation, append a bot message and send it."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not take the call (down, slow, or an error); worth trying again later."""


class RasaRefused(RuntimeError):
    """Rasa answered with a client error (4xx): trying again will not help."""


@dataclass(frozen=True)
class ConversationState:
    language: str | None                 # the conversation's language slot
    last_user_at: datetime | None        # the shopper's last message
    notification_deliveries: frozenset[int] = field(default_factory=frozenset)  # delivery ids in the transcript


def _path(conversation_id: str) -> str:
    # Rasa (Sanic) does not percent-decode path parameters: keep ':', '+' and '@' as they are
    return quote(conversation_id, safe=":+@")


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


class RasaApi:
    def __init__(self, base_url: str, token: str, timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> RasaApi:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        if self._session is None:
            raise RasaUnavailable("the worker's Rasa client is not started")
        try:
            async with self._session.request(method, f"{self.base_url}{path}", json=body,
                                             params={**params, "token": self._token}) as answer:
                if answer.status >= 500:
                    raise RasaUnavailable(f"Rasa answered {answer.status}")
                if answer.status >= 400:
                    raise RasaRefused(f"Rasa answered {answer.status}: {(await answer.text())[:200]}")
                return await answer.json(content_type=None)
        except aiohttp.ClientError as exc:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base_url} ({type(exc).__name__})") from exc
        except TimeoutError as exc:
            raise RasaUnavailable(f"Rasa did not answer within {self._timeout.total:.0f} s") from exc

    async def conversation(self, conversation_id: str) -> ConversationState:
        tracker = await self._call("GET", f"/conversations/{_path(conversation_id)}/tracker", include_events="ALL")
        return conversation_state(tracker if isinstance(tracker, dict) else {})

    async def deliver(self, conversation_id: str, channel: str, text: str, buttons: list[dict[str, str]],
                      metadata: dict[str, Any]) -> None:
        """Appends the bot message to the conversation and has Rasa send it on ``channel``."""
        event = {"event": "bot", "text": text, "timestamp": time.time(), "data": {"buttons": buttons},
                 "metadata": metadata}
        await self._call("POST", f"/conversations/{_path(conversation_id)}/tracker/events", event,
                         output_channel=channel, execute_side_effects="true")
