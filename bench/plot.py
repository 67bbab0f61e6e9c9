"""A picture of ``bench.load``'s report: latency over load per scenario, and the long conversation.

matplotlib is imported inside :func:`plot_report` with the Agg backend, so the benchmark (and the unit
tests importing it) need neither matplotlib nor a display until a plot is drawn.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

QUANTILES = ("p50", "p95", "p99")
MARKERS = {"p50": "o", "p95": "s", "p99": "^"}
COLOURS = {"p50": "tab:blue", "p95": "tab:orange", "p99": "tab:red"}  # the baseline: same colour, dashed or hatched
SYSTEMS = (("assistant", "assistant", "-"), ("baseline_rasa_init", "rasa init", "--"))
ALL = "all"


def load_panels(report: Dict[str, Any]) -> List[str]:
    """``all`` first (when there are several), then every scenario the load phase measured."""
    assistant = report.get("assistant", {})
    if "open_loop" in assistant:
        names = {name for run in assistant["open_loop"] for name in run.get("by_scenario", {})}
    else:
        names = set(assistant.get("by_scenario", {}))
    if len(names) == 1:
        return sorted(names)
    return [ALL, *sorted(names)] if names or "latency_ms" in assistant else []


def latency(figures: Dict[str, Any], scenario: str, quantile: str) -> Optional[float]:
    if scenario != ALL:
        figures = figures.get("by_scenario", {}).get(scenario, {})
    return (figures.get("latency_ms") or {}).get(quantile)


def series(runs: Sequence[Dict[str, Any]], scenario: str, quantile: str) -> Tuple[List[float], List[float]]:
    """(offered rates, latencies) of one quantile, leaving out rates without a figure."""
    points = [(run["offered_rate"], latency(run, scenario, quantile)) for run in runs]
    kept = [(x, y) for x, y in points if y is not None]
    return [x for x, _ in kept], [y for _, y in kept]


def draw_open_loop(ax: Any, report: Dict[str, Any], scenario: str) -> None:
    for key, label, style in SYSTEMS:
        runs = report.get(key, {}).get("open_loop", [])
        for quantile in QUANTILES:
            xs, ys = series(runs, scenario, quantile)
            if xs:
                ax.plot(xs, ys, style, marker=MARKERS[quantile], color=COLOURS[quantile], label=f"{label} {quantile}")
    targets = report.get("targets", {})
    for name in ("p95_ms", "p99_ms"):
        if name in targets:
            ax.axhline(targets[name], color="grey", linestyle=":", linewidth=1)
            ax.annotate(f"target {name[:3]}", (0, targets[name]), xycoords=("axes fraction", "data"),
                        fontsize=7, color="grey", va="bottom")
    ax.set_xlabel("offered rate (messages/s)")
    ax.set_xlim(left=0)


def draw_closed_loop(ax: Any, report: Dict[str, Any], scenarios: Sequence[str]) -> None:
    width = 0.8 / (len(QUANTILES) * len(SYSTEMS))
    slot = 0
    for key, label, _ in SYSTEMS:
        figures = report.get(key)
        if not figures:
            continue
        for quantile in QUANTILES:
            values = [latency(figures, s, quantile) or 0.0 for s in scenarios]
            offsets = [i - 0.4 + (slot + 0.5) * width for i in range(len(scenarios))]
            baseline = key != "assistant"
            ax.bar(offsets, values, width, label=f"{label} {quantile}", color=COLOURS[quantile],
                   hatch="//" if baseline else None, alpha=0.45 if baseline else 0.9)
            slot += 1
    ax.set_xticks(range(len(scenarios)))
    ax.set_xticklabels(scenarios, fontsize=8)
    shoppers = report.get("shoppers")
    ax.set_xlabel(f"closed loop, {shoppers} shoppers" if shoppers else "closed loop")


def draw_long(ax: Any, report: Dict[str, Any], edge: int = 5) -> None:
    """Latency per turn; the shaded turns at each end are the ones the ratio compares."""
    length = 0
    for key, label, style in SYSTEMS:
        turns = report.get(key, {}).get("long", {}).get("turn_latencies_ms") or []
        answered = [(i + 1, t) for i, t in enumerate(turns) if t is not None]
        if answered:
            ax.plot([i for i, _ in answered], [t for _, t in answered], style, marker=".", label=label)
        length = max(length, len(turns))
    if length:
        ax.axvspan(0.5, edge + 0.5, color="grey", alpha=0.1)
        ax.axvspan(length - edge + 0.5, length + 0.5, color="grey", alpha=0.1)
    ratio = report.get("assistant", {}).get("long", {}).get("last_to_first")
    ax.set_title(f"long conversation (mean of the last {edge} / first {edge} turns: {ratio})", fontsize=9)
    ax.set_xlabel("turn")
    ax.set_ylabel("latency (ms)")


def plot_report(report: Dict[str, Any], path: Path) -> Path:
    """Writes the PNG: one panel per scenario (open loop) or one bar panel (closed loop), plus the long one."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scenarios = load_panels(report)
    open_loop = "open_loop" in report.get("assistant", {})
    panels: List[str] = (scenarios if open_loop else (["closed"] if scenarios else []))
    if "long" in report.get("assistant", {}):
        panels.append("long")
    columns = min(2, max(1, len(panels)))
    rows = max(1, math.ceil(len(panels) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 4.2 * rows), squeeze=False)
    for ax, panel in zip([a for row in axes for a in row], panels):
        if panel == "long":
            draw_long(ax, report)
        elif open_loop:
            draw_open_loop(ax, report, panel)
            ax.set_title(f"{panel}: latency from the scheduled send", fontsize=9)
            ax.set_ylabel("latency (ms)")
        else:
            draw_closed_loop(ax, report, scenarios)
            ax.set_title("latency per scenario", fontsize=9)
            ax.set_ylabel("latency (ms)")
        ax.set_ylim(bottom=0)  # from zero, so a gap between lines looks as large as it is
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    for ax in [a for row in axes for a in row][len(panels):]:
        ax.set_visible(False)
    figure.suptitle(f"bench.load: {report.get('mode', '')}, scenarios {', '.join(report.get('scenarios', []))}",
                    fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
