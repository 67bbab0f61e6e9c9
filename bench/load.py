"""Load benchmark: simulated shoppers against the assistant and against a plain ``rasa init`` bot.

    python -m bench.load [--scenario order_status knowledge product_search long] [--seed 1]
                         [--shoppers 50] [--rounds 3]                      # closed loop (default)
                         [--open-loop 30 | --rates 10,20,30] [--duration 60] [--arrivals poisson]
                         [--long-turns 60] [--model PATH] [--skip-baseline] [--timeout 3600]
                         [--rasa-processes 1] [--action-workers 1] [--tracker-store sqlite]

What is measured
----------------
* **The assistant.** A fresh shop database is seeded in a temporary folder and the
  real stack is started on free ports (action server, then Rasa, exactly as the
  end-to-end tests do; the knowledge-base index is the one in ``var/kb``). Simulated
  shoppers talk to it over the REST channel ``POST /webhooks/rest/webhook``.
* **Scenarios** (``--scenario``, several allowed; default all; see ``bench/scenarios.py``):
  ``order_status`` (opening question -> order number -> email -> "thanks"; the reply to the
  email must carry the order's status), ``knowledge`` (four shop questions; each reply must cite
  a knowledge-base source), ``product_search`` (four product requests; each reply must contain
  products) and ``long`` (one conversation of ``--long-turns`` turns, run three times under three
  senders; the median latency of each turn, its first five vs its last five turns). Messages are
  held-out NLU examples (``nlu_data/eval``) in the four languages, drawn by intent with
  ``--seed`` (``bench/phrasings.py``), so no cache sees only a handful of texts. Each conversation has its own sender, so the assistant never skips the
  email question because a shopper was verified before.
* **Closed loop** (default): ``--shoppers`` shoppers run at the same time (asyncio, one aiohttp
  session), each ``--rounds`` conversations, the load scenarios dealt out round-robin. A shopper
  sends its next message as soon as the reply arrives (no think time), so this measures the
  system saturated by ``--shoppers`` concurrent conversations. Latency of a message: from
  sending the request to having read the whole reply. Throughput: messages answered per second
  of the load phase's wall time.
* **Open loop** (``--open-loop RATE`` or a sweep ``--rates 10,20,30``, for ``--duration``
  seconds each): messages are scheduled at the offered rate, Poisson arrivals by default
  (``--arrivals fixed`` for one every 1/RATE s), whatever the server does; a conversation sends
  its next message ``--think-time`` seconds after its previous reply, and a new conversation
  starts whenever no running one is ready. Latency runs from the *scheduled* send time, so
  queueing is measured (no coordinated omission; ``bench/open_loop.py``). Reported per rate:
  p50/p95/p99/max, sent and achieved rate (replies completed inside the window per second),
  errors, and the messages still in flight when the window closed (they are waited for, up to
  the request timeout, and their latency counts).
* **The long conversation** runs alone after the load phase, one message after the other, three
  times (:data:`LONG_REPEATS`): a single run's five-turn means moved between 1.09 and 1.35 from one run
  to the next with the same messages, one slow turn being enough.
* **Errors**: no HTTP 200 (timeout 60 s), or a reply that fails its scenario's check
  (``wrong_replies``, a subset of ``errors``). Latency percentiles cover every message that got
  an HTTP answer.
* **Peak RSS** of each server process plus its children (psutil), sampled every
  0.2 s by a background thread during the measured phases. RSS of a parent and its
  children is summed, so shared pages count more than once.
* **Baseline.** The bot ``rasa init`` creates (trained once and cached in
  ``var/bench-baseline/``) is run with ``rasa run --enable-api`` and gets the same
  load: same phases, shoppers, rates and texts. It answers with its small-talk replies,
  so only non-200 answers count as its errors. It keeps conversations in memory
  and has no action server, so it is the floor of what Rasa itself costs.
* **Processes** (``--rasa-processes N``, ``--action-workers N``, ``--tracker-store``): with several
  Rasa processes the bench routes each conversation to one of them by its sender (a balancer with
  session affinity); the assistant's processes share the tracker store (SQLite, or a PostgreSQL
  database created for the run) and the Redis lock store (:class:`Deployment`), the baseline's keep
  conversations in memory. CPU and RSS are reported per process (``rasa``, ``rasa-2``...).

Unmeasured warm-up conversations (one per scenario and language) run before each system's
measured phases. The two systems run one after the other, never together. Every process started
here is stopped on exit, also on errors, Ctrl-C and SIGTERM. One JSON object goes to stdout and,
with a plot of latency over load (matplotlib), to ``var/bench/`` (``--out-dir``); logs go to stderr.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import aiohttp
import psutil

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, Stack, make_stack, stop_process_group, wait_http
from assistant.runtime.training import ensure_model, rasa_env
from assistant.shop.demo.sample_orders import sample_orders
from assistant.shop.storage.db import make_engine, session_factory
from bench.figures import (
    LoadResult,
    Outcome,
    first_and_last,
    latency_summary,
    percentile,  # noqa: F401  (moved to bench/figures.py; still importable from here)
    ratio,
    scenario_summary,
)
from bench.open_loop import (
    ARRIVALS,
    DEFAULT_THINK_S,
    ConversationPool,
    OpenLoopRun,
    arrival_offsets,
    run_open_loop,
)
from bench.phrasings import LANGUAGES, Phrasing, PhrasingSampler, load_phrasings
from bench.scenarios import (
    LOAD_SCENARIOS,
    LONG,
    LONG_EDGE,
    MIN_LONG_TURNS,
    SCENARIOS,
    Check,  # noqa: F401  (the shoppers' script moved to bench/scenarios.py; still importable from here)
    Conversation,
    Message,
    Planner,
    messages_per_round,
    order_conversation,  # noqa: F401
    plan_shoppers,
    status_check,  # noqa: F401
)

logger = logging.getLogger("bench.load")

RASA_CLI = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
BASELINE_DIR = REPO_ROOT / "var" / "bench-baseline"
KB_INDEX_DIR = REPO_ROOT / "var" / "kb"  # built by setup; the temporary SHOP_VAR_DIR has none
OUT_DIR = REPO_ROOT / "var" / "bench"
STATUSES = ("shipped", "delivered", "paid", "pending")
REQUEST_TIMEOUT_S = 60.0
RSS_INTERVAL_S = 0.2
MB = 1024 * 1024
# issue 12's targets: open loop at 30 msg/s, and a long conversation's end against its start
# several Rasa processes: a fresh tracker database on this PostgreSQL server, and this Redis database for the locks
DEFAULT_POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DEFAULT_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
TRACKER_DB = "bench_trackers"
TARGETS = {"open_loop_rate": 30.0, "p95_ms": 150.0, "p99_ms": 300.0, "long_last_to_first_max": 1.2}


# --- time and processes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """The whole run's time budget; every wait takes its bound from here."""

    end: float

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(time.monotonic() + seconds)

    def remaining(self, cap: Optional[float] = None) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the benchmark ran out of time (--timeout); stopping everything")
        return left if cap is None else min(cap, left)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_on_sigterm() -> None:
    """Turns SIGTERM into SystemExit so that every ``finally`` runs and stops the servers."""
    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


