"""action_after_task and action_store_survey in-process (a Tracker, a CollectingDispatcher, await run), and
the result actions ending with task_done(); over the standard test shop."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import pytest

import actions.base
from actions.confirmation import ActionHandleAffirm
from actions.orders import ActionRunOrderTask
from actions.support import ActionFallback
from actions.surveys import ActionAfterTask, ActionStoreSurvey, survey_buttons, task_intents
from assistant.shop.support.handoff_rules import TranscriptLine
from assistant.shop.support.tickets import NewTicket
from tests.unit.actions.conftest import asked, reply, responses, run, slots_of, tracker, unfilled


@pytest.fixture()
def surveys_on(services, monkeypatch: pytest.MonkeyPatch):
    """The services with every eligible result sampled (SURVEY_RATE=1), NPS questions."""
    def configure(rate: float = 1.0, kind: str = "nps"):
        settings = dataclasses.replace(services.settings, survey_rate=rate, survey_kind=kind)
        configured = dataclasses.replace(services, settings=settings)
        monkeypatch.setattr(actions.base, "get_services", lambda: configured)
        return configured
    return configure


def said(*intents: str) -> list[dict[str, Any]]:
    return [{"event": "user", "text": i, "parse_data": {"intent": {"name": i}}, "timestamp": 0} for i in intents]


def after_task(slots: dict[str, Any], events: list[dict[str, Any]] | None = None, sender_id: str = "test-shopper",
               language: str = "en"):
    state = tracker(slots={**slots, "language": language}, text="jane.doe@example.com", intent="inform",
                    events=events if events is not None else said("greet", "order_status"), sender_id=sender_id)
    return run(ActionAfterTask(), state)


def test_a_result_is_recorded_and_one_question_asked_with_buttons(services, surveys_on, jane, domain) -> None:
    surveys_on(kind="nps")
    events, messages = after_task(jane, language="ja")
    ask = reply(messages, "utter_ask_nps")
    assert [b["title"] for b in ask["buttons"]] == [*map(str, range(11)), "スキップ"]
    assert ask["buttons"][9]["payload"] == '/survey{"survey_score": "9"}'
    assert not unfilled(domain, ask)
    marker = slots_of(events)["awaiting_confirmation"]
    kind, survey_id = marker.split(":")[1], int(marker.split(":")[2])
    survey = services.shop.surveys.get(survey_id)
    assert kind == "nps" and survey.customer_id == 1 and survey.trigger_intent == "order_status"
    assert survey.language == "ja" and survey.status == "asked"
    [outcome] = services.shop.surveys.outcomes_between(survey.asked_at.replace(year=2000), survey.asked_at.replace(year=2999))
    assert (outcome.first_intent, outcome.customer_id) == ("order_status", 1)


def test_ces_has_seven_points_and_skip(surveys_on, jane) -> None:
    surveys_on(kind="ces")
    _, messages = after_task(jane)
    assert [b["title"] for b in reply(messages, "utter_ask_ces")["buttons"]] == [*map(str, range(1, 8)), "Skip"]


def test_not_asked_twice_in_a_week_for_the_same_customer_on_another_conversation(surveys_on, verify) -> None:
    surveys_on()
    _, first = after_task(verify(1, sender_id="widget-a"), sender_id="widget-a")
    _, second = after_task(verify(1, sender_id="widget-b"), sender_id="widget-b")
    assert responses(first) == ["utter_ask_nps"] and second == []


def test_never_during_a_handoff_or_after_a_csat_question(services, surveys_on, jane) -> None:
    surveys_on()
    assert after_task({**jane, "handoff_active": True})[1] == []
    csat = [*said("human_handoff"), {"event": "slot", "name": "awaiting_confirmation", "value": "csat:4"},
            *said("order_status")]
    assert after_task(jane, events=csat)[1] == []
    services.shop.tickets.open_ticket(NewTicket(conversation_id="had-a-person", channel="rest", reason="requested",
                                                transcript=[TranscriptLine("shopper", "person", "human_handoff")]))
    assert after_task(jane, sender_id="had-a-person")[1] == []


def test_a_rate_of_zero_never_asks_but_still_records_the_result(services, surveys_on, jane) -> None:
    surveys_on(rate=0.0)
    events, messages = after_task(jane, events=said("cancel_order", "affirm"))
    assert messages == [] and events == []
    assert services.shop.surveys.count() == 0


def test_a_failing_database_never_shows_an_error_after_the_result(surveys_on, jane, monkeypatch) -> None:
    configured = surveys_on()

    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")
    monkeypatch.setattr(configured.shop.surveys, "record_outcome", broken)
    assert after_task(jane) == ([], [])


def test_the_first_and_last_task_intents_of_the_session() -> None:
    events = [*said("refund_status"), {"event": "session_started"}, *said("greet", "cancel_order", "affirm",
                                                                          "order_status")]
    assert task_intents(tracker(events=events)) == ["cancel_order", "order_status"]


# ---- the answer ------------------------------------------------------------------------------------------

def ask(services, surveys_on, jane, kind: str = "nps", sender_id: str = "test-shopper") -> str:
    surveys_on(kind=kind)
    events, _ = after_task(jane, sender_id=sender_id)
    return slots_of(events)["awaiting_confirmation"]


def answer(marker: str | None, *, value: str | None = None, text: str | None = None, slots=None,
           intent: str = "survey", extra_events=()):
    entities = [{"entity": "survey_score", "value": value}] if value is not None else []
    before = asked(marker) if marker else said("order_status")
    state = tracker(slots=slots or {}, text=text if text is not None else f'/survey{{"survey_score": "{value}"}}',
                    intent=intent, entities=entities, events=[*before, *extra_events])
    return run(ActionStoreSurvey(), state)


def test_a_button_score_is_stored_once_and_thanked(services, surveys_on, jane, domain) -> None:
    marker = ask(services, surveys_on, jane)
    events, messages = answer(marker, value="9")
    assert responses(messages) == ["utter_survey_thanks"] and not unfilled(domain, messages[0])
    assert slots_of(events) == {"awaiting_confirmation": None}
    survey_id = int(marker.rsplit(":", 1)[1])
    assert services.shop.surveys.get(survey_id).score == 9
    _, again = answer(marker, value="2")  # the same payload sent again
    assert responses(again) == ["utter_survey_closed"]
    assert services.shop.surveys.get(survey_id).score == 9


@pytest.mark.parametrize(("text", "score"), [("9", 9), ("１０点", 10), ("7分", 7), ("８", 8)])
def test_a_typed_score_in_any_language_is_stored(services, surveys_on, jane, text, score) -> None:
    marker = ask(services, surveys_on, jane)
    _, messages = answer(marker, text=text)
    assert responses(messages) == ["utter_survey_thanks"]
    assert services.shop.surveys.get(int(marker.rsplit(":", 1)[1])).score == score


def test_a_forged_answer_with_no_question_pending_is_refused(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane)
    events, messages = answer(None, value="9")
    assert responses(messages) == ["utter_survey_closed"] and events == []
    assert services.shop.surveys.get(int(marker.rsplit(":", 1)[1])).status == "asked"


def test_a_stale_question_is_not_answered_by_a_later_payload(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane)
    _, messages = answer(marker, value="9", extra_events=said("where is my order"))
    assert responses(messages) == ["utter_survey_closed"]


@pytest.mark.parametrize("value", ["99", "11", "-1", "nine", "9.5"])
def test_a_score_outside_the_scale_gets_a_retry_and_the_question_stays(services, surveys_on, jane, value) -> None:
    marker = ask(services, surveys_on, jane)
    events, messages = answer(marker, value=value)
    retry = reply(messages, "utter_survey_invalid_nps")
    assert len(retry["buttons"]) == 12
    assert slots_of(events) == {"awaiting_confirmation": marker}
    assert services.shop.surveys.get(int(marker.rsplit(":", 1)[1])).status == "asked"


def test_a_forged_entity_name_is_not_a_score(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane)
    state = tracker(text='/survey{"score": 99}', intent="survey", entities=[{"entity": "score", "value": 99}],
                    events=asked(marker))
    _, messages = run(ActionStoreSurvey(), state)
    assert responses(messages) == ["utter_survey_invalid_nps"]


def test_a_ces_score_of_eight_is_out_of_range(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane, kind="ces")
    assert responses(answer(marker, value="8")[1]) == ["utter_survey_invalid_ces"]
    assert responses(answer(marker, value="7")[1]) == ["utter_survey_thanks"]


def test_skip_closes_the_question(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane)
    events, messages = answer(marker, value="skip")
    assert responses(messages) == ["utter_survey_skipped"] and slots_of(events) == {"awaiting_confirmation": None}
    assert services.shop.surveys.get(int(marker.rsplit(":", 1)[1])).status == "skipped"


def test_another_conversation_cannot_answer_by_copying_the_marker(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane, sender_id="victim")
    _, messages = answer(marker, value="0")  # sender "test-shopper" claims the victim's question
    assert responses(messages) == ["utter_survey_closed"]
    assert services.shop.surveys.get(int(marker.rsplit(":", 1)[1])).score is None


def test_the_fallback_stores_a_typed_score_the_rasa_side_missed(services, surveys_on, jane) -> None:
    marker = ask(services, surveys_on, jane)
    state = tracker(text="9", intent="nlu_fallback", events=asked(marker), sender_id="test-shopper")
    _, messages = run(ActionFallback(), state)
    assert responses(messages) == ["utter_survey_thanks"]


def test_survey_buttons_follow_the_scale() -> None:
    assert [b["title"] for b in survey_buttons("nps")][:11] == [str(n) for n in range(11)]
    assert len(survey_buttons("ces")) == 8


# ---- the result actions end with task_done(), run in the same call -----------------------------------------

def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


def outcomes(services) -> int:
    return len(services.shop.surveys.outcomes_between(datetime(2000, 1, 1), datetime(2100, 1, 1)))


def test_an_order_status_answer_records_the_result_and_asks_in_the_same_call(services, jane, surveys_on) -> None:
    surveys_on()
    state = tracker(slots={**jane, "order_id": "SO100003", "pending_task": "order_status"}, intent="inform",
                    events=said("order_status"))
    events, messages = run(ActionRunOrderTask(), state)
    # the status first, then the question: no follow-up action, so no second round trip through Rasa
    assert responses(messages) == ["utter_order_status_shipped", "utter_ask_nps"] and followups(events) == []
    assert outcomes(services) == 1
    assert slots_of(events)["awaiting_confirmation"].startswith("survey:nps:")


def test_an_offer_is_not_a_result_but_the_confirmed_cancellation_is(services, jane) -> None:
    state = tracker(slots={**jane, "order_id": "SO100001", "pending_task": "cancel_order"}, intent="inform")
    events, _ = run(ActionRunOrderTask(), state)
    assert followups(events) == [] and outcomes(services) == 0
    confirmed = tracker(slots=jane, intent="affirm", events=asked("cancel:SO100001"))
    events, messages = run(ActionHandleAffirm(), confirmed)
    assert followups(events) == [] and outcomes(services) == 1


def test_a_refund_opened_is_a_result(services, jane) -> None:
    events, messages = run(ActionHandleAffirm(), tracker(slots=jane, intent="affirm", events=asked("refund:SO100004")))
    assert responses(messages)[0] == "utter_refund_created" and outcomes(services) == 1
    events, messages = run(ActionHandleAffirm(), tracker(slots=jane, intent="affirm", events=asked("refund:SO100004")))
    assert outcomes(services) == 1  # the existing refund shown again is no new result


def test_a_failing_survey_keeps_the_results_reply(services, jane, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("database gone")
    monkeypatch.setattr(type(services.shop.surveys), "record_outcome", broken)
    state = tracker(slots={**jane, "order_id": "SO100003", "pending_task": "order_status"}, intent="inform",
                    events=said("order_status"))
    events, messages = run(ActionRunOrderTask(), state)
    assert responses(messages) == ["utter_order_status_shipped"] and followups(events) == []
