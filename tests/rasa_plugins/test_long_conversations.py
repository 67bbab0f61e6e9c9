"""assistant/rasa_plugins/long_conversations.py: same trackers, same states, same answers, less work.

Run inside the Rasa venv. Every check compares against what Rasa itself computes without the patch.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from assistant.rasa_plugins import long_conversations
from assistant.rasa_plugins.long_conversations import (
    STATE_WINDOW_ACTIONS,
    TrackerCache,
    clone,
    install_event_type_cache,
    install_prediction_window,
    install_tracker_cache,
    window_start,
)

ROOT = Path(__file__).resolve().parents[2]
FORM = "order_verification_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "assistant" / "domain"))


def _user(text: str, intent: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9}, [],
                       parse_data={"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text,
                                   "text_tokens": [(0, len(text))]})


def _conversation(turns: int) -> list[Event]:
    """A session with questions, a verification form that is interrupted and rejected, and slots."""
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(turns):
        kind = turn % 4
        if kind == 0:
            events += [_user(f"how do returns work {turn}", "ask_shop_question"), SlotSet("language", "en"),
                       ActionExecuted("action_answer_question"), BotUttered(f"answer {turn}"),
                       ActionExecuted("action_listen")]
        elif kind == 1:
            events += [_user("where is my order", "order_status"), ActionExecuted(FORM), ActiveLoop(FORM),
                       SlotSet("requested_slot", "order_id"), BotUttered("What's your order number?"),
                       ActionExecuted("action_listen")]
        elif kind == 2:
            events += [_user("do you ship to Japan", "ask_shop_question"), ActionExecutionRejected(FORM),
                       LoopInterrupted(True), ActionExecuted("action_answer_question"), BotUttered("we do"),
                       FollowupAction(FORM), ActionExecuted(FORM), ActionExecuted("action_listen")]
        else:
            events += [_user("never mind", "deny"), ActionExecuted(FORM), ActiveLoop(None),
                       SlotSet("requested_slot", None), SlotSet("last_product_sku", f"NW-BOO-{turn:04d}"),
                       BotUttered("ok"), ActionExecuted("action_listen")]
    return events


def _state(tracker: DialogueStateTracker) -> dict:
    return {
        "slots": tracker.current_slot_values(),
        "active_loop": None if tracker.active_loop is None else vars(tracker.active_loop),
        "latest_action": tracker.latest_action,
        "followup_action": tracker.followup_action,
        "paused": tracker.is_paused(),
        "latest_message": tracker.latest_message.text,
        "latest_bot": tracker.latest_bot_utterance.text,
        "events": json.loads(json.dumps([e.as_dict() for e in tracker.events])),
    }


@pytest.mark.parametrize("turns", [1, 2, 3, 4, 9])
def test_clone_is_the_state_replaying_the_events_gives(domain, turns):
    live = DialogueStateTracker.from_events("s", _conversation(turns), domain.slots)
    replayed = DialogueStateTracker.from_dict("s", [e.as_dict() for e in live.events], domain.slots)
    assert _state(clone(live)) == _state(replayed)


def test_clone_does_not_share_what_a_message_changes(domain):
    live = DialogueStateTracker.from_events("s", _conversation(2), domain.slots)
    before = _state(live)
    copy = clone(live)
    copy.update(SlotSet("language", "ja"))
    copy.update(LoopInterrupted(True))
    copy.update(ActionExecuted("action_listen"))
    assert _state(live) == before


def test_event_classes_are_resolved_as_rasa_does():
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    original = {name: Event.resolve_by_type(name) for name in names}
    install_event_type_cache()
    install_event_type_cache()
    assert {name: Event.resolve_by_type(name) for name in names} == original
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def _full_prior_trackers():
    """Rasa's own generator (the class attribute is the windowed one once installed)."""
    original = getattr(DialogueStateTracker.generate_all_prior_trackers, "_shop_original", None)
    return original or DialogueStateTracker.generate_all_prior_trackers


