"""Keeps Rasa's time per message flat as a conversation grows (serving processes only).

Measured on a 120-turn conversation (``bench.load``'s long conversation, py-spy on Rasa), Rasa's CPU per
turn grew from 48 ms over the first 20 turns to 215 ms over turns 100-119. Two of the causes cost time
in proportion to the number of events in the session without changing any answer:

* **Reading the tracker**: every stored event becomes an ``Event`` through ``Event.resolve_by_type``,
  which walks every subclass of ``Event`` (``all_subclasses`` with ``inspect.isabstract`` per class)
  for each event: 14.5% of Rasa's time at turn 100. The class for a type name never changes once
  Rasa's events are imported, so it is looked up once per name.
* **Dialogue states for each prediction**: ``Domain.states_for_tracker_history`` computes the state
  (slots, entities, intent, previous action, loop) before *every* action of the session for each
  policy call, and only the last few are used: the memoization policy reads the last ``max_history``
  (4) states, and a rule reads as many states as it has steps. The window here replays every event
  (cheap: it only updates the tracker) but builds states only for the last
  :data:`STATE_WINDOW_ACTIONS` actions, and reaches further back until the window holds at least
  :data:`STATE_WINDOW_ML_ACTIONS` actions that are not hidden rule-only turns (the memoization
  policy skips those). The replay itself starts from the state at the window's start that the previous
  call kept (when the events before it are still the same objects), so it is as long as the window, not
  the session: at 300 turns it was 13% of Rasa's time. ``tests/rasa_plugins/test_long_conversations.py``
  checks that the states the policies read are the same as without the window, and that no rule of ours
  is longer than it.

Rasa also copies the tracker before every action it runs, by replaying every event of the session;
:func:`copy_without_replay` makes that copy with :func:`clone`.

A third cost is removed by keeping recent trackers in memory:

* **Reading the tracker** again for each message: the SQL tracker store reads every event of the
  session, parses its JSON (a user event carries the parse data with the retrieved passages, about
  1.6 KB) and replays it: 23% of Rasa's time at turn 100 even with the class cache. Each Rasa process
  now keeps the trackers it saved or read (:class:`TrackerCache`, at most :data:`CACHED_EVENTS` events
  in all, least recently used first out). Before a cached tracker is used, one indexed query reads the
  number of events of the session, the highest event id and the latest event time from the database: when another process
  (scale-out), the console or the retention job has written or deleted anything of that conversation,
  they differ and the tracker is read from the database as before. A cached tracker is handed out as a
  copy (:func:`clone`), so a message whose handling fails never leaves its events in the cache.
  That query is answered from two indexes of our own (:data:`STAMP_INDEXES`, created by each store if
  missing): Rasa indexes the events by sender only, and the query read every row of the conversation.
  Saving writes the new events as Rasa does, in one transaction that reads the stamp before and after the
  insert, with a statement built once (the ORM queries Rasa builds for every call, and one ORM object per
  new event, were 12% of Rasa's samples at 20 messages/s, more than the database's own time).

Training is untouched: these are installed only by ``server.main`` for ``run`` and ``shell``, where
trackers are predicted on, never featurised into training data.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import logging
from collections import OrderedDict
from copy import copy as shallow_copy
from typing import Any, Dict, Generator, List, Optional, Tuple, Type

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

# States are built for at least this many actions before the prediction point; our longest rule has
# far fewer steps (checked by the test) and the memoization policy reads 4
STATE_WINDOW_ACTIONS = 16
# ... and for at least this many actions that ML policies see (rule-only turns are hidden from them)
STATE_WINDOW_ML_ACTIONS = 8


def install_event_type_cache() -> None:
    """``Event.resolve_by_type`` answers from a cache of the classes it found before (same result)."""
    original = Event.resolve_by_type
    if getattr(original, "_shop_cached", False):
        return
    found: Dict[str, Type[Any]] = {}

    @functools.wraps(original)
    def resolve_by_type(type_name: str, default: Optional[Type[Any]] = None) -> Optional[Type[Any]]:
        cls = found.get(type_name)
        if cls is not None:
            return cls
        cls = original(type_name, default)
        # only a class found by its own type name is remembered, never the caller's default
        if cls is not None and cls is not default and getattr(cls, "type_name", None) == type_name:
            found[type_name] = cls
        return cls

    resolve_by_type._shop_cached = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]


def window_start(events: List[Any], actions: int = STATE_WINDOW_ACTIONS,
                 ml_actions: int = STATE_WINDOW_ML_ACTIONS) -> int:
    """Index of the first event whose prior state is built: the ``actions``-th action from the end, moved
    back until at least ``ml_actions`` of the actions from there on are not hidden rule-only turns."""
    seen = shown = 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, ActionExecuted):
            seen += 1
            if not event.hide_rule_turn:
                shown += 1
            if seen >= actions and shown >= ml_actions:
                return index
    return 0


WINDOW_SNAPSHOT = "_shop_window_snapshot"


def _resume_point(tracker: Any, applied: List[Any], start: int) -> Tuple[Any, int]:
    """(a tracker in the state after the first ``k`` applied events, ``k``): a copy of the snapshot an
    earlier call left on ``tracker`` when those ``k`` events are still the first ones applied and ``k`` is
    not past ``start``, else an empty tracker and 0.

    Within one fold (:func:`_fold_of`) the first and the ``k``-th event being the same objects is enough: a
    fold continued over new events only appends them or removes events near its end (reverts, a loop's
    unhappy path), and removing any of the first ``k`` moves another event (or none) to position ``k``;
    comparing all ``k`` grew with the conversation."""
    memo = tracker.__dict__.get(WINDOW_SNAPSHOT)
    if memo is not None:
        fold, count, first, last, snapshot = memo
        if (fold is _fold_of(tracker) and 0 < count <= min(start, len(applied))
                and applied[0] is first and applied[count - 1] is last):
            return clone(snapshot, with_events=False), count
    return tracker.init_copy(), 0


def _fold_of(tracker: Any) -> Any:
    """The identity of the fold behind the tracker's applied events (a new one when it was done again from
    the first event: a loop seen for the first time may fold earlier events differently)."""
    memo = tracker.__dict__.get(APPLIED_MEMO)
    return memo[3] if memo is not None else None


def windowed_prior_trackers(self: Any) -> Generator[Tuple[Any, bool], None, None]:
    """``DialogueStateTracker.generate_all_prior_trackers`` yielding only the trackers of the window.

    Every applied event still updates the copy in order, so each yielded tracker is in exactly the state
    the original yields at that point; only the earlier ones are not handed out for state building. The
    replay does not start from the first event either: the state at the window's start is kept on the
    tracker (and carried by :func:`clone` to the next message's tracker), and the next call replays from
    there when the events before it are still the same ones, so the replay stays as short as the window.
    The yielded trackers hold only the events replayed since that state: states are built from a tracker's
    slots, latest message, latest action and loop (``Domain.get_active_state``), never from its events, and
    copying the events before the window grew with the conversation.
    """
    applied = self.applied_events()
    start = window_start(applied)
    tracker, begin = _resume_point(self, applied, start)
    for index in range(begin, len(applied)):
        event = applied[index]
        if index == start and index > begin:
            self.__dict__[WINDOW_SNAPSHOT] = (_fold_of(self), start, applied[0], applied[start - 1],
                                              clone(tracker, with_events=False))
        if index >= start and isinstance(event, ActionExecuted):
            yield tracker, event.hide_rule_turn
        tracker.update(event)
    yield tracker, False


def _apply(tracker: Any, event: Any, applied: List[Any], loop_names: Any) -> List[Any]:
    """One step of ``DialogueStateTracker.applied_events``' loop (Rasa 3.6), on ``applied``; returns the list."""

    if isinstance(event, (Restarted, SessionStarted)):
        return []
    if isinstance(event, ActionReverted):
        tracker._undo_till_previous(ActionExecuted, applied)
    elif isinstance(event, UserUtteranceReverted):
        tracker._undo_till_previous(UserUttered, applied)
        tracker._undo_till_previous(ActionExecuted, applied)
    elif (isinstance(event, ActionExecuted) and event.action_name in loop_names
          and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)):
        tracker._undo_till_previous_loop_execution(event.action_name, applied)
    else:
        applied.append(event)
    return applied


