"""Renders Rasa's endpoints.yml from the settings.

Embedded default: the action server on loopback, conversations in a SQLite
tracker store under ``var/``, in-memory locks, no event broker. Scale-out:

| variable | effect |
| --- | --- |
| ``TRACKER_STORE_URL`` | SQL tracker store on that database, e.g. ``postgresql://rasa:secret@127.0.0.1:5432/rasa`` |
| ``REDIS_URL`` | Redis lock store (needed with several Rasa replicas), e.g. ``redis://127.0.0.1:6379/1`` |
| ``RABBITMQ_URL`` | Pika event broker publishing every conversation event, e.g. ``amqp://rasa:secret@127.0.0.1:5672/`` (user and password required) |
| ``RABBITMQ_QUEUE`` | queue name for the broker (default ``rasa_events``) |
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict
from urllib.parse import unquote, urlparse

from assistant.runtime.settings import Settings


def tracker_store(settings: Settings) -> Dict[str, Any]:
    """Rasa's tracker store endpoint for ``settings`` (the console reads conversations from the same one)."""
    url = settings.tracker_store_url.strip()
    if not url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(settings.var_dir / "trackers.db")}
    parsed = urlparse(url)
    dialect = parsed.scheme.split("+")[0]
    if dialect == "postgres":
        dialect = "postgresql"
    store: Dict[str, Any] = {"type": "SQL", "dialect": dialect, "db": parsed.path.lstrip("/")}
    if parsed.hostname:
        store["url"] = parsed.hostname
    if parsed.port:
        store["port"] = parsed.port
    if parsed.username:
        store["username"] = unquote(parsed.username)
    if parsed.password:
        store["password"] = unquote(parsed.password)
    return store


def lock_store(settings: Settings) -> Dict[str, Any] | None:
    url = settings.redis_url.strip()
    if not url:
        return None
    parsed = urlparse(url)
    store: Dict[str, Any] = {"type": "redis", "url": parsed.hostname or "127.0.0.1", "port": parsed.port or 6379}
    if parsed.path.strip("/"):
        store["db"] = int(parsed.path.strip("/"))
    if parsed.password:
        store["password"] = unquote(parsed.password)
    return store


def event_broker(settings: Settings) -> Dict[str, Any] | None:
    url = settings.rabbitmq_url.strip()
    if not url:
        return None
    parsed = urlparse(url)
    if not parsed.username or not parsed.password:
        # no silent guest/guest: a broker that accepts it accepts anyone on its network
        raise ValueError("RABBITMQ_URL must name a user and a password, e.g. amqp://rasa:secret@127.0.0.1:5672/")
    return {
        "type": "pika",
        "url": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5672,
        "username": unquote(parsed.username),
        "password": unquote(parsed.password),
        "queues": [settings.rabbitmq_queue],
    }


def render_endpoints(settings: Settings, path: Path) -> Path:
    """Writes endpoints.yml for ``settings`` to ``path`` and returns it."""
    endpoints: Dict[str, Any] = {
        "action_endpoint": {"url": settings.action_server_url, "token": settings.action_server_token},
        "tracker_store": tracker_store(settings),
    }
    if lock := lock_store(settings):
        endpoints["lock_store"] = lock
    if broker := event_broker(settings):
        endpoints["event_broker"] = broker
    path.parent.mkdir(parents=True, exist_ok=True)
    # JSON is valid YAML, and keeps this module free of third-party imports. It can hold database and
    # broker passwords: only the owner may read it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(endpoints, indent=2) + "\n")
    os.chmod(path, 0o600)  # also when the file existed with wider permissions
    return path
