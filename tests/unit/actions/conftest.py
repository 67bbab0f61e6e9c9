"""In-process action tests, as rasa-sdk's own tests do: a ``Tracker`` built by hand, a
``CollectingDispatcher``, and ``await action.run(...)``; the services are a small real shop database."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.base
import actions.orders
import actions.verification
from actions.services import Services
from assistant.runtime.settings import get_settings
from assistant.shop.backend import Shop, ShopConfig
from tests.unit.shop_fixtures import standard_shop

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The assistant's domain, merged from assistant/domain/*.yml (forms need their required slots)."""
    merged: dict[str, Any] = {}
    for path in sorted((REPO / "assistant" / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


@pytest.fixture()
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Services over the standard test shop (tests/unit/shop_fixtures.py: orders SO100001-SO100011 of Jane)."""
    built = standard_shop(tmp_path)
    built.engine.dispose()
    url = f"sqlite:///{tmp_path / 'db' / 'shop.db'}"
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                             "SHOP_SUPPORT_EMAIL": "help@shop.test"})
    shop = Shop.open(ShopConfig(url, settings.policy_file))
    opened = Services(settings=settings, shop=shop)
    for module in (actions.base, actions.orders, actions.verification):
        monkeypatch.setattr(module, "get_services", lambda: opened)
    yield opened
    shop.close()


def tracker(*, slots: dict[str, Any] | None = None, text: str = "", intent: str | None = None,
            entities: list[dict[str, Any]] | None = None, events: list[dict[str, Any]] | None = None,
            sender_id: str = "test-shopper", active_loop: str | None = None,
            extracted: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent`` and ``entities``.

    ``extracted``: slot values Rasa extracted from that message, which a form's validation checks (they
    follow the user event, as in the tracker Rasa sends).
    """
    ranking = [{"name": intent, "confidence": 1.0}] if intent else []
    latest = {"text": text, "intent": ranking[0] if ranking else {}, "entities": entities or [],
              "intent_ranking": ranking, "metadata": metadata or {}}
    user_event = {"event": "user", "text": text, "parse_data": latest, "timestamp": 0, "metadata": metadata or {}}
    slot_events = [{"event": "slot", "name": k, "value": v, "timestamp": 0} for k, v in (extracted or {}).items()]
    return Tracker(sender_id, {**(slots or {}), **(extracted or {})}, latest,
                   [*(events or []), user_event, *slot_events], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action: Action, state: Tracker, domain: dict[str, Any] | None = None
        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events, bot messages) of one run of ``action``."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, state, domain or {}))
    return events, dispatcher.messages


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") or m.get("text") for m in messages]
