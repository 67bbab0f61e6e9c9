"""No training example is a question of the evaluation sets (nlu_data/eval, knowledge_base/eval): the
figures of `make nlu-eval` and `make answer-eval` are only worth something on examples the model never saw.

Texts are compared without case, punctuation and entity annotations. Greetings and one- or two-word
answers ("hey", "yes please") are left out: any two sets of them share some."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def normalised(text: str) -> str:
    return re.sub(r"[\W_]+", " ", ANNOTATION.sub(r"\1", text).lower()).strip()


def long_enough(text: str) -> bool:
    return len(text.replace(" ", "")) >= 4 if CJK.search(text) else len(text.split()) >= 3


def nlu_examples(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    found.setdefault(normalised(line.strip()[2:]), f"{path.relative_to(REPO)} ({item.get('intent')})")
    return found


def evaluation_texts() -> set[str]:
    texts = set(nlu_examples(REPO / "nlu_data" / "eval"))
    for path in (REPO / "knowledge_base" / "eval").rglob("*.yml"):
        for row in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions") or []:
            texts.add(normalised(str(row["q"])))
    return texts


def test_no_training_example_is_an_evaluation_question() -> None:
    evaluation = evaluation_texts()
    shared = {text: where for text, where in nlu_examples(REPO / "nlu_data" / "train").items()
              if text in evaluation and long_enough(text)}
    assert not shared, f"training examples that are evaluation questions: {shared}"
