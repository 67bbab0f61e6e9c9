"""All run-time settings, read from environment variables with documented defaults.

This module is the one place settings come from. It uses only the standard
library so that both virtual environments (Rasa on 3.10, actions on 3.11) and
the launcher can import it.

| variable | default | meaning |
| --- | --- | --- |
| ``DATABASE_URL`` | ``sqlite:///<repo>/var/shop.db`` | shop database (SQLAlchemy URL) |
| ``SHOP_POLICY_FILE`` | ``<repo>/assistant/shop/commerce/policy.yml`` | refund, return and shipping rules |
| ``RASA_PORT`` | ``5005`` | Rasa server (REST, socket.io, HTTP API) |
| ``ACTION_SERVER_PORT`` | ``5055`` | rasa-sdk action server |
| ``ACTION_SERVER_WORKERS`` | ``1`` | action-server worker processes (rasa-sdk's Sanic workers, all on ``ACTION_SERVER_PORT``) |
| ``NLU_CACHE_SIZE`` | ``2048`` | parse results Rasa keeps per process, by message text (0 = none): a text seen lately skips the NLU pipeline |
| ``ACTION_SERVER_URL`` | ``http://127.0.0.1:<ACTION_SERVER_PORT>/webhook`` | where Rasa calls actions |
| ``RASA_AUTH_TOKEN`` | generated once into ``<SHOP_VAR_DIR>/secrets/`` | token protecting Rasa's HTTP API (it is never off) |
| ``ACTION_SERVER_TOKEN`` | generated once into ``<SHOP_VAR_DIR>/secrets/`` | the secret Rasa sends with every action call; the action server refuses calls without it |
| ``SHOP_SESSION_KEY`` | generated once into ``<SHOP_VAR_DIR>/secrets/`` | signs the widget's session ids |
| ``SHOP_ALLOWED_ORIGINS`` | the console's own origins | comma-separated web origins (``https://shop.example``) whose pages may call Rasa and the widget's history API from a browser |
| ``RASA_MODEL_DIR`` | ``<repo>/models`` | trained models, named by content hash |
| ``SHOP_VAR_DIR`` | ``<repo>/var`` | databases, logs and rendered endpoints |
| ``SHOP_HOST`` | ``127.0.0.1`` | interface every process binds to |
| ``SHOP_SUPPORT_EMAIL`` | ``support@example-shop.test`` | shown when a person is needed |
| ``SHOP_NAME`` | ``Northwind Outfitters`` | the demo shop's name in replies |
| ``KB_CONTENT_DIR`` | ``<repo>/knowledge_base/content`` | the shop's guides, policies and product catalogue |
| ``KB_INDEX_DIR`` | ``<SHOP_VAR_DIR>/kb`` | where ``make kb-build`` writes the index |
| ``KB_ENCODER`` | ``e5`` | sentence encoder: ``e5`` (multilingual), ``minilm`` (English), ``use`` |
| ``KB_INDEX_TYPE`` | ``auto`` | faiss index: ``flat`` (exact), ``ivf``, ``hnsw``; ``auto`` = flat up to 50,000 chunks, then IVF |
| ``KB_MIN_SCORE`` | per encoder (calibrated) | below this cosine similarity the assistant says it does not know |
| ``CONSOLE_PORT`` | ``8080`` | support console, demo shop page and chat widget (aiohttp) |
| ``RASA_URL`` | ``http://<SHOP_HOST>:<RASA_PORT>`` | where the console reaches Rasa's HTTP API (agent replies, handoff end) |
| ``PUBLIC_RASA_URL`` | ``RASA_URL`` | the Rasa address browsers use for the widget's socket.io connection |
| ``SHOP_BUSINESS_HOURS_FILE`` | ``<repo>/assistant/shop/support/business_hours.yml`` | when agents are online (time zone, weekly hours, holidays) |
| ``CONSOLE_SECURE_COOKIES`` | ``false`` | always mark the console's cookies ``Secure`` (they are anyway when the request came over HTTPS) |
| ``CONSOLE_TRUSTED_PROXIES`` | empty | comma-separated addresses of reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` the console believes (login throttling per real client, Secure cookies) |
| ``TRACKER_STORE_URL`` | empty: SQLite ``<SHOP_VAR_DIR>/trackers.db`` | Rasa's conversations (``postgresql://user:pass@host/db``) |
| ``REDIS_URL`` | empty: in-memory | Rasa's lock store, for several Rasa processes (``redis://host:6379/0``) |
| ``RABBITMQ_URL`` | empty: none | Rasa's event broker (``amqp://user:pass@host:5672/``), also read by the console for its live metrics; a user and password are required |
| ``RABBITMQ_QUEUE`` | ``rasa_events`` | the broker's queue |
| ``CONSOLE_EVENTS_QUEUE`` | ``shop_console_events`` | the console's own queue on Rasa's ``rasa-exchange`` (with ``RABBITMQ_URL``), feeding the live metrics; one per console replica, never ``RABBITMQ_QUEUE`` |
| ``SURVEY_RATE`` | ``0.3`` | share of bot-only results followed by one NPS or CES question (0 = never, 1 = always) |
| ``SURVEY_KIND`` | ``alternate`` | which question: ``nps`` (0-10), ``ces`` (1-7) or ``alternate`` between them |
| ``SURVEY_COOLDOWN_DAYS`` | ``7`` | a customer (or an unverified sender) is asked at most once in this many days |
| ``NOTIFY_QUIET_HOURS`` | ``21:00-08:00`` | proactive order updates are held during these hours (empty: none); urgent ones (a delay) go anyway |
| ``NOTIFY_TIMEZONE`` | the business hours' time zone | the time zone of the quiet hours |
| ``NOTIFY_DEFAULT_OPT_IN`` | ``true`` | whether customers who never said "stop updates" or "start updates" get order updates |
| ``NOTIFY_WHATSAPP_TEMPLATE_SID`` | empty | Twilio Content SID of the approved WhatsApp template for updates outside the 24-hour window (empty: email instead) |
| ``NOTIFY_WEB_SESSION_DAYS`` | ``30`` | a widget conversation gets updates while the shopper was active in it within this many days |
| ``NOTIFY_POLL_SECONDS`` | ``1`` | how often the notification worker looks for new order events |

Messenger channels (``TELEGRAM_*``, ``FACEBOOK_*``, ``TWILIO_*``, ``SHOP_PUBLIC_URL``) are read by
``assistant/runtime/credentials.py`` when Rasa starts; see README "Messenger channels".
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from assistant.runtime.secrets import shared_secret

REPO_ROOT = Path(__file__).resolve().parents[2]


def _origins(environ: Mapping[str, str], console_port: int) -> tuple[str, ...]:
    """The web origins allowed to call Rasa and the widget API from a browser (no ``*``)."""
    raw = _env(environ, "SHOP_ALLOWED_ORIGINS", "")
    if raw:
        origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
        if "*" in origins:
            raise ValueError("SHOP_ALLOWED_ORIGINS must list origins, not '*' (any page could then use the API)")
        return origins
    hosts = dict.fromkeys(("127.0.0.1", "localhost", _env(environ, "SHOP_HOST", "127.0.0.1")))
    return tuple(f"http://{host}:{console_port}" for host in hosts if host not in ("0.0.0.0", "::"))


def _env(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip()
    return value or default


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _env(environ, name, str(default))
    try:
        port = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a port number, got {raw!r}") from exc
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be between 1 and 65535, got {port}")
    return port


def _count(environ: Mapping[str, str], name: str, default: int, least: int = 1) -> int:
    raw = _env(environ, name, str(default))
    try:
        count = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if count < least:
        raise ValueError(f"{name} must be at least {least}, got {count}")
    return count


def _rate(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = _env(environ, name, str(default))
    try:
        rate = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number from 0 to 1, got {raw!r}") from exc
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be from 0 to 1, got {rate}")
    return rate


SURVEY_KINDS = ("alternate", "nps", "ces")


def _choice(environ: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(environ, name, default).lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _positive_int(environ: Mapping[str, str], name: str) -> Optional[int]:
    raw = _env(environ, name, "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


def _float(environ: Mapping[str, str], name: str) -> Optional[float]:
    raw = _env(environ, name, "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _console_events_queue(environ: Mapping[str, str], rabbitmq_queue: str) -> str:
    """The console's queue: never Rasa's own (the console would take the events meant for its consumers, and
    the two declarations differ, so RabbitMQ would refuse one of them)."""
    queue = _env(environ, "CONSOLE_EVENTS_QUEUE", "shop_console_events")
    if queue == rabbitmq_queue:
        raise ValueError(f"CONSOLE_EVENTS_QUEUE must differ from RABBITMQ_QUEUE ({queue!r}): the console "
                         "needs a queue of its own on Rasa's exchange")
    if len(queue.encode()) > 255:
        raise ValueError("CONSOLE_EVENTS_QUEUE must be at most 255 bytes (RabbitMQ's limit)")
    return queue


@dataclass(frozen=True)
class Settings:
    database_url: str
    policy_file: Path
    host: str
    rasa_port: int
    action_server_port: int
    action_server_url: str
    rasa_auth_token: str
    action_server_token: str
    session_key: str
    model_dir: Path
    support_email: str
    shop_name: str
    var_dir: Path = field(default=REPO_ROOT / "var")
    kb_content_dir: Path = field(default=REPO_ROOT / "knowledge_base" / "content")
    kb_index_dir: Path = field(default=REPO_ROOT / "var" / "kb")
    kb_encoder: str = "e5"
    kb_index_type: str = "auto"
    kb_min_score: Optional[float] = None  # None: the encoder's calibrated default
    encoder_threads: Optional[int] = None  # threads per query encoding; None: up to 4 cores (the index build)
    console_port: int = 8080
    rasa_url: str = "http://127.0.0.1:5005"
    public_rasa_url: str = "http://127.0.0.1:5005"
    business_hours_file: Path = field(default=REPO_ROOT / "assistant" / "shop" / "support" / "business_hours.yml")
    secure_cookies: bool = False
    tracker_store_url: str = ""
    redis_url: str = ""
    rabbitmq_url: str = ""
    rabbitmq_queue: str = "rasa_events"
    console_events_queue: str = "shop_console_events"
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    action_server_workers: int = 1
    nlu_cache_size: int = 2048  # parse results kept by Rasa per process, by message text
    notify_quiet_hours: str = "21:00-08:00"
    notify_timezone: str = ""  # empty: the business hours' time zone
    notify_default_opt_in: bool = True
    notify_whatsapp_template_sid: str = ""
    notify_web_session_days: int = 30
    notify_poll_seconds: float = 1.0
    survey_rate: float = 0.3
    survey_kind: str = "alternate"
    survey_cooldown_days: int = 7


def get_settings(environ: Optional[Mapping[str, str]] = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    var_dir = Path(_env(environ, "SHOP_VAR_DIR", str(REPO_ROOT / "var")))
    action_port = _port(environ, "ACTION_SERVER_PORT", 5055)
    host = _env(environ, "SHOP_HOST", "127.0.0.1")
    rasa_port = _port(environ, "RASA_PORT", 5005)
    rasa_url = _env(environ, "RASA_URL", f"http://{host}:{rasa_port}").rstrip("/")
    console_port = _port(environ, "CONSOLE_PORT", 8080)
    rabbitmq_queue = _env(environ, "RABBITMQ_QUEUE", "rasa_events")
    return Settings(
        database_url=_env(environ, "DATABASE_URL", f"sqlite:///{var_dir / 'shop.db'}"),
        policy_file=Path(_env(environ, "SHOP_POLICY_FILE", str(REPO_ROOT / "assistant" / "shop" / "commerce" / "policy.yml"))),
        host=host,
        rasa_port=rasa_port,
        action_server_port=action_port,
        action_server_url=_env(environ, "ACTION_SERVER_URL", f"http://{host}:{action_port}/webhook"),
        rasa_auth_token=_env(environ, "RASA_AUTH_TOKEN", "") or shared_secret(var_dir, "rasa_auth_token"),
        action_server_token=_env(environ, "ACTION_SERVER_TOKEN", "") or shared_secret(var_dir, "action_server_token"),
        session_key=_env(environ, "SHOP_SESSION_KEY", "") or shared_secret(var_dir, "session_signing_key"),
        model_dir=Path(_env(environ, "RASA_MODEL_DIR", str(REPO_ROOT / "models"))),
        support_email=_env(environ, "SHOP_SUPPORT_EMAIL", "support@example-shop.test"),
        shop_name=_env(environ, "SHOP_NAME", "Northwind Outfitters"),
        var_dir=var_dir,
        kb_content_dir=Path(_env(environ, "KB_CONTENT_DIR", str(REPO_ROOT / "knowledge_base" / "content"))),
        kb_index_dir=Path(_env(environ, "KB_INDEX_DIR", str(var_dir / "kb"))),
        kb_encoder=_env(environ, "KB_ENCODER", "e5"),
        kb_index_type=_env(environ, "KB_INDEX_TYPE", "auto"),
        kb_min_score=_float(environ, "KB_MIN_SCORE"),
        encoder_threads=_positive_int(environ, "ENCODER_THREADS"),
        console_port=console_port,
        rasa_url=rasa_url,
        public_rasa_url=_env(environ, "PUBLIC_RASA_URL", rasa_url).rstrip("/"),
        business_hours_file=Path(_env(environ, "SHOP_BUSINESS_HOURS_FILE",
                                      str(REPO_ROOT / "assistant" / "shop" / "support" / "business_hours.yml"))),
        secure_cookies=_env(environ, "CONSOLE_SECURE_COOKIES", "false").lower() in ("1", "true", "yes"),
        tracker_store_url=_env(environ, "TRACKER_STORE_URL", ""),
        redis_url=_env(environ, "REDIS_URL", ""),
        rabbitmq_url=_env(environ, "RABBITMQ_URL", ""),
        rabbitmq_queue=rabbitmq_queue,
        console_events_queue=_console_events_queue(environ, rabbitmq_queue),
        allowed_origins=_origins(environ, console_port),
        trusted_proxies=tuple(p.strip() for p in _env(environ, "CONSOLE_TRUSTED_PROXIES", "").split(",") if p.strip()),
        action_server_workers=_count(environ, "ACTION_SERVER_WORKERS", 1),
        nlu_cache_size=_count(environ, "NLU_CACHE_SIZE", 2048, least=0),
        notify_quiet_hours=environ.get("NOTIFY_QUIET_HOURS", "21:00-08:00").strip(),
        notify_timezone=_env(environ, "NOTIFY_TIMEZONE", ""),
        notify_default_opt_in=_env(environ, "NOTIFY_DEFAULT_OPT_IN", "true").lower() in ("1", "true", "yes"),
        notify_whatsapp_template_sid=_env(environ, "NOTIFY_WHATSAPP_TEMPLATE_SID", ""),
        notify_web_session_days=_count(environ, "NOTIFY_WEB_SESSION_DAYS", 30),
        notify_poll_seconds=_float(environ, "NOTIFY_POLL_SECONDS") or 1.0,
        survey_rate=_rate(environ, "SURVEY_RATE", 0.3),
        survey_kind=_choice(environ, "SURVEY_KIND", "alternate", SURVEY_KINDS),
        survey_cooldown_days=_count(environ, "SURVEY_COOLDOWN_DAYS", 7),
    )
