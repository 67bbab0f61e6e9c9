"""Runs a trained model's NLU over labelled examples and writes the raw predictions.

Runs in the Rasa venv; ``assistant.runtime.nlu_eval`` (actions venv) calls it and scores
the result. ``python -m assistant.rasa_plugins.nlu_predict --model M --data DIR --out FILE``
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data


async def predict(model: str, data: str) -> list[dict]:
    agent = Agent.load(model)
    examples = [m for m in load_data(data).intent_examples if m.get("text")]
    rows = []
    for message in examples:
        parsed = await agent.parse_message(message.get("text"))
        rows.append(
            {
                "text": message.get("text"),
                "intent": message.get("intent"),
                "entities": [
                    {"entity": e["entity"], "value": e["value"], "role": e.get("role")}
                    for e in message.get("entities") or []
                ],
                "predicted_intent": parsed["intent"],
                "ranking": parsed.get("intent_ranking", [])[:6],
                "predicted_entities": [
                    {"entity": e["entity"], "value": e["value"], "role": e.get("role")}
                    for e in parsed.get("entities", [])
                ],
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rows = asyncio.run(predict(args.model, args.data))
    Path(args.out).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