@pytest.mark.parametrize("ignore_rule_only_turns", [False, True])
def test_the_states_policies_read_are_the_same_in_the_window(domain, monkeypatch, ignore_rule_only_turns):
    full = _full_prior_trackers()
    install_prediction_window()
    windowed = DialogueStateTracker.generate_all_prior_trackers
    events = _conversation(40)
    for end in range(20, len(events), 7):
        tracker = DialogueStateTracker.from_events("s", events[:end], domain.slots)
        monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers", full)
        expected = domain.states_for_tracker_history(tracker, ignore_rule_only_turns=ignore_rule_only_turns)
        monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers", windowed)
        got = domain.states_for_tracker_history(tracker, ignore_rule_only_turns=ignore_rule_only_turns)
        assert len(got) < len(expected) or end < 150
        # the memoization policy reads 4 states, the longest rule fewer than the window (test below)
        assert got[-(STATE_WINDOW_ACTIONS - 5):] == expected[-(STATE_WINDOW_ACTIONS - 5):]


def _rasa_applied_events():
    original = getattr(DialogueStateTracker.applied_events, "_shop_original", None)
    return original or DialogueStateTracker.applied_events


EVENT_MAKERS = [
    lambda: _user("hi", "greet"), lambda: ActionExecuted("action_listen"), lambda: ActionExecuted(FORM),
    lambda: ActiveLoop(FORM), lambda: ActiveLoop(None), lambda: ActionExecutionRejected(FORM),
    lambda: ActionExecuted("action_answer_question"), lambda: BotUttered("an answer"),
    lambda: SlotSet("language", "ja"), lambda: DefinePrevUserUtteredFeaturization(False),
    lambda: UserUtteranceReverted(), lambda: ActionReverted(), lambda: LoopInterrupted(True),
]
RARE_MAKERS = [lambda: Restarted(), lambda: SessionStarted(),
               lambda: ActiveLoop("address_change_form"), lambda: ActionExecuted("address_change_form")]


@pytest.mark.parametrize("seed", range(25))
def test_applied_events_fold_on_from_where_it_stopped_as_rasa_folds(domain, seed):
    rasa_applied = _rasa_applied_events()
    install_prediction_window()
    rng = random.Random(seed)
    tracker = DialogueStateTracker("s", domain.slots)
    for step in range(150):
        maker = rng.choice(RARE_MAKERS) if rng.random() < 0.03 else rng.choice(EVENT_MAKERS)
        tracker.update(maker())
        if step % 3 == 0:  # the fold is asked for after some events only, as during a message
            assert [id(e) for e in tracker.applied_events()] == [id(e) for e in rasa_applied(tracker)]
        if step % 17 == 0:  # the tracker cache hands out copies that carry the fold over
            tracker = clone(tracker)
    assert [id(e) for e in tracker.applied_events()] == [id(e) for e in rasa_applied(tracker)]


@pytest.mark.parametrize("seed", range(12))
def test_the_replay_from_the_window_start_gives_the_states_rasa_gives(domain, monkeypatch, seed):
    """A tracker that grows message by message (and is copied as the cache copies it) reuses the state at
    its window's start; the states must stay those of a replay from the first event, reverts and loops
    included."""
    full = _full_prior_trackers()
    install_prediction_window()
    windowed = DialogueStateTracker.generate_all_prior_trackers
    rng = random.Random(seed)
    events = []
    turns = _conversation(45)[3:]
    for index, event in enumerate(turns):  # a conversation's turns with stray events, reverts and loops among them
        events.append(event)
        if rng.random() < 0.06:
            events.append(rng.choice(EVENT_MAKERS)())
        if index == 20:  # runs of a loop no event has activated yet: applied as they are ...
            events += [ActionExecuted("address_change_form"), BotUttered("new address?"),
                       ActionExecuted("address_change_form")]
        if index == len(turns) - 40:  # ... until it is activated, and the fold of events long past changes
            events.append(ActiveLoop("address_change_form"))
    tracker = DialogueStateTracker.from_events("s", _conversation(0), domain.slots)
    resumed = 0
    for step, event in enumerate(events):
        tracker.update(event)
        if step % 5:
            continue
        monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers", full)
        expected = domain.states_for_tracker_history(tracker)
        monkeypatch.setattr(DialogueStateTracker, "generate_all_prior_trackers", windowed)
        resumed += long_conversations.WINDOW_SNAPSHOT in tracker.__dict__
        assert domain.states_for_tracker_history(tracker)[-(STATE_WINDOW_ACTIONS - 5):] == \
            expected[-(STATE_WINDOW_ACTIONS - 5):]
        if step % 15 == 0:
            tracker = clone(tracker)
    assert resumed > 20  # the snapshot was there to resume from, not rebuilt every time


