"""Rasa's HTTP API as the console and the notification worker call it: the token, the quoting of
conversation ids and what a failed call means are decided here once; each caller subclasses
``RasaHttp`` with the few calls it makes.
"""
from __future__ import annotations

import asyncio
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

_Client = TypeVar("_Client", bound="RasaHttp")


class RasaUnavailable(RuntimeError):
    """Rasa did not take the call (down, slow, or a server error): worth trying again later. ``status`` is
    Rasa's HTTP status when it answered, None when it did not."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RasaRefused(RasaUnavailable):
    """Rasa answered with a client error (4xx): trying again will not help. It is a RasaUnavailable too, so a
    caller that only reports failures catches both; one that retries must catch this one first."""


def conversation_path(conversation_id: str) -> str:
    """``/conversations/<id>`` with the id quoted the way Rasa reads it back."""
    # Rasa (Sanic) does not percent-decode path parameters: keep ':', '+' and '@' as they are
    return f"/conversations/{quote(conversation_id, safe=':+@')}"


class RasaHttp:
    """One aiohttp session on Rasa's HTTP API: ``start()``/``close()``, or ``async with``."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 15) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self: _Client) -> _Client:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        """Rasa's JSON answer; RasaRefused for a 4xx, RasaUnavailable when Rasa is down, slow or failing."""
        if self._session is None:
            raise RasaUnavailable(f"the Rasa client ({type(self).__name__}) is not started")
        if self._token:
            params["token"] = self._token
        url = f"{self.base_url}{path}"
        try:
            async with self._session.request(method, url, json=body, params=params) as answer:
                if answer.status >= 500:
                    raise RasaUnavailable(f"Rasa answered {answer.status}; try again later",
                                          status=answer.status)
                if answer.status >= 400:
                    raise RasaRefused(f"Rasa answered {answer.status}: {(await answer.text())[:300]}",
                                      status=answer.status)
                return await answer.json(content_type=None)
        except aiohttp.ClientError as exc:
            raise RasaUnavailable(f"Rasa is not reachable at {self.base_url} ({type(exc).__name__})") from exc
        except asyncio.TimeoutError as exc:  # aiohttp's timeout; the builtin TimeoutError from Python 3.11 on
            raise RasaUnavailable(f"Rasa did not answer within {self._timeout.total:g} s") from exc
