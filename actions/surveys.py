"""One satisfaction question after the bot alone finished a task: NPS (0-10) or CES (1-7).

A task's result (order status told, refund or return opened, order cancelled, address changed) ends
with :func:`task_done`, a ``FollowupAction`` to ``action_after_task``, which ``ShopAction.run`` carries out
in the same action-server call (``actions.base.INLINE_FOLLOWUPS``). It records the result
(containment by first task intent, ``SurveyService.record_outcome``) and, when the sample says so and
the shopper was not asked within the cooling-off period, was not handed to a person and got no CSAT
question in this conversation, asks one question with buttons and sets ``awaiting_confirmation`` to
``survey:<kind>:<id>``.

The answer arrives as the ``survey`` intent: a button (``/survey{"survey_score": "9"}``), or a typed
score the Rasa process recognised while that question was pending (``assistant.rasa_plugins.
survey_answers``). ``action_store_survey`` stores it once, only for the question the bot's last turn
asked, only inside its scale; anything else is refused with a clear message.
"""
from __future__ import annotations

import logging
from typing import Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    INLINE_FOLLOWUPS,
    Events,
    ShopAction,
    intent_of,
    pending_confirmation,
    verified_customer,
)
from actions.handoff import WAITING_SLOT
from actions.order_tasks import ORDER_TASKS
from actions.services import Services
from assistant.i18n.phrases import current_language, phrase
from assistant.i18n.scores import ScoreAnswer, parse_score
from assistant.runtime.settings import Settings
from assistant.shop.support.surveys import (
    NOT_PENDING,
    OUT_OF_RANGE,
    SCALES,
    SKIPPED,
    STORED,
    Asking,
    SurveyPolicy,
)

logger = logging.getLogger(__name__)

AFTER_TASK = "action_after_task"
SURVEY_PENDING = "survey"
SCORE_ENTITY = "survey_score"
CSAT_MARKER = "csat:"


def task_done() -> EventType:
    """What a result action returns once the bot alone reached the shopper's result."""
    return FollowupAction(AFTER_TASK)


def survey_policy(settings: Settings) -> SurveyPolicy:
    return SurveyPolicy(rate=settings.survey_rate, kind=settings.survey_kind,
                        cooldown_days=settings.survey_cooldown_days)