APPLIED_MEMO = "_shop_applied"


class LoopNames(frozenset):
    """The loops a fold knows; a new object for every fold done from the first event (``frozenset()`` is one
    shared object, so an empty one could not tell two folds apart: :func:`_fold_of`)."""


def incremental_applied_events(self: Any) -> List[Any]:
    """``DialogueStateTracker.applied_events`` continued from where the last call on this tracker stopped.

    Rasa's loop is a left fold over the events with the names of all loops the events activate; events
    are only ever appended, so the fold over the old events is kept (with the first and last event it
    covered, to notice a tracker whose events were replaced) and only the new events are folded in. When
    a new event activates a loop not seen before, earlier loop actions may fold differently: the whole
    fold is done again, as Rasa does it.
    """
    events = self.events
    size = len(events)
    memo = self.__dict__.get(APPLIED_MEMO)
    if memo is not None:
        count, first, last, loop_names, applied = memo
        if 0 < count <= size and events[0] is first and events[count - 1] is last:
            new = list(itertools.islice(events, count, None))
            if all(e.name in loop_names for e in new if isinstance(e, ActiveLoop) and e.name):
                applied = list(applied)
                for event in new:
                    applied = _apply(self, event, applied, loop_names)
                if new:
                    self.__dict__[APPLIED_MEMO] = (size, first, events[-1], loop_names, applied)
                return list(applied)
    loop_names = LoopNames(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
    applied = []
    for event in events:
        applied = _apply(self, event, applied, loop_names)
    if size:
        self.__dict__[APPLIED_MEMO] = (size, events[0], events[-1], loop_names, applied)
    return list(applied)


def _replace_tracker_method(name: str, replacement: Any) -> None:
    """``DialogueStateTracker.<name>`` becomes ``replacement``, which keeps Rasa's as ``_shop_original``;
    done once (a second call finds the replacement in place)."""
    original = getattr(DialogueStateTracker, name)
    if original is replacement:
        return
    replacement._shop_original = original
    setattr(DialogueStateTracker, name, replacement)


def install_prediction_window() -> None:
    """Dialogue states are built for the window of recent actions only (see the module docstring)."""
    _replace_tracker_method("generate_all_prior_trackers", windowed_prior_trackers)
    _replace_tracker_method("applied_events", incremental_applied_events)


# at most this many events in the trackers one Rasa process keeps (about 3 KB each in memory)
CACHED_EVENTS = 20_000

# (events in the current session, highest event id, latest event time) as the database holds them; the
# time too because SQLite reuses the ids of deleted rows
Stamp = Tuple[int, int, float]


def clone(tracker: Any, with_events: bool = True) -> Any:
    """A copy of ``tracker`` in the state replaying its events gives, without replaying them.

    The state attributes are the ones ``DialogueStateTracker.__init__`` lists as re-creatable from the
    events; the events themselves are shared, as ``DialogueStateTracker.copy`` shares them (``with_events``
    False: none, for the replay's snapshot, which is only a state). The copy has no model or assistant id,
    like a tracker read from the store.
    """
    copy = DialogueStateTracker(tracker.sender_id, tracker.slots.values(), tracker._max_event_history,
                                tracker.sender_source, tracker.is_rule_tracker)
    # the constructor copies the slots and then resets them to their initial values
    copy.slots = {name: shallow_copy(slot) for name, slot in tracker.slots.items()}
    copy.events = copy._create_events(list(tracker.events) if with_events else [])
    copy._paused = tracker._paused
    copy.followup_action = tracker.followup_action
    copy.latest_action = dict(tracker.latest_action) if tracker.latest_action is not None else None
    copy.latest_message = tracker.latest_message
    copy.latest_bot_utterance = tracker.latest_bot_utterance
    # a dataclass whose fields the tracker changes in place (interrupted, rejected)
    copy.active_loop = dataclasses.replace(tracker.active_loop) if tracker.active_loop is not None else None
    for memo in (APPLIED_MEMO, WINDOW_SNAPSHOT):  # the same events: the fold and the window's start carry over
        if with_events and memo in tracker.__dict__:
            copy.__dict__[memo] = tracker.__dict__[memo]
    return copy


class TrackerCache:
    """Trackers by conversation with the database stamp they match, least recently used first out."""

    def __init__(self, max_events: int = CACHED_EVENTS) -> None:
        self.max_events = max_events
        self._entries: "OrderedDict[str, Tuple[Stamp, Any]]" = OrderedDict()
        self._events = 0

    def get(self, sender_id: str, stamp: Stamp) -> Optional[Any]:
        """A copy of the cached tracker if the database still holds exactly what it was built from."""
        entry = self._entries.get(sender_id)
        if entry is None:
            return None
        if entry[0] != stamp:
            self.drop(sender_id)
            return None
        self._entries.move_to_end(sender_id)
        return clone(entry[1])

    def put(self, sender_id: str, stamp: Stamp, tracker: Any) -> None:
        self.drop(sender_id)
        size = len(tracker.events)
        if size > self.max_events:
            return
        self._entries[sender_id] = (stamp, clone(tracker))
        self._events += size
        while self._events > self.max_events:
            _, (_, oldest) = self._entries.popitem(last=False)
            self._events -= len(oldest.events)

    def drop(self, sender_id: str) -> None:
        entry = self._entries.pop(sender_id, None)
        if entry is not None:
            self._events -= len(entry[1].events)

    def __len__(self) -> int:
        return len(self._entries)


def _stamp_statement(store: Any) -> Any:
    """``SELECT count(id), max(id), max(timestamp)`` over the current session's rows of a sender (the bound
    parameter ``sender_id``): the rows of Rasa's ``_event_query(..., fetch_events_from_all_sessions=False)``,
    those at or after the sender's latest ``session_started``, or all of them when there is none.

    Built once per store as a Core statement: SQLAlchemy memoizes its cache key and compiled form, where the
    ORM query rebuilt for every call spent more time making its cache key than the database spent on it."""
    statement = getattr(store, "_shop_stamp_statement", None)
    if statement is None:
        events = store.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (sa.select(sa.func.max(events.c.timestamp))
                         .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        statement = (sa.select(sa.func.count(events.c.id), sa.func.max(events.c.id), sa.func.max(events.c.timestamp))
                     .where(events.c.sender_id == sender,
                            sa.or_(events.c.timestamp >= session_start, session_start.is_(None))))
        store._shop_stamp_statement = statement
    return statement


# Rasa indexes the events by sender only, so the stamp read every row of the conversation (its JSON too)
# twice, three stamps a message: with these two indexes the latest session start is one look-up and the
# session's count, highest id and latest time are read from the index alone
STAMP_INDEXES = {
    "shop_events_sender_type_time": ("sender_id", "type_name", "timestamp"),
    "shop_events_sender_time": ("sender_id", "timestamp"),
}


def create_stamp_indexes(store: Any) -> None:
    """The :data:`STAMP_INDEXES` on the store's events table, if they are not there yet (SQLite and
    PostgreSQL; another process creating them at the same moment is not an error)."""
    table = store.SQLEvent.__table__.name
    for name, columns in STAMP_INDEXES.items():
        # DDL of our own (an ``sa.Index`` would join Rasa's table metadata, which every store creates from)
        try:
            with store.engine.begin() as connection:
                connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"))
        except sa.exc.SQLAlchemyError as error:  # e.g. created by another process meanwhile
            if name not in {index["name"] for index in sa.inspect(store.engine).get_indexes(table)}:
                logger.warning("could not create the index %s on the tracker store's events (the stamp reads "
                               "every event of a conversation without it): %s", name, error)


def _stamp(store: Any, session: Any, sender_id: str) -> Stamp:
    """The :data:`Stamp` of the conversation's current session."""
    count, highest, latest = session.execute(_stamp_statement(store), {"sender_id": sender_id}).one()
    return int(count or 0), int(highest or 0), float(latest or 0.0)


def _event_row(sender_id: str, event: Any) -> Dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` writes for ``event``, column by column."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}


def _cache_of(store: Any) -> TrackerCache:
    cache = getattr(store, "_shop_tracker_cache", None)
    if cache is None:
        cache = TrackerCache()
        store._shop_tracker_cache = cache
    return cache


def install_tracker_cache() -> None:
    """The SQL tracker store answers from :class:`TrackerCache` when the database stamp still matches."""
    original_retrieve = SQLTrackerStore._retrieve
    original_save = SQLTrackerStore.save
    original_init = SQLTrackerStore.__init__
    if getattr(original_retrieve, "_shop_cached", False):
        return

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        create_stamp_indexes(self)

    @functools.wraps(original_retrieve)
    async def _retrieve(self: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[Any]:
        if fetch_events_from_all_sessions or not self.domain:
            return await original_retrieve(self, sender_id, fetch_events_from_all_sessions)
        cache = _cache_of(self)
        with self.session_scope() as session:
            stamp = _stamp(self, session, sender_id)
            if stamp[0] == 0:
                cache.drop(sender_id)
                return None
            tracker = cache.get(sender_id, stamp)
            if tracker is not None:
                return tracker
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows],
                                                 self.domain.slots)
        # the stamp of the rows actually read (a write between the two queries must not be cached over)
        cache.put(sender_id, (len(rows), max(row.id for row in rows), max(float(row.timestamp or 0.0) for row in rows)),
                  tracker)
        return tracker

    @functools.wraps(original_save)
    async def save(self: Any, tracker: Any) -> None:
        # Rasa's save (stream to the event broker, count the session's rows, add the events after them), in
        # one transaction that also reads the stamp after the insert; a Core insert of the new rows instead
        # of an ORM object each (the same columns: ``_event_row``)
        cache = _cache_of(self)
        # (the event broker's read of the tracker before this save may still use the cached one)
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = _stamp(self, session, tracker.sender_id)[0]
            rows = [_event_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            stamp = _stamp(self, session, tracker.sender_id)
            session.commit()
        # the session's rows are the tracker's events exactly when there are as many (saves of one
        # conversation are serialised by the lock store); otherwise (a new session, the full tracker of
        # several sessions) the next read builds it from the database
        if stamp[0] == len(tracker.events):
            cache.put(tracker.sender_id, stamp, tracker)
        else:
            cache.drop(tracker.sender_id)

    _retrieve._shop_cached = True  # type: ignore[attr-defined]
    SQLTrackerStore._retrieve = _retrieve  # type: ignore[method-assign]
    SQLTrackerStore.__init__ = __init__  # type: ignore[method-assign]
    SQLTrackerStore.save = save  # type: ignore[method-assign]


def copy_without_replay(self: Any) -> Any:
    """``DialogueStateTracker.copy`` as :func:`clone`: the same state without replaying every event.

    Rasa copies the tracker before every action it runs (``MessageProcessor._run_action``: a temporary
    tracker, so a rejected action's events can be dropped), and its copy replays the whole session: 14% of
    Rasa's time at turn 400, three times a message."""
    return clone(self)


def install_tracker_copy() -> None:
    _replace_tracker_method("copy", copy_without_replay)


def install() -> None:
    install_event_type_cache()
    install_prediction_window()
    install_tracker_cache()
    install_tracker_copy()