def test_the_window_start_is_resumed_only_over_the_same_events(domain):
    install_prediction_window()
    tracker = DialogueStateTracker.from_events("s", _conversation(40), domain.slots)
    domain.states_for_tracker_history(tracker)
    applied = tracker.applied_events()
    start = window_start(applied)
    _, begin = long_conversations._resume_point(tracker, applied, start)
    assert 0 < begin == start
    # an earlier event folded away (a loop activated later changes how its earlier runs fold): replay all
    changed = applied[:5] + applied[6:]
    assert long_conversations._resume_point(tracker, changed, window_start(changed))[1] == 0
    # the fold done again from the first event (a loop seen for the first time): replay all, even when the
    # events at both ends of the kept state are the same
    size, first, last, loop_names, folded = tracker.__dict__[long_conversations.APPLIED_MEMO]
    tracker.__dict__[long_conversations.APPLIED_MEMO] = (size, first, last, long_conversations.LoopNames(loop_names), folded)
    assert long_conversations._resume_point(tracker, applied, start)[1] == 0
    tracker.__dict__[long_conversations.APPLIED_MEMO] = (size, first, last, loop_names, folded)
    # a window that starts before the kept state (events reverted): replay all
    assert long_conversations._resume_point(tracker, applied[:start], window_start(applied[:start]))[1] == 0


def test_every_rule_fits_in_the_window(domain):
    reader = YAMLStoryReader(domain)
    longest = 0
    for path in sorted((ROOT / "nlu_data" / "train").glob("rules*.yml")):
        for step in reader.read_from_file(str(path)):
            longest = max(longest, sum(isinstance(e, (ActionExecuted, UserUttered)) for e in step.events))
    assert 0 < longest < STATE_WINDOW_ACTIONS - 5


def test_window_start_counts_actions_the_ml_policies_see():
    events = [ActionExecuted("a", hide_rule_turn=index % 2 == 0) for index in range(100)]
    start = window_start(events, actions=10, ml_actions=8)
    shown = sum(not e.hide_rule_turn for e in events[start:])
    assert shown == 8 and len(events) - start >= 10
    assert window_start(events[:5], actions=10, ml_actions=8) == 0


POSTGRES_DB = "shop_tracker_cache_test"


def _fresh_postgres() -> dict:
    """A fresh database on the local PostgreSQL (skipped when absent, failed under CI=true)."""
    try:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres", connect_timeout=3)
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but is not reachable: {error}")
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {error}")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{POSTGRES_DB}"')
        cursor.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    connection.close()
    return {"dialect": "postgresql", "host": "127.0.0.1", "username": "postgres", "db": POSTGRES_DB}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_kwargs(request, tmp_path) -> dict:
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "t.db")}
    return _fresh_postgres()


