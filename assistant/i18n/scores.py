"""Scores typed in answer to a survey question, in any of the shop's languages.

``parse_score`` reads "9", "９", "7分", "10点", "8 / 10", "9 out of 10", "8点です" or "skip" /
"跳过" / "スキップ", and nothing else: a sentence that merely contains a number ("order 9 arrived
late") is not a score. Whether the number is inside the question's range is the caller's check,
so "12" parses (as 12) and gets a clear "please choose 0 to 10".

Plain standard library: the Rasa process (turning a typed answer into the ``survey`` intent) and
the action server (storing it) share this one definition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

__all__ = ["MAX_SCORE_DIGITS", "SKIP", "ScoreAnswer", "parse_score"]

SKIP = "skip"
MAX_SCORE_DIGITS = 3  # "100" parses (and is out of range); longer digit runs are not scores

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
# what may follow the number: a scale ("/ 10", "out of 7", "分", "点", "點", "points"), politeness
_SCORE = re.compile(
    r"^\s*(?:(?:i(?:'d)?\s+(?:give|say|rate)(?:\s+(?:it|you|us))?|my\s+score\s+is|score)\s*:?\s*)?"
    r"(\d{1,%d})\s*"
    r"(?:(?:/|out\s+of|of)\s*\d{1,2}\s*)?"
    r"(?:分|点|點|ポイント|points?|pts?|stars?|星)?\s*"
    r"(?:です|だ|吧|吧。|です。|啦)?\s*[.!。！～~]*\s*$" % MAX_SCORE_DIGITS,
    re.IGNORECASE,
)
_SKIP = re.compile(
    r"^\s*(?:skip(?:\s+(?:it|this|the\s+question|survey))?|no\s+score|pass|rather\s+not(?:\s+say)?|"
    r"跳过|跳過|略过|略過|不评分|不評分|不打分|下次吧|"
    r"スキップ|スキップします|回答しない|答えない|パス)\s*[.!。！]*\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScoreAnswer:
    """A typed answer: a score (maybe out of range) or a skip."""

    score: Optional[int] = None
    skipped: bool = False


def parse_score(text: object) -> Optional[ScoreAnswer]:
    """The score or skip ``text`` says, or None when it is not an answer to a rating question."""
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        return None
    value = str(text).translate(_FULL_WIDTH)
    if len(value) > 80:
        return None
    if _SKIP.match(value):
        return ScoreAnswer(skipped=True)
    match = _SCORE.match(value)
    if match is None:
        return None
    return ScoreAnswer(score=int(match.group(1)))
