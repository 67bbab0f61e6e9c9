"""The open loop's scheduler: arrival times, which conversation speaks next, and latency from the schedule."""
from __future__ import annotations

import asyncio
import random
import time
from typing import Dict, Iterator, List

import pytest

from bench.figures import Outcome
from bench.open_loop import ConversationPool, OpenLoopRun, arrival_offsets, run_open_loop
from bench.scenarios import Conversation, Message
from tests.asyncio_thread import run_async


def conversations(length: int = 4, prefix: str = "c") -> Iterator[Conversation]:
    number = 0
    while True:
        yield Conversation(f"{prefix}{number}", [Message(f"{prefix}{number} m{i}") for i in range(length)], "knowledge")
        number += 1


# --- arrival times -------------------------------------------------------------------------------------


def test_fixed_arrivals_are_one_interval_apart_inside_the_window() -> None:
    offsets = arrival_offsets(5, 2, "fixed", random.Random(0))
    assert offsets == pytest.approx([k * 0.2 for k in range(10)])


def test_poisson_arrivals_have_the_offered_rate_on_average() -> None:
    offsets = arrival_offsets(50, 100, "poisson", random.Random(1))
    assert offsets == sorted(offsets) and 0 < offsets[0] and offsets[-1] < 100
    assert abs(len(offsets) - 5000) < 300  # about 4 standard deviations
    gaps = [b - a for a, b in zip(offsets, offsets[1:])]
    assert sum(gaps) / len(gaps) == pytest.approx(1 / 50, rel=0.05)
    assert arrival_offsets(50, 100, "poisson", random.Random(1)) == offsets  # seeded


@pytest.mark.parametrize(("rate", "duration", "arrivals"), [(0, 10, "fixed"), (5, 0, "poisson"), (5, 10, "burst")])
def test_arrival_offsets_refuse_nonsense(rate: float, duration: float, arrivals: str) -> None:
    with pytest.raises(ValueError):
        arrival_offsets(rate, duration, arrivals, random.Random(0))


# --- which conversation speaks ------------------------------------------------------------------------


def test_pool_starts_a_conversation_when_none_is_ready_and_resumes_after_the_think_time() -> None:
    pool = ConversationPool(conversations(length=2), think_s=2.0)
    first, index = pool.next(now=0.0)
    assert (first.sender, index) == ("c0", 0)
    pool.answered(first, 0, now=0.5)  # ready again at 2.5
    second, index = pool.next(now=1.0)
    assert (second.sender, index) == ("c1", 0)
    again, index = pool.next(now=2.5)
    assert (again.sender, index) == ("c0", 1)
    pool.answered(again, 1, now=3.0)  # its last message: the conversation is over
    assert pool.next(now=10.0)[0].sender == "c2"
    assert pool.started == 3


def test_pool_resumes_the_conversation_ready_longest() -> None:
    pool = ConversationPool(conversations(length=3), think_s=1.0)
    a, _ = pool.next(0.0)
    b, _ = pool.next(0.0)
    pool.answered(b, 0, now=0.1)
    pool.answered(a, 0, now=0.2)
    assert pool.next(5.0)[0] is b
    assert pool.next(5.0)[0] is a


# --- latency accounting ------------------------------------------------------------------------------


def test_latency_runs_from_the_scheduled_time_not_the_send_time() -> None:
    run = OpenLoopRun(rate=10, duration_s=5, arrivals="fixed")
    run.on_send(scheduled=1.0, now=1.25)  # the client sent 250 ms late
    assert run.in_flight == 1 and run.max_send_lag_s == pytest.approx(0.25)
    run.on_reply("knowledge", Outcome(True), scheduled=1.0, done=1.4, window_end=6.0)
    assert run.result.latencies_s == [pytest.approx(0.4)]  # not the 0.15 s since the send
    assert run.in_flight == 0 and run.answered_in_window == 1
    assert run.result.by_scenario["knowledge"].latencies_s == [pytest.approx(0.4)]


def test_replies_after_the_window_count_in_latency_but_not_in_the_achieved_rate() -> None:
    run = OpenLoopRun(rate=10, duration_s=5, arrivals="fixed")
    for scheduled in (4.5, 4.9):
        run.on_send(scheduled, scheduled)
    run.on_reply("order_status", Outcome(True), scheduled=4.5, done=4.8, window_end=5.0)
    run.on_reply("order_status", Outcome(True, "HTTP 500", False), scheduled=4.9, done=7.9, window_end=5.0)
    summary = run.summary()
    assert summary["sent"] == 2 and summary["errors"] == 1 and summary["wrong_replies"] == 0
    assert summary["achieved_rate"] == pytest.approx(1 / 5)
    assert summary["latency_ms"]["max"] == pytest.approx(3000.0)


