"""SurveyService on a real (temporary SQLite) shop database: sampling, the cooling-off period, handoff
exclusion, the kind, answers stored once and inside the scale, and bot-only results."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from assistant.shop.support.handoff_rules import TranscriptLine
from assistant.shop.support.surveys import (
    COOLING_OFF,
    HANDED_OFF,
    NOT_PENDING,
    NOT_SAMPLED,
    OUT_OF_RANGE,
    SKIPPED,
    STORED,
    Asking,
    SurveyPolicy,
    SurveyService,
    sender_key,
)
from assistant.shop.support.tickets import NewTicket, TicketService
from tests.unit.shop_fixtures import NOW

ALWAYS = SurveyPolicy(rate=1.0, kind="alternate", cooldown_days=7)


class Draws(random.Random):
    """A random source that returns the given draws in turn."""

    def __init__(self, *draws: float) -> None:
        super().__init__(0)
        self.draws = list(draws)

    def random(self) -> float:
        return self.draws.pop(0)


def asking(conversation: str = "c1", customer: int | None = None, channel: str = "socketio") -> Asking:
    return Asking(conversation_id=conversation, channel=channel, customer_id=customer, language="ja",
                  trigger_intent="order_status")


@pytest.fixture()
def surveys(shop) -> SurveyService:
    """Over the standard test shop (customers 1 Jane and 2 Bob)."""
    return SurveyService(shop.sessions)


def test_the_rate_decides_which_eligible_results_are_asked(shop) -> None:
    service = SurveyService(shop.sessions, rng=Draws(0.29, 0.31, 0.0))
    policy = SurveyPolicy(rate=0.3)
    assert service.maybe_ask(asking("a"), policy, now=NOW)[1] == "asked"      # 0.29 < 0.3
    assert service.maybe_ask(asking("b"), policy, now=NOW)[1] == NOT_SAMPLED  # 0.31 >= 0.3
    assert service.maybe_ask(asking("c"), SurveyPolicy(rate=0.0), now=NOW)[1] == NOT_SAMPLED  # 0.0 is never < 0


def test_a_rate_of_one_asks_about_every_other_in_a_thousand_draws(shop) -> None:
    service = SurveyService(shop.sessions, rng=random.Random(3))
    asked = sum(service.maybe_ask(asking(f"c{n}"), SurveyPolicy(rate=0.3), now=NOW)[0] is not None
                for n in range(400))
    assert 90 <= asked <= 150  # about 30 %


def test_one_question_per_customer_in_seven_days_on_any_conversation(surveys) -> None:
    survey, why = surveys.maybe_ask(asking("widget-1", customer=1), ALWAYS, now=NOW)
    assert why == "asked" and survey.customer_id == 1 and survey.language == "ja"
    assert surveys.maybe_ask(asking("telegram-9", customer=1, channel="telegram"), ALWAYS,
                             now=NOW + timedelta(days=6, hours=23))[1] == COOLING_OFF
    assert surveys.maybe_ask(asking("widget-2", customer=2), ALWAYS, now=NOW)[1] == "asked"  # another customer
    assert surveys.maybe_ask(asking("widget-3", customer=1), ALWAYS, now=NOW + timedelta(days=7, minutes=1)
                             )[1] == "asked"


def test_an_unverified_sender_is_not_asked_twice_either(surveys) -> None:
    assert surveys.maybe_ask(asking("anon"), ALWAYS, now=NOW)[1] == "asked"
    assert surveys.maybe_ask(asking("anon"), ALWAYS, now=NOW + timedelta(days=2))[1] == COOLING_OFF
    assert surveys.maybe_ask(asking("anon", channel="telegram"), ALWAYS, now=NOW)[1] == "asked"  # another sender


def test_a_conversation_handed_to_a_person_is_never_asked(shop, surveys) -> None:
    TicketService(shop.sessions).open_ticket(NewTicket(
        conversation_id="handed", channel="socketio", reason="requested",
        transcript=[TranscriptLine("shopper", "a person please", "human_handoff")], intents=["human_handoff"]))
    assert surveys.maybe_ask(asking("handed"), ALWAYS, now=NOW) == (None, HANDED_OFF)


def test_the_kind_alternates_or_is_fixed(surveys) -> None:
    kinds = [surveys.maybe_ask(asking(f"k{n}"), ALWAYS, now=NOW)[0].kind for n in range(4)]
    assert kinds == ["nps", "ces", "nps", "ces"]
    assert surveys.maybe_ask(asking("k9"), SurveyPolicy(rate=1.0, kind="ces"), now=NOW)[0].kind == "ces"


def test_an_answer_is_stored_once_for_the_asked_conversation_inside_the_scale(surveys) -> None:
    survey, _ = surveys.maybe_ask(asking("c1", customer=1), SurveyPolicy(rate=1.0, kind="nps"), now=NOW)
    assert surveys.answer(survey.id, "someone-else", 9).status == NOT_PENDING
    assert surveys.answer(survey.id, "c1", 11).status == OUT_OF_RANGE
    assert surveys.answer(survey.id, "c1", -1).status == OUT_OF_RANGE
    stored = surveys.answer(survey.id, "c1", 9, now=NOW + timedelta(seconds=20))
    assert stored.status == STORED and stored.survey.score == 9 and stored.survey.status == "answered"
    assert stored.survey.answered_at == NOW + timedelta(seconds=20)
    assert surveys.answer(survey.id, "c1", 3).status == NOT_PENDING  # not twice
    assert surveys.skip(survey.id, "c1").status == NOT_PENDING
    assert surveys.get(survey.id).score == 9
    assert surveys.answer(99999, "c1", 5).status == NOT_PENDING


def test_ces_runs_from_one_to_seven_and_a_skip_closes_without_a_score(surveys) -> None:
    survey, _ = surveys.maybe_ask(asking("c2"), SurveyPolicy(rate=1.0, kind="ces"), now=NOW)
    assert surveys.answer(survey.id, "c2", 0).status == OUT_OF_RANGE
    assert surveys.answer(survey.id, "c2", 8).status == OUT_OF_RANGE
    skipped = surveys.skip(survey.id, "c2")
    assert skipped.status == SKIPPED and skipped.survey.score is None and skipped.survey.status == "skipped"


def test_a_bot_only_result_is_recorded_once_per_conversation(surveys) -> None:
    assert surveys.record_outcome("c1", "order_status", "order_status", customer_id=1, now=NOW)
    assert not surveys.record_outcome("c1", "cancel_order", "cancel_order", customer_id=1, now=NOW)
    [outcome] = surveys.outcomes_between(NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert (outcome.first_intent, outcome.customer_id) == ("order_status", 1)


def test_reports_cover_the_range_only(surveys) -> None:
    surveys.maybe_ask(asking("old"), ALWAYS, now=NOW - timedelta(days=30))
    surveys.maybe_ask(asking("new"), ALWAYS, now=NOW)
    assert [s.conversation_id for s in surveys.responses_between(NOW - timedelta(days=1), NOW + timedelta(days=1))
            ] == ["new"]


def test_the_sender_key_is_a_hash_not_the_id() -> None:
    key = sender_key("telegram", "123456789")
    assert "123456789" not in key and len(key) == 40 and key == sender_key("Telegram", " 123456789 ")


@pytest.mark.parametrize("policy", [dict(rate=1.5), dict(rate=-0.1), dict(kind="csat"), dict(cooldown_days=-1)])
def test_a_bad_policy_is_refused(policy: dict) -> None:
    with pytest.raises(ValueError):
        SurveyPolicy(**policy)
