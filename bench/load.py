"""Load benchmark: concurrent shoppers against the assistant and against a plain ``rasa init`` bot.

    python -m bench.load [--shoppers 50] [--rounds 3] [--model PATH] [--skip-baseline] [--timeout 3600]

What is measured
----------------
* **The assistant.** A fresh shop database is seeded in a temporary folder and the
  real stack is started on free ports (action server, then Rasa, exactly as the
  end-to-end tests do). ``--shoppers`` simulated shoppers run at the same time
  (asyncio, one aiohttp session), each sending the order-status flow on the REST
  channel ``POST /webhooks/rest/webhook``::

      "where is my order?"  ->  <order number>  ->  <email on the order>  ->  "thanks"

  ``--rounds`` times, each round with a different seeded order (shipped,
  delivered, paid or pending; the flow only reads orders). Each round is a new
  conversation (sender ``bench-<shopper>-r<round>``), because the assistant
  remembers a verified shopper for the rest of a conversation and would skip
  the email question. Shoppers send their next message as soon as the reply
  arrives (closed loop, no think time), so this measures the system saturated
  by ``--shoppers`` concurrent conversations.
* **Latency** of every message: from sending the request to having read the whole
  reply. A message is an error if it gets no HTTP 200 (timeout 60 s) or, for the
  email message, if the reply lacks the order's status: the tracking number
  (shipped), "delivered on" (delivered) or "will ship by" (pending, paid).
  Latency percentiles cover every message that got an HTTP answer.
* **Throughput**: messages answered per second of the load phase's wall time.
* **Peak RSS** of each server process plus its children (psutil), sampled every
  0.2 s by a background thread during the load phase. RSS of a parent and its
  children is summed, so shared pages count more than once.
* **Baseline.** The bot ``rasa init`` creates (trained once and cached in
  ``var/bench-baseline/``) is run with ``rasa run --enable-api`` and gets the same
  load: same shoppers, rounds and texts. It answers with its small-talk replies,
  so only non-200 answers count as its errors. It keeps conversations in memory
  and has no action server, so it is the floor of what Rasa itself costs.

One unmeasured warm-up conversation runs before each load phase. The two systems
run one after the other, never together. Every process started here is stopped
on exit, also on errors, Ctrl-C and SIGTERM. One JSON object goes to stdout;
logs go to stderr.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import aiohttp
import psutil

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, Stack, make_stack, stop_process_group, wait_http
from assistant.runtime.training import ensure_model, rasa_env
from assistant.shop.demo.sample_orders import sample_orders
from assistant.shop.storage.db import make_engine, session_factory

logger = logging.getLogger("bench.load")

RASA_CLI = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
BASELINE_DIR = REPO_ROOT / "var" / "bench-baseline"
STATUSES = ("shipped", "delivered", "paid", "pending")
REQUEST_TIMEOUT_S = 60.0
RSS_INTERVAL_S = 0.2
MAX_ERROR_EXAMPLES = 5
MB = 1024 * 1024

Check = Callable[[str], Optional[str]]  # reply text -> problem, or None when the reply is right


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


# --- the shoppers' script -------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    text: str
    check: Optional[Check] = None


@dataclass(frozen=True)
class Conversation:
    sender: str
    messages: List[Message]


def status_check(order: Dict[str, Any]) -> Check:
    """What the reply to the email must contain for this order's status."""
    status = order["status"]
    if status == "shipped":
        expected = order.get("tracking_number") or "Tracking number"
    elif status == "delivered":
        expected = "delivered on"
    else:
        expected = "will ship by"

    def check(reply: str) -> Optional[str]:
        if expected in reply:
            return None
        return f"{status} order {order['order_id']}: reply lacks {expected!r}: {reply[:200]!r}"

    return check


def order_conversation(sender: str, order: Dict[str, Any], check_status: bool) -> Conversation:
    return Conversation(sender, [
        Message("where is my order?"),
        Message(order["order_id"]),
        Message(order["email"], status_check(order) if check_status else None),
        Message("thanks"),
    ])


def plan_shoppers(
    orders: Sequence[Dict[str, Any]], shoppers: int, rounds: int, check_status: bool
) -> List[List[Conversation]]:
    """One list of conversations per shopper; orders are dealt out round-robin."""
    def order(shopper: int, round_: int) -> Dict[str, Any]:
        return orders[(shopper * rounds + round_) % len(orders)]

    return [
        [order_conversation(f"bench-{s:03d}-r{r}", order(s, r), check_status) for r in range(rounds)]
        for s in range(shoppers)
    ]


