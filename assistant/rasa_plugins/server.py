"""Starts Rasa with the shop's resilience behaviour, then hands over to Rasa's CLI.

Use it exactly like the ``rasa`` command: ``python -m assistant.rasa_plugins.server run ...``.

Rasa drops the events of a custom action that fails (action server down, a 5xx
answer, a timeout) and carries on, so the shopper gets silence. We wrap
``RemoteAction.run`` so that such a failure becomes the domain response
``utter_technical_problem`` instead: a polite message, never silence or a trace.
Rejections (``ActionExecutionRejection``, used by forms) pass through untouched.

Rasa also checks every action-server reply, and every batch of events posted to
its HTTP API, against its event schema with ``jsonschema.validate()``, which
builds (and checks) a validator for that large schema on every call: 30-55 ms
of CPU per action call, about two-thirds of Rasa's time per message. We build
each validator once and keep the same checks and the same errors.

The conversation's language (slots ``language`` and ``language_choice``) is set
while Rasa extracts slots after each user message, by ``assistant.i18n.detect``,
instead of by an action-server call (``action_validate_slot_mappings``) per message.

A text parsed lately is not parsed again (``assistant.rasa_plugins.parse_cache``, by text and model).

After NLU, the router (``assistant.rasa_plugins.routing``) sends general questions the classifier took
for a task, a product request, a complaint or "not understood" to the knowledge base.
A score typed while an NPS or CES question is pending becomes the ``survey`` intent first
(``assistant.rasa_plugins.survey_answers``).

Intents only the support console may trigger (``handoff_resolved``, through the
HTTP API's trigger_intent) are refused when a shopper sends them as a payload
("/handoff_resolved" in the chat): they become ``nlu_fallback``.

The embedded SQLite tracker store runs in WAL mode with ``synchronous=NORMAL``:
a commit no longer waits for a disk sync of a rollback journal (a crash can
lose at most the last commits, never corrupt the file), and the console's
readers no longer block Rasa's writer.

Once the model is loaded, it is warmed up (one parse per language) and its objects are kept out of
the garbage collector's full collections (``assistant.runtime.heap``), which stalled Rasa for up to 1.6 s.

A long conversation no longer costs more per message as it grows: event classes are looked up once
and dialogue states are built for the recent actions only (``assistant.rasa_plugins.long_conversations``).

Log lines have personal data and messenger user ids masked
(``assistant.shop.support.pii.install_log_masking``).

Earlier user messages go to the action server with their intent, entities and text only, earlier bot
and action events without their cards, buttons and policies (:func:`slim_user_events`), each turned into
JSON once and kept (:func:`encode_action_call`).

Rasa sends the whole domain (about 130 KB of JSON, mostly responses in four languages)
with every action call, and the action server parses it every time. rasa-sdk keeps
the last domain it got with its ``domain_digest``, so we send only the digest; a
worker that does not hold that domain (new, restarted, or a changed model) answers
449 and the call is repeated once with the domain.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import hashlib
import json
import logging
import sys
from typing import Any, Dict, List, Optional

from assistant.runtime.settings import get_settings

logger = logging.getLogger(__name__)

FAILURE_RESPONSE = "utter_technical_problem"


def install_action_failure_reply() -> None:
    """Make a failed custom action answer with ``utter_technical_problem``."""
    from rasa.core.actions import action as rasa_action
    from rasa.shared.exceptions import RasaException

    remote_run = rasa_action.RemoteAction.run
    if getattr(remote_run, "_shop_wrapped", False):
        return

    @functools.wraps(remote_run)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await remote_run(self, output_channel, nlg, tracker, domain)
        except rasa_action.ActionExecutionRejection:
            raise
        except (RasaException, Exception):  # noqa: BLE001 - any failure must reach the shopper politely
            logger.exception("Custom action '%s' failed; telling the shopper.", self.name())
            message = await nlg.generate(
                FAILURE_RESPONSE,
                tracker,
                output_channel.name(),
                support_email=get_settings().support_email,
            )
            if not message:
                message = {"text": "Sorry, something went wrong on our side. Please try again in a minute."}
            return [rasa_action.create_bot_utterance(message)]

    run._shop_wrapped = True  # type: ignore[attr-defined]
    rasa_action.RemoteAction.run = run  # type: ignore[method-assign]


MISSING_DOMAIN_STATUS = 449  # rasa-sdk's answer to a domain_digest it does not hold without the domain
DOMAIN_DIGEST_ATTRIBUTE = "_shop_domain_digest"
_send_full_domain: contextvars.ContextVar[bool] = contextvars.ContextVar("shop_send_full_domain", default=False)


def domain_digest(domain: Any) -> str:
    """A digest of the domain's content (the same in every Rasa process), computed once per Domain object.

    It is kept on the object rather than in a dict keyed by it: ``Domain.__hash__`` serialises and
    fingerprints the whole domain on every call.
    """
    digest = getattr(domain, DOMAIN_DIGEST_ATTRIBUTE, None)
    if digest is None:
        text = json.dumps(domain.as_dict(), sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        setattr(domain, DOMAIN_DIGEST_ATTRIBUTE, digest)
    return digest


# what actions read of a user message other than the latest (transcripts, the intents of the session);
# the latest one goes whole, and also as the tracker's ``latest_message``
EARLIER_MESSAGE_PARSE_KEYS = ("intent", "entities", "text", "message_id", "metadata")
# what actions read of the other events before the latest message: the bot's words (transcripts; an agent's
# reply is marked in its metadata), which actions ran, the slots set (a pending question, a survey asked)
EARLIER_EVENT_KEYS = {
    "bot": ("event", "timestamp", "text", "metadata"),
    "action": ("event", "timestamp", "name"),
    "slot": ("event", "timestamp", "name", "value"),
}
EARLIER_EVENTS_LEFT_OUT = ("user_featurization",)  # the featurisation marks of earlier messages
MODEL_METADATA_KEYS = ("model_id", "assistant_id", "utter_action")  # stamped on every event by Rasa


def _slim_metadata(event: Dict[str, Any]) -> Dict[str, Any]:
    metadata = event.get("metadata")
    if not isinstance(metadata, dict) or not any(key in metadata for key in MODEL_METADATA_KEYS):
        return event
    rest = {key: value for key, value in metadata.items() if key not in MODEL_METADATA_KEYS}
    slim = {key: value for key, value in event.items() if key != "metadata"}
    if rest:
        slim["metadata"] = rest
    return slim


def slim_earlier_event(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """What an action call carries of an event before the latest user message (None: left out)."""
    kind = event.get("event")
    if kind in EARLIER_EVENTS_LEFT_OUT:
        return None
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        parse_data = event["parse_data"]
        event = {**event, "parse_data": {key: parse_data[key] for key in EARLIER_MESSAGE_PARSE_KEYS
                                         if key in parse_data}}
    elif kind in EARLIER_EVENT_KEYS:
        event = {key: event[key] for key in EARLIER_EVENT_KEYS[kind] if key in event}
    return _slim_metadata(event)


def _latest_user_index(events: List[Any], is_user: Any) -> Optional[int]:
    return next((index for index in range(len(events) - 1, -1, -1) if is_user(events[index])), None)


def slim_user_events(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events for an action call: from the latest user message on, whole; before it, what actions read.

    A user event carries the classifier's ranking, the tokens and the retrieved passages (about 1.6 KB of
    JSON): earlier ones keep :data:`EARLIER_MESSAGE_PARSE_KEYS`. A bot event carries its buttons and
    product cards, an action event the policy that chose it, every event the model's ids: earlier ones keep
    :data:`EARLIER_EVENT_KEYS`, and the featurisation marks are left out. At 100 turns the body was 263 KB,
    serialised by Rasa and parsed by the action server for every action call, growing with each message.
    """
    latest = _latest_user_index(events, lambda event: event.get("event") == "user")
    if latest is None:
        return list(events)
    slim = [slim_earlier_event(event) for event in events[:latest]]
    return [event for event in slim if event is not None] + list(events[latest:])