# --- the shop ---------------------------------------------------------------------------------------


def seed_database(url: str, deadline: Deadline) -> None:
    logger.info("seeding a fresh shop database at %s", url)
    result = subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "assistant.runtime.demo", "seed", "--database-url", url, "--force"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=deadline.remaining(600),
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding {url} failed (exit {result.returncode}):\n{result.stderr[-2000:]}")


def pick_orders(url: str) -> List[Dict[str, Any]]:
    """Seeded orders the order-status flow can be run on, interleaved by status."""
    engine = make_engine(url)
    try:
        rows = sample_orders(session_factory(engine), per_status=50)
    finally:
        engine.dispose()
    by_status = {status: [row for row in rows if row["status"] == status] for status in STATUSES}
    interleaved = [row for group in zip(*by_status.values()) for row in group]
    leftovers = [row for status in STATUSES for row in by_status[status][len(interleaved) // len(STATUSES):]]
    orders = interleaved + leftovers
    if not orders:
        raise RuntimeError(f"the shop database {url} has no {', '.join(STATUSES)} orders")
    counts = ", ".join(f"{status}: {len(by_status[status])}" for status in STATUSES)
    logger.info("picked %d orders (%s)", len(orders), counts)
    return orders


# --- talking to the server ---------------------------------------------------------------------------


def reply_problem(sender: str, message: Message, status: int, body: str) -> Optional[str]:
    """Why this answer counts as an error, or None."""
    if status != 200:
        return f"{sender} {message.text!r}: HTTP {status}: {body[:200]!r}"
    if message.check is None:
        return None
    try:
        replies = json.loads(body)
        problem = message.check([r for r in replies if isinstance(r, dict)])
    except (ValueError, AttributeError, TypeError):
        return f"{sender} {message.text!r}: not a JSON list of replies: {body[:200]!r}"
    return f"{sender} {message.text!r}: {problem}" if problem else None


async def exchange(session: aiohttp.ClientSession, url: str, sender: str, message: Message) -> Outcome:
    """Sends one message and reads the whole reply; says whether and why it is an error (no timing)."""
    try:
        async with session.post(url, json={"sender": sender, "message": message.text}) as response:
            body = await response.text()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return Outcome(False, f"{sender} {message.text!r}: {type(exc).__name__} {exc}".strip())
    problem = reply_problem(sender, message, status, body)
    return Outcome(True, problem, wrong_reply=problem is not None and status == 200)


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, message: Message, result: LoadResult,
    scenario: Optional[str] = None,
) -> Optional[float]:
    """Sends one message, records its latency and whether it is an error; returns the latency."""
    started = time.perf_counter()
    outcome = await exchange(session, url, sender, message)
    latency = time.perf_counter() - started
    result.record_outcome(outcome, latency, scenario, text=message.text)
    return latency if outcome.answered else None


def client_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                 timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))


Targets = Union[str, Sequence[str]]  # one Rasa process's base URL, or several behind the bench's "balancer"