def test_cached_trackers_are_what_the_database_holds(store_kwargs, domain, monkeypatch):
    install_tracker_cache()
    install_tracker_cache()
    # two Rasa processes on one database
    here, there = SQLTrackerStore(domain=domain, **store_kwargs), SQLTrackerStore(domain=domain, **store_kwargs)
    reads = []
    original_from_dict = DialogueStateTracker.from_dict.__func__
    monkeypatch.setattr(DialogueStateTracker, "from_dict",
                        classmethod(lambda cls, *a, **k: reads.append(1) or original_from_dict(cls, *a, **k)))

    async def scenario() -> None:
        tracker = DialogueStateTracker.from_events("shopper", _conversation(3), domain.slots)
        await here.save(tracker)
        # a new session's first save is not kept: the session's rows start at session_started, after the
        # action_session_start the tracker holds; the next read builds it from the database
        first = await here.retrieve("shopper")
        assert reads == [1] and first.latest_message.text == tracker.latest_message.text
        first.update(_user("do you ship to Japan?", "ask_shop_question"))
        await here.save(first)
        second = await here.retrieve("shopper")
        assert reads == [1] and _state(second) == _state(first)  # saved by this process: no read
        second.update(SlotSet("language", "ja"))  # a message that fails before its save
        third = await here.retrieve("shopper")
        assert reads == [1] and third.get_slot("language") == "en"

        other = await there.retrieve("shopper")  # another process reads from the database ...
        assert reads == [1, 1] and _state(other) == _state(first)
        other.update(_user("and my refund?", "refund_status"))
        await there.save(other)  # ... and writes: this process must see it
        seen = await here.retrieve("shopper")
        assert reads == [1, 1, 1] and seen.latest_message.text == "and my refund?"

        with here.session_scope() as session:  # erased (privacy request, retention job)
            session.query(here.SQLEvent).filter(here.SQLEvent.sender_id == "shopper").delete()
            session.commit()
        assert await here.retrieve("shopper") is None

    asyncio.run(scenario())
    here.engine.dispose()
    there.engine.dispose()


def test_the_stamp_reads_an_index_not_every_event(store_kwargs, domain):
    """Two stores on one database (two Rasa processes) both find or make the indexes; the stamp's queries use
    them (SQLite: the session start is a search, the session's rows are read from the index alone)."""
    from assistant.rasa_plugins.long_conversations import STAMP_INDEXES, _stamp, _stamp_statement

    install_tracker_cache()
    here, there = SQLTrackerStore(domain=domain, **store_kwargs), SQLTrackerStore(domain=domain, **store_kwargs)
    try:
        for store in (here, there):
            assert set(STAMP_INDEXES) <= {index["name"] for index in sa.inspect(store.engine).get_indexes("events")}
        asyncio.run(here.save(DialogueStateTracker.from_events("shopper", _conversation(3), domain.slots)))
        with here.session_scope() as session:
            assert _stamp(here, session, "shopper")[0] == len(_rows(here)) - 1  # the session's rows
        if store_kwargs["dialect"] == "sqlite":
            compiled = _stamp_statement(here).compile(dialect=here.engine.dialect)
            values = [{"sender_id": "shopper"}.get(name, compiled.params.get(name)) for name in compiled.positiontup]
            raw = here.engine.raw_connection()
            try:
                plan = " ".join(str(row[-1]) for row in raw.cursor().execute(f"EXPLAIN QUERY PLAN {compiled}", values))
            finally:
                raw.close()
            assert "COVERING INDEX shop_events_sender_time" in plan, plan
            assert "shop_events_sender_type_time" in plan, plan
    finally:
        here.engine.dispose()
        there.engine.dispose()


def _rows(store: SQLTrackerStore) -> list:
    with store.session_scope() as session:
        return [(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name, json.loads(r.data))
                for r in session.query(store.SQLEvent).order_by(store.SQLEvent.id).all()]


