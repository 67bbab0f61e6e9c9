"""``make answer-eval``: does each question reach the guide, policy, product or task it asks for?

End to end, as a shopper meets it: a fresh shop database, the real action server and Rasa server on
free ports, one new REST conversation per question (concurrently), and what happened read back from
the conversation's tracker (actions run, slots set, the knowledge-base source of the reply, the task
buttons offered). The questions are ``knowledge_base/eval/end_to_end/*.yml`` plus every question of
``knowledge_base/eval`` (format and held-out rule in ``knowledge_base/eval/end_to_end/README.md``).

    python -m assistant.runtime.answer_eval [--split held_out|tune|all] [--language ja] [--only-failures]

Prints one JSON object: per language and split, the right-source rate (answerable questions), the
task-routing accuracy, product routing, abstention precision and recall (unanswerable questions),
the out-of-domain fallback rate, whether each target is met, and every failure.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from assistant.runtime.eval_set import LANGUAGES, Question, load

logger = logging.getLogger(__name__)

CONCURRENCY = 6
TASK_ACTION = "action_start_order_task"
HANDOFF_ACTIONS = ("action_handoff",)
SEARCH_ACTIONS = ("action_product_search",)
PRODUCT_ACTION = "action_product_question"
TARGETS = {"right_source": 0.92, "fallback_rate": 0.92, "unanswerable_sourced_max": 0.10, "task_accuracy": 1.0}


@dataclass
class Outcome:
    """What the assistant did with one question."""

    actions: List[str] = field(default_factory=list)
    sources: List[str] = field(default_factory=list)  # knowledge-base documents the reply cites
    task: Optional[str] = None  # the order task (or handoff) that started
    offered: List[str] = field(default_factory=list)  # intents offered as buttons
    product: Optional[str] = None  # the product the product-question action answered about
    responses: List[str] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def searched(self) -> bool:
        return any(a in SEARCH_ACTIONS for a in self.actions)

    @property
    def asked_product(self) -> bool:
        return PRODUCT_ACTION in self.actions

    def brief(self) -> str:
        if self.error:
            return f"error: {self.error}"
        if self.task:
            return f"task {self.task}"
        if self.sources:
            offer = f" + offers {','.join(self.offered)}" if self.offered else ""
            return f"answer {self.sources[0]}{offer}"
        if self.searched:
            return "product search"
        if self.asked_product:
            return f"product question {self.product or '?'}"
        shown = [r for r in self.responses if r] or [a for a in self.actions if a != "action_listen"]
        return ", ".join(shown) or "nothing"


def outcome_from_tracker(tracker: Dict[str, Any]) -> Outcome:
    """Reads one question's outcome from its conversation's events (everything after the user message)."""
    events = tracker.get("events") or []
    start = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    outcome = Outcome()
    for event in events[start + 1:]:
        kind = event.get("event")
        if kind == "action" and event.get("name") not in ("action_listen", None):
            outcome.actions.append(event["name"])
        elif kind == "slot" and event.get("name") == "pending_task" and event.get("value"):
            outcome.task = str(event["value"])
        elif kind == "slot" and event.get("name") == "last_product_sku" and event.get("value"):
            outcome.product = str(event["value"])
        elif kind == "bot":
            data = event.get("data") or {}
            outcome.responses.append((event.get("metadata") or {}).get("utter_action") or "")
            custom = data.get("custom") or {}
            if isinstance(custom, dict) and custom.get("type") == "kb_source" and custom.get("doc_id"):
                outcome.sources.append(str(custom["doc_id"]))
            for button in data.get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload.startswith("/"):
                    outcome.offered.append(payload[1:].split("{", 1)[0])
    if any(a in HANDOFF_ACTIONS for a in outcome.actions):
        outcome.task = outcome.task or "human_handoff"
    if outcome.task and TASK_ACTION not in outcome.actions and "human_handoff" != outcome.task:
        outcome.task = None  # a pending task carried over, not started by this message
    return outcome


def judge(question: Question, outcome: Outcome) -> bool:
    """Did the assistant do what the question needs? (``expect`` as in the set's README)"""
    if outcome.error:
        return False
    expect = question.expect
    if expect == "answer":
        return bool(outcome.sources) and outcome.sources[0] in question.sources and outcome.task is None
    if expect == "task":
        return outcome.task == question.task
    if expect == "product_search":
        return outcome.searched and outcome.task is None
    if expect == "product":
        return outcome.asked_product and outcome.task is None and (
            outcome.product is None or f"product:{outcome.product}" in question.sources)
    if expect in ("abstain", "fallback"):
        return not outcome.sources and outcome.task is None and not outcome.searched and not outcome.asked_product
    raise ValueError(f"unknown expect {expect!r}")


# ---- running the questions ------------------------------------------------------------------------


async def ask(session: Any, base_url: str, token: str, question: Question) -> Outcome:
    sender = f"eval{uuid.uuid4().hex[:16]}"
    try:
        async with session.post(f"{base_url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": question.q}) as response:
            if response.status != 200:
                return Outcome(error=f"HTTP {response.status} from the REST channel")
            await response.read()
        async with session.get(f"{base_url}/conversations/{sender}/tracker", params={"token": token}) as response:
            if response.status != 200:
                return Outcome(error=f"HTTP {response.status} reading the tracker")
            return outcome_from_tracker(await response.json())
    except Exception as error:  # a timeout or a dropped connection is a failure of this question, not the run
        return Outcome(error=f"{type(error).__name__}: {error}")