ACTION_DICT_MEMO = "_shop_action_call_dict"
ACTION_JSON_MEMO = "_shop_action_call_json"
_NOT_YET = object()


class EncodedEvents(list):
    """The events of an action call (their dicts, as a list) with the JSON text of the first ``len(encoded)``
    already made: an earlier event is serialised once, not for every action call (:func:`encode_action_call`)."""

    __slots__ = ("encoded",)

    def __init__(self, events: List[Dict[str, Any]], encoded: List[str]) -> None:
        super().__init__(events)
        self.encoded = encoded


def action_call_events(tracker_events: Any) -> List[Dict[str, Any]]:
    """:func:`slim_user_events` of a tracker's events, each earlier event turned into its dict once.

    Rasa's ``current_state`` turns every event of the session into a dict for every action call (about 3 us
    each, 2,000 events at 240 turns); an event before the latest user message no longer changes, so its slim
    dict is kept on the event object (shared by the trackers Rasa keeps, ``long_conversations``)."""
    from rasa.shared.core.events import UserUttered

    events = list(tracker_events)
    latest = _latest_user_index(events, lambda event: isinstance(event, UserUttered))
    if latest is None:
        return EncodedEvents([event.as_dict() for event in events], [])
    slim: List[Dict[str, Any]] = []
    encoded: List[str] = []
    for event in events[:latest]:
        memo = event.__dict__.get(ACTION_DICT_MEMO, _NOT_YET)
        if memo is _NOT_YET:
            memo = slim_earlier_event(event.as_dict())
            event.__dict__[ACTION_DICT_MEMO] = memo
            event.__dict__[ACTION_JSON_MEMO] = None if memo is None else json.dumps(memo)
        if memo is not None:
            slim.append(memo)
            encoded.append(event.__dict__[ACTION_JSON_MEMO])
    return EncodedEvents(slim + [event.as_dict() for event in events[latest:]], encoded)


