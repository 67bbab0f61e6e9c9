"""How long a full training of the Rasa model takes from scratch (JSON on stdout).

    python -m bench.train_time [--budget-s 360]

Trains the current config, domain and data into a temporary folder with Rasa's
training cache disabled (as on a clean machine), and reports the wall time, the
phases Rasa logged (featurizers, DIET, dialogue policies), DIET's seconds per
epoch and the model's size. Exit status 1 when over the budget.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from assistant.runtime.training import CONFIG, train, training_log

_STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) INFO\s+rasa\.engine\.training\.hooks\s+-\s+"
                    r"(Starting to train|Finished training) component '([^']+)'")
_EPOCHS = re.compile(r"epochs:\s*(\d+)")


def phases(log: str) -> List[Dict[str, Any]]:
    """Seconds per trained component, from Rasa's 'Starting/Finished to train component' lines."""
    started: Dict[str, datetime] = {}
    result: List[Dict[str, Any]] = []
    for line in log.splitlines():
        match = _STAMP.search(line)
        if not match:
            continue
        at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        kind, name = match.group(2), match.group(3)
        if kind.startswith("Starting"):
            started[name] = at
        elif name in started:
            result.append({"component": name, "seconds": (at - started.pop(name)).total_seconds()})
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget-s", type=float, default=360.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="train-bench-") as tmp:
        output = Path(tmp) / "bench.tar.gz"
        started = time.monotonic()
        train(output, cache_dir=Path(tmp) / "cache")
        seconds = time.monotonic() - started
        size = output.stat().st_size
        log = training_log(output).read_text(errors="replace")
    steps = phases(log)
    diet = sum(p["seconds"] for p in steps if p["component"] == "DIETClassifier")
    epochs = int(_EPOCHS.search(CONFIG.read_text()).group(1))
    report = {
        "train_seconds": round(seconds, 1),
        "budget_seconds": args.budget_s,
        "within_budget": seconds <= args.budget_s,
        "diet_seconds": diet,
        "diet_epochs": epochs,
        "diet_seconds_per_epoch": round(diet / epochs, 2) if epochs else None,
        "phases": steps,
        "model_bytes": size,
    }
    print(json.dumps(report, indent=2))
    return 0 if report["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
