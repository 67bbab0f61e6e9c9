"""Time to the chat widget's first messages, in Debian's Chromium (JSON on stdout).

    python -m bench.widget_first_message [--console-url URL] [--runs 5] [--timeout 900]

Without ``--console-url`` the whole system is started as the end-to-end tests start it
(a freshly seeded shop database in a temporary folder, the action server, Rasa and the
console on free ports) and stopped at the end, also on errors, Ctrl-C and SIGTERM.

Every run is a new visitor (a new browser context: empty cache and localStorage):

* ``page_load_ms``: navigation start to the demo shop's ``load`` event.
* ``widget_ready_ms``: navigation start to the widget script having run (``window.ShopChat``).
* ``greeting_ms``: navigation start to the greeting being visible, when the widget is opened
  as soon as it is ready. The greeting is rendered by the widget itself, so this is the
  time to first message a shopper sees.
* ``connected_ms``: opening the widget to the socket.io session being confirmed by Rasa
  (the socket.io client is loaded on first open).
* ``first_reply_ms``: sending "hi" to the first bot message arriving.

One unmeasured warm-up run comes first (Rasa's first message is slower); its reply time is
reported as ``cold_first_reply_ms``. Figures are medians over ``--runs``, with every sample.
Timings are taken in the page (``performance.now()``), not across Playwright's connection.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, Stack, make_stack

logger = logging.getLogger("bench.widget_first_message")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
METRICS = ("page_load_ms", "widget_ready_ms", "greeting_ms", "connected_ms", "first_reply_ms")

# Runs in the page: opens the widget as soon as it is ready, then times the greeting, the
# socket.io session and the reply to "hi" with performance.now() (ms since navigation start).
MEASURE = """async (timeoutMs) => {
  const until = async (test, what) => {
    const end = performance.now() + timeoutMs;
    while (!test()) {
      if (performance.now() > end) throw new Error('timed out waiting for ' + what);
      await new Promise(r => setTimeout(r, 5));
    }
    return performance.now();
  };
  const shadow = () => document.getElementById('shopchat-widget')?.shadowRoot;
  const bots = () => shadow()?.querySelectorAll('.sc-log > .sc-bot, .sc-log > .sc-agent').length || 0;
  const ready = await until(() => window.ShopChat && shadow()?.querySelector('.sc-launcher'), 'the widget');
  const opened = performance.now();
  shadow().querySelector('.sc-launcher').click();
  const greeting = await until(() => {
    const panel = shadow().querySelector('.sc-panel');
    return bots() > 0 && !panel.hidden && getComputedStyle(shadow().querySelector('.sc-root')).visibility !== 'hidden';
  }, 'the greeting');
  const online = await until(() => window.ShopChat.state === 'online', 'the socket.io session');
  const before = bots();
  const sent = performance.now();
  window.ShopChat.send('hi');
  const reply = await until(() => bots() > before, 'the first reply');
  const nav = performance.getEntriesByType('navigation')[0];
  return {page_load_ms: nav.loadEventEnd || nav.domContentLoadedEventEnd, widget_ready_ms: ready,
          greeting_ms: greeting, connected_ms: online - opened, first_reply_ms: reply - sent};
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self, cap: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the benchmark ran out of time (--timeout); stopping everything")
        return min(cap, left)


def start_system(tmp: Path, deadline: Deadline) -> Stack:
    """Seeded shop, action server, Rasa and console on free ports, as ``tests/e2e/conftest.py`` does."""
    from assistant.runtime.training import ensure_model

    url = f"sqlite:///{tmp / 'shop.db'}"
    logger.info("seeding a fresh shop database in %s", tmp)
    subprocess.run([str(ACTIONS_PYTHON), "-m", "assistant.runtime.demo", "seed", "--database-url", url, "--force"],
                   cwd=REPO_ROOT, check=True, capture_output=True, timeout=deadline.remaining(600))
    overrides = {
        "DATABASE_URL": url, "SHOP_VAR_DIR": str(tmp), "KB_INDEX_DIR": str(REPO_ROOT / "var" / "kb"),
        "RASA_PORT": str(free_port()), "ACTION_SERVER_PORT": str(free_port()), "CONSOLE_PORT": str(free_port()),
    }
    stack = make_stack(overrides, log_dir=tmp / "log")
    try:
        stack.start_action_server(timeout=deadline.remaining(180))
        logger.info("starting Rasa (30-90 s)")
        stack.start_rasa(ensure_model(), timeout=deadline.remaining(300))
        stack.start_console(timeout=deadline.remaining(60))
    except BaseException:
        stack.stop()
        raise
    return stack


def measure(console_url: str, runs: int, deadline: Deadline) -> Dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is missing (/usr/bin/chromium): run make setup")
    samples: Dict[str, List[float]] = {name: [] for name in METRICS}
    cold: Dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for run in range(runs + 1):
                timeout_s = deadline.remaining(120)
                context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
                try:
                    page = context.new_page()
                    page.set_default_timeout(timeout_s * 1000)
                    page.goto(f"{console_url}/shop", wait_until="commit")
                    figures = page.evaluate(MEASURE, timeout_s * 1000)
                    page.wait_for_load_state("load")
                    figures["page_load_ms"] = page.evaluate(
                        "() => performance.getEntriesByType('navigation')[0].loadEventEnd")
                finally:
                    context.close()
                if run == 0:
                    cold = {k: round(v, 1) for k, v in figures.items()}
                    logger.info("warm-up: %s", json.dumps(cold))
                    continue
                for name in METRICS:
                    samples[name].append(round(figures[name], 1))
                logger.info("run %d: %s", run, json.dumps({k: round(v) for k, v in figures.items()}))
        finally:
            browser.close()
    return {
        "console_url": console_url,
        "runs": runs,
        "median": {name: round(statistics.median(values), 1) for name, values in samples.items()},
        "samples": samples,
        "cold_first_reply_ms": cold.get("first_reply_ms"),
        "cold_greeting_ms": cold.get("greeting_ms"),
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.widget_first_message",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--console-url", help="a running console (default: start the whole system here)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs after one warm-up (default 5)")
    parser.add_argument("--timeout", type=float, default=900, help="stop everything after this many seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[bench] %(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

    def on_sigterm(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    deadline = Deadline(args.timeout)
    tmp = Path(tempfile.mkdtemp(prefix="bench-widget-"))
    stack: Optional[Stack] = None
    try:
        if args.console_url:
            console_url = args.console_url.rstrip("/")
        else:
            stack = start_system(tmp, deadline)
            console_url = stack.console_url
        report = measure(console_url, max(1, args.runs), deadline)
    except KeyboardInterrupt:
        logger.error("interrupted (logs kept in %s)", tmp / "log")
        return 130
    except (RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as exc:
        logger.error("%s\nlogs kept in %s", exc, tmp / "log")
        return 1
    except Exception as exc:  # noqa: BLE001 - Playwright's errors: report and stop everything
        logger.error("browser run failed: %s\nlogs kept in %s", exc, tmp / "log")
        return 1
    finally:
        if stack is not None:
            stack.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