def _with_member(encoded_object: str, key: str, encoded_value: str) -> str:
    """The JSON text of an object (``encoded_object``) with one more member, already encoded, at its end."""
    member = f"{json.dumps(key)}: {encoded_value}"
    return "{" + member + "}" if encoded_object == "{}" else encoded_object[:-1] + ", " + member + "}"


def encode_action_call(body: Any) -> Optional[bytes]:
    """The JSON of an action call whose events are :class:`EncodedEvents`, reusing the earlier events' JSON
    (None for any other request body). At turn 300 serialising the body was a sixth of Rasa's busy time,
    growing with every message; now only the events from the latest user message on are serialised.
    The pieces are joined, never searched for: no text a shopper sends can end up in the wrong place."""
    tracker = body.get("tracker") if isinstance(body, dict) else None
    events = tracker.get("events") if isinstance(tracker, dict) else None
    if not isinstance(events, EncodedEvents):
        return None
    done = len(events.encoded)
    encoded_events = "[" + ", ".join([*events.encoded, *(json.dumps(event) for event in events[done:])]) + "]"
    encoded_tracker = _with_member(json.dumps({k: v for k, v in tracker.items() if k != "events"}), "events",
                                   encoded_events)
    encoded_body = _with_member(json.dumps({k: v for k, v in body.items() if k != "tracker"}), "tracker",
                                encoded_tracker)
    return encoded_body.encode("utf-8")


def install_encoded_action_calls() -> None:
    """Rasa's endpoint requests send an action call's body as :func:`encode_action_call` made it."""
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.request
    if getattr(original, "_shop_encoded", False):
        return

    @functools.wraps(original)
    async def request(self: Any, method: str = "post", subpath: Optional[str] = None,
                      content_type: Optional[str] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Any:
        data = encode_action_call(kwargs.get("json"))
        if data is not None:
            kwargs = {key: value for key, value in kwargs.items() if key != "json"}
            kwargs["data"] = data
        return await original(self, method, subpath, content_type, compress, **kwargs)

    request._shop_encoded = True  # type: ignore[attr-defined]
    EndpointConfig.request = request  # type: ignore[method-assign]


def action_call_with_digest(self: Any, tracker: Any, domain: Any) -> dict:
    """``RemoteAction._action_call_format`` with the domain's digest, and the domain itself only on a retry.

    Rasa's ``enable_selective_domain`` is subsumed: rasa-sdk answers 449 to a call that carries neither the
    domain nor the digest of the one it holds, so every action gets the whole domain, sent once per worker.
    """
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = action_call_events(tracker.events)
    body = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
        "domain_digest": domain_digest(domain),
    }
    if _send_full_domain.get():
        body["domain"] = domain.as_dict()
    return body


