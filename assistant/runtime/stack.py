"""Starts and stops the assistant's processes: the action server, then Rasa.

Used by the launcher (``make run``), the end-to-end tests and the benchmark, so
all of them run the system the same way. Standard library only.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from assistant.runtime.credentials import render_credentials
from assistant.runtime.endpoints import render_endpoints
from assistant.runtime.settings import REPO_ROOT, Settings, get_settings
from assistant.runtime.training import rasa_env

logger = logging.getLogger(__name__)

ACTIONS_PYTHON = REPO_ROOT / ".venv-actions" / "bin" / "python"
RASA_PYTHON = REPO_ROOT / ".venv-rasa" / "bin" / "python"
# Defaults for the serving processes (the environment wins). One thread per model call: messages arrive
# concurrently, so a second thread per call only adds spin-waiting on a busy machine (e5's query encoding
# takes 19.6 ms CPU on one thread and 27.4 ms on two, 13.9 ms wall, on the 2-core machine); training and
# the index build keep every core. Two malloc arenas: glibc's default (8 per core) lets the threaded
# servers hold freed memory per arena.
SERVING_ENV = {"ENCODER_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
               "TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StartupError(RuntimeError):
    """A process did not come up; the message says which and where its log is."""


def wait_http(url: str, timeout: float, process: Optional[subprocess.Popen] = None, log: Optional[Path] = None) -> None:
    """Polls ``url`` until it answers 2xx, the process dies, or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log else ""
            raise StartupError(f"process exited with {process.returncode} before {url} answered; see {log}\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.3)
    raise StartupError(f"{url} did not answer within {timeout:.0f} s; see {log}")


def stop_process_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the process's session (started with ``start_new_session``), then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@dataclass
class Stack:
    """The running processes of one assistant instance."""

    settings: Settings
    env: Dict[str, str]
    log_dir: Path
    processes: List[subprocess.Popen] = field(default_factory=list)
    rasa_processes: Dict[int, subprocess.Popen] = field(default_factory=dict)  # by port

    @property
    def rasa_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.rasa_port}"

    @property
    def rasa_urls(self) -> List[str]:
        """Every running Rasa process of this stack (``start_rasa`` with several ports), in start order."""
        return [f"http://{self.settings.host}:{port}" for port in self.rasa_processes]

    @property
    def action_server_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.action_server_port}"

    @property
    def console_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.console_port}"

    def _spawn(self, name: str, command: List[str],
               env: Optional[Dict[str, str]] = None) -> tuple[subprocess.Popen, Path]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for private in (self.settings.var_dir, self.log_dir):  # databases, logs and secrets: the owner only
            private.mkdir(parents=True, exist_ok=True)
            os.chmod(private, 0o700)
        log_path = self.log_dir / f"{name}.log"
        log = open(log_path, "ab")
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**(env or {}), **self.env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.processes.append(process)
        logger.info("started %s (pid %s, log %s)", name, process.pid, log_path)
        return process, log_path

    def start_action_server(self, timeout: float = 120) -> None:
        # rasa-sdk takes its bind address from SANIC_HOST and its number of worker processes from
        # ACTION_SERVER_SANIC_WORKERS (it has no flags for them).
        self.env["SANIC_HOST"] = self.settings.host
        self.env["ACTION_SERVER_SANIC_WORKERS"] = str(self.settings.action_server_workers)
        process, log = self._spawn(
            "action-server",
            [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(self.settings.action_server_port)],
            SERVING_ENV,
        )
        wait_http(f"{self.action_server_url}/health", timeout, process, log)

    def start_rasa(self, model: Path, timeout: float = 300, ports: Optional[Sequence[int]] = None) -> None:
        """Starts a Rasa process on each of ``ports`` (default: ``RASA_PORT`` only), all at once, and waits
        until every one answers.

        The processes share one endpoints.yml, hence the tracker store, the lock store and the event
        broker: with ``TRACKER_STORE_URL`` and ``REDIS_URL`` set, any of them can take any message of any
        conversation, which is what a load balancer in front of them needs."""
        ports = list(ports or [self.settings.rasa_port])
        if len(set(ports)) != len(ports) or any(port in self.rasa_processes for port in ports):
            raise StartupError(f"start_rasa: a port is given twice or already has a Rasa process: {ports}")
        endpoints = render_endpoints(self.settings, self.log_dir / "endpoints.yml")
        credentials = render_credentials(self.env, self.log_dir / "credentials.yml")
        started = []
        for port in ports:
            command = [
                str(RASA_PYTHON), "-m", "assistant.rasa_plugins.server", "run",
                "--model", str(model),
                "--endpoints", str(endpoints),
                "--credentials", str(credentials),
                "--interface", self.settings.host,
                "--port", str(port),
                "--enable-api", "--cors", *self.settings.allowed_origins,
            ]  # the API token is not on the command line (other users can read it there): server.py adds it
            process, log = self._spawn("rasa" if port == self.settings.rasa_port else f"rasa-{port}", command,
                                       SERVING_ENV)
            self.rasa_processes[port] = process
            started.append((port, process, log))
        deadline = time.monotonic() + timeout
        for port, process, log in started:
            wait_http(f"http://{self.settings.host}:{port}/", max(1.0, deadline - time.monotonic()), process, log)

    def start_console(self, timeout: float = 60) -> None:
        """The support console, demo shop page and chat widget (aiohttp, actions venv)."""
        process, log = self._spawn(
            "console",
            [str(ACTIONS_PYTHON), "-m", "assistant.console", "serve", "--port", str(self.settings.console_port)],
        )
        wait_http(f"{self.console_url}/health", timeout, process, log)

    def start_notification_worker(self, settle: float = 1.5) -> subprocess.Popen:
        """The worker that delivers proactive order updates from the outbox (``assistant/notifications``).

        It has no HTTP port: it is up when it has not exited after ``settle`` seconds. Returns the process
        (a test stops and restarts it with :func:`stop_process_group`)."""
        process, log = self._spawn("notifications", [str(ACTIONS_PYTHON), "-m", "assistant.notifications"])
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise StartupError(f"the notification worker exited with {process.returncode}; see {log}\n{tail}")
            time.sleep(0.1)
        return process

    def restart_rasa(self, model: Path, timeout: float = 300, port: Optional[int] = None) -> None:
        """Stops the Rasa server on ``port`` (default ``RASA_PORT``) and starts it again on the same port
        (the widget's reconnect test)."""
        port = port or self.settings.rasa_port
        process = self.rasa_processes.pop(port, None)
        if process is None:
            raise StartupError(f"restart_rasa: this stack has no Rasa process on port {port}; call start_rasa first")
        stop_process_group(process, timeout=30)
        self.processes.remove(process)
        logger.info("stopped Rasa; starting it again on port %s", port)
        self.start_rasa(model, timeout, ports=[port])

    def stop(self, timeout: float = 20) -> None:
        """Stops every process this stack started (SIGTERM, then SIGKILL)."""
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        self.rasa_processes.clear()


def make_stack(overrides: Optional[Dict[str, str]] = None, log_dir: Optional[Path] = None) -> Stack:
    """A stack whose processes see the current environment plus ``overrides``."""
    env = rasa_env()
    env.update(overrides or {})
    settings = get_settings(env)
    return Stack(settings=settings, env=env, log_dir=log_dir or settings.var_dir / "log")
