"""Renders Rasa's endpoints.yml from the settings.

Embedded default: the action server on loopback, conversations in a SQLite
tracker store under ``var/``, in-memory locks, no event broker. Scale-out:

| variable | effect |
| --- | --- |
| ``TRACKER_STORE_URL`` | SQL tracker store on that database, e.g. ``postgresql://rasa:secret@127.0.0.1:5432/rasa`` (query options such as ``?sslmode=require`` are kept) |
| ``REDIS_URL`` | Redis lock store (needed with several Rasa replicas; ``assistant.rasa_plugins.lock_store``), e.g. ``redis://127.0.0.1:6379/1``; no number means database 0, as for any Redis client; ``rediss://`` is TLS |
| ``RABBITMQ_URL`` | Pika event broker publishing every conversation event, e.g. ``amqp://rasa:secret@127.0.0.1:5672/`` (user and password required); a virtual host (``.../shop``) and ``amqps://`` (TLS) are kept |
| ``RABBITMQ_QUEUE`` | queue name for the broker (default ``rasa_events``) |

Rasa's Pika broker publishes to a fanout exchange (``rasa-exchange``): every queue bound to it, under any
name, receives every event.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict
from urllib.parse import parse_qsl, quote, unquote, urlparse

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
    if parsed.query:  # e.g. sslmode=require for a managed PostgreSQL
        store["query"] = dict(parse_qsl(parsed.query))
    return store


# Rasa's RedisLockStore with each change to a lock made atomic: Rasa's own loses updates when two processes
# take messages of one conversation at the same moment (see the module)
REDIS_LOCK_STORE = "assistant.rasa_plugins.lock_store.TransactionalRedisLockStore"


def lock_store(settings: Settings) -> Dict[str, Any] | None:
    url = settings.redis_url.strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379/1, "
                         f"got scheme {parsed.scheme!r}")
    number = parsed.path.strip("/") or "0"
    if not number.isdigit():
        raise ValueError(f"REDIS_URL's path must be a database number, e.g. redis://127.0.0.1:6379/1, got {number!r}")
    # the database is always written: Rasa's own default is 1, while a Redis URL without a number means 0
    store: Dict[str, Any] = {"type": REDIS_LOCK_STORE, "url": parsed.hostname or "127.0.0.1",
                             "port": parsed.port or 6379, "db": int(number)}
    if parsed.username:
        store["username"] = unquote(parsed.username)
    if parsed.password:
        store["password"] = unquote(parsed.password)
    if parsed.scheme == "rediss":
        store["use_ssl"] = True
    return store


def event_broker(settings: Settings) -> Dict[str, Any] | None:
    url = settings.rabbitmq_url.strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("amqp", "amqps"):
        raise ValueError(f"RABBITMQ_URL must start with amqp:// or amqps://, got scheme {parsed.scheme!r}")
    if not parsed.username or not parsed.password:
        # no silent guest/guest: a broker that accepts it accepts anyone on its network
        raise ValueError("RABBITMQ_URL must name a user and a password, e.g. amqp://rasa:secret@127.0.0.1:5672/")
    host = parsed.hostname or "127.0.0.1"
    port = parsed.port or (5671 if parsed.scheme == "amqps" else 5672)
    broker: Dict[str, Any] = {
        "type": "pika",
        "url": host,
        "port": port,
        "username": unquote(parsed.username),
        "password": unquote(parsed.password),
        "queues": [settings.rabbitmq_queue],
    }
    if parsed.scheme == "amqps" or parsed.path.strip("/") or parsed.query:
        # Given a bare host, Rasa connects to the virtual host "/" without TLS. Given an amqp(s):// URL
        # instead, it inserts "username:password" into it as they are and keeps the scheme, the path
        # (the virtual host) and the query (TLS options, heartbeat): so here they are percent-encoded.
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        broker["url"] = f"{parsed.scheme}://{netloc}{parsed.path}" + (f"?{parsed.query}" if parsed.query else "")
        broker["username"] = quote(broker["username"], safe="")
        broker["password"] = quote(broker["password"], safe="")
    return broker


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