def messages_per_round() -> int:
    return len(order_conversation("x", {"order_id": "", "email": "", "status": "paid"}, False).messages)


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


# --- load ------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies_s: List[float] = field(default_factory=list)
    finished: int = 0
    errors: int = 0
    error_examples: List[str] = field(default_factory=list)
    wall_s: float = 0.0

    def record(self, latency_s: Optional[float], problem: Optional[str], count: int = 1) -> None:
        """One finished message: its latency (None without an HTTP answer) and its problem, if any."""
        self.finished += count
        if latency_s is not None:
            self.latencies_s.append(latency_s)
        if problem is not None:
            self.errors += count
            if len(self.error_examples) < MAX_ERROR_EXAMPLES:
                self.error_examples.append(problem)


def reply_problem(sender: str, message: Message, status: int, body: str) -> Optional[str]:
    """Why this answer counts as an error, or None."""
    if status != 200:
        return f"{sender} {message.text!r}: HTTP {status}: {body[:200]!r}"
    if message.check is None:
        return None
    try:
        reply = "\n".join(str(r.get("text", "")) for r in json.loads(body))
    except (ValueError, AttributeError, TypeError):
        return f"{sender} {message.text!r}: not a JSON list of replies: {body[:200]!r}"
    problem = message.check(reply)
    return f"{sender}: {problem}" if problem else None


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, message: Message, result: LoadResult
) -> None:
    """Sends one message and records its latency and whether it is an error."""
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message.text}) as response:
            body = await response.text()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        result.record(None, f"{sender} {message.text!r}: {type(exc).__name__} {exc}".strip())
        return
    result.record(time.perf_counter() - started, reply_problem(sender, message, status, body))


async def run_shopper(
    session: aiohttp.ClientSession, url: str, conversations: List[Conversation], result: LoadResult
) -> None:
    for conversation in conversations:
        for message in conversation.messages:
            await send(session, url, conversation.sender, message, result)


async def run_load(base_url: str, plans: List[List[Conversation]], timeout: float) -> LoadResult:
    """All shoppers at once; returns when every message is answered or ``timeout`` passed.

    Messages still unanswered at the timeout count as errors.
    """
    url = f"{base_url}/webhooks/rest/webhook"
    result = LoadResult()
    connector = aiohttp.TCPConnector(limit=0)
    client_timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        started = time.perf_counter()
        tasks = [asyncio.create_task(run_shopper(session, url, plan, result)) for plan in plans]
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


async def warm_up(base_url: str, conversation: Conversation) -> None:
    """One unmeasured conversation, so model loading and first-call costs stay out of the figures."""
    result = await run_load(base_url, [[conversation]], timeout=4 * REQUEST_TIMEOUT_S)
    if result.errors:
        logger.warning("warm-up conversation had errors: %s", result.error_examples)


# --- memory ----------------------------------------------------------------------------------------


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
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in tree:
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


# --- figures ---------------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def latency_summary(latencies_s: Sequence[float]) -> Dict[str, Optional[float]]:
    values = sorted(s * 1000 for s in latencies_s)
    figures = {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "mean": sum(values) / len(values) if values else math.nan,
    }
    return {k: (None if math.isnan(v) else round(v, 1)) for k, v in figures.items()}


def summarize(result: LoadResult, peak_rss_mb: Dict[str, float]) -> Dict[str, Any]:
    answered = len(result.latencies_s)
    return {
        "latency_ms": latency_summary(result.latencies_s),
        "messages_per_second": round(answered / result.wall_s, 2) if result.wall_s else None,
        "duration_s": round(result.wall_s, 1),
        "errors": result.errors,
        "error_examples": result.error_examples,
        "peak_rss_mb": peak_rss_mb,
    }


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def ratios(assistant: Dict[str, Any], baseline: Dict[str, Any]) -> Dict[str, Optional[float]]:
    return {
        "p50": ratio(assistant["latency_ms"]["p50"], baseline["latency_ms"]["p50"]),
        "p95": ratio(assistant["latency_ms"]["p95"], baseline["latency_ms"]["p95"]),
        "messages_per_second": ratio(assistant["messages_per_second"], baseline["messages_per_second"]),
    }


