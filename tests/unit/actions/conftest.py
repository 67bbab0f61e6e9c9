"""In-process action tests, as rasa-sdk's own tests do: a ``Tracker`` built by hand, a
``CollectingDispatcher``, and ``await action.run(...)``; the services are a small real shop database."""
from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
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
from tests.asyncio_thread import run_async
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


@pytest.fixture(scope="session")
def standard_shop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard test shop built once; each test gets a fresh copy of the file (fast, and isolated)."""
    base = tmp_path_factory.mktemp("standard-shop")
    standard_shop(base).engine.dispose()
    return base / "db" / "shop.db"


@pytest.fixture()
def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, standard_shop_file: Path) -> Iterator[Services]:
    """Services over the standard test shop (tests/unit/shop_fixtures.py: orders SO100001-SO100011 of Jane)."""
    (tmp_path / "db").mkdir()
    shutil.copyfile(standard_shop_file, tmp_path / "db" / "shop.db")
    url = f"sqlite:///{tmp_path / 'db' / 'shop.db'}"
    # no sampled NPS/CES question after results unless a test asks for one (``surveys_on``)
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), "DATABASE_URL": url,
                             "SHOP_SUPPORT_EMAIL": "help@shop.test", "SURVEY_RATE": "0"})
    shop = Shop.open(ShopConfig(url, settings.policy_file))
    opened = Services(settings=settings, shop=shop)
    for module in (actions.base, actions.orders, actions.verification):
        monkeypatch.setattr(module, "get_services", lambda: opened)
    yield opened
    shop.close()


def tracker(*, slots: dict[str, Any] | None = None, text: str = "", intent: str | None = None,
            entities: list[dict[str, Any]] | None = None, events: list[dict[str, Any]] | None = None,
            sender_id: str = "test-shopper", active_loop: str | None = None,
            extracted: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None,
            ranking: list[tuple[str, float]] | None = None) -> Tracker:
    """A tracker whose latest message is ``text`` with ``intent`` and ``entities``.

    ``extracted``: slot values Rasa extracted from that message, which a form's validation checks (they
    follow the user event, as in the tracker Rasa sends).
    ``ranking``: the full intent ranking instead of ``intent`` alone, e.g. what Rasa's FallbackClassifier
    sends: ``[("nlu_fallback", 0.7), ("inform", 0.5)]`` (the fallback first, the classifier's ranking after).
    """
    ranked = ([{"name": name, "confidence": confidence} for name, confidence in ranking] if ranking
              else [{"name": intent, "confidence": 1.0}] if intent else [])
    latest = {"text": text, "intent": ranked[0] if ranked else {}, "entities": entities or [],
              "intent_ranking": ranked, "metadata": metadata or {}}
    user_event = {"event": "user", "text": text, "parse_data": latest, "timestamp": 0, "metadata": metadata or {}}
    slot_events = [{"event": "slot", "name": k, "value": v, "timestamp": 0} for k, v in (extracted or {}).items()]
    return Tracker(sender_id, {**(slots or {}), **(extracted or {})}, latest,
                   [*(events or []), user_event, *slot_events], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action: Action, state: Tracker, domain: dict[str, Any] | None = None
        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events, bot messages) of one run of ``action``."""
    dispatcher = CollectingDispatcher()
    events = run_async(action.run(dispatcher, state, domain or {}))
    return events, dispatcher.messages


def slots_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") or m.get("text") for m in messages]


# --- helpers for the action-module tests --------------------------------------------------------------

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)  # Wed, 10:00 in London: agents are online
_CLOCKS = ("assistant.shop.storage.clock", "assistant.shop.commerce.refunds", "actions.handoff", "actions.knowledge")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Freezes "now" at ``NOW`` (the day tests/unit/shop_fixtures.py dates its orders from); call it to move."""
    def set_now(moment: datetime) -> None:
        for module in _CLOCKS:
            monkeypatch.setattr(f"{module}.utcnow", lambda: moment)
    set_now(NOW)
    return set_now


def unfilled(domain: dict[str, Any], message: dict[str, Any]) -> set[str]:
    """Placeholders of the message's response (any language variation) that neither the message nor a
    slot fills: the shopper would read a literal "{name}"."""
    name = message.get("response")
    variations = domain.get("responses", {}).get(name)
    assert variations, f"{name} is not a response of the domain"
    texts: list[str] = []
    for variation in variations:
        texts.append(variation.get("text") or "")
        for button in variation.get("buttons") or []:
            texts.extend(str(button.get(key) or "") for key in ("title", "payload", "url"))
    wanted = {match for text in texts for match in _PLACEHOLDER.findall(text)}
    return wanted - set(message) - set(domain.get("slots", {}))


def reply(messages: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The one message uttering response ``name``."""
    found = [m for m in messages if m.get("response") == name]
    assert len(found) == 1, f"expected one {name}, got {responses(messages)}"
    return found[0]


def asked(question: str, said: str = "...") -> list[dict[str, Any]]:
    """The previous turn: the shopper said ``said`` and the bot asked ``question`` (``awaiting_confirmation``)."""
    return [{"event": "user", "text": said, "parse_data": {"intent": {"name": "inform"}}, "timestamp": 0},
            {"event": "slot", "name": "awaiting_confirmation", "value": question, "timestamp": 0},
            {"event": "bot", "text": "?", "timestamp": 0}]


@pytest.fixture()
def verify(services: Services, clock: Callable[[datetime], None]) -> Callable[..., dict[str, Any]]:
    """``verify(1)``: the conversation proved itself to be customer 1, as validate_order_verification_form
    records it (the verification ledger; the slots alone are not believed), and the slots it then carries."""
    def prove(customer_id: int = 1, sender_id: str = "test-shopper", email: str = "jane.doe@example.com",
              session_mark: str = "") -> dict[str, Any]:
        ledger = getattr(services.shop, "verifications", None)
        if ledger is not None:
            ledger.remember(sender_id, customer_id, session_mark)
        return {"verified_customer_id": str(customer_id), "verified_email": email}
    return prove


@pytest.fixture()
def jane(verify: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The conversation "test-shopper" verified as Jane (customer 1); her slots."""
    return verify(1)


# The knowledge-base index the KB and product actions load (built by setup: `make kb-build`, e5 encoder).
_KB_SETTINGS = get_settings()
KB_INDEX = _KB_SETTINGS.kb_index_dir / _KB_SETTINGS.kb_encoder
needs_kb = pytest.mark.skipif(not (KB_INDEX / "manifest.json").exists(),
                              reason=f"no knowledge-base index in {KB_INDEX} (built by setup: make kb-build)")
