"""The scale-out endpoints (``assistant/runtime/endpoints.py``) as Rasa itself reads them: the broker's
virtual host, TLS and encoded password, the Redis database and user, PostgreSQL options. No connection."""
from __future__ import annotations

import asyncio

from rasa.utils.endpoints import read_endpoint_config

from assistant.runtime.endpoints import render_endpoints
from assistant.runtime.settings import get_settings


def _endpoint(tmp_path, name, **env):
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), **env})
    return read_endpoint_config(str(render_endpoints(settings, tmp_path / "endpoints.yml")), name)


def _broker_url(config):
    from aio_pika.connection import make_url
    from rasa.core.brokers.pika import PikaEventBroker

    async def build():
        return make_url(PikaEventBroker(config.url, **config.kwargs)._configure_url())

    return asyncio.run(build())


def test_pika_broker_gets_the_virtual_host_tls_and_the_password(tmp_path):
    url = _broker_url(_endpoint(tmp_path, "event_broker",
                                RABBITMQ_URL="amqps://rasa:p%40ss%2Fx@mq.example/shop?heartbeat=30"))
    assert (url.scheme, url.host, url.port, url.path) == ("amqps", "mq.example", 5671, "/shop")
    assert (url.user, url.password, url.query.get("heartbeat")) == ("rasa", "p@ss/x", "30")


def test_pika_broker_on_the_default_virtual_host_uses_host_and_credentials(tmp_path):
    from rasa.core.brokers.pika import PikaEventBroker

    config = _endpoint(tmp_path, "event_broker", RABBITMQ_URL="amqp://rasa:p%40ss@127.0.0.1:5672/")

    async def build():
        return PikaEventBroker(config.url, **config.kwargs)

    broker = asyncio.run(build())
    assert broker._configure_url() is None  # aio-pika builds the URL from host, port, login, password
    assert (broker.host, broker.port, broker.username, broker.password) == ("127.0.0.1", 5672, "rasa", "p@ss")


def test_redis_lock_store_database_user_and_tls(tmp_path):
    from rasa.core.lock_store import LockStore

    store = LockStore.create(_endpoint(tmp_path, "lock_store", REDIS_URL="rediss://rasa:p%40ss@cache.local:6380"))
    pool = store.red.connection_pool
    assert pool.connection_kwargs["db"] == 0  # Rasa's own default would be 1
    assert (pool.connection_kwargs["username"], pool.connection_kwargs["password"]) == ("rasa", "p@ss")
    assert pool.connection_class.__name__ == "SSLConnection"


def test_sql_tracker_store_keeps_the_query(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    config = _endpoint(tmp_path, "tracker_store",
                       TRACKER_STORE_URL="postgresql://rasa:s%40cret@db.local:5433/rasa?sslmode=require")
    kwargs = {k: v for k, v in config.kwargs.items() if k != "type"}
    url = SQLTrackerStore.get_db_url(host=config.url, **kwargs)
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "db.local", 5433, "rasa")
    assert (url.username, url.password, dict(url.query)) == ("rasa", "s@cret", {"sslmode": "require"})