def install_domain_digest() -> None:
    """Action calls carry the domain's digest instead of the domain; a 449 answer repeats the call once with it.

    Install it before :func:`install_action_failure_reply`, which turns any failure (a 449 too) into a reply.
    """
    from rasa.core.actions import action as rasa_action
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    remote_run = rasa_action.RemoteAction.run
    if getattr(remote_run, "_shop_domain_digest", False):
        return
    if getattr(remote_run, "_shop_wrapped", False):
        raise RuntimeError("install_domain_digest() must run before install_action_failure_reply()")

    @functools.wraps(remote_run)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await remote_run(self, output_channel, nlg, tracker, domain)
        except RasaException as error:
            cause = error.__cause__
            if not isinstance(cause, ClientResponseError) or cause.status != MISSING_DOMAIN_STATUS:
                raise
        logger.debug("The action server does not hold domain %s; calling '%s' again with the domain.",
                     domain_digest(domain), self.name())
        token = _send_full_domain.set(True)
        try:
            return await remote_run(self, output_channel, nlg, tracker, domain)
        finally:
            _send_full_domain.reset(token)

    run._shop_domain_digest = True  # type: ignore[attr-defined]
    rasa_action.RemoteAction.run = run  # type: ignore[method-assign]
    rasa_action.RemoteAction._action_call_format = action_call_with_digest  # type: ignore[method-assign]
    install_encoded_action_calls()


class _CachedSchemaValidation:
    """``jsonschema.validate`` for fixed schemas, with each validator built and checked once.

    It raises the same ``ValidationError`` (the best match, as ``jsonschema.validate`` does).
    Only the schema objects handed to it are cached, keyed by identity and kept alive, so
    use it for module-level constants only.

    Rasa's event schema is an array whose items must match exactly one of 23 branches (``oneOf``), each
    fixing ``event`` to its own name; checking that *exactly one* matches runs every branch on every event
    (6% of Rasa's busy time at 15 messages/s). As the branches' names are distinct and ``event`` is a
    required string, an event matches exactly one branch when it matches the common part and the branch of
    its own name, which is what the fast path checks (one validator per name, built once). Whatever the fast
    path cannot prove valid (an unknown name, a wrong type anywhere) goes through the full schema, so the
    answers and the errors are the full schema's.
    """

    def __init__(self) -> None:
        self._validators: dict[int, tuple[Any, Any]] = {}
        self._plans: dict[int, tuple[Any, Any]] = {}

    def validator(self, schema: Any) -> Any:
        entry = self._validators.get(id(schema))
        if entry is None or entry[0] is not schema:
            import jsonschema

            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            entry = (schema, cls(schema))
            self._validators[id(schema)] = entry
        return entry[1]

    def _plan(self, schema: Any) -> Any:
        """How to prove ``schema`` holds cheaply: ("events", validators by name), ("object", plans by
        property) or ("plain", validator)."""
        entry = self._plans.get(id(schema))
        if entry is not None and entry[0] is schema:
            return entry[1]
        plan: Any = ("plain", self.validator(schema))
        if isinstance(schema, dict):
            items = schema.get("items")
            if set(schema) == {"type", "items"} and schema["type"] == "array" and _discriminated(items):
                cls = type(self.validator(schema))
                common = {k: v for k, v in items.items() if k != "oneOf"}
                by_name = {}
                for branch in items["oneOf"]:
                    one = {**common, "allOf": [branch]}
                    cls.check_schema(one)
                    by_name[branch["properties"]["event"]["const"]] = cls(one)
                plan = ("events", by_name)
            elif set(schema) <= {"type", "properties"} and schema.get("type") == "object":
                plan = ("object", {name: self._plan(sub) for name, sub in (schema.get("properties") or {}).items()})
        self._plans[id(schema)] = (schema, plan)
        return plan

    def _proves_valid(self, instance: Any, plan: Any) -> bool:
        kind, how = plan
        if kind == "plain":
            return bool(how.is_valid(instance))
        if kind == "object":
            return isinstance(instance, dict) and all(
                self._proves_valid(instance[name], sub) for name, sub in how.items() if name in instance)
        if not isinstance(instance, list):
            return False
        for event in instance:
            validator = how.get(event.get("event")) if isinstance(event, dict) and isinstance(
                event.get("event"), str) else None
            if validator is None or not validator.is_valid(event):
                return False
        return True

    def validate(self, instance: Any, schema: Any) -> None:
        import jsonschema

        if self._proves_valid(instance, self._plan(schema)):
            return
        error = jsonschema.exceptions.best_match(self.validator(schema).iter_errors(instance))
        if error is not None:
            raise error


