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


def _every_kind_of_event() -> list:
    """One serialised event of each type Rasa has, as Rasa writes them (the action server sends these)."""
    from datetime import datetime

    from rasa.shared.core import events as ev

    samples = [
        ev.UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "size", "value": "M", "start": 0, "end": 1}],
                       parse_data={"intent": {"name": "greet", "confidence": 0.9}, "entities": [], "text": "hi"}),
        ev.BotUttered("hello", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}, {"utter_action": "utter_greet"}),
        ev.SlotSet("language", "ja"), ev.SlotSet("cart", {"a": [1, 2]}), ev.AllSlotsReset(), ev.Restarted(),
        ev.UserUtteranceReverted(), ev.ActionReverted(), ev.StoryExported(), ev.FollowupAction("action_listen"),
        ev.ConversationPaused(), ev.ConversationResumed(), ev.ActionExecuted("utter_greet", policy="RulePolicy", confidence=1.0),
        ev.ActionExecutionRejected("order_verification_form"), ev.ActiveLoop("order_verification_form"),
        ev.ActiveLoop(None), ev.LoopInterrupted(True), ev.SessionStarted(), ev.EntitiesAdded([{"entity": "size", "value": "M"}]),
        ev.ReminderScheduled("remind", datetime(2026, 12, 6, 12, 0), name="r1"), ev.ReminderCancelled(name="r1"),
        ev.AgentUttered("hi", {"x": 1}), ev.DefinePrevUserUtteredFeaturization(False),
    ]
    # Rasa 2's form events, still in the schema (Rasa 3 writes them as active_loop and loop_interrupted)
    return [event.as_dict() for event in samples] + [{"event": "form", "name": "order_verification_form"},
                                                     {"event": "form_validation", "validate": False}]


def _broken(event: dict) -> list:
    """Ways an event from a stranger can be wrong: each field with a wrong type, a name that is no event."""
    wrong = [{**event, "event": "no_such_event"}, {**event, "event": 7}, {k: v for k, v in event.items() if k != "event"},
             {**event, "timestamp": "yesterday"}, {**event, "metadata": [1]}]
    for key, value in event.items():
        if key != "event":
            wrong += [{**event, key: object_of_wrong_type} for object_of_wrong_type in (12345, "text", [1], {"a": 1}, None)
                      if type(object_of_wrong_type) is not type(value)]
    return wrong


def test_the_fast_path_agrees_with_the_full_schema_on_every_event_and_its_broken_forms():
    validation = _CachedSchemaValidation()
    full = jsonschema.validators.validator_for(EVENTS_SCHEMA)(EVENTS_SCHEMA)
    plan = validation._plan(EVENTS_SCHEMA)
    assert plan[0] == "events" and len(plan[1]) == len(EVENTS_SCHEMA["items"]["oneOf"])
    good = _every_kind_of_event()
    assert {e["event"] for e in good} == set(plan[1])  # every branch is exercised
    cases = [[e] for e in good] + [good] + [[e] for g in good for e in _broken(g)] + [
        [], [None], ["slot"], [[]], {"event": "slot"}, "events", None, good + [{"event": "slot", "name": 3}]]
    accepted = 0
    for events in cases:
        expected = full.is_valid(events)
        assert validation._proves_valid(events, plan) == expected, events
        if expected:
            accepted += 1
            validation.validate(events, EVENTS_SCHEMA)
        else:
            with pytest.raises(jsonschema.ValidationError) as ours:
                validation.validate(events, EVENTS_SCHEMA)
            with pytest.raises(jsonschema.ValidationError) as theirs:
                jsonschema.validate(events, EVENTS_SCHEMA)
            assert ours.value.message == theirs.value.message
    assert accepted >= len(good) + 1 and accepted < len(cases)
    # the action server's reply: responses checked by their own schema, events by the fast path
    spec = RemoteAction.action_response_format_spec()
    assert validation._plan(spec)[0] == "object"
    for reply, ok in (({"events": good, "responses": [{"text": "hi"}]}, True), ({}, True),
                      ({"events": good, "responses": ["hi"]}, False), ({"events": [{"event": "slot", "name": 3}]}, False),
                      ({"events": {"event": "slot"}}, False), ([], False), ({"responses": [{}], "extra": 1}, True)):
        assert validation._proves_valid(reply, validation._plan(spec)) == ok == full_valid(spec, reply), reply


def full_valid(schema: dict, instance: object) -> bool:
    return jsonschema.validators.validator_for(schema)(schema).is_valid(instance)


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

