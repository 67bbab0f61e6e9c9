"""What the messenger channels share: rejecting a webhook, calling a platform API, rendering.

Runs inside the Rasa server (Sanic, aiohttp). Log lines name the platform, the API method
and the reason; they never contain tokens, secrets, URLs with tokens or message text.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Text

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.rasa_plugins.channels.rendering import BotMessage
from assistant.runtime.sessions import messenger_conversation, platform_recipient

logger = logging.getLogger(__name__)

API_TIMEOUT_SECONDS = 15.0
ERROR_EXCERPT = 300


def reject(platform: str, request: Request, status: int, reason: str) -> HTTPResponse:
    """Answers ``status`` (401: no signature, 403: wrong one) and logs why, without secrets."""
    logger.warning("%s webhook rejected with %d: %s (from %s)", platform, status, reason,
                   request.remote_addr or request.ip)
    return response.json({"error": reason}, status=status)


def require(platform: str, credentials: Optional[Mapping[str, Any]], keys: Iterable[str]) -> Dict[str, Any]:
    """The channel's credentials, or an error naming the missing keys (never their values)."""
    credentials = dict(credentials or {})
    missing = [key for key in keys if not credentials.get(key)]
    if missing:
        raise RasaException(
            f"The {platform} channel needs {', '.join(missing)} in its credentials. "
            "They are rendered from environment variables by assistant.runtime.credentials "
            "(see README, Messenger channels)."
        )
    return credentials


class PlatformApi:
    """Posts to a platform's HTTP API. Failures are logged with the platform's error, never raised:
    a messenger outage must not break the conversation (the tracker still records the reply)."""

    def __init__(self, platform: str, timeout: float = API_TIMEOUT_SECONDS) -> None:
        self.platform = platform
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def post(
        self,
        method: str,
        url: str,
        *,
        json: Optional[Mapping[str, Any]] = None,
        data: Optional[Mapping[str, Any]] = None,
        params: Optional[Mapping[str, str]] = None,
        auth: Optional[aiohttp.BasicAuth] = None,
    ) -> Optional[Any]:
        """POSTs and returns the decoded JSON answer, or None when the call failed.

        ``method`` names the call in logs (``sendMessage``, ``me/messages``); ``url`` is never logged.
        """
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session:
                async with session.post(url, json=json, data=data, params=params, auth=auth) as answer:
                    body = await answer.text()
                    if answer.status >= 400:
                        logger.error("%s API %s failed with HTTP %d: %s", self.platform, method,
                                     answer.status, body[:ERROR_EXCERPT])
                        return None
                    try:
                        return await answer.json(content_type=None)
                    except ValueError:
                        return body
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            logger.error("%s API %s could not be reached: %s", self.platform, method, type(error).__name__)
            return None


class ShopOutputChannel(OutputChannel, ABC):
    """An output channel that renders whole messages (text, buttons, custom payloads, agent name).

    Rasa calls :meth:`send_response` for every bot message, also for events appended through
    ``POST /conversations/<id>/tracker/events?output_channel=latest&execute_side_effects=true``
    (a support agent's reply). Everything an instance needs comes from the credentials, so it
    works without the webhook request that started the conversation.
    """

    @abstractmethod
    async def deliver(self, recipient_id: Text, message: BotMessage) -> None:
        """Sends one message to the platform."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        bot_message = BotMessage.from_rasa(message)
        if bot_message.text or bot_message.image or bot_message.customs:
            await self.deliver(platform_recipient(recipient_id), bot_message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text, "buttons": buttons})

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {**kwargs, "text": text, "buttons": quick_replies})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {**kwargs, "image": image})

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {**kwargs, "custom": json_message})


class RecentDeliveries:
    """Delivery ids seen lately, so a webhook the platform sends again (it retries when our answer was
    slow or lost) is not answered twice. Bounded; per process (a platform retries to the same host)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._seen: "OrderedDict[str, None]" = OrderedDict()

    def first_time(self, key: str) -> bool:
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


RECENT = RecentDeliveries()


async def hand_to_rasa(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    platform: str,
    text: str,
    output: OutputChannel,
    sender_id: str,
    metadata: Optional[Dict[str, Any]] = None,
    delivery_id: Optional[str] = None,
) -> None:
    """Passes one shopper message to Rasa, in the conversation ``<channel>:<sender>`` (ids of different
    channels never meet); an error is logged and the webhook still answers 200, so the platform does
    not redeliver a message that would fail again."""
    conversation_id = messenger_conversation(platform, sender_id)
    if delivery_id and not RECENT.first_time(f"{platform}:{delivery_id}"):
        logger.info("%s: delivery %s was already handled; the repeat is ignored", platform, delivery_id)
        return
    try:
        await on_new_message(UserMessage(text, output, conversation_id, input_channel=platform, metadata=metadata))
    except Exception:  # noqa: BLE001 - the platform must get its 200; the trace goes to the log
        logger.exception("%s: handling a message failed", platform)