def webhook(base_url: Targets, sender: str = "") -> str:
    """The REST webhook of the process that takes ``sender``'s messages.

    With several Rasa processes the bench plays a load balancer with session affinity: a
    conversation always goes to the same process (a stable hash of its sender), as a balancer keeps a
    browser's socket.io connection on one process. Any process could take any message (they share the
    tracker store and the Redis lock store), but affinity is what a real deployment runs.
    """
    if not isinstance(base_url, str):
        urls = list(base_url)
        if not urls:
            raise ValueError("no Rasa process to send to")
        base_url = urls[zlib.crc32(sender.encode("utf-8")) % len(urls)]
    return f"{base_url}/webhooks/rest/webhook"


# --- closed loop -------------------------------------------------------------------------------------


async def run_shopper(
    session: aiohttp.ClientSession, base_url: Targets, conversations: List[Conversation], result: LoadResult
) -> None:
    for conversation in conversations:
        url = webhook(base_url, conversation.sender)
        for message in conversation.messages:
            await send(session, url, conversation.sender, message, result, conversation.scenario)


async def run_load(base_url: Targets, plans: List[List[Conversation]], timeout: float) -> LoadResult:
    """All shoppers at once; returns when every message is answered or ``timeout`` passed.

    Messages still unanswered at the timeout count as errors.
    """
    result = LoadResult()
    async with client_session() as session:
        started = time.perf_counter()
        tasks = [asyncio.create_task(run_shopper(session, base_url, plan, result)) for plan in plans]
        try:
            done, _ = await asyncio.wait(tasks, timeout=timeout)
            result.wall_s = time.perf_counter() - started
        finally:  # on timeout or Ctrl-C: no shopper may outlive the session
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # a bug in this script, not a server error
    unfinished = sum(len(c.messages) for plan in plans for c in plan) - result.finished
    if unfinished:
        problem = f"run timeout after {timeout:.0f} s: {unfinished} messages unanswered"
        result.record(None, problem, unfinished)
    return result


async def warm_up(base_url: Targets, conversations: Sequence[Conversation]) -> None:
    """Unmeasured conversations, so model loading and first-call costs stay out of the figures.

    One per scenario and language: the first knowledge question loads the encoder, the first product
    request the catalogue, the first Chinese or Japanese message its segmenter and dictionaries, and
    none of that should land in a measured message.
    """
    result = await run_load(base_url, [[c] for c in conversations], timeout=4 * REQUEST_TIMEOUT_S)
    if result.errors:
        logger.warning("warm-up conversations had errors: %s", result.error_examples)


# --- the long conversation ---------------------------------------------------------------------------


LONG_REPEATS = 3


async def run_long(base_url: Targets, conversation: Conversation,
                   repeats: int = LONG_REPEATS) -> Tuple[List[Optional[float]], LoadResult]:
    """The conversation's turns one after the other, ``repeats`` times under as many senders: each turn's
    median latency over the runs (None if no run got an answer)."""
    result = LoadResult()
    runs: List[List[Optional[float]]] = []
    async with client_session() as session:
        started = time.perf_counter()
        for run in range(repeats):
            sender = conversation.sender if run == 0 else f"{conversation.sender}-{run + 1}"
            runs.append([await send(session, webhook(base_url, sender), sender, message, result, kind)
                         for message, kind in zip(conversation.messages, conversation.kinds)])
        result.wall_s = time.perf_counter() - started
    return [_median_or_none(turn) for turn in zip(*runs)], result


def _median_or_none(samples: Sequence[Optional[float]]) -> Optional[float]:
    answered = [s for s in samples if s is not None]
    return statistics.median(answered) if answered else None


def long_summary(conversation: Conversation, turns: Sequence[Optional[float]], result: LoadResult) -> Dict[str, Any]:
    edges = first_and_last(turns, LONG_EDGE)
    within = edges["last_to_first"] is not None and edges["last_to_first"] <= TARGETS["long_last_to_first_max"]
    return {
        "turns": len(turns),
        "runs": LONG_REPEATS,  # errors and wrong replies are counted over all runs
        "language": conversation.language,
        **edges,
        "meets_target": within,
        "latency_ms": latency_summary([t for t in turns if t is not None]),
        "errors": result.errors,
        "wrong_replies": result.wrong_replies,
        "error_examples": result.error_examples,
        "by_kind": {kind: scenario_summary(r) for kind, r in sorted(result.by_scenario.items())},
        "turn_latencies_ms": [None if t is None else round(t * 1000, 1) for t in turns],
    }


# --- open loop -------------------------------------------------------------------------------------


async def run_open(
    base_url: Targets, conversations: Iterator[Conversation], rate: float, spec: "LoadSpec", drain_s: float
) -> OpenLoopRun:
    """One open-loop window at ``rate`` messages per second (see ``bench/open_loop.py``)."""
    offsets = arrival_offsets(rate, spec.duration_s, spec.arrivals, random.Random(f"{spec.seed}:arrivals:{rate}"))
    pool = ConversationPool(conversations, spec.think_s)
    async with client_session() as session:
        async def deliver(sender: str, message: Message) -> Outcome:
            return await exchange(session, webhook(base_url, sender), sender, message)

        run = OpenLoopRun(rate, spec.duration_s, spec.arrivals)
        return await run_open_loop(deliver, pool, offsets, run, drain_s)


