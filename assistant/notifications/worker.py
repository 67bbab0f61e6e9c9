"""The loop that drains the outbox: claim due events, deliver each to its targets, finish or retry it."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from assistant.notifications.rasa_api import ConversationState, RasaRefused, RasaUnavailable
from assistant.shop.notifications.messages import STOP_PAYLOAD, Notification, email_footer, render
from assistant.shop.notifications.outbox import EMAIL_TARGET, EventView, LinkedConversation, Outbox
from assistant.shop.notifications.preferences import NotificationPreferences
from assistant.shop.notifications.rules import QuietHours, hold_until, route
from assistant.shop.storage.clock import utcnow

logger = logging.getLogger(__name__)

MAX_EVENT_ATTEMPTS = 6        # an event whose targets keep failing is finished (email) after this many tries
MAX_DELIVERY_ATTEMPTS = 3     # sends to one conversation before it is given up
RETRY_BASE_SECONDS = 5.0


class Rasa(Protocol):
    async def conversation(self, conversation_id: str) -> ConversationState: ...
    async def deliver(self, conversation_id: str, channel: str, text: str, buttons: list[dict[str, str]],
                      metadata: dict[str, object]) -> None: ...


@dataclass(frozen=True)
class WorkerConfig:
    quiet_hours: QuietHours | None
    whatsapp_template: str = ""
    web_session_days: int = 30
    poll_seconds: float = 1.0
    shop_name: str = "Northwind Outfitters"
    sweep_seconds: float = 3600.0   # how often shipped orders past their expected date are flagged


def masked_email(address: str) -> str:
    """``j•••@example.com``: enough for an operator to tell addresses apart, not to read them."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class NotificationWorker:
    def __init__(self, outbox: Outbox, preferences: NotificationPreferences, rasa: Rasa, config: WorkerConfig,
                 name: str | None = None) -> None:
        self.outbox = outbox
        self.preferences = preferences
        self.rasa = rasa
        self.config = config
        self.name = name or worker_id()

    # -- the loop ------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, sweep: object | None = None) -> None:
        """Polls until ``stop`` is set. ``sweep`` (a callable taking today's date) flags overdue orders."""
        logger.info("notification worker %s started (poll every %.1f s)", self.name, self.config.poll_seconds)
        next_sweep = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                if sweep is not None and loop.time() >= next_sweep:
                    next_sweep = loop.time() + self.config.sweep_seconds
                    flagged = await asyncio.to_thread(sweep, utcnow().date())  # type: ignore[arg-type]
                    if flagged:
                        logger.info("%d shipped orders are past their expected date: delay events recorded",
                                    len(flagged))
                await self.run_once()
            except Exception:  # noqa: BLE001 - one bad round must not stop the worker; the log has the trace
                logger.exception("notification round failed; trying again")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)
            except TimeoutError:
                pass
        logger.info("notification worker %s stopped", self.name)

    async def run_once(self, now: datetime | None = None) -> int:
        """Claims the due events and processes them; returns how many were claimed."""
        events = await asyncio.to_thread(self.outbox.claim, self.name, now)
        for event in events:
            try:
                await self.process(event, now)
            except Exception:  # noqa: BLE001 - the event's lease runs out and it is tried again
                logger.exception("notification event %s failed", event.id)
        return len(events)

    # -- one event -----------------------------------------------------------------------------
    async def process(self, event: EventView, now: datetime | None = None) -> None:
        moment = now or utcnow()
        recipient = await asyncio.to_thread(self.outbox.recipient, event.customer_id)
        if recipient is None:
            await asyncio.to_thread(self.outbox.finish, event.id, self.name, "customer no longer exists", moment)
            return
        if not await asyncio.to_thread(self.preferences.wants_updates, event.customer_id):
            await asyncio.to_thread(self.outbox.finish, event.id, self.name, "customer opted out", moment)
            return
        until = hold_until(moment, self.config.quiet_hours, event.urgent)
        if until is not None:
            await asyncio.to_thread(self.outbox.hold, event.id, self.name, until, "quiet hours")
            logger.info("notification event %s held until %s (quiet hours)", event.id, until.isoformat())
            return
        conversations = await asyncio.to_thread(self.outbox.linked_conversations, event.customer_id)
        delivered, retry, notes = 0, False, []
        for conversation in conversations:
            outcome = await self._deliver_to(event, conversation, recipient.language, moment)
            notes.append(f"{conversation.channel}: {outcome}")
            delivered += outcome == "delivered"
            retry = retry or outcome == "retry"
        if retry and event.attempts < MAX_EVENT_ATTEMPTS:
            backoff = timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (event.attempts - 1))
            await asyncio.to_thread(self.outbox.retry_later, event.id, self.name, moment + backoff, "; ".join(notes))
            return
        if retry:  # tried long enough: what is still unsent is given up, and email takes over
            for delivery in await asyncio.to_thread(self.outbox.deliveries, event.id):
                if delivery.status == "sending":
                    await asyncio.to_thread(self.outbox.mark, delivery.id, "failed",
                                            f"gave up after {event.attempts} attempts", now=moment)
        if not delivered:
            notification = render(event.kind, event.payload, recipient.language)
            body = f"{notification.text}\n\n{email_footer(notification.language, self.config.shop_name)}"
            queued = await asyncio.to_thread(self.outbox.queue_email, event.id, recipient, notification.subject,
                                             body, notification.language, moment)
            if queued:
                logger.info("order %s: %s update emailed to %s (no chat could take it)", event.order_id,
                            event.kind, masked_email(recipient.email))
            notes.append(f"{EMAIL_TARGET}: queued")
        await asyncio.to_thread(self.outbox.finish, event.id, self.name, "; ".join(notes) or "no targets", moment)

    async def _deliver_to(self, event: EventView, conversation: LinkedConversation, customer_language: str,
                          now: datetime) -> str:
        """``delivered``, ``skipped``, ``failed`` or ``retry`` for one linked conversation."""
        known = {d.target: d for d in await asyncio.to_thread(self.outbox.deliveries, event.id)}
        previous = known.get(conversation.target)
        if previous is not None and previous.status in ("delivered", "skipped", "failed"):
            return previous.status
        try:
            state = await self.rasa.conversation(conversation.conversation_id)
        except RasaRefused as exc:  # first: it is a RasaUnavailable too, but retrying will not help
            await asyncio.to_thread(self.outbox.record_skip, event.id, conversation.target, conversation.channel,
                                    conversation.conversation_id, str(exc), now)
            return "skipped"
        except RasaUnavailable as exc:
            logger.warning("notification event %s: %s", event.id, exc)
            return "retry"
        last_active = max(filter(None, (state.last_user_at, conversation.last_seen_at)), default=None)
        decision = route(conversation.channel, conversation.conversation_id, last_active, now,
                         whatsapp_template=self.config.whatsapp_template,
                         web_session_days=self.config.web_session_days)
        if not decision.send:
            await asyncio.to_thread(self.outbox.record_skip, event.id, conversation.target, conversation.channel,
                                    conversation.conversation_id, decision.reason, now)
            return "skipped"
        language = state.language or customer_language
        notification = render(event.kind, event.payload, language)
        delivery = await asyncio.to_thread(self.outbox.begin_delivery, event.id, conversation.target,
                                           conversation.channel, conversation.conversation_id,
                                           notification.language, decision.mode, now)
        if delivery.status == "delivered":
            return "delivered"
        if delivery.id in state.notification_deliveries:
            # a previous try reached the conversation but the worker stopped before writing it down
            await asyncio.to_thread(self.outbox.mark, delivery.id, "delivered", "found in the transcript", now=now)
            return "delivered"
        if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
            await asyncio.to_thread(self.outbox.mark, delivery.id, "failed",
                                    f"gave up after {delivery.attempts} attempts", now=now)
            return "failed"
        try:
            await self.rasa.deliver(conversation.conversation_id, conversation.channel, notification.chat_text(),
                                    [{"title": notification.button_title, "payload": STOP_PAYLOAD}],
                                    self._metadata(event, delivery.id, decision.mode, notification))
        except RasaRefused as exc:
            await asyncio.to_thread(self.outbox.mark, delivery.id, "failed", str(exc), attempted=True, now=now)
            return "failed"
        except RasaUnavailable as exc:
            await asyncio.to_thread(self.outbox.mark, delivery.id, "sending", str(exc), attempted=True, now=now)
            logger.warning("notification event %s to a %s conversation: %s", event.id, conversation.channel, exc)
            return "retry"
        await asyncio.to_thread(self.outbox.mark, delivery.id, "delivered", attempted=True, now=now)
        logger.info("order %s: %s update delivered on %s (%s)", event.order_id, event.kind, conversation.channel,
                    decision.mode)
        return "delivered"

    @staticmethod
    def _metadata(event: EventView, delivery_id: int, mode: str, notification: Notification) -> dict[str, object]:
        metadata: dict[str, object] = {"notification": {"event": event.id, "delivery": delivery_id,
                                                        "kind": event.kind, "order_id": event.order_id}}
        if mode.startswith("tag:"):
            metadata["messenger_tag"] = mode[len("tag:"):]
        elif mode.startswith("template:"):
            metadata["whatsapp_template"] = {"sid": mode[len("template:"):],
                                             "variables": {"1": event.order_id, "2": notification.text}}
        return metadata
