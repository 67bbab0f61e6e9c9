from __future__ import annotations

import pytest

from actions.shop.orders import canonical_order_id, normalize_order_id


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