def _discriminated(items: Any) -> bool:
    """An items schema of objects that must match one of several branches, each naming its own ``event``."""
    if not isinstance(items, dict) or set(items) - {"type", "properties", "required", "oneOf"}:
        return False
    if items.get("type") != "object" or "event" not in (items.get("required") or []):
        return False
    if (items.get("properties") or {}).get("event") != {"type": "string"}:
        return False
    names = [((branch.get("properties") or {}).get("event") or {}).get("const") if isinstance(branch, dict) else None
             for branch in items.get("oneOf") or []]
    return bool(names) and all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def install_fast_schema_validation() -> None:
    """Validate action results and API events with validators built once (same schema, same errors)."""
    import types

    import jsonschema
    from rasa import server as rasa_server
    from rasa.core.actions import action as rasa_action

    if getattr(rasa_action.RemoteAction, "_shop_fast_validation", False):
        return
    validation = _CachedSchemaValidation()
    response_spec = rasa_action.RemoteAction.action_response_format_spec()
    original_validate = rasa_action.RemoteAction._validate_action_result

    def validate_action_result(self: Any, result: dict) -> bool:
        try:
            validation.validate(result, response_spec)
            return True
        except jsonschema.ValidationError:
            # the original adds Rasa's explanation to the message and re-raises
            return original_validate(self, result)

    rasa_action.RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    rasa_action.RemoteAction._shop_fast_validation = True  # type: ignore[attr-defined]
    # rasa.server calls ``jsonschema.validate(events, EVENTS_SCHEMA)``; give that module its own
    # ``jsonschema`` whose ``validate`` is the cached one and whose other names are the real ones.
    proxy = types.ModuleType("jsonschema")
    proxy.__dict__.update({k: v for k, v in vars(jsonschema).items() if not k.startswith("__")})
    proxy.validate = validation.validate  # type: ignore[attr-defined]
    rasa_server.jsonschema = proxy  # type: ignore[attr-defined]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def install_sqlite_wal() -> None:
    """Every SQLite connection Rasa opens (the tracker store) uses WAL with synchronous=NORMAL, and the
    tracker store keeps its SQLite connections open: SQLAlchemy 1.4 gives a file database no pool, so
    each read and each save opened and closed a connection (about 3% of Rasa's time per message)."""
    from rasa.core import tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    original = tracker_store.create_engine_kwargs
    if getattr(original, "_shop_sqlite_pool", False):
        return

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        return sqlite_pool_kwargs(url) or original(url)

    create_engine_kwargs._shop_sqlite_pool = True  # type: ignore[attr-defined]
    tracker_store.create_engine_kwargs = create_engine_kwargs