async def ask_all(base_url: str, token: str, questions: List[Question]) -> List[Outcome]:
    import aiohttp

    limit = asyncio.Semaphore(CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async def one(question: Question) -> Outcome:
            async with limit:
                return await ask(session, base_url, token, question)

        return list(await asyncio.gather(*(one(q) for q in questions)))


def run_against_stack(questions: List[Question], tmp: Path) -> List[Outcome]:
    from assistant.runtime.settings import REPO_ROOT
    from assistant.runtime.stack import ACTIONS_PYTHON, free_port, make_stack
    from assistant.runtime.training import ensure_model

    url = f"sqlite:///{tmp / 'shop.db'}"
    subprocess.run([str(ACTIONS_PYTHON), "-m", "assistant.runtime.demo", "seed", "--database-url", url, "--force"],
                   cwd=REPO_ROOT, check=True, capture_output=True)
    token = secrets.token_hex(16)
    stack = make_stack({
        "DATABASE_URL": url, "SHOP_VAR_DIR": str(tmp), "KB_INDEX_DIR": str(REPO_ROOT / "var" / "kb"),
        "RASA_PORT": str(free_port()), "ACTION_SERVER_PORT": str(free_port()), "RASA_AUTH_TOKEN": token,
    }, log_dir=tmp / "log")
    try:
        stack.start_action_server()
        stack.start_rasa(ensure_model())
        return asyncio.run(ask_all(stack.rasa_url, token, questions))
    finally:
        stack.stop()


# ---- the report -----------------------------------------------------------------------------------


def rate(hits: int, total: int) -> Optional[float]:
    return round(hits / total, 3) if total else None


def figures(rows: List[tuple[Question, Outcome, bool]]) -> Dict[str, Any]:
    by_expect: Dict[str, List[bool]] = defaultdict(list)
    for question, _, ok in rows:
        by_expect[question.expect].append(ok)
    kb_rows = [(q, o) for q, o, _ in rows if q.expect in ("answer", "abstain")]
    unanswerable = [(q, o) for q, o in kb_rows if q.expect == "abstain"]
    withheld = [(q, o) for q, o in kb_rows if not o.sources]  # questions given no sourced answer
    sourced_unanswerable = sum(1 for _, o in unanswerable if o.sources)
    offers = [(q, o) for q, o, ok in rows if q.expect == "answer" and q.task and ok]
    result = {
        "questions": len(rows),
        "right_source": rate(sum(by_expect["answer"]), len(by_expect["answer"])),
        "answerable": len(by_expect["answer"]),
        "task_accuracy": rate(sum(by_expect["task"]), len(by_expect["task"])),
        "tasks": len(by_expect["task"]),
        "product_search_accuracy": rate(sum(by_expect["product_search"]), len(by_expect["product_search"])),
        "product_question_accuracy": rate(sum(by_expect["product"]), len(by_expect["product"])),
        "abstention_recall": rate(len(unanswerable) - sourced_unanswerable, len(unanswerable)),
        "abstention_precision": rate(sum(1 for q, _ in withheld if q.expect == "abstain"), len(withheld)),
        "unanswerable_sourced": rate(sourced_unanswerable, len(unanswerable)),
        "unanswerable": len(unanswerable),
        "fallback_rate": rate(sum(by_expect["fallback"]), len(by_expect["fallback"])),
        "out_of_domain": len(by_expect["fallback"]),
        "task_offered_with_answer": rate(sum(1 for q, o in offers if q.task in o.offered), len(offers)),
    }
    return result


def targets_met(total: Dict[str, Any], held_out_by_language: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    right = [f.get("right_source") for f in held_out_by_language.values()]
    return {
        "right_source_held_out_every_language": bool(right) and len(right) == len(LANGUAGES)
        and all((v or 0) >= TARGETS["right_source"] for v in right),
        "out_of_domain_fallback": (total.get("fallback_rate") or 0) >= TARGETS["fallback_rate"],
        "unanswerable_sourced_at_most_10pc": (total.get("unanswerable_sourced") or 0)
        <= TARGETS["unanswerable_sourced_max"],
        "every_task_starts": (total.get("task_accuracy") or 0) >= TARGETS["task_accuracy"],
    }


def report(questions: List[Question], outcomes: List[Outcome], seconds: float) -> Dict[str, Any]:
    rows = [(q, o, judge(q, o)) for q, o in zip(questions, outcomes)]
    splits: Dict[str, Any] = {}
    for split in ("held_out", "tune", "all"):
        chosen = [r for r in rows if split == "all" or r[0].split == split]
        splits[split] = {"all_languages": figures(chosen),
                         **{lang: figures([r for r in chosen if r[0].language == lang]) for lang in LANGUAGES
                            if any(r[0].language == lang for r in chosen)}}
    held = {lang: f for lang, f in splits["held_out"].items() if lang != "all_languages"}
    failures = [{"q": q.q, "language": q.language, "split": q.split, "expect": q.expect,
                 "wanted": list(q.sources) or q.task, "got": o.brief(), "origin": q.origin}
                for q, o, ok in rows if not ok]
    return {"seconds": round(seconds, 1), "targets": TARGETS,
            "targets_met": targets_met(splits["all"]["all_languages"], held),
            **splits, "failures": failures}


def select(questions: Iterable[Question], split: str, language: Optional[str]) -> List[Question]:
    return [q for q in questions if (split == "all" or q.split == split) and (not language or q.language == language)]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("all", "held_out", "tune"), default="all")
    parser.add_argument("--language", choices=LANGUAGES)
    parser.add_argument("--only-failures", action="store_true", help="print the failures only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    questions, problems = load()
    if problems.items:
        print("the question set has problems:\n" + "\n".join(problems.items), file=sys.stderr)
        return 2
    chosen = select(questions, args.split, args.language)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="answer-eval-") as tmp:
        outcomes = run_against_stack(chosen, Path(tmp))
    result = report(chosen, outcomes, time.monotonic() - started)
    print(json.dumps(result["failures"] if args.only_failures else result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