def open_summary(run: OpenLoopRun) -> Dict[str, Any]:
    summary = run.summary()
    p95, p99 = summary["latency_ms"]["p95"], summary["latency_ms"]["p99"]
    summary["meets_latency_targets"] = (p95 is not None and p99 is not None
                                        and p95 <= TARGETS["p95_ms"] and p99 <= TARGETS["p99_ms"])
    return summary


# --- memory ----------------------------------------------------------------------------------------


def process_tree(pid: int) -> List[psutil.Process]:
    """A process and its live children (the action server's Sanic workers); empty once it has exited."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class PeakRss(threading.Thread):
    """Samples the RSS of each named process tree every ``interval`` seconds and keeps the peak."""

    def __init__(self, pids: Dict[str, int], interval: float = RSS_INTERVAL_S) -> None:
        super().__init__(name="peak-rss", daemon=True)
        self.pids = pids
        self.interval = interval
        self.peak_bytes: Dict[str, int] = {name: 0 for name in pids}
        self._stop_event = threading.Event()

    @staticmethod
    def tree_rss(pid: int) -> int:
        total = 0
        for process in process_tree(pid):
            try:
                total += process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak_bytes[name] = max(self.peak_bytes[name], self.tree_rss(pid))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> Dict[str, float]:
        self._stop_event.set()
        self.join()
        self.sample()
        return {name: round(value / MB, 1) for name, value in self.peak_bytes.items()}


# --- CPU per message -------------------------------------------------------------------------------


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and its live children (the action server's Sanic workers).

    CPU time, unlike latency, barely moves when another program shares the cores, so it is the
    per-message cost that stays comparable between runs on a busy machine.
    """
    total = 0.0
    for process in process_tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