def test_unanswered_messages_become_errors_without_a_latency() -> None:
    run = OpenLoopRun(rate=10, duration_s=1, arrivals="fixed")
    for scheduled in (0.1, 0.2, 0.3):
        run.on_send(scheduled, scheduled)
    run.give_up(waited_s=60)
    assert run.result.errors == 3 and run.result.finished == 3 and run.result.latencies_s == []
    assert run.in_flight == 0


# --- the loop itself (real time, a few tenths of a second) --------------------------------------------


def test_a_slow_server_shows_as_queueing_delay_and_messages_in_flight() -> None:
    """A server serving one message at a time in 40 ms gets 50 msg/s: latency grows, sending does not wait."""
    lock = asyncio.Lock()

    async def serial_server(sender: str, message: Message) -> Outcome:
        async with lock:
            await asyncio.sleep(0.04)
        return Outcome(True)

    offsets = arrival_offsets(50, 0.4, "fixed", random.Random(0))
    run = OpenLoopRun(rate=50, duration_s=0.4, arrivals="fixed")
    pool = ConversationPool(conversations(length=1), think_s=0.0)
    run_async(run_open_loop(serial_server, pool, offsets, run, drain_s=5.0))

    assert run.sent == 20 and run.result.finished == 20 and run.result.errors == 0
    latencies = run.result.latencies_s
    assert min(latencies) >= 0.035
    assert max(latencies) >= 0.3  # the 20th waited behind 19 others: ~0.42 s after its slot
    assert run.in_flight_at_end >= 5  # the server had done about half by the window's end
    assert run.answered_in_window + run.in_flight_at_end == run.sent
    assert run.max_send_lag_s < 0.1  # the client kept its schedule


def test_a_late_client_still_times_from_the_schedule() -> None:
    """A stall in the client (here: the first reply blocks the event loop) delays sends; their latency shows it."""
    async def stalling_server(sender: str, message: Message) -> Outcome:
        if message.text.startswith("c0 "):
            time.sleep(0.25)  # blocks the loop: nothing can be sent meanwhile
        return Outcome(True)

    offsets = arrival_offsets(40, 0.3, "fixed", random.Random(0))
    run = OpenLoopRun(rate=40, duration_s=0.3, arrivals="fixed")
    run_async(run_open_loop(stalling_server, ConversationPool(conversations(length=1)), offsets, run, 2.0))
    assert run.max_send_lag_s >= 0.15
    assert max(run.result.latencies_s) >= 0.15  # the message due at 25 ms went out after the stall


def test_a_conversation_never_has_two_messages_in_flight_and_keeps_its_order() -> None:
    active: Dict[str, bool] = {}
    sent: Dict[str, List[str]] = {}

    async def server(sender: str, message: Message) -> Outcome:
        assert not active.get(sender), f"{sender} sent before its previous reply"
        active[sender] = True
        sent.setdefault(sender, []).append(message.text)
        await asyncio.sleep(0.03)
        active[sender] = False
        return Outcome(True)

    offsets = arrival_offsets(100, 0.3, "fixed", random.Random(0))
    run = OpenLoopRun(rate=100, duration_s=0.3, arrivals="fixed")
    run_async(run_open_loop(server, ConversationPool(conversations(length=4), think_s=0.01), offsets, run, 2.0))
    assert run.sent == 30 and run.result.errors == 0
    for sender, texts in sent.items():
        assert texts == [f"{sender} m{i}" for i in range(len(texts))]
    assert run.conversations == len(sent)


def test_replies_not_back_after_the_drain_are_errors() -> None:
    async def silent_server(sender: str, message: Message) -> Outcome:
        await asyncio.sleep(10)
        return Outcome(True)

    offsets = arrival_offsets(20, 0.2, "fixed", random.Random(0))
    run = OpenLoopRun(rate=20, duration_s=0.2, arrivals="fixed")
    run_async(run_open_loop(silent_server, ConversationPool(conversations()), offsets, run, drain_s=0.1))
    assert run.in_flight_at_end == run.sent == 4
    assert run.result.errors == 4 and run.result.latencies_s == []
    assert run.summary()["in_flight_at_end"] == 4