def measure(
    base_url: str, plans: List[List[Conversation]], pids: Dict[str, int], deadline: Deadline
) -> Dict[str, Any]:
    """Warm-up, then the load with the RSS sampler running; returns the system's figures."""
    asyncio.run(warm_up(base_url, Conversation("bench-warmup", plans[0][0].messages)))
    sampler = PeakRss(pids)
    sampler.start()
    try:
        total = sum(len(c.messages) for plan in plans for c in plan)
        logger.info("load: %d shoppers, %d messages against %s", len(plans), total, base_url)
        result = asyncio.run(run_load(base_url, plans, timeout=deadline.remaining()))
    finally:
        peaks = sampler.stop()
    figures = summarize(result, peaks)
    logger.info("done in %.1f s: %s", result.wall_s, json.dumps(figures["latency_ms"]))
    return figures


# --- the assistant ---------------------------------------------------------------------------------


def bench_assistant(
    tmp: Path, model: Optional[Path], shoppers: int, rounds: int, deadline: Deadline
) -> Dict[str, Any]:
    url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(url, deadline)
    plans = plan_shoppers(pick_orders(url), shoppers, rounds, check_status=True)
    overrides = {
        "DATABASE_URL": url,
        "SHOP_VAR_DIR": str(tmp),
        "RASA_PORT": str(free_port()),
        "ACTION_SERVER_PORT": str(free_port()),
    }
    model = model or ensure_model()
    stack: Stack = make_stack(overrides, log_dir=tmp / "log")
    try:
        stack.start_action_server(timeout=deadline.remaining(120))
        action_server = stack.processes[-1]
        logger.info("starting Rasa with %s", model)
        stack.start_rasa(model, timeout=deadline.remaining(300))
        rasa = stack.processes[-1]
        pids = {"rasa": rasa.pid, "action_server": action_server.pid}
        figures = measure(stack.rasa_url, plans, pids, deadline)
        return {"model": model.name, **figures}
    finally:
        stack.stop()


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


def start_baseline(model: Path, log_dir: Path, deadline: Deadline) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log_path = log_dir / "baseline-rasa.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(RASA_CLI), "run", "--enable-api", "--interface", "127.0.0.1", "--port", str(port),
             "--model", str(model)],
            cwd=BASELINE_DIR, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    logger.info("started baseline rasa (pid %s, log %s)", process.pid, log_path)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base_url}/", deadline.remaining(300), process, log_path)
    except BaseException:
        stop_process_group(process)
        raise
    return process, base_url


def bench_baseline(
    tmp: Path, shoppers: int, rounds: int, orders: List[Dict[str, Any]], deadline: Deadline
) -> Dict[str, Any]:
    model = cached_baseline_model()
    if model is None:
        model = train_baseline(tmp, deadline)
    else:
        logger.info("reusing the baseline model %s", model)
    plans = plan_shoppers(orders, shoppers, rounds, check_status=False)
    process, base_url = start_baseline(model, tmp / "log", deadline)
    try:
        figures = measure(base_url, plans, {"rasa": process.pid}, deadline)
    finally:
        stop_process_group(process)
    return figures


# --- main ------------------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shoppers", type=int, default=50, help="concurrent shoppers (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help=(
        f"order-status conversations per shopper, {messages_per_round()} messages each (default 3)"))
    parser.add_argument("--model", type=Path, help="Rasa model to serve (default: the current trained model)")
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the rasa init baseline")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="limit for the whole run in seconds (default 3600)")
    args = parser.parse_args(argv)
    if args.shoppers < 1 or args.rounds < 1:
        parser.error("--shoppers and --rounds must be at least 1")
    if args.model is not None and not args.model.is_file():
        parser.error(f"--model {args.model} is not a file")
    if args.model is not None:
        args.model = args.model.resolve()  # the servers run from the repo root
    return args


def run(args: argparse.Namespace, tmp: Path) -> Dict[str, Any]:
    deadline = Deadline.after(args.timeout)
    assistant = bench_assistant(tmp, args.model, args.shoppers, args.rounds, deadline)
    report: Dict[str, Any] = {
        "shoppers": args.shoppers,
        "rounds": args.rounds,
        "messages": args.shoppers * args.rounds * messages_per_round(),
        "assistant": assistant,
    }
    if not args.skip_baseline:
        orders = pick_orders(f"sqlite:///{tmp / 'shop.db'}")
        baseline = bench_baseline(tmp, args.shoppers, args.rounds, orders, deadline)
        report["baseline_rasa_init"] = baseline
        report["ratio_vs_baseline"] = ratios(assistant, baseline)
    return report


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
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