def test_saves_write_the_rows_rasas_save_writes_and_stamps_count_the_session_as_rasas_query(
        store_kwargs, domain, tmp_path):
    """The save written for speed (one transaction, a Core insert) stores exactly Rasa's rows, message by
    message and across a new session; the stamp statement counts what Rasa's session query returns."""
    install_tracker_cache()
    rasas_save = SQLTrackerStore.save.__wrapped__  # Rasa's own, kept by functools.wraps
    ours = SQLTrackerStore(domain=domain, **store_kwargs)
    theirs = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    events = _conversation(6)
    second_session = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("language", "ja"),
                      ActionExecuted("action_listen"), _user("配送について", "ask_shop_question"),
                      ActionExecuted("action_answer_question"), BotUttered("answer"), ActionExecuted("action_listen")]
    cuts = [5, 11, 12, len(events)]

    async def scenario() -> None:
        for sender in ("shopper", "other"):
            for cut in cuts:
                tracker = DialogueStateTracker.from_events(sender, events[:cut], domain.slots)
                await ours.save(tracker)
                await rasas_save(theirs, tracker)
            # a new session: Rasa's save counts the rows since the latest session start, and so does ours
            whole = DialogueStateTracker.from_events(sender, events + second_session, domain.slots)
            await ours.save(whole)
            await rasas_save(theirs, whole)
            for store in (ours, theirs):
                with store.session_scope() as session:
                    rows = store._event_query(session, sender, fetch_events_from_all_sessions=False).all()
                    assert long_conversations._stamp(store, session, sender) == (
                        len(rows), max(r.id for r in rows), max(float(r.timestamp) for r in rows))
        with ours.session_scope() as session:
            assert long_conversations._stamp(ours, session, "nobody") == (0, 0, 0.0)

    asyncio.run(scenario())
    mine, rasas = _rows(ours), _rows(theirs)
    assert len(mine) > len(events) and mine == rasas
    ours.engine.dispose()
    theirs.engine.dispose()


def test_the_cache_is_bounded_by_events(domain):
    cache = TrackerCache(max_events=50)
    trackers = {name: DialogueStateTracker.from_events(name, _conversation(2), domain.slots) for name in "abcde"}
    size = len(trackers["a"].events)
    for name, tracker in trackers.items():
        cache.put(name, (size, 1, 1.0), tracker)
    assert len(cache) == 50 // size
    assert cache.get("e", (size, 1, 1.0)) is not None and cache.get("a", (size, 1, 1.0)) is None
    assert cache.get("e", (size, 1, 2.0)) is None and cache.get("e", (size, 1, 1.0)) is None  # a stale stamp drops it


def test_installed_for_serving_only():
    server = (ROOT / "assistant" / "rasa_plugins" / "server.py").read_text()
    serving_block = server[server.index("    if serving:\n        install_fast_schema_validation()"):]
    assert "long_conversations.install()" in serving_block.split("install_language_slots()")[0]
    assert long_conversations.CACHED_EVENTS > 0


def test_earlier_user_messages_go_to_actions_with_intent_entities_and_text(domain):
    from assistant.rasa_plugins.server import slim_user_events

    tracker = DialogueStateTracker.from_events("s", _conversation(3), domain.slots)
    for event in tracker.events:
        if isinstance(event, UserUttered):
            event.parse_data["intent_ranking"] = [{"name": "x", "confidence": 0.1}] * 10
    events = tracker.current_state(EventVerbosity.ALL)["events"]
    slim = slim_user_events(events)
    users = [index for index, event in enumerate(events) if event["event"] == "user"]
    slim_users = [index for index, event in enumerate(slim) if event["event"] == "user"]
    assert len(slim_users) == len(users)
    assert slim[slim_users[-1]:] == events[users[-1]:]  # from the latest message on, whole
    for index, slim_index in zip(users[:-1], slim_users[:-1]):
        assert "intent_ranking" not in slim[slim_index]["parse_data"] and "intent_ranking" in events[index]["parse_data"]
        assert slim[slim_index]["parse_data"]["intent"] == events[index]["parse_data"]["intent"]
        assert slim[slim_index]["text"] == events[index]["text"]
    assert slim_user_events([]) == []


