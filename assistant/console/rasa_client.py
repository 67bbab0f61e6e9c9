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
from typing import Any, Dict, Optional
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not take the call; the message says what happened."""


class RasaClient:
    def __init__(self, base_url: str, token: str = "", timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _params(self, **extra: str) -> Dict[str, str]:
        params = dict(extra)
        if self._token:
            params["token"] = self._token
        return params

    async def _post(self, path: str, body: Any, **params: str) -> Any:
        if self._session is None:
            raise RasaUnavailable("the console's Rasa client is not started")
        url = f"{self.base_url}{path}"
        try:
            async with self._session.post(url, json=body, params=self._params(**params)) as response:
                if response.status >= 400:
                    detail = (await response.text())[:300]
                    raise RasaUnavailable(f"Rasa answered {response.status} for {path}: {detail}")
                return await response.json(content_type=None)
        except aiohttp.ClientError as exc:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base_url} ({exc.__class__.__name__})") from exc
        except TimeoutError as exc:
            raise RasaUnavailable(f"Rasa did not answer within {self._timeout.total:.0f} s") from exc

    async def send_agent_message(self, conversation_id: str, text: str, agent_name: str,
                                 kind: str = "message") -> None:
        """Delivers ``text`` from the agent to the shopper, in the channel they last wrote from."""
        event = {"event": "bot", "text": text, "timestamp": time.time(), "data": {},
                 "metadata": {"agent": {"name": agent_name}, "handoff": kind}}
        await self._post(f"/conversations/{quote(conversation_id, safe=':+@')}/tracker/events", event,
                         output_channel="latest", execute_side_effects="true")
        logger.info("agent message delivered to conversation %s", conversation_id)

    async def resume_bot(self, conversation_id: str) -> None:
        """The ticket is resolved: the bot takes over again and asks for a rating."""
        await self._post(f"/conversations/{quote(conversation_id, safe=':+@')}/trigger_intent",
                         {"name": "handoff_resolved", "entities": {}}, output_channel="latest")
        logger.info("conversation %s handed back to the bot", conversation_id)

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        if self._session is None:
            raise RasaUnavailable("the console's Rasa client is not started")
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe=':+@')}/tracker"
        try:
            async with self._session.get(url, params=self._params()) as response:
                if response.status >= 400:
                    raise RasaUnavailable(f"Rasa answered {response.status} for the tracker")
                return await response.json(content_type=None)
        except aiohttp.ClientError as exc:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base_url}") from exc
