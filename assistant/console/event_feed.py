"""The console's own consumer of Rasa's event broker: live figures for the metrics page.

When ``RABBITMQ_URL`` is set, Rasa's Pika broker publishes every conversation event to the fanout exchange
``rasa-exchange``. The console declares that exchange exactly as Rasa 3.6 does (fanout, not durable, not
auto-deleted: ``rasa/core/brokers/pika.py`` calls aio-pika's ``declare_exchange`` with its defaults, and a
declaration with other flags would be refused by RabbitMQ), declares its own durable queue
``CONSOLE_EVENTS_QUEUE`` (default ``shop_console_events``) bound to it, and counts each event in
``LiveMetrics`` (``assistant.console.live_metrics``, in memory: a console restart starts from zero).

The queue keeps at most the last hour of events (``x-message-ttl``) and ``QUEUE_MAX_BYTES``, so a console
that is stopped leaves no unbounded backlog; when it starts again it first reads what arrived meanwhile.
Each console replica needs a queue name of its own: replicas sharing one would each see a part.

pika is synchronous: the consumer runs in one daemon thread. When RabbitMQ is down, restarts or refuses
the declaration, the thread logs it once, retries with exponential backoff (1 s doubling to 30 s) and the
live figures say why they are unavailable; the console itself never notices. A message that is not a Rasa
event (not JSON, not an object, no ``event`` or ``sender_id``) is acknowledged and counted as malformed.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from assistant.console.keys import SETTINGS
from assistant.console.live_metrics import LiveFigures, LiveMetrics
from assistant.runtime.endpoints import event_broker
from assistant.runtime.settings import Settings

__all__ = ["EVENT_FEED", "EXCHANGE", "EventFeed", "FeedStatus", "LiveView", "live_view", "queue_arguments",
           "setup"]

logger = logging.getLogger(__name__)

EXCHANGE = "rasa-exchange"  # rasa.core.brokers.pika.RABBITMQ_EXCHANGE
# The exchange exactly as Rasa 3.6.21 declares it (aio-pika's declare_exchange defaults); RabbitMQ refuses a
# second declaration that differs (PRECONDITION_FAILED), whichever of the two processes comes first.
EXCHANGE_DECLARATION: dict[str, Any] = {"exchange_type": "fanout", "durable": False, "auto_delete": False,
                                        "internal": False}
QUEUE_TTL_MS = 60 * 60 * 1000  # older events are outside the live window anyway
QUEUE_MAX_BYTES = 128 * 1024 * 1024  # the oldest are dropped beyond this (a long outage on a sale day)
PREFETCH = 500
POLL_SECONDS = 0.5  # how often the consumer thread looks at its stop flag while the queue is quiet
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
STOP_WAIT_SECONDS = 5.0

NOT_CONFIGURED = ("RABBITMQ_URL is not set: Rasa publishes no events, so there are no live figures "
                  "(see README \"Deployment and scale-out\")")


def queue_arguments() -> dict[str, Any]:
    """The console queue's arguments: bounded in age and size (a queue declared before with other arguments
    is refused by RabbitMQ: delete it, or choose another ``CONSOLE_EVENTS_QUEUE``)."""
    return {"x-message-ttl": QUEUE_TTL_MS, "x-max-length-bytes": QUEUE_MAX_BYTES}


@dataclass(frozen=True)
class FeedStatus:
    """Where the consumer stands, for the page and the JSON (no password in any field)."""

    configured: bool
    connected: bool
    reason: str | None  # why the figures are not live, None while connected
    broker: str | None  # host:port/vhost
    queue: str | None
    started_at: datetime | None  # counting since
    connected_since: datetime | None
    last_event_at: datetime | None
    events: int  # messages taken from the queue
    malformed: int

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"source": "rabbitmq", "available": self.connected, "reason": self.reason,
                "broker": self.broker, "queue": self.queue, "counting_since": iso(self.started_at),
                "connected_since": iso(self.connected_since), "last_event_at": iso(self.last_event_at),
                "events_received": self.events, "malformed_events": self.malformed}


@dataclass(frozen=True)
class LiveView:
    """What ``GET /api/metrics/live`` and the page's Live section show: the feed's status and, once the feed
    runs, the figures (kept while RabbitMQ is unreachable: they are what was counted until then)."""

    status: FeedStatus
    figures: LiveFigures | None

    @property
    def available(self) -> bool:
        return self.status.connected

    def to_dict(self) -> dict[str, Any]:
        return {**self.status.to_dict(), **(self.figures.to_dict() if self.figures else {})}


def describe_broker(url: str) -> str:
    """``host:port/vhost`` of an AMQP URL, for logs and the page: never the user or the password."""
    parsed = urlparse(url)
    port = parsed.port or (5671 if parsed.scheme == "amqps" else 5672)
    vhost = parsed.path.lstrip("/") or "/"
    return f"{parsed.hostname or '127.0.0.1'}:{port} (virtual host {vhost})"


def _problem(exc: BaseException) -> str:
    """A short description of a pika failure (pika's messages carry no credentials)."""
    text = str(exc).strip() or repr(exc)
    return f"{type(exc).__name__}: {text}"[:300]


class EventFeed:
    """One consumer thread on ``queue``; ``start()`` / ``stop()`` from the console's cleanup context."""

    def __init__(self, url: str, queue: str, metrics: LiveMetrics | None = None) -> None:
        self.url, self.queue = url, queue
        self.metrics = metrics or LiveMetrics()
        self.broker = describe_broker(url)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state_lock = threading.Lock()
        self._connected_since: datetime | None = None
        self._down_since: datetime | None = None
        self._reason: str | None = f"connecting to RabbitMQ at {self.broker}"
        self._started_at: datetime | None = None
        self._last_event_at: datetime | None = None
        self._events = 0
        self._malformed = 0
        self._warned_malformed = False

    # ---- life cycle

    def start(self) -> None:
        # pika logs every failed connection attempt at ERROR; the feed says it once itself (see _mark_down)
        logging.getLogger("pika").setLevel(logging.CRITICAL)
        self._started_at = datetime.now(timezone.utc)
        self._thread = threading.Thread(target=self._run, name="console-event-feed", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = STOP_WAIT_SECONDS) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def status(self) -> FeedStatus:
        with self._state_lock:
            return FeedStatus(configured=True, connected=self._connected_since is not None, reason=self._reason,
                              broker=self.broker, queue=self.queue, started_at=self._started_at,
                              connected_since=self._connected_since, last_event_at=self._last_event_at,
                              events=self._events, malformed=self._malformed)

    # ---- the thread

    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                self._consume()
            except Exception as exc:  # noqa: BLE001 - whatever happens, the console keeps running
                if self._stop.is_set():
                    break
                was_connected = self._mark_down(exc)
                if was_connected:
                    delay = BACKOFF_FIRST  # a fresh outage: try again soon
                if self._stop.wait(delay):
                    break
                delay = min(delay * 2, BACKOFF_MAX)

    def _consume(self) -> None:
        """Connects, declares, and consumes until stopped; raises when the connection or channel fails."""
        import pika

        parameters = pika.URLParameters(self.url)
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            channel.exchange_declare(EXCHANGE, **EXCHANGE_DECLARATION)
            channel.queue_declare(self.queue, durable=True, arguments=queue_arguments())
            channel.queue_bind(self.queue, EXCHANGE)
            channel.basic_qos(prefetch_count=PREFETCH)
            self._mark_up()
            for method, _properties, body in channel.consume(self.queue, inactivity_timeout=POLL_SECONDS):
                if self._stop.is_set():
                    return
                if method is None:
                    continue
                self._take(body)
                channel.basic_ack(method.delivery_tag)
            if not self._stop.is_set():
                raise ConnectionError(f"RabbitMQ cancelled the consumer of queue {self.queue} (deleted?)")
        finally:
            try:
                if connection.is_open:
                    connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass

    def _take(self, body: bytes) -> None:
        """Counts one message; a malformed one is counted as such and never raises."""
        try:
            counted = self.metrics.observe(json.loads(body))
        except Exception:  # noqa: BLE001 - bad JSON, bad encoding, or a bug: the message is dropped
            counted = False
        with self._state_lock:
            self._events += 1
            if counted:
                self._last_event_at = datetime.now(timezone.utc)
                return
            self._malformed += 1
            first = not self._warned_malformed
            self._warned_malformed = True
        if first:
            logger.warning("live metrics: a message on queue %s is not a Rasa event; it is dropped "
                           "(counted as malformed; further ones are not logged)", self.queue)

    def _mark_up(self) -> None:
        with self._state_lock:
            outage = self._down_since
            self._connected_since, self._down_since, self._reason = datetime.now(timezone.utc), None, None
        if outage is not None:
            logger.info("live metrics: RabbitMQ at %s is back (down since %s); consuming queue %s",
                        self.broker, outage.strftime("%H:%M:%S UTC"), self.queue)
        else:
            logger.info("live metrics: consuming queue %s from RabbitMQ at %s", self.queue, self.broker)

    def _mark_down(self, exc: BaseException) -> bool:
        """Records the failure; logs only the first of an outage. True when the feed was connected."""
        now = datetime.now(timezone.utc)
        with self._state_lock:
            was_connected = self._connected_since is not None
            first = self._down_since is None
            if first:
                self._down_since = now
            self._connected_since = None
            since = (self._down_since or now).strftime("%H:%M:%S UTC")
            self._reason = f"RabbitMQ at {self.broker} unreachable since {since} ({_problem(exc)}); retrying"
        if first:
            logger.warning("live metrics: RabbitMQ at %s unreachable (%s); retrying with backoff up to %g s, "
                           "the console works without it", self.broker, _problem(exc), BACKOFF_MAX)
        else:
            logger.debug("live metrics: RabbitMQ still unreachable: %s", _problem(exc))
        return was_connected


# ---- the console application --------------------------------------------------------------------------


EVENT_FEED: web.AppKey[EventFeed | None] = web.AppKey("event_feed")
FEED_PROBLEM: web.AppKey[str] = web.AppKey("event_feed_problem")  # why there is no feed


def _not_running(settings: Settings) -> str | None:
    """Why the feed cannot start for ``settings`` (None: it can)."""
    if not settings.rabbitmq_url.strip():
        return NOT_CONFIGURED
    try:
        event_broker(settings)  # the same checks as Rasa's endpoint: scheme, user and password
    except ValueError as exc:
        return f"{exc}; no live figures"
    return None


async def _feed(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    problem = _not_running(settings)
    feed = None if problem else EventFeed(settings.rabbitmq_url.strip(), settings.console_events_queue)
    app[EVENT_FEED], app[FEED_PROBLEM] = feed, problem or ""
    if feed is not None:
        feed.start()
    elif settings.rabbitmq_url.strip():
        logger.warning("live metrics: %s", problem)
    yield
    if feed is not None:
        await asyncio.to_thread(feed.stop)


def live_view(request: web.Request) -> LiveView:
    """The feed's status and figures for this console (unavailable, with the reason, without a feed)."""
    feed = request.config_dict[EVENT_FEED]
    if feed is None:
        status = FeedStatus(configured=False, connected=False, reason=request.config_dict[FEED_PROBLEM],
                            broker=None, queue=None, started_at=None, connected_since=None, last_event_at=None,
                            events=0, malformed=0)
        return LiveView(status, None)
    return LiveView(feed.status(), feed.metrics.snapshot())


def setup(app: web.Application) -> None:
    """Starts the consumer with the console (only when ``RABBITMQ_URL`` is set) and stops it at shutdown."""
    app.cleanup_ctx.append(_feed)
