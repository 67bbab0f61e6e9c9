from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant.shop.commerce import order_ids
from assistant.shop.commerce.order_ids import canonical_order_id, normalize_order_id


@pytest.mark.parametrize(
    "text",
    [
        "SO482913", "so482913", "So482913", "SO-482913", "SO 482913", "#SO482913", "#482913", "482913",
        "ＳＯ４８２９１３", "＃４８２９１３", "my order is SO-482913, thanks", "where is order #482913?",
        "订单号482913到哪了", "注文番号はSO482913です", "(SO482913)", "order so - 482913",
    ],
)
def test_normalize_order_id_accepts_common_forms(text: str) -> None:
    assert normalize_order_id(text) == "SO482913"


@pytest.mark.parametrize(
    "text",
    [
        "", None, "hello", "SO48291", "4829", "1234567", "SO4829134", "AB482913", "482913x",
        "call me on 0151 4829135", "SO-48-29-13",
    ],
)
def test_normalize_order_id_rejects_other_text(text: str | None) -> None:
    assert normalize_order_id(text) is None


def test_prefixed_id_wins_over_bare_digits() -> None:
    assert normalize_order_id("zip 123456, order SO654321") == "SO654321"


def test_canonical_order_id_passes_unknown_shapes_through_upper_cased() -> None:
    assert canonical_order_id("so-482913") == "SO482913"
    assert canonical_order_id(" xyz ") == "XYZ"


# ---- one source: the Rasa files repeat the format, and must agree with order_ids -------------------

REPO = Path(__file__).resolve().parents[4]


def test_the_regex_entity_extractor_uses_the_order_id_patterns() -> None:
    data = yaml.safe_load((REPO / "nlu_data" / "train" / "regex_entities.yml").read_text(encoding="utf-8"))
    regex = next(item for item in data["nlu"] if item.get("regex") == "order_id")
    examples = [line.strip()[2:] for line in regex["examples"].splitlines() if line.strip().startswith("- ")]
    assert tuple(examples) == order_ids.RASA_REGEXES


def test_the_entity_filter_keeps_exactly_order_id_shapes() -> None:
    config = yaml.safe_load((REPO / "assistant" / "config.yml").read_text(encoding="utf-8"))
    step = next(c for c in config["pipeline"] if c["name"].endswith("PatternEntityFilter"))
    assert step["patterns"]["order_id"] == order_ids.ENTITY_PATTERN


def test_every_form_of_an_order_number_matches_all_patterns() -> None:
    for text in ("SO482913", "so-482913", "#SO482913", "ＳＯ４８２９１３", "482913", "#482913", "SO 482913"):
        assert order_ids.normalize_order_id(text) == "SO482913"
        assert re.fullmatch(order_ids.ENTITY_PATTERN, text), text
        assert any(re.fullmatch(p, text) for p in order_ids.RASA_REGEXES), text
        assert re.search(order_ids.TOKEN_PATTERN, f"订单{text}到了吗"), text
    assert order_ids.format_order_id(482913) == "SO482913"
