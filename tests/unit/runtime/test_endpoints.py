"""Rasa's endpoints.yml, rendered from the environment: private file, no default broker credentials."""
from __future__ import annotations

import json
import stat

import pytest

from assistant.runtime.endpoints import render_endpoints
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