class CpuMeter:
    """CPU seconds each named process tree spent between ``start()`` and ``per_message(n)``."""

    def __init__(self, pids: Dict[str, int]) -> None:
        self.pids = pids
        self.started: Dict[str, float] = {}

    def start(self) -> "CpuMeter":
        self.started = {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def per_message(self, messages: int) -> Dict[str, Optional[float]]:
        """Milliseconds of CPU per answered message, per process and in total (None without messages)."""
        spent = {name: max(0.0, tree_cpu_seconds(pid) - self.started.get(name, 0.0))
                 for name, pid in self.pids.items()}
        if messages <= 0:
            return {**{name: None for name in spent}, "total": None}
        figures: Dict[str, Optional[float]] = {name: round(s * 1000 / messages, 2) for name, s in spent.items()}
        figures["total"] = round(sum(spent.values()) * 1000 / messages, 2)
        return figures


# --- figures ---------------------------------------------------------------------------------------


def summarize(result: LoadResult, peak_rss_mb: Dict[str, float]) -> Dict[str, Any]:
    answered = len(result.latencies_s)
    return {
        "latency_ms": latency_summary(result.latencies_s),
        "answered": answered,
        "messages_per_second": round(answered / result.wall_s, 2) if result.wall_s else None,
        "duration_s": round(result.wall_s, 1),
        "errors": result.errors,
        "wrong_replies": result.wrong_replies,
        # messages whose exact text was sent earlier in the phase: at most this share is parsed from Rasa's
        # parse cache (NLU_CACHE_SIZE), so the cache never sees only a handful of texts unnoticed
        "repeated_texts": round(result.repeated_texts / result.finished, 3) if result.finished else None,
        "error_examples": result.error_examples,
        "peak_rss_mb": peak_rss_mb,
        "by_scenario": {name: scenario_summary(r) for name, r in sorted(result.by_scenario.items())},
    }


def ratios(assistant: Dict[str, Any], baseline: Dict[str, Any]) -> Dict[str, Optional[float]]:
    return {
        "p50": ratio(assistant["latency_ms"]["p50"], baseline["latency_ms"]["p50"]),
        "p95": ratio(assistant["latency_ms"]["p95"], baseline["latency_ms"]["p95"]),
        "messages_per_second": ratio(assistant["messages_per_second"], baseline["messages_per_second"]),
    }


def open_ratios(assistant: Dict[str, Any], baseline: Dict[str, Any]) -> List[Dict[str, Optional[float]]]:
    """Per offered rate: the assistant's latency percentiles over the baseline's."""
    pairs = zip(assistant.get("open_loop", []), baseline.get("open_loop", []))
    return [{"offered_rate": ours["offered_rate"],
             **{q: ratio(ours["latency_ms"][q], theirs["latency_ms"][q]) for q in ("p50", "p95", "p99")}}
            for ours, theirs in pairs]


def compare(assistant: Dict[str, Any], baseline: Dict[str, Any]) -> Dict[str, Any]:
    """``ratio_vs_baseline``: the closed loop's figures (as before), or the open loop's per rate."""
    if "open_loop" in assistant:
        return {"open_loop": open_ratios(assistant, baseline)}
    if "latency_ms" in assistant:
        return ratios(assistant, baseline)
    return {}


# --- what each system gets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadSpec:
    """The run asked for on the command line: scenarios, mode and sizes."""

    scenarios: Tuple[str, ...]
    seed: int
    shoppers: int
    rounds: int
    rates: Tuple[float, ...]  # empty: closed loop
    duration_s: float
    arrivals: str
    think_s: float
    long_turns: int

    @property
    def open_loop(self) -> bool:
        return bool(self.rates)

    @property
    def load_scenarios(self) -> Tuple[str, ...]:
        return tuple(s for s in self.scenarios if s in LOAD_SCENARIOS)


@dataclass
class Workload:
    """Everything one system is sent. Built from seeds, so both systems get the same texts."""

    spec: LoadSpec
    warmup: List[Conversation]
    plans: List[List[Conversation]]  # closed loop; empty in the open loop or without a load scenario
    long: Optional[Conversation]
    streams: Callable[[float], Iterator[Conversation]]  # a fresh open-loop stream per offered rate

    @property
    def messages(self) -> int:
        return sum(len(c.messages) for plan in self.plans for c in plan)


def build_workload(
    spec: LoadSpec, orders: Sequence[Dict[str, Any]], phrasings: Sequence[Phrasing], check: bool
) -> Workload:
    """Each phase draws from its own seeded sampler, so one phase's length never shifts another's texts."""
    def planner(phase: str) -> Planner:
        return Planner(orders, PhrasingSampler(phrasings, f"{spec.seed}:{phase}"), check)

    load = spec.load_scenarios
    warm = planner("warmup")
    warmup = [warm.conversation(s, f"bench-warmup-{s}-{language}", i, language)
              for i, (s, language) in enumerate(itertools.product(load, LANGUAGES))]
    if LONG in spec.scenarios:
        warmup.append(warm.long("bench-warmup-long", MIN_LONG_TURNS))
    plans: List[List[Conversation]] = []
    if load and not spec.open_loop:
        plans = plan_shoppers(orders, spec.shoppers, spec.rounds, check, load,
                              PhrasingSampler(phrasings, f"{spec.seed}:closed"))
    long = planner("long").long("bench-long", spec.long_turns) if LONG in spec.scenarios else None
    return Workload(spec, warmup, plans, long,
                    lambda rate: planner(f"open:{rate:g}").stream(load, f"bench-open-{rate:g}"))


def measure(
    base_url: Targets, workload: Workload, pids: Dict[str, int], deadline: Deadline
) -> Dict[str, Any]:
    """Warm-up, then the load phase and the long conversation with the RSS sampler running."""
    asyncio.run(warm_up(base_url, workload.warmup))
    sampler = PeakRss(pids)
    sampler.start()
    try:
        meter = CpuMeter(pids).start()
        figures = load_phase(base_url, workload, deadline)
        if figures:
            figures["cpu_ms_per_message"] = meter.per_message(answered_messages(figures))
        if workload.long is not None:
            logger.info("long conversation: %d turns against %s", len(workload.long.messages), base_url)
            meter = CpuMeter(pids).start()
            turns, result = asyncio.run(run_long(base_url, workload.long))
            figures["long"] = long_summary(workload.long, turns, result)
            figures["long"]["cpu_ms_per_message"] = meter.per_message(len(result.latencies_s))
            logger.info("long conversation: first/last five %s", json.dumps(
                {k: figures["long"][k] for k in ("first_ms", "last_ms", "last_to_first")}))
    finally:
        peaks = sampler.stop()
    figures["peak_rss_mb"] = peaks
    return figures


def answered_messages(figures: Dict[str, Any]) -> int:
    """Messages that got an HTTP answer in a load phase's figures (closed loop, or every open-loop rate)."""
    phases = figures.get("open_loop") or [figures]
    return sum(int(phase.get("answered") or 0) for phase in phases)


def load_phase(base_url: Targets, workload: Workload, deadline: Deadline) -> Dict[str, Any]:
    """The closed loop, or the open loop once per offered rate; nothing without a load scenario."""
    spec = workload.spec
    if not spec.load_scenarios:
        return {}
    if not spec.open_loop:
        logger.info("closed loop: %d shoppers, %d messages against %s", len(workload.plans), workload.messages,
                    base_url)
        result = asyncio.run(run_load(base_url, workload.plans, timeout=deadline.remaining()))
        figures = summarize(result, {})  # peak RSS covers every phase: measure() fills it in
        logger.info("done in %.1f s: %s", result.wall_s, json.dumps(figures["latency_ms"]))
        return figures
    runs = []
    for rate in spec.rates:
        if deadline.remaining() < spec.duration_s:
            raise TimeoutError(f"no time left for the open loop at {rate:g} msg/s (--timeout)")
        logger.info("open loop: %g msg/s (%s) for %g s against %s", rate, spec.arrivals, spec.duration_s, base_url)
        run = asyncio.run(run_open(base_url, workload.streams(rate), rate, spec,
                                   drain_s=min(REQUEST_TIMEOUT_S + 5, deadline.remaining())))
        runs.append(open_summary(run))
        logger.info("done: %s, achieved %.1f msg/s, %d in flight at the end", json.dumps(runs[-1]["latency_ms"]),
                    runs[-1]["achieved_rate"], runs[-1]["in_flight_at_end"])
    return {"open_loop": runs}


# --- the assistant ---------------------------------------------------------------------------------


TRACKER_STORES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Deployment:
    """How many processes serve the assistant and where they keep conversations (``--rasa-processes``,
    ``--action-workers``, ``--tracker-store``).

    One Rasa process on SQLite with its locks in memory is ``make run``'s embedded default. Several
    processes take their locks from Redis (the lock store any multi-process Rasa needs) and share the
    tracker store: the SQLite file of the run's var folder (several processes on one machine; WAL mode
    lets them read while one writes) or a PostgreSQL database created fresh for the run and dropped after
    (the scale-out path of README's "Deployment and scale-out", for processes on several machines).
    """

    rasa_processes: int = 1
    action_workers: int = 1
    tracker_store: str = "sqlite"
    postgres_url: str = DEFAULT_POSTGRES_URL
    redis_url: str = DEFAULT_REDIS_URL

    @property
    def redis_locks(self) -> bool:
        return self.rasa_processes > 1

    def describe(self) -> Dict[str, Any]:
        return {"rasa_processes": self.rasa_processes, "action_server_workers": self.action_workers,
                "tracker_store": self.tracker_store, "lock_store": "redis" if self.redis_locks else "in-memory",
                "routing": "by sender (session affinity)" if self.rasa_processes > 1 else None}


def fresh_postgres_database(server_url: str, name: str) -> str:
    """``name`` dropped and created again on the PostgreSQL at ``server_url``; its URL."""
    import psycopg2

    try:
        conn = psycopg2.connect(server_url, connect_timeout=5)
    except psycopg2.Error as exc:
        raise RuntimeError(f"several Rasa processes need PostgreSQL for their conversations: {exc}".strip()) from exc
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_database(server_url: str, name: str) -> None:
    import psycopg2

    try:
        conn = psycopg2.connect(server_url, connect_timeout=5)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()
    except psycopg2.Error as exc:
        logger.warning("could not drop the tracker database %s: %s", name, exc)


def process_names(count: int) -> List[str]:
    """``rasa`` for the first Rasa process (the keys the one-process reports have always had), then ``rasa-2``..."""
    return ["rasa" if i == 0 else f"rasa-{i + 1}" for i in range(count)]


def bench_assistant(
    tmp: Path, model: Optional[Path], workload: Workload, deadline: Deadline,
    deployment: Deployment = Deployment(),
) -> Dict[str, Any]:
    """The workload against the real stack, on the shop database seeded in ``tmp``."""
    overrides = {
        "DATABASE_URL": shop_url(tmp),
        "SHOP_VAR_DIR": str(tmp),
        "KB_INDEX_DIR": str(KB_INDEX_DIR),
        "RASA_PORT": str(free_port()),
        "ACTION_SERVER_PORT": str(free_port()),
        "ACTION_SERVER_WORKERS": str(deployment.action_workers),
    }
    if deployment.tracker_store == "postgresql":
        overrides["TRACKER_STORE_URL"] = fresh_postgres_database(deployment.postgres_url, TRACKER_DB)
    if deployment.redis_locks:
        overrides["REDIS_URL"] = deployment.redis_url
    model = model or ensure_model()
    stack: Stack = make_stack(overrides, log_dir=tmp / "log")
    try:
        stack.start_action_server(timeout=deadline.remaining(120))
        action_server = stack.processes[-1]
        logger.info("starting %d Rasa process(es) with %s", deployment.rasa_processes, model)
        ports = [int(overrides["RASA_PORT"]), *(free_port() for _ in range(deployment.rasa_processes - 1))]
        stack.start_rasa(model, timeout=deadline.remaining(300), ports=ports)
        pids = dict(zip(process_names(len(ports)), (p.pid for p in stack.rasa_processes.values())))
        pids["action_server"] = action_server.pid
        figures = measure(stack.rasa_urls, workload, pids, deadline)
        return {"model": model.name, "deployment": deployment.describe(), **figures}
    finally:
        stack.stop()
        if deployment.tracker_store == "postgresql":
            drop_postgres_database(deployment.postgres_url, TRACKER_DB)


def shop_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'shop.db'}"


