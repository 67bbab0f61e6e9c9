"""Test helpers that act like a shopper on socket.io and a support agent on the console."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any, Callable, Dict, List, Optional

import socketio

from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON


def create_agent(database_url: str, username: str, name: str, password: str) -> None:
    subprocess.run([str(ACTIONS_PYTHON), "-m", "assistant.console", "add-agent", username, "--name", name,
                    "--password-stdin"], cwd=REPO_ROOT, input=password + "\n", text=True, check=True,
                   capture_output=True, env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"})


def create_token(database_url: str, username: str) -> str:
    result = subprocess.run([str(ACTIONS_PYTHON), "-m", "assistant.console", "create-token", username,
                             "--name", "tests"], cwd=REPO_ROOT, text=True, check=True, capture_output=True,
                            env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"})
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Shopper:
    """A widget-like socket.io client on Rasa's socket.io channel."""

    rasa_url: str
    session_id: str = ""  # issued by the server on connect, with its token
    session_token: str = ""
    client: socketio.SimpleClient = field(default_factory=socketio.SimpleClient)

    def connect(self) -> "Shopper":
        self.client.connect(self.rasa_url, transports=["polling"])
        self.client.emit("session_request", {"session_id": self.session_id or None,
                                             "session_token": self.session_token or None})
        event = self.client.receive(timeout=10)
        assert event[0] == "session_confirm", event
        self.session_id, self.session_token = event[1]["session_id"], event[1]["session_token"]
        return self

    def send(self, text: str, language: str = "en") -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": self.session_id,
                                          "metadata": {"language": language}})

    def receive(self, timeout: float = 30, until: Optional[Callable[[Dict[str, Any]], bool]] = None,
                quiet: float = 1.5) -> List[Dict[str, Any]]:
        """Bot messages until ``until`` matches one (then returns), or until ``quiet`` seconds pass with none."""
        messages: List[Dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = min(deadline - time.monotonic(), quiet if messages and until is None else 2.0)
            try:
                event, *data = self.client.receive(timeout=max(0.1, wait))
            except socketio.exceptions.TimeoutError:
                if messages and until is None:
                    return messages
                continue
            if event == "bot_uttered":
                messages.append(data[0] if data else {})
                if until is not None and until(messages[-1]):
                    return messages
        if until is not None:
            raise AssertionError(f"no matching bot message within {timeout} s; got {messages}")
        return messages

    def say(self, text: str, **kwargs: Any) -> List[Dict[str, Any]]:
        self.send(text)
        return self.receive(**kwargs)

    def close(self) -> None:
        self.client.disconnect()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


class HttpError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:200]}")
        self.status, self.body = status, body


@dataclass
class ConsoleClient:
    """An agent (or an integration) talking to the console over HTTP."""

    base_url: str
    token: str = ""
    jar: CookieJar = field(default_factory=CookieJar)
    csrf: str = ""

    def _opener(self) -> urllib.request.OpenerDirector:
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, method: str, path: str, body: Any = None, form: Optional[Dict[str, str]] = None,
                headers: Optional[Dict[str, str]] = None) -> tuple[int, Dict[str, str], str]:
        data = None
        all_headers = dict(headers or {})
        if self.token:
            all_headers.setdefault("Authorization", f"Bearer {self.token}")
        if body is not None:
            data = json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=all_headers)
        try:
            with self._opener().open(request, timeout=60) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        status, _headers, text = self.request(method, path, body=body, headers=headers)
        if status >= 400:
            raise HttpError(status, text)
        return json.loads(text) if text else None

    def post_login(self, form: Dict[str, str]) -> tuple[int, Dict[str, str], str]:
        """Loads the login form (its CSRF cookie and field), then submits ``form`` with the token."""
        _, _, page = self.request("GET", "/login")
        marker = 'name="csrf_token" value="'
        token = page[page.index(marker) + len(marker):].split('"', 1)[0]
        return self.request("POST", "/login", form={**form, "csrf_token": token})

    def login(self, username: str, password: str) -> "ConsoleClient":
        status, headers, _ = self.post_login({"username": username, "password": password, "next": "/"})
        assert status == 302 and headers.get("Location") == "/", (status, headers)
        _, _, page = self.request("GET", "/")
        marker = 'data-csrf="'
        self.csrf = page[page.index(marker) + len(marker):].split('"', 1)[0]
        return self


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # keep 302s visible to the tests
        return None


def wait_for(predicate: Callable[[], Any], timeout: float = 20, interval: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
