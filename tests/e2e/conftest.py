"""Fixtures that run the real system: a seeded shop database, the action server
and the Rasa server as separate processes, talked to over HTTP.

The Rasa model is trained once per content hash (``assistant.runtime.training``), so a
second test run reuses it.
"""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, Stack, free_port, make_stack
from assistant.runtime.training import ensure_model
from assistant.shop.demo.sample_orders import sample_orders
from assistant.shop.storage.db import make_engine, session_factory

AUTH_TOKEN = "e2e-secret-token"


def seed_database(url: str) -> None:
    subprocess.run(
        [str(ACTIONS_PYTHON), "-m", "assistant.runtime.demo", "seed", "--database-url", url, "--force"],
        cwd=REPO_ROOT, check=True, capture_output=True,
    )


KB_INDEX_DIR = REPO_ROOT / "var" / "kb"


def ensure_knowledge_base() -> Path:
    """The setup step builds the index; build it here too when tests run on their own (incremental)."""
    subprocess.run([str(ACTIONS_PYTHON), "-m", "knowledge_base", "build", "--quiet"], cwd=REPO_ROOT, check=True,
                   capture_output=True, env={**os.environ, "KB_INDEX_DIR": str(KB_INDEX_DIR)})
    return KB_INDEX_DIR


ALWAYS_OPEN = """# test shop: agents online around the clock
timezone: UTC
reply_within_hours: 24
hours: {monday: "00:00-24:00", tuesday: "00:00-24:00", wednesday: "00:00-24:00", thursday: "00:00-24:00",
        friday: "00:00-24:00", saturday: "00:00-24:00", sunday: "00:00-24:00"}
holidays: []
"""


def always_open_hours(tmp: Path) -> Path:
    path = tmp / "business_hours.yml"
    path.write_text(ALWAYS_OPEN)
    return path


def start_stack(tmp: Path, database_url: str, with_actions: bool = True, with_console: bool = False,
                rasa_processes: int = 1, **env: str) -> Stack:
    """The action server, ``rasa_processes`` Rasa servers on their own free ports (the first on ``RASA_PORT``,
    all sharing one endpoints.yml) and optionally the console, on a fresh var dir ``tmp``."""
    overrides = {
        "DATABASE_URL": database_url,
        "SHOP_VAR_DIR": str(tmp),
        "KB_INDEX_DIR": str(ensure_knowledge_base()),
        "RASA_PORT": str(free_port()),
        "ACTION_SERVER_PORT": str(free_port()),
        "CONSOLE_PORT": str(free_port()),
        "SHOP_BUSINESS_HOURS_FILE": str(always_open_hours(tmp)),
        "SURVEY_RATE": "0",  # scripted conversations get no sampled NPS/CES question (tests/e2e/test_surveys.py: 1)
        **env,
    }
    stack = make_stack(overrides, log_dir=tmp / "log")
    ports = [stack.settings.rasa_port]
    while len(ports) < rasa_processes:
        port = free_port()
        if port not in ports:
            ports.append(port)
    try:
        if with_actions:
            stack.start_action_server()
        stack.start_rasa(ensure_model(), ports=ports)
        if with_console:
            stack.start_console()
    except Exception:
        stack.stop()
        raise
    return stack


@dataclass
class Chat:
    """One shopper's conversation over the REST channel."""

    base_url: str
    sender: str = field(default_factory=lambda: f"shopper-{uuid.uuid4().hex[:10]}")
    history: List[Dict[str, Any]] = field(default_factory=list)

    def send(self, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        payload: Dict[str, Any] = {"sender": self.sender, "message": text}
        if metadata:
            payload["metadata"] = metadata  # what the widget sends, e.g. {"language": "ja"}
        body = json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.loads(response.read())
        self.history.append({"user": text, "bot": replies})
        return replies

    def custom(self, text: str) -> List[Dict[str, Any]]:
        """Sends ``text`` and returns the custom payloads (product cards, knowledge-base sources)."""
        return [r["custom"] for r in self.send(text) if "custom" in r]

    def say(self, text: str) -> str:
        """Sends ``text`` and returns all reply texts joined, for easy assertions."""
        return "\n".join(r.get("text", "") for r in self.send(text))

    def tracker(self, token: str = AUTH_TOKEN) -> Dict[str, Any]:
        request = urllib.request.Request(f"{self.base_url}/conversations/{self.sender}/tracker?token={token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@dataclass
class Shop:
    """The running system plus direct access to its database for assertions."""

    stack: Stack
    database_url: str

    @property
    def url(self) -> str:
        return self.stack.rasa_url

    @property
    def console_url(self) -> str:
        return self.stack.console_url

    def chat(self) -> Chat:
        return Chat(self.url)

    def sessions(self):
        return session_factory(make_engine(self.database_url))

    def orders(self, per_status: int = 50) -> List[Dict[str, Any]]:
        return sample_orders(self.sessions(), per_status)

    def order(self, status: str, index: int = 0) -> Dict[str, Any]:
        matching = [o for o in self.orders() if o["status"] == status]
        return matching[index]

    def parse(self, text: str) -> Dict[str, Any]:
        body = json.dumps({"text": text}).encode()
        request = urllib.request.Request(f"{self.url}/model/parse?token={AUTH_TOKEN}", data=body)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("shop")
    url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(url)
    stack = start_stack(tmp, url, with_console=True, RASA_AUTH_TOKEN=AUTH_TOKEN)
    yield Shop(stack, url)
    stack.stop()


SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (installed by the setup step; never `playwright install`)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI=true but /usr/bin/chromium is missing (run make setup)")
        pytest.skip("Chromium is not installed (/usr/bin/chromium); make setup installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests keep a screenshot of each page (git-ignored), for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def postgres_url(name: str = "shop_e2e") -> Optional[str]:
    """A fresh database ``name`` on the local PostgreSQL, or None when it is not reachable."""
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg2

        conn = psycopg2.connect(base, connect_timeout=3)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return base.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def postgres_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    url = postgres_url()
    if url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required under CI=true but is not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    tmp = tmp_path_factory.mktemp("pgshop")
    seed_database(url)
    stack = start_stack(tmp, url, RASA_AUTH_TOKEN=AUTH_TOKEN)
    yield Shop(stack, url)
    stack.stop()


AGENT_PASSWORD = "correct-horse-battery-staple"


@dataclass
class Agents:
    """Two support agents on the shared system, and an API token acting as the first."""

    console_url: str
    token: str

    def alice(self):
        from tests.e2e.console_client import ConsoleClient

        return ConsoleClient(self.console_url).login("alice", AGENT_PASSWORD)

    def bob(self):
        from tests.e2e.console_client import ConsoleClient

        return ConsoleClient(self.console_url).login("bob", AGENT_PASSWORD)

    def integration(self):
        from tests.e2e.console_client import ConsoleClient

        return ConsoleClient(self.console_url, token=self.token)


@pytest.fixture(scope="session")
def agents(shop: Shop) -> Agents:
    from tests.e2e.console_client import create_agent, create_token

    create_agent(shop.database_url, "alice", "Alice Martin", AGENT_PASSWORD)
    create_agent(shop.database_url, "bob", "Bob Chen", AGENT_PASSWORD)
    return Agents(shop.console_url, create_token(shop.database_url, "alice"))
