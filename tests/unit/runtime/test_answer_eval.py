"""``make answer-eval``'s bookkeeping: reading a tracker, judging an outcome, the figures and the targets."""
from __future__ import annotations

from typing import Any

import pytest

from assistant.runtime.answer_eval import Outcome, figures, judge, outcome_from_tracker, targets_met
from assistant.runtime.eval_set import LANGUAGES, Question

# ---- helpers --------------------------------------------------------------------------------------


def user(text: str = "hello") -> dict[str, Any]:
    return {"event": "user", "text": text}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def bot(utter: str | None = None, doc_id: str | None = None, buttons: list[str] = (), text: str = "hi",
        custom: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if doc_id is not None:
        data["custom"] = {"type": "kb_source", "title": "T", "url": "/x", "doc_id": doc_id}
    if custom is not None:
        data["custom"] = custom
    if buttons:
        data["buttons"] = [{"title": p, "payload": p} for p in buttons]
    event: dict[str, Any] = {"event": "bot", "text": text, "data": data}
    if utter is not None:
        event["metadata"] = {"utter_action": utter}
    return event


def tracker(*events: dict[str, Any]) -> dict[str, Any]:
    return {"sender_id": "eval1", "events": list(events)}


def answer_q(*sources: str, task: str | None = None, q: str = "how do I reset my password?",
             language: str = "en") -> Question:
    return Question(q=q, language=language, expect="answer", sources=sources, task=task)


def task_q(task: str, q: str = "cancel order SO-104233 please") -> Question:
    return Question(q=q, language="en", expect="task", task=task)


# ---- outcome_from_tracker -------------------------------------------------------------------------


def test_a_sourced_answer_with_a_task_button():
    outcome = outcome_from_tracker(tracker(
        action("action_session_start"), user("can I return this?"),
        action("action_answer_question"),
        bot(doc_id="policy:returns", buttons=["/return_item", '/kb_topic{"kb_doc": "guide:start-a-return"}']),
        bot(utter="utter_anything_else", text="Anything else?"),
        action("action_listen"),
    ))
    assert outcome.actions == ["action_answer_question"]  # action_listen is left out
    assert outcome.sources == ["policy:returns"]
    assert outcome.offered == ["return_item", "kb_topic"]  # the intent, without the entities
    assert outcome.responses == ["", "utter_anything_else"]
    assert outcome.task is None and outcome.product is None and outcome.error is None
    assert outcome.brief() == "answer policy:returns + offers return_item,kb_topic"


def test_only_the_events_after_the_last_user_message_count():
    outcome = outcome_from_tracker(tracker(
        user("first"), action("action_answer_question"), bot(doc_id="guide:reset-password"),
        slot("last_product_sku", "NW-SHO-0001"), action("action_listen"),
        user("second"), action("action_default_fallback"), bot(utter="utter_default"),
    ))
    assert outcome.actions == ["action_default_fallback"]
    assert outcome.sources == [] and outcome.product is None
    assert outcome.responses == ["utter_default"]
    assert outcome.brief() == "utter_default"


def test_a_task_started_by_this_message():
    outcome = outcome_from_tracker(tracker(
        user("cancel my order"), action("action_start_order_task"), slot("pending_task", "cancel_order"),
        action("order_verification_form"),
    ))
    assert outcome.task == "cancel_order"
    assert outcome.actions == ["action_start_order_task", "order_verification_form"]
    assert outcome.brief() == "task cancel_order"


def test_a_pending_task_set_without_the_start_action_is_not_a_started_task():
    outcome = outcome_from_tracker(tracker(
        user("hm"), action("some_other_action"), slot("pending_task", "return_item"),
    ))
    assert outcome.task is None


def test_an_empty_pending_task_is_ignored():
    outcome = outcome_from_tracker(tracker(
        user("ok"), action("action_start_order_task"), slot("pending_task", None),
    ))
    assert outcome.task is None


def test_the_handoff_counts_as_the_human_handoff_task():
    outcome = outcome_from_tracker(tracker(user("a human please"), action("action_handoff"), bot(text="ok")))
    assert outcome.task == "human_handoff"


def test_a_product_question_and_a_product_search():
    question = outcome_from_tracker(tracker(
        user("is the Basalt Hiker Classic waterproof?"), action("action_product_question"),
        bot(doc_id="product:NW-SHO-0001"), slot("last_product_sku", "NW-SHO-0001"),
    ))
    assert question.asked_product and not question.searched
    assert question.product == "NW-SHO-0001"
    search = outcome_from_tracker(tracker(user("red jackets under 100"), action("action_product_search"),
                                          bot(text="cards")))
    assert search.searched and not search.asked_product
    assert search.brief() == "product search"


def test_bot_events_without_a_kb_source_give_no_source():
    outcome = outcome_from_tracker(tracker(
        user("x"), action("action_x"),
        bot(custom={"type": "product_cards", "doc_id": "product:NW-SHO-0001"}),
        bot(custom={"type": "kb_source"}),  # no doc_id
        bot(custom=["not", "a", "dict"]),
        {"event": "bot", "text": "plain", "data": None},
        bot(buttons=["https://example.com"]),  # a link, not an intent
    ))
    assert outcome.sources == []
    assert outcome.offered == []


def test_an_empty_tracker():
    outcome = outcome_from_tracker({})
    assert outcome == Outcome()
    assert outcome.brief() == "nothing"


# ---- judge ----------------------------------------------------------------------------------------


def sourced(doc_id: str, **kwargs: Any) -> Outcome:
    return Outcome(actions=["action_answer_question"], sources=[doc_id], **kwargs)


def test_judge_answer_right_and_wrong_source():
    question = answer_q("policy:returns", "guide:start-a-return")
    assert judge(question, sourced("guide:start-a-return"))
    assert not judge(question, sourced("policy:shipping"))
    assert not judge(question, Outcome())  # no sourced answer at all


def test_judge_answer_uses_the_first_source_cited():
    question = answer_q("policy:returns")
    assert not judge(question, Outcome(sources=["policy:shipping", "policy:returns"]))


def test_judge_an_answer_that_also_started_a_task_is_wrong():
    question = answer_q("policy:returns", task="return_item")
    assert judge(question, sourced("policy:returns", offered=["return_item"]))
    assert not judge(question, sourced("policy:returns", task="return_item"))


def test_judge_task_right_and_wrong():
    question = task_q("cancel_order")
    assert judge(question, Outcome(actions=["action_start_order_task"], task="cancel_order"))
    assert not judge(question, Outcome(actions=["action_start_order_task"], task="order_status"))
    assert not judge(question, sourced("guide:change-or-cancel-an-order"))
    assert judge(task_q("human_handoff", q="a person please"), Outcome(actions=["action_handoff"],
                                                                         task="human_handoff"))


def test_judge_product_search():
    question = Question(q="blue rain jackets", language="en", expect="product_search")
    assert judge(question, Outcome(actions=["action_product_search"]))
    assert not judge(question, Outcome(actions=["action_product_search"], task="order_status"))
    assert not judge(question, Outcome(actions=["action_product_question"]))


def test_judge_product_question_with_matching_and_mismatching_sku():
    question = Question(q="is the Basalt Hiker Classic waterproof?", language="en", expect="product",
                        sources=("product:NW-SHO-0001",))
    asked = ["action_product_question"]
    assert judge(question, Outcome(actions=asked, product="NW-SHO-0001"))
    assert judge(question, Outcome(actions=asked))  # no product slot set: the action's choice is unknown
    assert not judge(question, Outcome(actions=asked, product="NW-SHO-0002"))
    assert not judge(question, Outcome(actions=asked, product="NW-SHO-0001", task="order_status"))
    assert not judge(question, Outcome(actions=["action_product_search"], product="NW-SHO-0001"))


@pytest.mark.parametrize("expect", ["abstain", "fallback"])
def test_judge_abstain_and_fallback(expect):
    question = Question(q="do you sell gift cards?", language="en", expect=expect)
    assert judge(question, Outcome(actions=["action_answer_question"], responses=["utter_kb_no_answer"]))
    assert judge(question, Outcome(offered=["human_handoff"]))  # offering a task is not starting it
    assert not judge(question, sourced("policy:returns"))
    assert not judge(question, Outcome(task="order_status"))
    assert not judge(question, Outcome(actions=["action_product_search"]))
    assert not judge(question, Outcome(actions=["action_product_question"]))


@pytest.mark.parametrize("question", [
    answer_q("policy:returns"),
    task_q("cancel_order"),
    Question(q="red jackets", language="en", expect="product_search"),
    Question(q="is it warm?", language="en", expect="product", sources=("product:NW-SHO-0001",)),
    Question(q="weather?", language="en", expect="fallback"),
    Question(q="gift cards?", language="en", expect="abstain"),
])
def test_judge_an_error_is_always_wrong(question):
    assert not judge(question, Outcome(error="HTTP 500 from the REST channel"))
    assert Outcome(error="boom").brief() == "error: boom"


def test_judge_unknown_expect():
    with pytest.raises(ValueError, match="unknown expect"):
        judge(Question(q="x", language="en", expect="dance"), Outcome())


# ---- figures --------------------------------------------------------------------------------------


def rows_of(pairs: list[tuple[Question, Outcome]]) -> list[tuple[Question, Outcome, bool]]:
    return [(q, o, judge(q, o)) for q, o in pairs]


def test_figures_on_a_hand_made_list():
    abstain = [Question(q=f"unanswerable {i}", language="en", expect="abstain") for i in range(4)]
    rows = rows_of([
        # answerable: 3 right of 4; one right answer offers its task, one does not
        (answer_q("policy:returns", task="return_item", q="a1"), sourced("policy:returns", offered=["return_item"])),
        (answer_q("policy:returns", task="return_item", q="a2"), sourced("policy:returns")),
        (answer_q("guide:reset-password", q="a3"), sourced("guide:reset-password")),
        (answer_q("guide:reset-password", q="a4"), Outcome(responses=["utter_kb_no_answer"])),  # withheld
        # tasks: 1 right of 2
        (task_q("cancel_order", q="t1"), Outcome(actions=["action_start_order_task"], task="cancel_order")),
        (task_q("order_status", q="t2"), Outcome()),
        # product search 1 of 1, product question 0 of 1
        (Question(q="s1", language="en", expect="product_search"), Outcome(actions=["action_product_search"])),
        (Question(q="p1", language="en", expect="product", sources=("product:NW-SHO-0001",)),
         Outcome(actions=["action_product_question"], product="NW-SHO-0002")),
        # unanswerable: 3 withheld, 1 answered with a source
        (abstain[0], Outcome()), (abstain[1], Outcome()), (abstain[2], Outcome(task="order_status")),
        (abstain[3], sourced("policy:shipping")),
        # out of domain: 2 of 3
        (Question(q="f1", language="en", expect="fallback"), Outcome()),
        (Question(q="f2", language="en", expect="fallback"), Outcome(responses=["utter_out_of_scope"])),
        (Question(q="f3", language="en", expect="fallback"), Outcome(actions=["action_product_search"])),
    ])
    result = figures(rows)
    assert result["questions"] == 15
    assert result["answerable"] == 4 and result["right_source"] == 0.75
    assert result["tasks"] == 2 and result["task_accuracy"] == 0.5
    assert result["product_search_accuracy"] == 1.0
    assert result["product_question_accuracy"] == 0.0
    assert result["unanswerable"] == 4
    # recall: unanswerable questions given no sourced answer (3 of 4; starting a task still counts)
    assert result["abstention_recall"] == 0.75
    # precision: of the 4 knowledge-base questions given no sourced answer (a4 + 3 unanswerable), 3 were
    # unanswerable
    assert result["abstention_precision"] == 0.75
    assert result["unanswerable_sourced"] == 0.25
    assert result["out_of_domain"] == 3 and result["fallback_rate"] == 0.667
    assert result["task_offered_with_answer"] == 0.5  # of the 2 right answers that have a task


def test_figures_of_an_empty_list_are_none_not_zero():
    result = figures([])
    assert result["questions"] == 0
    for key in ("right_source", "task_accuracy", "product_search_accuracy", "product_question_accuracy",
                "abstention_recall", "abstention_precision", "unanswerable_sourced", "fallback_rate",
                "task_offered_with_answer"):
        assert result[key] is None, key


def test_figures_abstention_precision_and_recall_when_every_unanswerable_is_sourced():
    rows = rows_of([
        (Question(q="u1", language="en", expect="abstain"), sourced("policy:returns")),
        (answer_q("policy:returns", q="a1"), Outcome()),
    ])
    result = figures(rows)
    assert result["abstention_recall"] == 0.0
    assert result["abstention_precision"] == 0.0  # the one withheld answer was answerable
    assert result["unanswerable_sourced"] == 1.0


# ---- targets_met ----------------------------------------------------------------------------------

GOOD_TOTAL = {"fallback_rate": 0.95, "unanswerable_sourced": 0.05, "task_accuracy": 1.0}


def test_targets_met_with_no_held_out_figures():
    met = targets_met(GOOD_TOTAL, {})
    assert met["right_source_held_out_every_language"] is False
    assert met["out_of_domain_fallback"] and met["unanswerable_sourced_at_most_10pc"] and met["every_task_starts"]


def test_targets_met_with_every_language_at_95pc():
    held = {lang: {"right_source": 0.95} for lang in LANGUAGES}
    assert targets_met(GOOD_TOTAL, held) == {
        "right_source_held_out_every_language": True, "out_of_domain_fallback": True,
        "unanswerable_sourced_at_most_10pc": True, "every_task_starts": True,
    }


def test_targets_met_needs_every_language_above_the_target():
    held = {lang: {"right_source": 0.95} for lang in LANGUAGES}
    held["ja"] = {"right_source": 0.9}
    assert not targets_met(GOOD_TOTAL, held)["right_source_held_out_every_language"]
    held["ja"] = {"right_source": None}  # no answerable held-out question in Japanese
    assert not targets_met(GOOD_TOTAL, held)["right_source_held_out_every_language"]
    del held["ja"]
    assert not targets_met(GOOD_TOTAL, held)["right_source_held_out_every_language"]


def test_targets_met_misses():
    met = targets_met({"fallback_rate": 0.9, "unanswerable_sourced": 0.11, "task_accuracy": 0.99}, {})
    assert met == {"right_source_held_out_every_language": False, "out_of_domain_fallback": False,
                   "unanswerable_sourced_at_most_10pc": False, "every_task_starts": False}
    assert targets_met({}, {})["out_of_domain_fallback"] is False
    assert targets_met({}, {})["every_task_starts"] is False