def _session_events(tracker: Tracker) -> list:
    """The events of the current Rasa session."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "session_started":
            return events[index + 1:]
    return events


def task_intents(tracker: Tracker) -> list[str]:
    """The order-task intents the shopper expressed in this session, in order."""
    return [intent for intent in (intent_of(e) for e in _session_events(tracker) if e.get("event") == "user")
            if intent in ORDER_TASKS]


def csat_asked(tracker: Tracker) -> bool:
    """Whether this conversation was already asked for a CSAT rating (a handoff's end)."""
    return any(e.get("event") == "slot" and e.get("name") == "awaiting_confirmation"
               and str(e.get("value") or "").startswith(CSAT_MARKER) for e in tracker.events)


def pending_survey(tracker: Tracker) -> Optional[Tuple[str, int]]:
    """(kind, survey id) of the question the bot's last turn asked, or None."""
    marker = pending_confirmation(tracker) or ""
    prefix, _, rest = marker.partition(":")
    kind, _, raw_id = rest.partition(":")
    if prefix != SURVEY_PENDING or kind not in SCALES or not raw_id.isdigit():
        return None
    return kind, int(raw_id)


def survey_buttons(kind: str) -> List[Dict[str, str]]:
    """One button per point of the question's scale, then skip (in the shopper's language)."""
    low, high = SCALES[kind]
    buttons = [{"title": str(n), "payload": f'/survey{{"{SCORE_ENTITY}": "{n}"}}'} for n in range(low, high + 1)]
    return [*buttons, {"title": phrase("button.skip_survey"), "payload": f'/survey{{"{SCORE_ENTITY}": "skip"}}'}]


def survey_marker(kind: str, survey_id: int) -> str:
    return f"{SURVEY_PENDING}:{kind}:{survey_id}"


def answer_of(tracker: Tracker) -> Optional[ScoreAnswer]:
    """The score (or skip) of a button's entity, else of the typed text; None when it is neither."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == SCORE_ENTITY:
            value = entity.get("value")
            return parse_score(value) if isinstance(value, (str, int)) else None
    return parse_score(tracker.latest_message.get("text") or "")


class ActionAfterTask(ShopAction):
    """After a bot-only result: record it, and maybe ask one NPS or CES question."""

    def name(self) -> Text:
        return AFTER_TASK

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        return after_task(dispatcher, tracker, services)

    @staticmethod
    def _after(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        intents = task_intents(tracker)
        result_intent = intents[-1] if intents else "order_status"
        first_intent = intents[0] if intents else result_intent
        customer_id = verified_customer(tracker, services)
        channel = tracker.get_latest_input_channel() or "rest"
        language = current_language()
        surveys = services.shop.surveys
        surveys.record_outcome(tracker.sender_id, first_intent, result_intent, customer_id=customer_id,
                               channel=channel, language=language)
        if tracker.get_slot("handoff_active") or tracker.get_slot(WAITING_SLOT) or csat_asked(tracker):
            return []
        survey, why = surveys.maybe_ask(Asking(conversation_id=tracker.sender_id, channel=channel,
                                               customer_id=customer_id, language=language,
                                               trigger_intent=result_intent),
                                        survey_policy(services.settings))
        if survey is None:
            logger.debug("conversation %s: no survey (%s)", tracker.sender_id, why)
            return []
        dispatcher.utter_message(response=f"utter_ask_{survey.kind}", buttons=survey_buttons(survey.kind))
        return [SlotSet("awaiting_confirmation", survey_marker(survey.kind, survey.id))]


def after_task(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
    """What ``action_after_task`` does; result actions run it in their own call (``INLINE_FOLLOWUPS``)."""
    before = len(dispatcher.messages)
    try:
        return ActionAfterTask._after(dispatcher, tracker, services)
    except Exception:  # noqa: BLE001 - the shopper already has their answer; a survey is optional
        logger.exception("recording the result of conversation %s failed", tracker.sender_id)
        del dispatcher.messages[before:]  # the result's own reply stays
        return []


INLINE_FOLLOWUPS[AFTER_TASK] = after_task


class ActionStoreSurvey(ShopAction):
    """A survey answer (button or typed): stored once, for the question just asked, inside its scale."""

    def name(self) -> Text:
        return "action_store_survey"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        return store_survey(dispatcher, tracker, services)


def store_survey(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
    pending = pending_survey(tracker)
    if pending is None:
        logger.info("conversation %s sent a survey answer with no question pending; refused", tracker.sender_id)
        dispatcher.utter_message(response="utter_survey_closed")
        return []
    kind, survey_id = pending
    answer = answer_of(tracker)
    if answer is None:
        dispatcher.utter_message(response=f"utter_survey_invalid_{kind}", buttons=survey_buttons(kind))
        return [SlotSet("awaiting_confirmation", survey_marker(kind, survey_id))]
    surveys = services.shop.surveys
    result = (surveys.skip(survey_id, tracker.sender_id) if answer.skipped
              else surveys.answer(survey_id, tracker.sender_id, int(answer.score or 0)))
    if result.status == OUT_OF_RANGE:
        dispatcher.utter_message(response=f"utter_survey_invalid_{kind}", buttons=survey_buttons(kind))
        return [SlotSet("awaiting_confirmation", survey_marker(kind, survey_id))]
    if result.status == NOT_PENDING:
        logger.info("conversation %s: survey %s is not open for it; answer refused", tracker.sender_id, survey_id)
        dispatcher.utter_message(response="utter_survey_closed")
    elif result.status == SKIPPED:
        dispatcher.utter_message(response="utter_survey_skipped")
    elif result.status == STORED:
        dispatcher.utter_message(response="utter_survey_thanks")
    return [SlotSet("awaiting_confirmation", None)]
