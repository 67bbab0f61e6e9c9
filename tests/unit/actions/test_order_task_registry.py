"""README "Adding an order task", enforced: the registry, the handlers, the rules, the domain and the
training data name the same intents."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.order_tasks import ORDER_TASKS
from actions.orders import TASKS
from assistant.i18n.languages import LANGUAGES

REPO = Path(__file__).resolve().parents[3]


def _rules() -> list[dict]:
    return yaml.safe_load((REPO / "nlu_data" / "train" / "rules.yml").read_text(encoding="utf-8"))["rules"]


def test_every_order_task_has_a_handler() -> None:
    assert tuple(TASKS) == ORDER_TASKS


@pytest.mark.parametrize("title", ["an order task starts verification",
                                   "another order task while verifying switches the task"])
def test_the_verification_rules_list_exactly_the_order_tasks(title: str) -> None:
    rule = next(r for r in _rules() if r["rule"] == title)
    alternatives = next(step["or"] for step in rule["steps"] if "or" in step)
    assert tuple(step["intent"] for step in alternatives) == ORDER_TASKS


def test_every_order_task_is_an_intent_of_the_domain() -> None:
    intents: set[str] = set()
    for path in (REPO / "assistant" / "domain").glob("*.yml"):
        intents.update(i if isinstance(i, str) else next(iter(i)) for i in
                       (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or [])
    assert set(ORDER_TASKS) <= intents


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_order_task_has_training_examples_in_each_language(language: str) -> None:
    found: set[str] = set()
    for path in (REPO / "nlu_data" / "train" / language).glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in item:
                found.add(item["intent"])
    assert set(ORDER_TASKS) <= found, f"{language}: no examples for {set(ORDER_TASKS) - found}"