def test_earlier_bot_action_and_slot_events_keep_what_actions_read():
    """Transcripts (bot words, an agent's marked reply), the slots set, which actions ran; not the cards,
    buttons, policies, featurisation marks and model ids, which grew every action call's body."""
    from assistant.rasa_plugins.server import slim_user_events

    model = {"model_id": "m1", "assistant_id": "shop"}
    events = [
        {"event": "action", "timestamp": 1.0, "metadata": model, "name": "action_session_start", "policy": None,
         "confidence": 1.0, "action_text": None, "hide_rule_turn": False},
        {"event": "session_started", "timestamp": 1.1, "metadata": model},
        {"event": "user", "timestamp": 2.0, "metadata": {**model, "language": "ja"}, "text": "hi",
         "parse_data": {"intent": {"name": "greet"}, "entities": [], "text": "hi", "intent_ranking": []}},
        {"event": "user_featurization", "timestamp": 2.1, "metadata": model, "use_text_for_featurization": False},
        {"event": "slot", "timestamp": 2.2, "metadata": model, "name": "awaiting_confirmation", "value": "nps:7"},
        {"event": "bot", "timestamp": 2.3, "metadata": {**model, "utter_action": "utter_greet"}, "text": "Hello!",
         "data": {"buttons": [{"title": "Track", "payload": "/order_status"}], "custom": {"type": "products"}}},
        {"event": "bot", "timestamp": 2.4, "metadata": {**model, "agent": "ana"}, "text": "Ana here", "data": {}},
        {"event": "user", "timestamp": 3.0, "metadata": model, "text": "thanks",
         "parse_data": {"intent": {"name": "thank_you"}, "entities": [], "text": "thanks", "intent_ranking": []}},
        {"event": "user_featurization", "timestamp": 3.1, "metadata": model, "use_text_for_featurization": False},
        {"event": "slot", "timestamp": 3.2, "metadata": model, "name": "language", "value": "en"},
    ]
    slim = slim_user_events(events)
    assert slim == [
        {"event": "action", "timestamp": 1.0, "name": "action_session_start"},
        {"event": "session_started", "timestamp": 1.1},
        {"event": "user", "timestamp": 2.0, "metadata": {"language": "ja"}, "text": "hi",
         "parse_data": {"intent": {"name": "greet"}, "entities": [], "text": "hi"}},
        {"event": "slot", "timestamp": 2.2, "name": "awaiting_confirmation", "value": "nps:7"},
        {"event": "bot", "timestamp": 2.3, "text": "Hello!"},
        {"event": "bot", "timestamp": 2.4, "metadata": {"agent": "ana"}, "text": "Ana here"},
        *events[7:],  # the latest message and what came after it, whole
    ]
    assert slim_user_events(events[3:7]) == events[3:7]  # no user message: nothing to cut


def test_action_call_events_equal_the_slimmed_state_and_are_built_once_per_event(domain):
    from rasa.shared.core.events import BotUttered

    from assistant.rasa_plugins.server import action_call_events, slim_user_events

    tracker = DialogueStateTracker.from_events("s", _conversation(3), domain.slots)
    tracker.update(BotUttered("Hello!", {"buttons": [{"title": "Track", "payload": "/order_status"}]},
                              {"utter_action": "utter_greet"}))
    expected = slim_user_events(tracker.current_state(EventVerbosity.ALL)["events"])
    first = action_call_events(tracker.events)
    assert json.loads(json.dumps(first)) == json.loads(json.dumps(expected))
    again = action_call_events(tracker.events)
    latest = max(i for i, e in enumerate(again) if e["event"] == "user")
    assert all(a is b for a, b in zip(first[:latest], again[:latest]))  # earlier events: the same dicts
    for event in _conversation(1):  # the conversation goes on: the next call is still the slimmed state
        tracker.update(event)
    assert json.loads(json.dumps(action_call_events(tracker.events))) == json.loads(json.dumps(
        slim_user_events(tracker.current_state(EventVerbosity.ALL)["events"])))
    assert action_call_events([]) == []


@pytest.mark.parametrize("turns", [1, 4, 9])
def test_the_tracker_copy_rasa_makes_before_each_action_is_the_replayed_state(domain, turns):
    from assistant.rasa_plugins.long_conversations import copy_without_replay, install_tracker_copy

    install_tracker_copy()
    install_tracker_copy()
    assert DialogueStateTracker.copy is copy_without_replay
    live = DialogueStateTracker.from_events("s", _conversation(turns), domain.slots)
    replayed = copy_without_replay._shop_original(live)  # Rasa's own copy: a replay of every event
    copy = live.copy()
    assert _state(copy) == _state(replayed)
    before = _state(live)
    copy.update_with_events([SlotSet("language", "ja"), LoopInterrupted(True), ActionExecuted("action_listen")],
                            domain)
    assert _state(live) == before  # what the temporary tracker gets stays there
