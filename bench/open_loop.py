"""Open-loop load: messages at a fixed arrival rate, whatever the server's speed.

A closed loop (each shopper waits for its reply before sending again) slows its own sending when
the server slows, so the queueing a real shop would see never shows: the coordinated omission
problem. Here the send times are fixed in advance (:func:`arrival_offsets`) and every message's
latency runs from its *scheduled* send time to the end of its reply. A send that leaves late
(the client itself was busy) is still timed from its slot, so no delay goes unmeasured.

Conversations still make sense: a conversation's next message only goes after the reply to its
previous one plus a think time (:class:`ConversationPool`). A slot takes the conversation that has
been ready longest, or starts a new conversation when none is ready, so a slow server means more
conversations at once, never fewer messages.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from bench.figures import LoadResult, Outcome, latency_summary, scenario_summary
from bench.scenarios import Conversation, Message

ARRIVALS = ("poisson", "fixed")
DEFAULT_THINK_S = 2.0

SendFn = Callable[[str, Message], Awaitable[Outcome]]  # (sender, message) -> how it went


def arrival_offsets(rate: float, duration_s: float, arrivals: str, rng: random.Random) -> List[float]:
    """Send times in seconds from the start, all before ``duration_s``.

    ``fixed``: one every ``1/rate`` seconds. ``poisson``: independent arrivals (exponential gaps of
    mean ``1/rate``), as shoppers who do not know of each other arrive; bursts included.
    """
    if rate <= 0 or duration_s <= 0:
        raise ValueError(f"rate and duration must be positive, got {rate} msg/s for {duration_s} s")
    if arrivals == "fixed":
        return [k / rate for k in range(math.ceil(rate * duration_s)) if k / rate < duration_s]
    if arrivals != "poisson":
        raise ValueError(f"arrivals must be one of {', '.join(ARRIVALS)}, got {arrivals!r}")
    offsets: List[float] = []
    t = rng.expovariate(rate)
    while t < duration_s:
        offsets.append(t)
        t += rng.expovariate(rate)
    return offsets


class ConversationPool:
    """Which conversation sends the next scheduled message.

    A conversation may send its next message ``think_s`` after the reply to its previous one (a
    shopper reads, then types). Ready conversations wait in a heap by the time they became ready.
    """

    def __init__(self, conversations: Iterator[Conversation], think_s: float = DEFAULT_THINK_S) -> None:
        self._new = conversations
        self.think_s = think_s
        self._ready: List[Tuple[float, int, Conversation, int]] = []  # (ready at, tie-break, conversation, next)
        self._order = itertools.count()
        self.started = 0

    def next(self, now: float) -> Tuple[Conversation, int]:
        """The conversation and the index of the message to send now."""
        if self._ready and self._ready[0][0] <= now:
            _, _, conversation, index = heapq.heappop(self._ready)
            return conversation, index
        self.started += 1
        return next(self._new), 0

    def answered(self, conversation: Conversation, index: int, now: float) -> None:
        """Message ``index`` got its reply (or failed): the conversation goes on after the think time."""
        if index + 1 < len(conversation.messages):
            heapq.heappush(self._ready, (now + self.think_s, next(self._order), conversation, index + 1))


@dataclass
class OpenLoopRun:
    """The figures of one open-loop run at one offered rate."""

    rate: float
    duration_s: float
    arrivals: str
    result: LoadResult = field(default_factory=LoadResult)
    sent: int = 0
    in_flight: int = 0
    in_flight_at_end: int = 0
    answered_in_window: int = 0
    max_send_lag_s: float = 0.0
    conversations: int = 0

    def on_send(self, scheduled: float, now: float) -> None:
        self.sent += 1
        self.in_flight += 1
        self.max_send_lag_s = max(self.max_send_lag_s, now - scheduled)

    def on_reply(self, scenario: str, outcome: Outcome, scheduled: float, done: float, window_end: float,
                 text: Optional[str] = None) -> None:
        """Latency is counted from the scheduled send time, so time spent queueing anywhere counts."""
        self.in_flight -= 1
        if done <= window_end:
            self.answered_in_window += 1
        self.result.record_outcome(outcome, done - scheduled, scenario, text=text)

    def give_up(self, waited_s: float) -> None:
        """Messages unanswered after the drain count as errors (they have no latency to report)."""
        if self.in_flight:
            self.result.record(None, f"{self.in_flight} messages unanswered {waited_s:.0f} s after the last "
                                     "scheduled send", self.in_flight)
            self.in_flight = 0

    def summary(self) -> Dict[str, Any]:
        result = self.result
        return {
            "offered_rate": self.rate,
            "arrivals": self.arrivals,
            "duration_s": self.duration_s,
            "sent": self.sent,
            "sent_rate": round(self.sent / self.duration_s, 2),
            "answered": len(result.latencies_s),
            "achieved_rate": round(self.answered_in_window / self.duration_s, 2),
            "latency_ms": latency_summary(result.latencies_s),
            "errors": result.errors,
            "wrong_replies": result.wrong_replies,
            "repeated_texts": round(result.repeated_texts / result.finished, 3) if result.finished else None,
            "error_examples": result.error_examples,
            "in_flight_at_end": self.in_flight_at_end,
            "max_send_lag_ms": round(self.max_send_lag_s * 1000, 1),
            "conversations": self.conversations,
            "by_scenario": {name: scenario_summary(r) for name, r in sorted(result.by_scenario.items())},
        }


async def run_open_loop(
    send: SendFn, pool: ConversationPool, offsets: Sequence[float], run: OpenLoopRun, drain_s: float,
) -> OpenLoopRun:
    """Sends a message at each offset, then waits up to ``drain_s`` for the replies still in flight."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    window_end = start + run.duration_s
    tasks: List[asyncio.Task] = []

    async def exchange(conversation: Conversation, index: int, scheduled: float) -> None:
        outcome = await send(conversation.sender, conversation.messages[index])
        done = loop.time()
        run.on_reply(conversation.scenario, outcome, scheduled, done, window_end, conversation.messages[index].text)
        pool.answered(conversation, index, done)

    try:
        for offset in offsets:
            scheduled = start + offset
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            conversation, index = pool.next(loop.time())
            run.on_send(scheduled, loop.time())
            tasks.append(asyncio.create_task(exchange(conversation, index, scheduled)))
        await asyncio.sleep(max(0.0, window_end - loop.time()))
        run.in_flight_at_end = run.in_flight
        pending = [task for task in tasks if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=drain_s)
    finally:  # on the drain's end, Ctrl-C or an error: nothing outlives the run
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # a bug in this script, not a server error
    run.give_up(drain_s)
    run.conversations = pool.started
    return run