# --- the baseline ----------------------------------------------------------------------------------


def cached_baseline_model() -> Optional[Path]:
    models = sorted((BASELINE_DIR / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def train_baseline(tmp: Path, deadline: Deadline) -> Path:
    """``rasa init --no-prompt`` in ``tmp``, then the finished project moves to ``var/bench-baseline``."""
    project = tmp / "baseline"
    project.mkdir()
    log_path = tmp / "log" / "baseline-init.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logger.info("training the rasa init baseline (a few minutes; cached in %s)", BASELINE_DIR)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(RASA_CLI), "init", "--no-prompt", "--init-dir", str(project)],
            cwd=tmp, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        process.wait(timeout=deadline.remaining(1800))
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError(f"rasa init did not finish in time; see {log_path}") from exc
    finally:
        stop_process_group(process)
    if process.returncode != 0 or not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init failed (exit {process.returncode}); see {log_path}")
    shutil.rmtree(BASELINE_DIR, ignore_errors=True)
    BASELINE_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = BASELINE_DIR.with_name(f"{BASELINE_DIR.name}.partial-{os.getpid()}")
    shutil.copytree(project, staging)
    staging.rename(BASELINE_DIR)
    model = cached_baseline_model()
    assert model is not None
    return model


def start_baseline(model: Path, log_dir: Path, deadline: Deadline, processes: int = 1
                   ) -> Tuple[List[subprocess.Popen], List[str]]:
    """``processes`` plain ``rasa run`` processes, each keeping its conversations in memory (a sender always
    reaches the same one, see :func:`webhook`)."""
    started: List[Tuple[subprocess.Popen, str, Path]] = []
    try:
        for name in process_names(processes):
            port = free_port()
            log_path = log_dir / f"baseline-{name}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    [str(RASA_CLI), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
                     "--model", str(model)],
                    cwd=BASELINE_DIR, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            logger.info("started baseline %s (pid %s, log %s)", name, process.pid, log_path)
            started.append((process, f"http://127.0.0.1:{port}", log_path))
        for process, base_url, log_path in started:
            wait_http(f"{base_url}/", deadline.remaining(300), process, log_path)
    except BaseException:
        for process, _, _ in started:
            stop_process_group(process)
        raise
    return [p for p, _, _ in started], [url for _, url, _ in started]


def bench_baseline(tmp: Path, workload: Workload, deadline: Deadline, processes: int = 1) -> Dict[str, Any]:
    """The same workload (without reply checks) against the ``rasa init`` bot, on as many Rasa processes."""
    model = cached_baseline_model()
    if model is None:
        model = train_baseline(tmp, deadline)
    else:
        logger.info("reusing the baseline model %s", model)
    started, urls = start_baseline(model, tmp / "log", deadline, processes)
    try:
        figures = measure(urls, workload, dict(zip(process_names(processes), (p.pid for p in started))), deadline)
    finally:
        for process in started:
            stop_process_group(process)
    return {"deployment": {"rasa_processes": processes, "tracker_store": "in-memory"}, **figures}


# --- main ------------------------------------------------------------------------------------------


def rate_list(text: str) -> Tuple[float, ...]:
    """``--rates 10,20,30`` -> (10.0, 20.0, 30.0)."""
    try:
        rates = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of rates: {text!r}") from exc
    if not rates or any(rate <= 0 for rate in rates):
        raise argparse.ArgumentTypeError(f"rates must be positive numbers, got {text!r}")
    return rates


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", action="extend", nargs="+", choices=SCENARIOS, dest="scenarios",
                        metavar="NAME",
                        help=f"scenarios to run, several allowed (default: all of {', '.join(SCENARIOS)})")
    parser.add_argument("--seed", type=int, default=1, help="seed for the messages and arrivals (default 1)")
    parser.add_argument("--shoppers", type=int, default=50, help="closed loop: concurrent shoppers (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help=(
        f"closed loop: conversations per shopper, {messages_per_round()} messages each (default 3)"))
    parser.add_argument("--open-loop", type=float, metavar="RATE",
                        help="open loop instead: messages per second, scheduled whatever the server does")
    parser.add_argument("--rates", type=rate_list, metavar="R1,R2,...",
                        help="open loop at each of these rates in turn (a sweep), e.g. 10,20,30")
    parser.add_argument("--duration", type=float, help="open loop: seconds per rate (default 60)")
    parser.add_argument("--arrivals", choices=ARRIVALS, default="poisson",
                        help="open loop: Poisson arrivals (default) or a fixed interval of 1/RATE")
    parser.add_argument("--think-time", type=float, default=DEFAULT_THINK_S, dest="think_s",
                        help=f"open loop: seconds between a reply and the conversation's next message "
                             f"(default {DEFAULT_THINK_S:g})")
    parser.add_argument("--long-turns", type=int, default=60,
                        help=f"turns of the long conversation (at least {MIN_LONG_TURNS}; default 60)")
    parser.add_argument("--rasa-processes", type=int, default=1, metavar="N",
                        help="Rasa processes serving the assistant (and the baseline), each conversation on one of "
                             "them; more than one take their locks from Redis (default 1, locks in memory)")
    parser.add_argument("--action-workers", type=int, default=1, metavar="N",
                        help="action-server worker processes (ACTION_SERVER_WORKERS, default 1)")
    parser.add_argument("--tracker-store", choices=TRACKER_STORES, default="sqlite",
                        help="the assistant's conversations: the run's SQLite file (default) or a PostgreSQL "
                             "database created for the run")
    parser.add_argument("--model", type=Path, help="Rasa model to serve (default: the current trained model)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the rasa init baseline")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="limit for the whole run in seconds (default 3600)")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR,
                        help="where the JSON and the plot are written (default var/bench, git-ignored)")
    args = parser.parse_args(argv)
    if args.shoppers < 1 or args.rounds < 1:
        parser.error("--shoppers and --rounds must be at least 1")
    if not 1 <= args.rasa_processes <= 8 or not 1 <= args.action_workers <= 8:
        parser.error("--rasa-processes and --action-workers must be between 1 and 8")
    if args.long_turns < MIN_LONG_TURNS:
        parser.error(f"--long-turns must be at least {MIN_LONG_TURNS}")
    if args.open_loop is not None and args.rates is not None:
        parser.error("give --open-loop RATE or --rates R1,R2,..., not both")
    if args.open_loop is not None and args.open_loop <= 0:
        parser.error("--open-loop must be a positive rate")
    if args.duration is not None and args.open_loop is None and args.rates is None:
        parser.error("--duration goes with --open-loop or --rates")
    if args.duration is not None and args.duration <= 0:
        parser.error("--duration must be positive")
    if args.think_s < 0:
        parser.error("--think-time cannot be negative")
    args.scenarios = tuple(s for s in SCENARIOS if s in (args.scenarios or SCENARIOS))
    if (args.open_loop or args.rates) and not any(s in LOAD_SCENARIOS for s in args.scenarios):
        parser.error(f"the open loop needs a load scenario ({', '.join(LOAD_SCENARIOS)})")
    if args.model is not None and not args.model.is_file():
        parser.error(f"--model {args.model} is not a file")
    if args.model is not None:
        args.model = args.model.resolve()  # the servers run from the repo root
    return args


