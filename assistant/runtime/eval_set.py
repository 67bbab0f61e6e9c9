"""The end-to-end answer evaluation set: loading, checking and the held-out split.

``python -m assistant.runtime.eval_set check`` reports every malformed question (unknown document, a
section heading the document does not have, a missing task) and the coverage of the guides' and
policies' H2 sections. The format is described in ``knowledge_base/eval/end_to_end/README.md``.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

import yaml

from assistant.runtime.settings import REPO_ROOT
from assistant.shop.commerce.order_tasks import ORDER_TASKS

ROOT = REPO_ROOT / "knowledge_base"
CONTENT = ROOT / "content"
KB_EVAL = ROOT / "eval"
END_TO_END = KB_EVAL / "end_to_end"

LANGUAGES = ("en", "zh-Hans", "zh-Hant", "ja")
EXPECTS = ("answer", "task", "product_search", "product", "abstain", "fallback")
TASKS = (*ORDER_TASKS, "human_handoff")
FOLDERS = {"guide": "guides", "policy": "policies"}
HELD_OUT_BELOW = 102  # first byte of SHA-1 below this: held out (102/256, about 40%)
_H2 = re.compile(r"^## +(.+?)\s*$", re.M)


@dataclass(frozen=True)
class Question:
    q: str
    language: str
    expect: str
    sources: tuple[str, ...] = ()
    section: str | None = None
    task: str | None = None
    origin: str = ""  # the file it comes from

    @property
    def held_out(self) -> bool:
        return is_held_out(self.q)

    @property
    def split(self) -> str:
        return "held_out" if self.held_out else "tune"


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")


def is_held_out(text: str) -> bool:
    return hashlib.sha1(text.encode("utf-8")).digest()[0] < HELD_OUT_BELOW


def headings(kind: str, doc: str, language: str) -> list[str]:
    """The H2 headings of a guide or policy in one language, in order ([] when there is no such file)."""
    path = CONTENT / FOLDERS[kind] / language / f"{doc}.md"
    return _H2.findall(path.read_text(encoding="utf-8")) if path.exists() else []


def product_skus() -> set[str]:
    catalog = yaml.safe_load((CONTENT / "products" / "catalog.yml").read_text(encoding="utf-8"))
    return {p["sku"] for p in catalog["products"]}


def _kb_eval_questions() -> Iterable[Question]:
    for path in sorted(KB_EVAL.glob("questions*.yml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            sources = tuple(row.get("sources") or ())
            products = bool(sources) and all(s.startswith("product:") for s in sources)
            expect = ("product" if products else "answer") if sources else "abstain"
            yield Question(q=row["q"], language=row["language"], expect=expect,
                           sources=sources, origin=f"kb-eval/{path.name}")


def _end_to_end_questions(problems: Problems) -> Iterable[Question]:
    for path in sorted(END_TO_END.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, row in enumerate(data.get("questions") or [], start=1):
            where = f"{path.name} #{i}"
            if not isinstance(row, dict) or not str(row.get("q") or "").strip():
                problems.add(where, "every item needs a non-empty q")
                continue
            yield Question(q=str(row["q"]).strip(), language=str(row.get("language") or ""),
                           expect=str(row.get("expect") or ""), sources=tuple(row.get("sources") or ()),
                           section=row.get("section"), task=row.get("task"), origin=path.name)


def load(include_kb_eval: bool = True) -> tuple[list[Question], Problems]:
    problems = Problems()
    questions = list(_end_to_end_questions(problems))
    if include_kb_eval:
        questions += list(_kb_eval_questions())
    check(questions, problems)
    return questions, problems


def check(questions: list[Question], problems: Problems) -> None:
    skus = product_skus()
    seen: dict[str, str] = {}
    for question in questions:
        where = f"{question.origin}: {question.q[:60]!r}"
        if question.q in seen and question.origin != "":
            problems.add(where, f"the same question is already in {seen[question.q]}")
        seen.setdefault(question.q, question.origin)
        if question.language not in LANGUAGES:
            problems.add(where, f"language must be one of {', '.join(LANGUAGES)}")
        if question.expect not in EXPECTS:
            problems.add(where, f"expect must be one of {', '.join(EXPECTS)}")
        if question.expect in ("answer", "product") and not question.sources:
            problems.add(where, f"expect {question.expect} needs sources")
        if question.expect == "task" and question.task not in TASKS:
            problems.add(where, f"expect task needs task: one of {', '.join(TASKS)}")
        if question.task and question.task not in TASKS:
            problems.add(where, f"unknown task {question.task!r}")
        for source in question.sources:
            kind, _, doc = source.partition(":")
            if kind == "product":
                if doc not in skus:
                    problems.add(where, f"no product {doc!r} in the catalogue")
            elif kind in ("guide", "policy"):
                if not (CONTENT / FOLDERS[kind] / "en" / f"{doc}.md").exists():
                    problems.add(where, f"no {kind} {doc!r}")
            else:
                problems.add(where, f"source {source!r} must start with guide:, policy: or product:")
        if question.section and question.sources:
            kind, _, doc = question.sources[0].partition(":")
            if kind in ("guide", "policy") and question.section not in headings(kind, doc, question.language):
                problems.add(where, f"{question.sources[0]} in {question.language} has no H2 "
                                    f"{question.section!r}")


def section_index(question: Question) -> int | None:
    """0 for the introduction, n for the n-th H2 of the first source; None when unknown."""
    if not question.sources:
        return None
    kind, _, doc = question.sources[0].partition(":")
    if kind not in ("guide", "policy"):
        return None
    if not question.section:
        return 0
    names = headings(kind, doc, question.language)
    return names.index(question.section) + 1 if question.section in names else None


def coverage(questions: list[Question]) -> dict[str, Any]:
    """Which H2 sections of the guides and policies the new questions reach (any language)."""
    wanted = set()
    for kind in ("guide", "policy"):
        for path in sorted((CONTENT / FOLDERS[kind] / "en").glob("*.md")):
            for n in range(1, len(headings(kind, path.stem, "en")) + 1):
                wanted.add((f"{kind}:{path.stem}", n))
    reached = {(q.sources[0], section_index(q)) for q in questions
               if q.expect == "answer" and not q.origin.startswith("kb-eval") and q.sources}
    missing = sorted(f"{doc}#{n} {headings(*doc.split(':'), 'en')[n - 1]}" for doc, n in wanted - reached)
    return {"sections": len(wanted), "covered": len(wanted & reached), "missing": missing}


def summary(questions: list[Question]) -> dict[str, Any]:
    table: dict[str, dict[str, int]] = {}
    for question in questions:
        if question.origin.startswith("kb-eval"):
            continue
        row = table.setdefault(question.language, {})
        row[question.expect] = row.get(question.expect, 0) + 1
        row["held_out"] = row.get("held_out", 0) + int(question.held_out)
    return table


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("usage: python -m assistant.runtime.eval_set check", file=sys.stderr)
        return 2
    questions, problems = load()
    report = {"new_questions": summary(questions), "coverage": coverage(questions), "problems": problems.items}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if problems.items else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
