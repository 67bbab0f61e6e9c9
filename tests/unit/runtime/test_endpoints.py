"""Rasa's endpoints.yml, rendered from the environment: private file, no default broker credentials."""
from __future__ import annotations

import json
import stat

import pytest

from assistant.runtime.endpoints import REDIS_LOCK_STORE, render_endpoints
from assistant.runtime.settings import get_settings


def test_endpoints_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_STORE_URL", "postgresql://rasa:s3cret@127.0.0.1:5432/rasa")
    path = tmp_path / "endpoints.yml"
    path.write_text("old")
    path.chmod(0o644)
    render_endpoints(get_settings(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["tracker_store"]["password"] == "s3cret"


def test_broker_without_credentials_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("RABBITMQ_URL", "amqp://127.0.0.1:5672/")
    with pytest.raises(ValueError, match="user and a password"):
        render_endpoints(get_settings(), tmp_path / "endpoints.yml")


def test_broker_with_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("RABBITMQ_URL", "amqp://rasa:p%40ss@127.0.0.1:5672/")
    broker = json.loads(render_endpoints(get_settings(), tmp_path / "e.yml").read_text())["event_broker"]
    assert broker["username"] == "rasa" and broker["password"] == "p@ss"


def _rendered(tmp_path, monkeypatch, **env):
    for name in ("TRACKER_STORE_URL", "REDIS_URL", "RABBITMQ_URL", "RABBITMQ_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return json.loads(render_endpoints(get_settings(), tmp_path / "endpoints.yml").read_text())


def test_local_defaults_have_no_lock_store_and_no_broker(tmp_path, monkeypatch):
    endpoints = _rendered(tmp_path, monkeypatch)
    assert endpoints["tracker_store"]["dialect"] == "sqlite"
    assert "lock_store" not in endpoints and "event_broker" not in endpoints


def test_tracker_store_keeps_query_options(tmp_path, monkeypatch):
    store = _rendered(tmp_path, monkeypatch,
                      TRACKER_STORE_URL="postgres://rasa:s%40cret@db.local:5433/rasa?sslmode=require")["tracker_store"]
    assert store == {"type": "SQL", "dialect": "postgresql", "db": "rasa", "url": "db.local", "port": 5433,
                     "username": "rasa", "password": "s@cret", "query": {"sslmode": "require"}}


def test_redis_url_without_a_number_is_database_0_like_any_redis_client(tmp_path, monkeypatch):
    # Rasa's own default is database 1: leaving "db" out would put the locks elsewhere than the URL says
    assert _rendered(tmp_path, monkeypatch, REDIS_URL="redis://127.0.0.1:6379")["lock_store"] == {
        "type": REDIS_LOCK_STORE, "url": "127.0.0.1", "port": 6379, "db": 0}
    assert _rendered(tmp_path, monkeypatch, REDIS_URL="redis://10.0.0.5/5")["lock_store"]["db"] == 5


def test_redis_user_password_and_tls(tmp_path, monkeypatch):
    store = _rendered(tmp_path, monkeypatch, REDIS_URL="rediss://rasa:p%40ss@cache.local:6380/2")["lock_store"]
    assert store == {"type": REDIS_LOCK_STORE, "url": "cache.local", "port": 6380, "db": 2, "username": "rasa",
                     "password": "p@ss", "use_ssl": True}


@pytest.mark.parametrize("url", ["127.0.0.1:6379", "http://127.0.0.1:6379/1", "redis://127.0.0.1:6379/locks"])
def test_a_redis_url_rasa_cannot_use_is_refused_by_name(tmp_path, monkeypatch, url):
    with pytest.raises(ValueError, match="REDIS_URL"):
        _rendered(tmp_path, monkeypatch, REDIS_URL=url)


def test_broker_on_the_default_virtual_host_gets_host_and_plain_credentials(tmp_path, monkeypatch):
    broker = _rendered(tmp_path, monkeypatch, RABBITMQ_URL="amqp://rasa:p%40ss@mq.local/",
                       RABBITMQ_QUEUE="scale")["event_broker"]
    assert broker == {"type": "pika", "url": "mq.local", "port": 5672, "username": "rasa", "password": "p@ss",
                      "queues": ["scale"]}


def test_broker_virtual_host_and_tls_are_kept(tmp_path, monkeypatch):
    # Rasa connects a bare host to the virtual host "/" without TLS; given a URL it keeps the scheme, the path
    # and the query, and inserts "username:password" as they are (so they arrive percent-encoded)
    broker = _rendered(tmp_path, monkeypatch,
                       RABBITMQ_URL="amqps://rasa:p%40ss%2Fx@mq.example/shop?heartbeat=30")["event_broker"]
    assert broker["url"] == "amqps://mq.example:5671/shop?heartbeat=30"
    assert (broker["port"], broker["username"], broker["password"]) == (5671, "rasa", "p%40ss%2Fx")
    broker = _rendered(tmp_path, monkeypatch, RABBITMQ_URL="amqp://rasa:secret@mq.local:5673/shop")["event_broker"]
    assert broker["url"] == "amqp://mq.local:5673/shop" and broker["password"] == "secret"


def test_broker_url_must_be_amqp(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="amqp://"):
        _rendered(tmp_path, monkeypatch, RABBITMQ_URL="http://rasa:secret@mq.local/")


def test_the_tracker_store_readers_keep_the_query_too(tmp_path, monkeypatch):
    from assistant.console.conversations import tracker_store_url
    from assistant.runtime.privacy import tracker_engine

    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path),
                             "TRACKER_STORE_URL": "postgresql://rasa:s3cret@db.local/rasa?sslmode=require"})
    assert dict(tracker_store_url(settings).query) == {"sslmode": "require"}
    engine = tracker_engine(settings)
    assert dict(engine.url.query) == {"sslmode": "require"} and engine.url.host == "db.local"
    engine.dispose()
