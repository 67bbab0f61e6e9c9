"""The demo's survey history: plausible, in the past, idempotent, and never about a real customer."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from assistant.shop.demo.survey_seed import HISTORY_WEEKS, seed_demo_surveys
from assistant.shop.storage.models import ConversationOutcome, SurveyResponse
from assistant.shop.support.surveys import SCALES

TODAY = date(2025, 3, 12)


def test_weeks_of_results_and_answers_then_nothing_more(shop) -> None:
    results, asked = seed_demo_surveys(shop.sessions, today=TODAY)
    assert results > 12 * 7 * 8 * 0.9 and 0.2 * results < asked < 0.4 * results
    with shop.sessions() as session:
        rows = session.scalars(select(SurveyResponse)).all()
        first = session.scalar(select(func.min(ConversationOutcome.completed_at)))
        last = session.scalar(select(func.max(ConversationOutcome.completed_at)))
    assert first.date() >= TODAY - timedelta(weeks=HISTORY_WEEKS) and last.date() < TODAY
    assert {r.kind for r in rows} == {"nps", "ces"} and all(r.customer_id is None for r in rows)
    for row in rows:
        low, high = SCALES[row.kind]
        assert (row.score is None) == (row.status != "answered")
        assert row.score is None or low <= row.score <= high
    assert {r.status for r in rows} == {"answered", "skipped", "asked"}
    assert seed_demo_surveys(shop.sessions, today=TODAY) == (0, 0)
