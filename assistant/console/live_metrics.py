"""Live operational figures from Rasa's conversation events, kept in memory for a sliding window.

``LiveMetrics.observe(event)`` takes one event as Rasa's event broker publishes it (a JSON object with
``sender_id``, ``event``, ``timestamp``, ``text``, ``parse_data``, ``metadata``, ``input_channel``...);
``snapshot()`` returns the figures of the last ``window_minutes`` (60) minutes. It is plain Python, fed by
``assistant.console.event_feed`` from RabbitMQ and tested directly on event dicts.

Definitions (each event is placed by its own ``timestamp``, so a backlog read late still lands in the minute
it happened; a timestamp ahead of the console's clock counts as now):

- shopper message: a ``user`` event, except the ones the system triggers (text ``EXTERNAL: ...`` or
  ``metadata.is_external``, e.g. the console's "resolved");
- bot reply: a ``bot`` event that is neither an agent's message (``metadata.agent``, counted as agent
  messages) nor a proactive order update (``metadata.notification``, counted as notifications);
- active conversations: distinct conversations with a shopper message in the last 5 and 15 minutes, and
  those of the last 15 minutes by their current language (the ``language`` slot Rasa sets after each
  message) and by the channel of their last message;
- bot reply time: from the first shopper message the bot has not answered yet to the next bot reply in the
  same conversation, both by their timestamps (two Rasa processes may publish a reply after the next
  message); not measured while a person owns the conversation (``handoff_active``), nor beyond
  ``MAX_REPLY_SECONDS``. Median and 95th percentile (nearest rank) over the window; past
  ``SAMPLES_PER_MINUTE`` replies in one minute a uniform sample of that minute is kept, weighted by the
  minute's count;
- fallback rate: shopper messages that fell back (intent ``nlu_fallback``, or a fallback action in that
  turn) ÷ shopper messages;
- handoffs started: the ``handoff_active`` slot (a person owns the chat) or ``handoff_waiting`` (a ticket
  waits for the team after hours, the bot still answering) turning true in a conversation that had neither;
- sessions started: ``session_started`` events (a new or expired conversation);
- top intents: the intents of shopper messages, most frequent first.

Privacy: no message text, entity or slot value other than the language is kept. Conversation ids are held
only as keyed hashes (a random key per process, so they cannot be matched against a list of phone numbers)
to tell conversations apart, and dropped once idle for the window. A console restart starts from zero.
"""
from __future__ import annotations

import bisect
import hashlib
import math
import random
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["FALLBACK_ACTIONS", "LiveFigures", "LiveMetrics", "MinuteCount", "ranked", "weighted_quantiles"]

WINDOW_MINUTES = 60
ACTIVE_MINUTES = (5, 15)
MAX_REPLY_SECONDS = 15 * 60.0  # a later "reply" answers something else: not a reply time
SAMPLES_PER_MINUTE = 1000  # reply times kept per minute; beyond that a uniform sample, weighted
MAX_UNANSWERED = 20  # shopper messages in a row the bot has not answered, kept per conversation
MAX_CLOCK_SKEW_SECONDS = 300.0  # a timestamp further ahead of the console's clock is taken as "now"
MAX_CONVERSATIONS = 50_000  # conversation states kept at most (the least recently active go first)
MAX_KEYS_PER_MINUTE = 200  # distinct intents per minute; the rest count as "other"
MAX_KEY_LENGTH = 64
TOP_INTENTS = 10
EXTERNAL_PREFIX = "EXTERNAL: "  # Rasa's text for an intent triggered through its HTTP API
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback", "action_two_stage_fallback"})
HANDOFF_SLOT = "handoff_active"
WAITING_SLOT = "handoff_waiting"
LANGUAGE_SLOT = "language"
OTHER = "other"
UNKNOWN = "unknown"


# ---- the figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinuteCount:
    minute: datetime  # the minute's start, UTC
    shopper_messages: int
    bot_replies: int


