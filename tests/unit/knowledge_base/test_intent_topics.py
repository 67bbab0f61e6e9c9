"""``knowledge_base.intent_topics``: every intent is one the domain trains, every page exists in every
language, and the extra leniency applies only when retrieval's best page is one the intent names."""
from __future__ import annotations

from pathlib import Path

import yaml

from knowledge_base.documents import load_documents
from knowledge_base.intent_topics import INTENT_TOPICS, expected_documents

ROOT = Path(__file__).resolve().parents[3]
TASK_INTENTS = {"order_status", "cancel_order", "change_order", "change_shipping_address", "request_refund",
                "return_item", "refund_status", "human_handoff", "product_search", "product_question"}


def _domain_intents() -> set[str]:
    intents: set[str] = set()
    for path in (ROOT / "assistant" / "domain").glob("*.yml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or []:
            intents.add(entry if isinstance(entry, str) else next(iter(entry)))
    return intents


def test_every_intent_is_a_trained_question_intent() -> None:
    assert set(INTENT_TOPICS) <= _domain_intents()
    assert not set(INTENT_TOPICS) & TASK_INTENTS  # a task is done, not answered from a page


def test_every_page_exists_in_every_language() -> None:
    documents = load_documents(ROOT / "knowledge_base" / "content")
    languages = {d.language for d in documents}
    pages = {(d.doc_id, d.language) for d in documents}
    for intent, docs in INTENT_TOPICS.items():
        assert docs, intent
        for doc_id in docs:
            assert {(doc_id, language) for language in languages} <= pages, (intent, doc_id)


def test_unknown_and_task_intents_name_no_page() -> None:
    assert expected_documents(None) == frozenset()
    assert expected_documents("order_status") == frozenset()
    assert "guide:edit-profile" in expected_documents("edit_account")