def sqlite_pool_kwargs(url: Any) -> Dict[str, Any]:
    """Engine arguments for a file SQLite database (a pool of open connections), else {}."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import QueuePool

    parsed = make_url(url) if isinstance(url, str) else url
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return {}
    # Rasa calls the tracker store from its event loop; a pooled connection is used by one caller at a time
    return {"poolclass": QueuePool, "pool_size": 4, "max_overflow": 4, "connect_args": {"check_same_thread": False}}


AGENT_ONLY_INTENTS = frozenset({"handoff_resolved"})
FALLBACK_INTENT = "nlu_fallback"


def refuse_agent_only(parsed: dict, sender_id: str) -> dict:
    """``parsed`` with an agent-only intent a shopper sent replaced by ``nlu_fallback`` (and no entities)."""
    intent = (parsed.get("intent") or {}).get("name")
    if intent not in AGENT_ONLY_INTENTS:
        return parsed
    logger.warning("conversation %s sent the agent-only intent %r; treated as not understood", sender_id, intent)
    fallback = {"name": FALLBACK_INTENT, "confidence": 1.0}
    return {**parsed, "intent": fallback, "intent_ranking": [fallback], "entities": []}


_nlu_thread: Optional[concurrent.futures.ThreadPoolExecutor] = None


def nlu_thread() -> concurrent.futures.ThreadPoolExecutor:
    global _nlu_thread
    if _nlu_thread is None:
        _nlu_thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu")
    return _nlu_thread


async def parse_off_loop(processor: Any, parse: Any, message: Any, tracker: Any, only_output_properties: bool) -> dict:
    """Rasa's ``MessageProcessor.parse_message``, with the NLU graph run in one thread of its own instead
    of on the event loop. TensorFlow and numpy release the GIL while they compute, so the loop goes on
    with other conversations' policies, tracker store and action calls meanwhile (on 2 cores the loop
    was busy three quarters of the time at 30 messages/s, so messages queued behind each other's NLU).
    One thread: the components see one message at a time, as before."""
    if processor.http_interpreter:  # NLU elsewhere: nothing to move
        return await parse(processor, message, tracker, only_output_properties)
    from rasa.shared.core.trackers import DialogueStateTracker

    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    loop = asyncio.get_running_loop()
    parsed = await loop.run_in_executor(nlu_thread(), processor._parse_message_with_graph, message, tracker,
                                        only_output_properties)
    processor._update_full_retrieval_intent(parsed)
    processor._check_for_unseen_features(parsed)
    return parsed


def install_agent_only_intents() -> None:
    """Messages from channels never carry an agent-only intent (the console triggers those directly), and
    the router (``assistant.rasa_plugins.routing``) sees every parsed message with the conversation's state."""
    from rasa.core.processor import MessageProcessor

    parse = MessageProcessor.parse_message
    if getattr(parse, "_shop_agent_only", False):
        return

    @functools.wraps(parse)
    async def parse_message(self: Any, message: Any, tracker: Any = None, only_output_properties: bool = True) -> dict:
        from assistant.rasa_plugins.parse_cache import parse_cache
        from assistant.rasa_plugins.routing import State, route
        from assistant.rasa_plugins.survey_answers import survey_answer

        cache = parse_cache()
        key = cache.key(self, message, only_output_properties)
        parsed = cache.get(key)
        if parsed is None:
            parsed = await parse_off_loop(self, parse, message, tracker, only_output_properties)
            cache.put(key, parsed)
        parsed = refuse_agent_only(parsed, message.sender_id)
        try:
            answered = survey_answer(parsed, tracker)  # a typed score while a survey question is pending
            return answered if answered is not parsed else route(parsed, State.of(tracker))
        except Exception:  # noqa: BLE001 - a routing bug must never lose the shopper's message
            logger.exception("routing failed for conversation %s; the classifier's intent is kept", message.sender_id)
            return parsed

    parse_message._shop_agent_only = True  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]


LANGUAGE_SLOT = "language"
CHOICE_SLOT = "language_choice"


