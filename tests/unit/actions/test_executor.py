"""The action server registers exactly the domain's custom actions (what `python -m rasa_sdk --actions
actions` does at start; an abstract base or a missing action would fail the start or a conversation)."""
from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

REPO = Path(__file__).resolve().parents[3]


def test_the_action_server_registers_every_custom_action_of_the_domain() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    declared: set[str] = set()
    forms: set[str] = set()
    for path in (REPO / "assistant" / "domain").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        declared.update(a for a in data.get("actions") or [] if not a.startswith("utter_"))
        forms.update(data.get("forms") or {})
    registered = set(executor.actions)
    assert declared <= registered, f"declared but not implemented: {declared - registered}"
    extra = registered - declared - {f"validate_{form}" for form in forms}
    assert not extra, f"implemented but not in the domain: {extra}"
