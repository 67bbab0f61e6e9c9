"""Which guides and policies answer each trained question intent.

When the intent classifier is confident of a question intent and retrieval's best document is one the
intent names here, two independent signals agree on the exact page: the answer needs less retrieval
confidence (``knowledge_base.answers.answer(expected=...)``). A page missing here only loses that
extra leniency. ``tests/unit/knowledge_base/test_intent_topics.py`` checks every intent against the
domain and every document against the content.
"""
from __future__ import annotations

from typing import FrozenSet, Mapping

INTENT_TOPICS: Mapping[str, FrozenSet[str]] = {intent: frozenset(docs) for intent, docs in {
    "cancellation_fee": ["policy:cancellation-fees", "guide:change-or-cancel-an-order"],
    "create_account": ["guide:create-account", "guide:guest-checkout-vs-account"],
    "delete_account": ["guide:delete-account", "policy:privacy"],
    "delivery_options": ["policy:shipping"],
    "delivery_time": ["policy:shipping", "guide:track-your-order"],
    "edit_account": ["guide:edit-profile", "guide:email-preferences"],
    "invoice": ["guide:download-invoice", "guide:company-invoice-vat"],
    "newsletter": ["guide:newsletter-subscribe-unsubscribe", "guide:email-preferences"],
    "payment_methods": ["policy:payment-methods", "policy:gift-cards"],
    "place_order": ["guide:place-an-order", "guide:checkout-problems", "guide:guest-checkout-vs-account"],
    "recover_password": ["guide:reset-password", "guide:sign-in-problems"],
    "refund_policy": ["policy:refunds", "policy:returns", "guide:start-a-return"],
    "registration_problems": ["guide:registration-problems", "guide:create-account"],
    "switch_account": ["guide:switch-account", "guide:sign-in-problems"],
}.items()}


def expected_documents(intent: str | None) -> FrozenSet[str]:
    """The pages that answer ``intent``'s questions (empty for task intents and unknown names)."""
    return INTENT_TOPICS.get(intent or "", frozenset())