@dataclass(frozen=True)
class LiveFigures:
    """The window's figures at ``generated_at``; see the module docstring for each definition."""

    generated_at: datetime
    window_minutes: int
    per_minute: tuple[MinuteCount, ...]  # oldest first, one per minute of the window, zeros included
    shopper_messages: int
    bot_replies: int
    agent_messages: int
    notifications: int
    sessions_started: int
    active_5_minutes: int
    active_15_minutes: int
    reply_median_seconds: float | None
    reply_p95_seconds: float | None
    replies_measured: int
    fallbacks: int
    fallback_rate: float | None
    handoffs_started: int
    top_intents: tuple[tuple[str, int], ...]
    active_by_language: tuple[tuple[str, int], ...]
    active_by_channel: tuple[tuple[str, int], ...]

    @property
    def last_5_minutes_messages(self) -> int:
        return sum(m.shopper_messages for m in self.per_minute[-5:])

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(), "window_minutes": self.window_minutes,
            "per_minute": [{"minute": m.minute.isoformat(), "shopper_messages": m.shopper_messages,
                            "bot_replies": m.bot_replies} for m in self.per_minute],
            "shopper_messages": self.shopper_messages, "bot_replies": self.bot_replies,
            "agent_messages": self.agent_messages, "notifications": self.notifications,
            "sessions_started": self.sessions_started,
            "active_conversations": {
                "last_5_minutes": self.active_5_minutes, "last_15_minutes": self.active_15_minutes,
                "by_language": [{"language": k, "conversations": n} for k, n in self.active_by_language],
                "by_channel": [{"channel": k, "conversations": n} for k, n in self.active_by_channel],
            },
            "reply_time_seconds": {"median": _rounded(self.reply_median_seconds),
                                   "p95": _rounded(self.reply_p95_seconds), "measured": self.replies_measured},
            "fallbacks": self.fallbacks, "fallback_rate": self.fallback_rate,
            "handoffs_started": self.handoffs_started,
            "top_intents": [{"intent": k, "count": n} for k, n in self.top_intents],
        }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)  # milliseconds: the events' clock is no finer


def weighted_quantiles(samples: Iterable[tuple[float, float]], qs: Sequence[float]) -> list[float | None]:
    """The nearest-rank quantiles ``qs`` of ``(value, weight)`` pairs: for each q, the smallest value whose
    cumulative weight reaches q of the total (None each without samples). One sort for all of them."""
    ordered = sorted((value, weight) for value, weight in samples if weight > 0)
    if not ordered:
        return [None for _ in qs]
    total = sum(weight for _, weight in ordered)
    results: list[float | None] = []
    for q in qs:
        target = min(max(q, 0.0), 1.0) * total * (1 - 1e-12)
        cumulative, chosen = 0.0, ordered[-1][0]
        for value, weight in ordered:
            cumulative += weight
            if cumulative >= target:
                chosen = value
                break
        results.append(chosen)
    return results


# ---- the state ----------------------------------------------------------------------------------------


@dataclass
class _Minute:
    shopper_messages: int = 0
    bot_replies: int = 0
    agent_messages: int = 0
    notifications: int = 0
    sessions_started: int = 0
    fallbacks: int = 0
    handoffs: int = 0
    intents: Counter[str] = field(default_factory=Counter)
    reply_samples: list[float] = field(default_factory=list)
    replies_measured: int = 0

    def add_reply_time(self, seconds: float, rng: random.Random) -> None:
        """Keeps every reply time up to SAMPLES_PER_MINUTE, then a uniform sample (reservoir sampling)."""
        self.replies_measured += 1
        if len(self.reply_samples) < SAMPLES_PER_MINUTE:
            self.reply_samples.append(seconds)
            return
        slot = rng.randrange(self.replies_measured)
        if slot < SAMPLES_PER_MINUTE:
            self.reply_samples[slot] = seconds

    def add_intent(self, intent: str) -> None:
        key = intent if intent in self.intents or len(self.intents) < MAX_KEYS_PER_MINUTE else OTHER
        self.intents[key] += 1


@dataclass
class _Conversation:
    last_event: float  # any event, for dropping idle conversations
    last_message: float | None = None  # the last shopper message
    # the times of the shopper messages the bot has not answered yet (the oldest first, a few at most)
    unanswered: list[float] = field(default_factory=list)
    turn_fell_back: bool = True  # the current turn already counted as a fallback (True: no turn yet)
    handoff: bool = False  # a person owns the chat
    waiting: bool = False  # a ticket waits for the team after hours
    language: str | None = None
    channel: str | None = None