def spec_from_args(args: argparse.Namespace) -> LoadSpec:
    rates = args.rates or ((args.open_loop,) if args.open_loop else ())
    return LoadSpec(scenarios=args.scenarios, seed=args.seed, shoppers=args.shoppers, rounds=args.rounds,
                    rates=tuple(rates), duration_s=args.duration or 60.0, arrivals=args.arrivals,
                    think_s=args.think_s, long_turns=args.long_turns)


def deployment_from_args(args: argparse.Namespace) -> Deployment:
    return Deployment(rasa_processes=args.rasa_processes, action_workers=args.action_workers,
                      tracker_store=args.tracker_store)


def report_header(spec: LoadSpec, workload: Workload) -> Dict[str, Any]:
    """What was run: the closed loop keeps its original keys (shoppers, rounds, messages)."""
    header: Dict[str, Any] = {"mode": "open_loop" if spec.open_loop else "closed_loop",
                              "scenarios": list(spec.scenarios), "seed": spec.seed}
    if spec.open_loop:
        header["open_loop"] = {"rates": list(spec.rates), "duration_s": spec.duration_s,
                               "arrivals": spec.arrivals, "think_time_s": spec.think_s}
    elif spec.load_scenarios:
        header.update(shoppers=spec.shoppers, rounds=spec.rounds, messages=workload.messages)
    if workload.long is not None:
        header["long_turns"] = len(workload.long.messages)
    header["targets"] = TARGETS
    return header


