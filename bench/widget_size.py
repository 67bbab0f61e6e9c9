"""Size of the chat widget against its budget: our JS and CSS, raw and gzip -9 (JSON on stdout).

    python -m bench.widget_size [--budget-kb 60]

Our own code is ``assistant/console/widget/src/widget.js`` and ``widget.css``; each is gzipped on
its own (that is what a browser downloads) and the sum is compared with the budget
(1 kB = 1,000 bytes). The socket.io client from npm is third-party and reported apart,
with the version ``package-lock.json`` pins. Exit status 1 when over budget.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

WIDGET_DIR = Path(__file__).resolve().parent.parent / "assistant" / "console" / "widget"
OURS = (WIDGET_DIR / "src" / "widget.js", WIDGET_DIR / "src" / "widget.css")
SOCKETIO_CLIENT = WIDGET_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def sizes(path: Path) -> Dict[str, int]:
    data = path.read_bytes()
    return {"raw_bytes": len(data), "gzip_bytes": len(gzip.compress(data, compresslevel=9, mtime=0))}


def pinned_version(package: str) -> Optional[str]:
    lock = WIDGET_DIR / "package-lock.json"
    if not lock.exists():
        return None
    packages = json.loads(lock.read_text()).get("packages", {})
    return packages.get(f"node_modules/{package}", {}).get("version")


def report(budget_kb: float) -> Dict[str, Any]:
    files = {path.name: sizes(path) for path in OURS}
    raw = sum(f["raw_bytes"] for f in files.values())
    gzipped = sum(f["gzip_bytes"] for f in files.values())
    budget = int(budget_kb * 1000)
    third_party: Dict[str, Any] = {"package": "socket.io-client", "version": pinned_version("socket.io-client")}
    if SOCKETIO_CLIENT.exists():
        third_party.update(sizes(SOCKETIO_CLIENT))
    else:
        third_party["missing"] = f"{SOCKETIO_CLIENT} (run make setup)"
    return {
        "ours": {"files": files, "raw_bytes": raw, "gzip_bytes": gzipped, "gzip_kb": round(gzipped / 1000, 1)},
        "budget_gzip_bytes": budget,
        "pass": gzipped <= budget,
        "headroom_bytes": budget - gzipped,
        "third_party": third_party,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.widget_size", description=__doc__.split("\n")[0])
    parser.add_argument("--budget-kb", type=float, default=60.0, help="gzip budget for our JS + CSS (default 60)")
    result = report(parser.parse_args(argv).budget_kb)
    print(json.dumps(result, indent=2))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