def _label(value: Any) -> str | None:
    """A short, printable key (intent, language, channel) from an event field, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return "".join(ch for ch in value.strip() if ch.isprintable())[:MAX_KEY_LENGTH] or None


def _intent(event: Mapping[str, Any]) -> str | None:
    parse_data = event.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, Mapping) else None
    return _label(intent.get("name")) if isinstance(intent, Mapping) else None


def _metadata(event: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    """(label, count) pairs, most first and then by label; zero counts (after a subtraction) left out."""
    return tuple(sorted(((k, n) for k, n in counter.items() if n > 0), key=lambda item: (-item[1], item[0])))


class LiveMetrics:
    """Thread-safe: the RabbitMQ consumer thread observes, the console's handlers take snapshots."""

    def __init__(self, window_minutes: int = WINDOW_MINUTES, clock: Callable[[], float] = time.time,
                 max_conversations: int = MAX_CONVERSATIONS) -> None:
        if window_minutes < max(ACTIVE_MINUTES):
            raise ValueError(f"the window must cover at least {max(ACTIVE_MINUTES)} minutes")
        self.window_minutes = window_minutes
        self.max_conversations = max_conversations
        self._clock = clock
        self._lock = threading.Lock()
        self._minutes: dict[int, _Minute] = {}
        self._conversations: OrderedDict[bytes, _Conversation] = OrderedDict()
        self._pruned_through: int | None = None
        self._key = secrets.token_bytes(16)
        self._rng = random.Random()

    # ---- input

    def observe(self, event: Any) -> bool:
        """Counts one broker event; False (and nothing counted) when it is not a Rasa event."""
        if not isinstance(event, Mapping):
            return False
        kind, sender = event.get("event"), event.get("sender_id")
        if not isinstance(kind, str) or not isinstance(sender, str) or not sender:
            return False
        now = self._clock()
        stamp = event.get("timestamp")
        if (isinstance(stamp, bool) or not isinstance(stamp, (int, float)) or not math.isfinite(stamp)
                or stamp > now + MAX_CLOCK_SKEW_SECONDS):
            stamp = now  # Rasa always sends one; without a sensible one, the moment it arrived
        with self._lock:
            self._prune(now)
            conversation = self._conversation(sender, float(stamp))
            minute = self._minute(min(float(stamp), now), now)
            handler = self._HANDLERS.get(kind)
            if handler is not None:
                handler(self, event, float(stamp), conversation, minute)
        return True

    def _on_user(self, event: Mapping[str, Any], stamp: float, conversation: _Conversation,
                 minute: _Minute | None) -> None:
        text = event.get("text")
        if (isinstance(text, str) and text.startswith(EXTERNAL_PREFIX)) or _metadata(event).get("is_external"):
            return  # triggered by the system (the console's "resolved"), not written by the shopper
        intent = _intent(event)
        conversation.last_message = stamp
        conversation.channel = _label(event.get("input_channel")) or conversation.channel
        conversation.turn_fell_back = intent == FALLBACK_INTENT
        if not conversation.handoff:
            bisect.insort(conversation.unanswered, stamp)
            del conversation.unanswered[:-MAX_UNANSWERED]
        if minute is not None:
            minute.shopper_messages += 1
            minute.fallbacks += conversation.turn_fell_back
            if intent:
                minute.add_intent(intent)

    def _on_bot(self, event: Mapping[str, Any], stamp: float, conversation: _Conversation,
                minute: _Minute | None) -> None:
        metadata = _metadata(event)
        if metadata.get("agent"):
            if minute is not None:
                minute.agent_messages += 1
            return
        if metadata.get("notification"):
            if minute is not None:
                minute.notifications += 1
            return
        # By timestamps, not arrival: two Rasa processes publish independently, so the next message of a
        # conversation (taken by one process) can reach the queue before the reply to the previous one.
        answered = bisect.bisect_right(conversation.unanswered, stamp)
        waited = stamp - conversation.unanswered[0] if answered else None
        del conversation.unanswered[:answered]
        if minute is None:
            return
        minute.bot_replies += 1
        if waited is not None and 0 <= waited <= MAX_REPLY_SECONDS:
            minute.add_reply_time(waited, self._rng)

    def _on_action(self, event: Mapping[str, Any], _stamp: float, conversation: _Conversation,
                   minute: _Minute | None) -> None:
        if event.get("name") in FALLBACK_ACTIONS and not conversation.turn_fell_back:
            conversation.turn_fell_back = True
            if minute is not None:
                minute.fallbacks += 1

    def _on_slot(self, event: Mapping[str, Any], _stamp: float, conversation: _Conversation,
                 minute: _Minute | None) -> None:
        name, value = event.get("name"), event.get("value")
        if name in (HANDOFF_SLOT, WAITING_SLOT):
            started = value is True and not (conversation.handoff or conversation.waiting)
            if name == HANDOFF_SLOT:
                conversation.handoff = value is True
                if conversation.handoff:
                    conversation.unanswered.clear()  # a person answers from here on
            else:
                conversation.waiting = value is True
            if started and minute is not None:
                minute.handoffs += 1
        elif name == LANGUAGE_SLOT and (language := _label(value)):
            conversation.language = language

    def _on_session_started(self, _event: Mapping[str, Any], _stamp: float, _conversation: _Conversation,
                            minute: _Minute | None) -> None:
        if minute is not None:
            minute.sessions_started += 1

    _HANDLERS: dict[str, Callable[..., None]] = {
        "user": _on_user, "bot": _on_bot, "action": _on_action, "slot": _on_slot,
        "session_started": _on_session_started,
    }

    # ---- state upkeep (under the lock)

    def _conversation(self, sender: str, stamp: float) -> _Conversation:
        key = hashlib.blake2b(sender.encode("utf-8", "replace"), key=self._key, digest_size=16).digest()
        conversation = self._conversations.get(key)
        if conversation is None:
            conversation = self._conversations[key] = _Conversation(last_event=stamp)
            while len(self._conversations) > self.max_conversations:
                self._conversations.popitem(last=False)
        else:
            conversation.last_event = max(conversation.last_event, stamp)
            self._conversations.move_to_end(key)
        return conversation

    def _minute(self, stamp: float, now: float) -> _Minute | None:
        """The bucket of ``stamp``'s minute, None when it is older than the window."""
        index = int(stamp // 60)
        if index <= int(now // 60) - self.window_minutes:
            return None
        bucket = self._minutes.get(index)
        if bucket is None:
            bucket = self._minutes[index] = _Minute()
        return bucket

    def _prune(self, now: float) -> None:
        oldest = int(now // 60) - self.window_minutes
        if oldest != self._pruned_through:  # minutes leave the window once a minute
            self._pruned_through = oldest
            for index in [i for i in self._minutes if i <= oldest]:
                del self._minutes[index]
        idle_before = now - self.window_minutes * 60
        while self._conversations:
            key, conversation = next(iter(self._conversations.items()))
            if conversation.last_event >= idle_before:
                break
            del self._conversations[key]

    # ---- output

    def snapshot(self) -> LiveFigures:
        now = self._clock()
        with self._lock:
            self._prune(now)
            current = int(now // 60)
            indexes = range(current - self.window_minutes + 1, current + 1)
            minutes = [self._minutes.get(i) or _Minute() for i in indexes]
            intents: Counter[str] = Counter()
            for bucket in minutes:
                intents.update(bucket.intents)
            samples = [(seconds, bucket.replies_measured / len(bucket.reply_samples))
                       for bucket in minutes if bucket.reply_samples for seconds in bucket.reply_samples]
            active = {span: [c for c in self._conversations.values()
                             if c.last_message is not None and c.last_message >= now - span * 60]
                      for span in ACTIVE_MINUTES}
        recent = active[max(ACTIVE_MINUTES)]
        median, p95 = weighted_quantiles(samples, (0.5, 0.95))
        shopper_messages = sum(b.shopper_messages for b in minutes)
        fallbacks = sum(b.fallbacks for b in minutes)
        return LiveFigures(
            generated_at=datetime.fromtimestamp(now, timezone.utc), window_minutes=self.window_minutes,
            per_minute=tuple(MinuteCount(datetime.fromtimestamp(i * 60, timezone.utc), b.shopper_messages,
                                         b.bot_replies) for i, b in zip(indexes, minutes)),
            shopper_messages=shopper_messages, bot_replies=sum(b.bot_replies for b in minutes),
            agent_messages=sum(b.agent_messages for b in minutes),
            notifications=sum(b.notifications for b in minutes),
            sessions_started=sum(b.sessions_started for b in minutes),
            active_5_minutes=len(active[5]), active_15_minutes=len(active[15]),
            reply_median_seconds=median, reply_p95_seconds=p95,
            replies_measured=sum(b.replies_measured for b in minutes),
            fallbacks=fallbacks, fallback_rate=fallbacks / shopper_messages if shopper_messages else None,
            handoffs_started=sum(b.handoffs for b in minutes),
            top_intents=ranked(intents)[:TOP_INTENTS],
            active_by_language=ranked(Counter(c.language or UNKNOWN for c in recent)),
            active_by_channel=ranked(Counter(c.channel or UNKNOWN for c in recent)),
        )
