"""Typed survey scores in the four languages (assistant/i18n/scores.py)."""
from __future__ import annotations

import pytest

from assistant.i18n.scores import ScoreAnswer, parse_score


@pytest.mark.parametrize(("text", "score"), [
    ("9", 9), (" 10 ", 10), ("0", 0), ("7.", 7), ("8/10", 8), ("8 / 10", 8), ("9 out of 10", 9),
    ("I'd give it 9", 9), ("score: 6", 6), ("5 points", 5), ("12", 12), ("100", 100),    # en (12: out of range later)
    ("７分", 7), ("10点", 10), ("8分吧", 8), ("９", 9), ("６ / ７", 6),                  # zh-Hans, full width
    ("10點", 10), ("7分！", 7),                                                          # zh-Hant
    ("８", 8), ("8点です", 8), ("10点です。", 10), ("５ポイント", 5),                     # ja
])
def test_a_score_in_any_language(text: str, score: int) -> None:
    assert parse_score(text) == ScoreAnswer(score=score)


@pytest.mark.parametrize("text", ["skip", "Skip it", "no score", "跳过", "跳過", "略過", "不评分", "スキップ", "パス"])
def test_a_skip_in_any_language(text: str) -> None:
    assert parse_score(text) == ScoreAnswer(skipped=True)


@pytest.mark.parametrize("text", [
    "", "nine", "order 9 arrived late", "SO123456", "1234", "-1", "9.5", "where is my order", "/survey",
    "9 and 10", "我的订单9", "注文は9個", "9" * 200, None, 3.5, True, ["9"], {"score": 9},
])
def test_anything_else_is_not_a_score(text: object) -> None:
    assert parse_score(text) is None


def test_an_integer_value_from_an_entity() -> None:
    assert parse_score(7) == ScoreAnswer(score=7)
