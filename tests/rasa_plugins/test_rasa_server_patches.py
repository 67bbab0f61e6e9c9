"""The Rasa start-up patches in assistant/rasa_plugins/server.py, run inside the Rasa venv."""
from __future__ import annotations

import jsonschema
import pytest
from rasa import server as rasa_server
from rasa.core.actions.action import RemoteAction
from rasa.shared.utils.schemas.events import EVENTS_SCHEMA

from assistant.rasa_plugins.server import _CachedSchemaValidation, install_fast_schema_validation

GOOD_EVENTS = [{"event": "slot", "name": "language", "value": "ja"}, {"event": "action", "name": "utter_greet"}]
BAD_EVENTS = [{"event": "slot", "name": 3}]


def test_cached_validation_accepts_and_rejects_like_jsonschema():
    validation = _CachedSchemaValidation()
    validation.validate(GOOD_EVENTS, EVENTS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as cached:
        validation.validate(BAD_EVENTS, EVENTS_SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as original:
        jsonschema.validate(BAD_EVENTS, EVENTS_SCHEMA)
    assert cached.value.message == original.value.message


def test_validator_is_built_once_per_schema():
    validation = _CachedSchemaValidation()
    assert validation.validator(EVENTS_SCHEMA) is validation.validator(EVENTS_SCHEMA)


def test_installed_patch_keeps_rasa_checks():
    install_fast_schema_validation()
    action = RemoteAction("action_anything", None)
    assert action._validate_action_result({"events": GOOD_EVENTS, "responses": [{"text": "hi"}]})
    with pytest.raises(jsonschema.ValidationError) as error:
        action._validate_action_result({"events": BAD_EVENTS, "responses": []})
    assert "Failed to validate Action server response" in error.value.message
    rasa_server.jsonschema.validate(GOOD_EVENTS, EVENTS_SCHEMA)
    with pytest.raises(rasa_server.jsonschema.ValidationError):
        rasa_server.jsonschema.validate(BAD_EVENTS, EVENTS_SCHEMA)


def test_sqlite_tracker_store_uses_wal(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    from assistant.rasa_plugins.server import install_sqlite_wal

    install_sqlite_wal()
    install_sqlite_wal()  # idempotent
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_sqlite_tracker_store_keeps_its_connections_open(tmp_path):
    """A pool, not a new SQLite connection per read and per save; trackers still round-trip."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import event
    from sqlalchemy.pool import QueuePool

    from assistant.rasa_plugins.server import install_sqlite_wal, sqlite_pool_kwargs

    install_sqlite_wal()
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "trackers.db"))
    assert isinstance(store.engine.pool, QueuePool)
    opened = []
    event.listen(store.engine, "connect", lambda *_: opened.append(1))

    async def conversation() -> DialogueStateTracker:
        for turn in range(5):
            tracker = await store.retrieve("shopper") or DialogueStateTracker("shopper", [])
            tracker.update(UserUttered(f"message {turn}"))
            await store.save(tracker)
        return await store.retrieve("shopper")

    saved = asyncio.run(conversation())
    assert len(opened) <= 1
    assert [e.text for e in saved.events if isinstance(e, UserUttered)] == [
        f"message {turn}" for turn in range(5)]
    assert sqlite_pool_kwargs("postgresql://u@h/db") == {} and sqlite_pool_kwargs("sqlite://") == {}


def _tracker_after(text, metadata=None, slots=None):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("""
version: "3.1"
slots:
  language: {type: categorical, values: [en, zh-Hans, zh-Hant, ja], influence_conversation: false,
             mappings: [{type: custom}]}
  language_choice: {type: text, influence_conversation: false, mappings: [{type: custom}]}
""")
    events = [SlotSet(k, v) for k, v in (slots or {}).items()]
    events.append(UserUttered(text, {"name": "human_handoff", "confidence": 0.9}, [], metadata=metadata or {}))
    return DialogueStateTracker.from_events("s", events, slots=domain.slots), domain


def test_language_is_set_inside_rasa_from_what_the_shopper_writes():
    from assistant.rasa_plugins.server import language_events

    tracker, domain = _tracker_after("我想找真人客服", metadata={"browser_language": "en-US"})
    assert [(e.key, e.value) for e in language_events(tracker, domain)] == [("language", "zh-Hans")]
    tracker, domain = _tracker_after("我的订单呢", metadata={"language": "en"})
    assert [(e.key, e.value) for e in language_events(tracker, domain)] == [("language_choice", "en"),
                                                                            ("language", "en")]
    tracker, domain = _tracker_after("SO123456", slots={"language": "ja"})
    assert language_events(tracker, domain) == []


def test_slot_extraction_runs_the_language_hook():
    import asyncio

    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    from assistant.rasa_plugins.server import install_language_slots

    install_language_slots()
    install_language_slots()  # idempotent
    tracker, domain = _tracker_after("注文はどこですか", metadata={"browser_language": "en"})
    events = asyncio.run(ActionExtractSlots(None).run(CollectingOutputChannel(),
                                                      TemplatedNaturalLanguageGenerator({}), tracker, domain))
    assert [(e.key, e.value) for e in events] == [("language", "ja")]


def test_a_shopper_cannot_send_an_agent_only_intent():
    from assistant.rasa_plugins.server import refuse_agent_only

    parsed = {"text": "/handoff_resolved", "intent": {"name": "handoff_resolved", "confidence": 1.0},
              "intent_ranking": [{"name": "handoff_resolved", "confidence": 1.0}], "entities": [{"entity": "x"}]}
    refused = refuse_agent_only(parsed, "mallory")
    assert refused["intent"]["name"] == "nlu_fallback" and refused["entities"] == []
    kept = {"text": "hi", "intent": {"name": "greet", "confidence": 0.9}, "entities": []}
    assert refuse_agent_only(kept, "s") is kept

