"""Latency figures and their recording, shared by the closed-loop, open-loop and long-conversation runs."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Set

MAX_ERROR_EXAMPLES = 5


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), so figures match numpy's."""
    if not sorted_values:
        return math.nan
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"percentile wants q in [0, 1], got {q}")
    position = (len(sorted_values) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def rounded(value: float) -> Optional[float]:
    """JSON has no NaN: an empty sample becomes null."""
    return None if math.isnan(value) else round(value, 1)


def latency_summary(latencies_s: Sequence[float]) -> Dict[str, Optional[float]]:
    """p50/p95/p99/mean/max in milliseconds (null without samples)."""
    values = sorted(s * 1000 for s in latencies_s)
    figures = {
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "mean": sum(values) / len(values) if values else math.nan,
        "max": values[-1] if values else math.nan,
    }
    return {name: rounded(value) for name, value in figures.items()}


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


# --- recording -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one message went: answered over HTTP (any status), and why it counts as an error, if it does."""

    answered: bool
    problem: Optional[str] = None
    wrong_reply: bool = False  # an HTTP 200 whose reply failed the scenario's check


@dataclass
class LoadResult:
    latencies_s: List[float] = field(default_factory=list)
    finished: int = 0
    errors: int = 0
    wrong_replies: int = 0
    error_examples: List[str] = field(default_factory=list)
    wall_s: float = 0.0
    by_scenario: Dict[str, "LoadResult"] = field(default_factory=dict)
    texts: Set[str] = field(default_factory=set)  # every text sent so far
    repeated_texts: int = 0  # messages whose very text was sent before in this phase

    def note_text(self, text: str) -> None:
        """A message is about to be sent: a text sent before could be answered from Rasa's parse cache."""
        if text in self.texts:
            self.repeated_texts += 1
        self.texts.add(text)

    def record(
        self, latency_s: Optional[float], problem: Optional[str], count: int = 1,
        scenario: Optional[str] = None, wrong_reply: bool = False,
    ) -> None:
        """One finished message: its latency (None without an HTTP answer) and its problem, if any.

        With a ``scenario`` the message is also counted in that scenario's own figures.
        """
        self.finished += count
        if latency_s is not None:
            self.latencies_s.append(latency_s)
        if problem is not None:
            self.errors += count
            self.wrong_replies += count if wrong_reply else 0
            if len(self.error_examples) < MAX_ERROR_EXAMPLES:
                self.error_examples.append(problem)
        if scenario is not None:
            self.by_scenario.setdefault(scenario, LoadResult()).record(latency_s, problem, count, None, wrong_reply)

    def record_outcome(self, outcome: Outcome, latency_s: float, scenario: Optional[str] = None,
                       text: Optional[str] = None) -> None:
        if text is not None:
            self.note_text(text)
        self.record(latency_s if outcome.answered else None, outcome.problem, scenario=scenario,
                    wrong_reply=outcome.wrong_reply)


def scenario_summary(result: LoadResult) -> Dict[str, Any]:
    """Per-scenario figures: latency, and errors split into failed checks and the rest (HTTP, timeouts)."""
    return {
        "messages": result.finished,
        "latency_ms": latency_summary(result.latencies_s),
        "errors": result.errors,
        "wrong_replies": result.wrong_replies,
        "error_examples": result.error_examples,
    }


def first_and_last(latencies_s: Sequence[Optional[float]], edge: int) -> Dict[str, Any]:
    """The first ``edge`` and the last ``edge`` turns of one conversation, and how much slower the end is.

    The ratio is of the means: the two ends hold the same kinds of message (small talk, questions, a
    product request), so their means compare like with like, where a median of five mixed turns would
    pick whichever kind lands in the middle. Unanswered turns are left out.
    """
    first = [s for s in latencies_s[:edge] if s is not None]
    last = [s for s in latencies_s[-edge:] if s is not None]

    def figures(sample: List[float]) -> Dict[str, Optional[float]]:
        summary = latency_summary(sample)
        return {"mean": summary["mean"], "p50": summary["p50"]}

    head, tail = figures(first), figures(last)
    return {"first_ms": head, "last_ms": tail, "last_to_first": ratio(tail["mean"], head["mean"])}
