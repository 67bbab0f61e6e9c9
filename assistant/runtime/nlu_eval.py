"""``make nlu-eval``: scores the trained NLU on our own held-out examples.

The held-out set (``nlu_data/eval``) is written separately from the training
data and never trained on. Its ``out_of_scope`` examples must come out as
``nlu_fallback``. The report (JSON on stdout) has accuracy, per-intent
precision/recall/F1, the most frequent confusion pairs, entity scores, and a
sweep of the FallbackClassifier threshold: the configured threshold in
``assistant/config.yml`` was chosen from this sweep.
"""
from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from assistant.i18n.detect import detect_language
from assistant.runtime.settings import REPO_ROOT, get_settings
from assistant.runtime.training import CONFIG, RASA_PYTHON, ensure_model, rasa_env

logger = logging.getLogger(__name__)

EVAL_DATA = REPO_ROOT / "nlu_data" / "eval"
FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


def configured_thresholds(config: Path = CONFIG) -> Tuple[float, float]:
    text = config.read_text()
    block = text[text.index("FallbackClassifier"):]
    threshold = float(re.search(r"threshold:\s*([0-9.]+)", block).group(1))
    ambiguity = float(re.search(r"ambiguity_threshold:\s*([0-9.]+)", block).group(1))
    return threshold, ambiguity


def gold(row: Dict[str, Any]) -> str:
    return FALLBACK if row["intent"] == OUT_OF_SCOPE else row["intent"]


def decide(row: Dict[str, Any], threshold: float, ambiguity: float) -> str:
    """What the pipeline predicts with these fallback settings (raw classifier ranking)."""
    ranking = [r for r in row["ranking"] if r["name"] != FALLBACK]
    if not ranking:
        return FALLBACK
    top = ranking[0]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top["name"] == OUT_OF_SCOPE or top["confidence"] < threshold or top["confidence"] - second < ambiguity:
        return FALLBACK
    return top["name"]


def f1_report(pairs: Iterable[Tuple[str, str]]) -> Dict[str, Any]:
    pairs = list(pairs)
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    per: Dict[str, Dict[str, float]] = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        support = tp + fn
        if support:
            per[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                          "support": support}
    accuracy = sum(1 for g, p in pairs if g == p) / len(pairs) if pairs else 0.0
    macro = sum(v["f1"] for v in per.values()) / len(per) if per else 0.0
    weighted = sum(v["f1"] * v["support"] for v in per.values()) / len(pairs) if pairs else 0.0
    return {"accuracy": round(accuracy, 4), "macro_f1": round(macro, 4), "weighted_f1": round(weighted, 4),
            "per_intent": per}


def entity_report(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    counts: Dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        expected = Counter((e["entity"], str(e["value"]).lower()) for e in row["entities"])
        found = Counter((e["entity"], str(e["value"]).lower()) for e in row["predicted_entities"])
        for entity, value in expected | found:
            hit = min(expected[(entity, value)], found[(entity, value)])
            counts[entity]["tp"] += hit
            counts[entity]["fn"] += expected[(entity, value)] - hit
            counts[entity]["fp"] += found[(entity, value)] - hit
    report = {}
    for entity, c in sorted(counts.items()):
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[entity] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                          "support": c["tp"] + c["fn"]}
    return report


def sweep(rows: List[Dict[str, Any]], ambiguity: float) -> List[Dict[str, float]]:
    results = []
    for step in range(20, 91, 5):
        threshold = step / 100
        pairs = [(gold(r), decide(r, threshold, ambiguity)) for r in rows]
        report = f1_report(pairs)
        oos = report["per_intent"].get(FALLBACK, {})
        in_domain = [(g, p) for g, p in pairs if g != FALLBACK]
        results.append({
            "threshold": threshold,
            "macro_f1": report["macro_f1"],
            "accuracy": report["accuracy"],
            "in_domain_accuracy": round(sum(g == p for g, p in in_domain) / len(in_domain), 4),
            "fallback_precision": oos.get("precision", 0.0),
            "fallback_recall": oos.get("recall", 0.0),
        })
    return results


def predictions(model: Path, data: Path, out: Path) -> List[Dict[str, Any]]:
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [str(RASA_PYTHON), "-m", "assistant.rasa_plugins.nlu_predict", "--model", str(model), "--data", str(data),
               "--out", str(out)]
    result = subprocess.run(command, cwd=REPO_ROOT, env=rasa_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"prediction failed:\n{result.stderr[-3000:]}")
    return json.loads(out.read_text())


def per_language(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Accuracy and F1 per language of the example (detected from its script; examples with no words,
    such as a bare order number, are "neutral"), and each language's gap to English in points."""
    groups: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for r in rows:
        groups[detect_language(r["text"]) or "neutral"].append((gold(r), r["predicted_intent"]["name"]))
    report = {}
    for language, pairs in sorted(groups.items()):
        scores = f1_report(pairs)
        report[language] = {"examples": len(pairs), **{k: scores[k] for k in ("accuracy", "macro_f1", "weighted_f1")}}
    english = report.get("en")
    if english:
        for language, scores in report.items():
            if language not in ("en", "neutral"):
                scores["accuracy_gap_vs_en_points"] = round(100 * (english["accuracy"] - scores["accuracy"]), 1)
                scores["macro_f1_gap_vs_en_points"] = round(100 * (english["macro_f1"] - scores["macro_f1"]), 1)
    return report


def evaluate(rows: List[Dict[str, Any]], threshold: float, ambiguity: float) -> Dict[str, Any]:
    pairs = [(gold(r), r["predicted_intent"]["name"]) for r in rows]
    report = f1_report(pairs)
    confusions = Counter((g, p) for g, p in pairs if g != p)
    curve = sweep(rows, ambiguity)
    best = max(curve, key=lambda r: (r["macro_f1"], -abs(r["threshold"] - threshold)))
    return {
        "examples": len(rows),
        "fallback_threshold": threshold,
        "ambiguity_threshold": ambiguity,
        "summary": {k: report[k] for k in ("accuracy", "macro_f1", "weighted_f1")},
        "per_language": per_language(rows),
        "per_intent": report["per_intent"],
        "confusion_pairs": [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(25)],
        "entities": entity_report(rows),
        "threshold_sweep": curve,
        "best_threshold_on_heldout": best["threshold"],
        "failures": [
            {"text": r["text"], "language": detect_language(r["text"]) or "neutral", "gold": gold(r),
             "predicted": r["predicted_intent"]["name"],
             "confidence": round(r["predicted_intent"].get("confidence") or 0.0, 3)}
            for r in rows if gold(r) != r["predicted_intent"]["name"]
        ],
    }


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="model to evaluate (default: the current trained model)")
    parser.add_argument("--data", type=Path, default=EVAL_DATA)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[nlu-eval] %(message)s", stream=sys.stderr)
    model = args.model or ensure_model()
    rows = predictions(model, args.data, get_settings().var_dir / "nlu_eval" / "predictions.json")
    threshold, ambiguity = configured_thresholds()
    print(json.dumps(evaluate(rows, threshold, ambiguity), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