def language_events(tracker: Any, domain: Any) -> List[Any]:
    """SlotSet events for the conversation's language after the latest user message (none if unchanged)."""
    from rasa.shared.core.events import SlotSet

    from assistant.i18n.detect import conversation_language

    slots = {slot.name for slot in domain.slots}
    message = tracker.latest_message
    if LANGUAGE_SLOT not in slots or CHOICE_SLOT not in slots or message is None or message.text is None:
        return []
    parsed = {"text": message.text, "intent": message.intent, "entities": message.entities,
              "metadata": message.metadata}
    current, choice = tracker.get_slot(LANGUAGE_SLOT), tracker.get_slot(CHOICE_SLOT)
    language, new_choice = conversation_language(parsed, current, choice)
    events = []
    if new_choice != choice:
        events.append(SlotSet(CHOICE_SLOT, new_choice))
    if language != current:
        events.append(SlotSet(LANGUAGE_SLOT, language))
    return events


def install_language_slots() -> None:
    """Rasa's slot extraction after each user message also sets the conversation's language."""
    from rasa.core.actions.action import ActionExtractSlots

    extract = ActionExtractSlots.run
    if getattr(extract, "_shop_language", False):
        return

    @functools.wraps(extract)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        events = await extract(self, output_channel, nlg, tracker, domain)
        return [*events, *language_events(tracker, domain)]

    run._shop_language = True  # type: ignore[attr-defined]
    ActionExtractSlots.run = run  # type: ignore[method-assign]


# one short message per language, parsed once at start: DIET's and the encoder's first call build
# their TensorFlow functions, which should be frozen with the model (and not cost the first shopper)
WARM_UP_TEXTS = ("where is my order?", "我的订单在哪里？", "我的訂單在哪裡？", "注文はどこですか？")


async def warm_up(agent: Any) -> None:
    for text in WARM_UP_TEXTS:
        try:
            await agent.parse_message(text)
        except Exception:  # noqa: BLE001 - a failed warm-up only costs the first shopper some time
            logger.warning("warm-up parse failed; the first message will be slower", exc_info=True)
            return


def install_heap_freeze() -> None:
    """Once the model is loaded and warmed up, its objects leave the garbage collector's sight
    (``assistant.runtime.heap``): full collections walking them stalled Rasa for up to 1.6 s."""
    import rasa.core.run as rasa_run

    load = rasa_run.load_agent_on_start
    if getattr(load, "_shop_freeze", False):
        return

    @functools.wraps(load)
    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        from assistant.runtime.heap import freeze_heap

        agent = await load(*args, **kwargs)
        if agent is not None and agent.is_ready():
            await warm_up(agent)
        freeze_heap("Rasa model")
        return agent

    load_agent_on_start._shop_freeze = True  # type: ignore[attr-defined]
    rasa_run.load_agent_on_start = load_agent_on_start


def with_auth_token(argv: List[str], token: str) -> List[str]:
    """``argv`` for ``rasa run`` with the token, unless the command line names one. Given as one
    ``--auth-token=...`` argument: a generated token may begin with "-" (``secrets.token_urlsafe``), and
    as a separate argument Rasa's parser took it for an option and refused to start."""
    named = any(arg in ("-t", "--auth-token") or arg.startswith("--auth-token=") for arg in argv)
    return list(argv) if named else [*argv, f"--auth-token={token}"]


def main() -> None:
    from assistant.shop.support.pii import install_log_masking

    install_log_masking()  # message texts and sender ids in Rasa's logs are personal data
    serving = len(sys.argv) > 1 and sys.argv[1] in ("run", "shell")
    if serving:
        install_domain_digest()  # first: the failure reply must see only what is left after the retry
    install_action_failure_reply()
    if len(sys.argv) > 1 and sys.argv[1] == "run":
        # Rasa's HTTP API always wants a token; it comes from the settings (environment or the secrets
        # file), not from our command line, where any user of the machine could read it
        sys.argv = with_auth_token(sys.argv, get_settings().rasa_auth_token)
    if serving:
        install_fast_schema_validation()
        install_sqlite_wal()
        from assistant.rasa_plugins import long_conversations

        long_conversations.install()  # time per message stays flat as a conversation grows
        install_heap_freeze()
    install_language_slots()
    install_agent_only_intents()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