def run(args: argparse.Namespace, tmp: Path) -> Dict[str, Any]:
    deadline = Deadline.after(args.timeout)
    spec = spec_from_args(args)
    seed_database(shop_url(tmp), deadline)
    orders = pick_orders(shop_url(tmp))
    phrasings = load_phrasings()
    workload = build_workload(spec, orders, phrasings, check=True)
    report = report_header(spec, workload)
    deployment = deployment_from_args(args)
    report["assistant"] = bench_assistant(tmp, args.model, workload, deadline, deployment)
    if not args.skip_baseline:
        baseline = bench_baseline(tmp, build_workload(spec, orders, phrasings, check=False), deadline,
                                  deployment.rasa_processes)
        report["baseline_rasa_init"] = baseline
        report["ratio_vs_baseline"] = compare(report["assistant"], baseline)
    return report


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def save(report: Dict[str, Any], out_dir: Path) -> None:
    """The report as JSON and its plot under ``out_dir``; their paths go into the report itself."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"load-{report['mode'].replace('_', '-')}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    json_path, plot_path = out_dir / f"{stem}.json", out_dir / f"{stem}.png"
    report["files"] = {"json": shown_path(json_path), "plot": None}
    try:
        from bench.plot import plot_report

        plot_report(report, plot_path)
        report["files"]["plot"] = shown_path(plot_path)
    except ImportError as exc:  # the figures matter more than the picture
        logger.warning("no plot (%s): install matplotlib (requirements/actions.txt)", exc)
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Optional[Sequence[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="[bench] %(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    args = parse_args(argv)
    raise_on_sigterm()
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    started = time.monotonic()
    try:
        report = run(args, tmp)
    except KeyboardInterrupt:
        logger.error("interrupted; every started process was stopped (logs kept in %s)", tmp / "log")
        return 130
    except SystemExit:
        logger.error("terminated; every started process was stopped (logs kept in %s)", tmp / "log")
        raise
    except (RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as exc:
        logger.error("%s\nlogs kept in %s", exc, tmp / "log")
        return 1
    logger.info("benchmark finished in %.0f s", time.monotonic() - started)
    shutil.rmtree(tmp, ignore_errors=True)
    save(report, args.out_dir)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
