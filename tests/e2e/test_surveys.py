"""NPS after a bot-only result, through the real Rasa server, action server and console.

One stack for the module with ``SURVEY_RATE=1`` and ``SURVEY_KIND=nps``: a verified order-status
conversation is asked, a typed "9" is stored and shown on the console's metrics page, and a second
conversation of the same customer within the week is not asked.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assistant.shop.storage.models import Order, SurveyResponse
from tests.e2e.conftest import AGENT_PASSWORD, AUTH_TOKEN, Shop, seed_database, start_stack
from tests.e2e.console_client import ConsoleClient, create_agent

pytestmark = pytest.mark.e2e

NPS_QUESTION = "recommend us to a friend"


@pytest.fixture(scope="module")
def survey_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("survey-shop")
    url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(url)
    stack = start_stack(tmp, url, with_console=True, RASA_AUTH_TOKEN=AUTH_TOKEN, SURVEY_RATE="1",
                        SURVEY_KIND="nps")
    create_agent(url, "alice", "Alice Martin", AGENT_PASSWORD)
    yield Shop(stack, url)
    stack.stop()


def nps_answers(agent: ConsoleClient) -> dict:
    return agent.api("GET", "/api/metrics?days=7")["satisfaction"]["nps"]


def test_a_verified_order_status_gets_one_nps_question_and_a_typed_9_is_stored(survey_shop: Shop) -> None:
    agent = ConsoleClient(survey_shop.console_url).login("alice", AGENT_PASSWORD)
    before = nps_answers(agent)
    order = survey_shop.order("shipped")
    with survey_shop.sessions()() as session:
        customer_id = session.get(Order, order["order_id"]).customer_id

    chat = survey_shop.chat()
    chat.say("where is my order?")
    chat.say(order["order_id"])
    replies = chat.send(order["email"])
    text = "\n".join(r.get("text", "") for r in replies)
    assert order["tracking_number"] in text and NPS_QUESTION in text
    question = next(r for r in replies if NPS_QUESTION in r.get("text", ""))
    assert [b["title"] for b in question["buttons"]] == [*map(str, range(11)), "Skip"]

    assert "Thank you" in chat.say("9")
    with survey_shop.sessions()() as session:
        [row] = session.scalars(select(SurveyResponse).where(SurveyResponse.customer_id == customer_id)).all()
    assert (row.kind, row.score, row.status, row.trigger_intent) == ("nps", 9, "answered", "order_status")
    assert row.conversation_id == chat.sender

    after = nps_answers(agent)
    assert after["count"] == before["count"] + 1 and after["promoters"] == before["promoters"] + 1
    status, _, page = agent.request("GET", "/metrics?days=7")
    assert status == 200 and 'id="kpi-nps"' in page and "chart-trend-nps" in page
    assert f"{after['promoters']} promoters" in page

    # the same customer in a new conversation within the week: answered, not asked again
    again = survey_shop.chat()
    again.say(f"where is order {order['order_id']}")
    second = again.say(order["email"])
    assert order["tracking_number"] in second and NPS_QUESTION not in second
    # a digit with no question pending is not a score, and the forged payload is refused
    again.say("9")
    assert "isn't open" in again.say('/survey{"survey_score": "10"}')
    with survey_shop.sessions()() as session:
        assert len(session.scalars(select(SurveyResponse).where(SurveyResponse.customer_id == customer_id)).all()) == 1
