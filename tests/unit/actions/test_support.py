"""action_offer_handoff and action_fallback, in-process.

The fallback's knowledge-base answer (``answer_shop_question``) is replaced by a recording stub here, so
these tests need no index; test_knowledge.py runs the real one.
"""
from __future__ import annotations

import pytest

import actions.support
from actions.support import ActionFallback, ActionGiveFeedback, ActionOfferHandoff
from assistant.shop.support.tickets import NewTicket
from tests.unit.actions.conftest import asked, reply, responses, run, slots_of, tracker, unfilled

NOT_UNDERSTOOD = {"event": "user", "text": "flibber the gronk", "timestamp": 0,
                  "parse_data": {"intent": {"name": "nlu_fallback"}}}
UNDERSTOOD = {"event": "user", "text": "where is my order", "timestamp": 0,
              "parse_data": {"intent": {"name": "order_status"}}}
BOT = {"event": "bot", "text": "...", "timestamp": 0}


@pytest.fixture(autouse=True)
def kb_questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the fallback asked the knowledge base about (it never answers here)."""
    seen: list[str] = []

    def stub(dispatcher, tracker, services, margin: float = 0.02) -> bool:
        seen.append(tracker.latest_message.get("text"))
        return False

    monkeypatch.setattr(actions.support, "answer_shop_question", stub)
    return seen


def _fallback(text: str, events=(), entities=None, sender_id: str = "lost-1",
              ranking=(("nlu_fallback", 1.0),)):
    return run(ActionFallback(), tracker(text=text, ranking=list(ranking), entities=entities, events=list(events),
                                         sender_id=sender_id))


# ---- action_offer_handoff ----------------------------------------------------------------------------

@pytest.mark.parametrize(("intent", "response", "reason"), [
    ("complaint", "utter_complaint", "complaint"),
    ("payment_issue", "utter_payment_issue", "payment_issue"),
])
def test_a_complaint_or_payment_problem_is_answered_and_a_person_offered(services, domain, clock, intent,
                                                                         response, reason) -> None:
    events, messages = run(ActionOfferHandoff(), tracker(text="this is not ok", intent=intent))
    assert responses(messages) == [response] and unfilled(domain, messages[0]) == set()
    assert slots_of(events) == {"awaiting_confirmation": f"handoff:{reason}"}
    assert services.shop.tickets.queue() == []  # only offered: the shopper decides


@pytest.mark.parametrize("intent", ["complaint", "payment_issue"])
def test_a_guide_that_answers_the_problem_comes_first_then_a_person_is_offered(
        services, clock, monkeypatch: pytest.MonkeyPatch, intent) -> None:
    """"I got charged twice for one order": the payment policy's answer (the knowledge base sure of it, with
    the same margin as the fallback), then the offer of a person, not the generic apology."""
    margins: list[float] = []

    def answers(dispatcher, tracker, services, margin: float = 0.02) -> bool:
        margins.append(margin)
        dispatcher.utter_message(response="utter_kb_answer", answer="Extra holds drop off in 3-5 days.", source="Payment")
        return True

    monkeypatch.setattr(actions.support, "answer_shop_question", answers)
    events, messages = run(ActionOfferHandoff(), tracker(text="I got charged twice for one order", intent=intent))
    assert responses(messages)[0] == "utter_kb_answer" and margins == [actions.support.SUPPORT_MARGIN] and margins[0] > 0
    offer = messages[1]
    assert "person" in offer["text"] and [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]
    assert slots_of(events) == {"awaiting_confirmation": f"handoff:{intent}"}  # "yes" hands off as before
    assert services.shop.tickets.queue() == []


def test_feedback_gets_the_thank_you_when_no_guide_answers_it(services, domain, clock, kb_questions) -> None:
    events, messages = run(ActionGiveFeedback(), tracker(text="love the new jackets", intent="give_feedback"))
    assert responses(messages) == ["utter_give_feedback"] and unfilled(domain, messages[0]) == set()
    assert events == [] and kb_questions == ["love the new jackets"]


def test_a_question_taken_for_feedback_gets_the_page_that_answers_it(services, clock, monkeypatch) -> None:
    def answers(dispatcher, tracker, services, margin: float = 0.02) -> bool:
        dispatcher.utter_message(response="utter_kb_answer", answer="You can edit a review for 30 days.", source="Reviews")
        return True

    monkeypatch.setattr(actions.support, "answer_shop_question", answers)
    _, messages = run(ActionGiveFeedback(), tracker(text="I want to fix a typo in my review", intent="give_feedback"))
    assert responses(messages) == ["utter_kb_answer"]  # no thank-you for feedback that was not given


# ---- action_fallback ---------------------------------------------------------------------------------

def test_the_first_message_not_understood_gets_the_help(services, domain, clock) -> None:
    events, messages = _fallback("flibber the gronk")
    assert responses(messages) == ["utter_fallback_help"] and unfilled(domain, messages[0]) == set()
    assert events == [] and services.shop.tickets.queue() == []


def test_the_second_in_a_row_hands_off_to_a_person(services, clock) -> None:
    events, messages = _fallback("still gronking", events=[NOT_UNDERSTOOD, BOT])
    assert responses(messages) == ["utter_fallback_offer_human", "utter_handoff_queued"]
    slots = slots_of(events)
    assert slots["handoff_active"] is True
    ticket = services.shop.tickets.get(int(slots["handoff_ticket"]))
    assert ticket.reason == "fallback" and ticket.conversation_id == "lost-1"
    assert [m.text for m in ticket.messages if m.sender == "shopper"] == ["flibber the gronk", "still gronking"]


def test_an_understood_message_in_between_starts_the_count_again(services, clock) -> None:
    _, messages = _fallback("gronk again", events=[NOT_UNDERSTOOD, BOT, UNDERSTOOD, BOT])
    assert responses(messages) == ["utter_fallback_help"]
    assert services.shop.tickets.queue() == []


def test_a_bare_order_number_is_asked_about(services, domain, clock) -> None:
    events, messages = _fallback("SO100003", entities=[{"entity": "order_id", "value": "SO100003"}],
                                 ranking=[("nlu_fallback", 0.7), ("inform", 0.5)])
    what = reply(messages, "utter_what_about_order")
    assert what["order_id"] == "SO100003" and unfilled(domain, what) == set()
    assert events == []
    assert set(what) & {"status", "items", "total", "carrier"} == set()  # nothing about the order itself


def test_a_typed_rating_after_the_rating_question_is_stored(services, clock) -> None:
    ticket, _ = services.shop.tickets.open_ticket(NewTicket(conversation_id="lost-1", channel="rest",
                                                            reason="requested"))
    services.shop.tickets.resolve(ticket.id, None)
    events, messages = _fallback("5", events=asked(f"csat:{ticket.id}"))
    assert responses(messages) == ["utter_csat_thanks"] and messages[0]["rating"] == 5
    assert services.shop.tickets.get(ticket.id).csat_rating == 5
    assert slots_of(events) == {"awaiting_confirmation": None}


def test_words_after_the_rating_question_are_not_a_rating(services, clock) -> None:
    _, messages = _fallback("the agent was lovely", events=asked("csat:1"))
    assert responses(messages) == ["utter_fallback_help"]


def test_a_message_rasa_could_not_place_is_tried_on_the_knowledge_base(services, clock, kb_questions) -> None:
    # what Rasa's FallbackClassifier sends: nlu_fallback first, then the classifier's own ranking
    _fallback("do you gift wrap parcels for birthdays", ranking=[("nlu_fallback", 0.7), ("ask_delivery", 0.41)])
    assert kb_questions == ["do you gift wrap parcels for birthdays"]


def test_an_order_number_in_an_out_of_scope_message_is_asked_about(services, clock) -> None:
    _, messages = _fallback("SO100003 ???", entities=[{"entity": "order_id", "value": "SO100003"}],
                            ranking=[("nlu_fallback", 0.9), ("out_of_scope", 0.9)])
    assert responses(messages) == ["utter_what_about_order"]
