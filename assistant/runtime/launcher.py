"""``make run``: starts the action server and Rasa, prints where to talk, waits.

Setup (venvs, seeding, training) has already run in ``scripts/setup.sh``.
Ctrl-C stops every process started here.
"""
from __future__ import annotations

import json
import logging
import secrets
import signal
import subprocess
import sys
import threading

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, StartupError, make_stack
from assistant.runtime.training import ensure_model

logger = logging.getLogger("launcher")


def sample_orders() -> list[dict]:
    output = subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "assistant.runtime.demo", "sample-orders", "--per-status", "1"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def demo_agent() -> str:
    """On a shop with no agent yet, creates ``admin`` with a random password and says so (once)."""
    password = secrets.token_urlsafe(12)
    result = subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "assistant.console", "list-agents"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    )
    if " active" in result.stdout:
        return "  Console login: your agent accounts (add one: make agent USERNAME=you)"
    subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "assistant.console", "add-agent", "admin", "--name", "Admin",
         "--password-stdin"],
        cwd=REPO_ROOT, input=password + "\n", capture_output=True, text=True, check=True,
    )
    return f"  Console login: admin / {password}  (created now; change it: make agent-password USERNAME=admin)"


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[run] %(message)s")
    model = ensure_model()
    stack = make_stack()
    stopped = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start_action_server()
        stack.start_rasa(model)
        stack.start_console()
        stack.start_notification_worker()
    except StartupError as exc:
        logger.error("%s", exc)
        stack.stop()
        sys.exit(1)

    url = stack.rasa_url
    print(
        f"""
The assistant is running.
  REST:        curl -s {url}/webhooks/rest/webhook -d '{{"sender": "me", "message": "where is my order?"}}'
  socket.io:   {url}/socket.io  (events user_uttered / bot_uttered)
  HTTP API:    {url}/status?token=...  (the token: RASA_AUTH_TOKEN, or var/secrets/rasa_auth_token)
  Actions:     {stack.action_server_url}/health
  Demo shop:   {stack.console_url}/shop  (the chat widget is on the page)
  Console:     {stack.console_url}/  (support agents: queue, tickets, history, metrics)
{demo_agent()}
  Updates:     order notifications are on; `make demo-events` ships some of the orders below
  Logs:        {stack.log_dir}

Orders to try (order number + email verify you):""",
        flush=True,
    )
    for order in sample_orders():
        print(f"  {order['order_id']}  {order['email']:<34} {order['status']}", flush=True)
    print("\nCtrl-C stops everything.", flush=True)

    while not stopped.wait(1):
        for process in stack.processes:
            if process.poll() is not None:
                logger.error("a process exited (code %s); stopping. See %s", process.returncode, stack.log_dir)
                stopped.set()
    logger.info("stopping")
    stack.stop()


if __name__ == "__main__":
    main()
