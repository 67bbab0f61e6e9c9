from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.commerce.policy import DEFAULT_POLICY_FILE, load_policy

POLICY_FILE = Path(__file__).resolve().parents[4] / "assistant" / "shop" / "commerce" / "policy.yml"


def write_policy(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_shipped_policy_values(policy) -> None:
    assert policy.return_window_days == 30
    assert policy.final_sale_refundable is False
    assert policy.refund_processing_days == 5
    assert dict(policy.handling_days) == {"pending": 3, "paid": 1}
    assert set(policy.carriers) == {"UPS", "DHL", "FedEx", "USPS"}
    assert policy.cancellable_statuses == ("pending", "paid")
    assert policy.address_change_statuses == ("pending", "paid")
    assert policy.max_verification_attempts == 3
    assert policy.cancellation_fee == Decimal("0.00")
    assert {"US", "DE", "GB", "JP", "CN", "TW"} <= set(policy.supported_countries)
    text = policy.refund_policy_text
    assert "30 days" in text and "5 business days" in text and "Final-sale" in text and "{" not in text


def test_policy_is_frozen(policy) -> None:
    with pytest.raises(AttributeError):
        policy.return_window_days = 60  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.handling_days["paid"] = 9  # type: ignore[index]


def test_tracking_url_per_carrier(policy) -> None:
    ups = policy.tracking_url("UPS", "1Z999AA10123456784")
    assert ups == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert policy.tracking_url("fedex", "123456789012").endswith("123456789012")
    assert policy.tracking_url("Pigeon", "1") is None
    assert policy.tracking_url("UPS", None) is None


def test_load_policy_caches_per_path_and_reloads_changes(tmp_path: Path) -> None:
    path = write_policy(tmp_path)
    first = load_policy(path)
    assert load_policy(str(path)) is first
    path.write_text(path.read_text().replace("return_window_days: 30", "return_window_days: 14"))
    import os
    os.utime(path, ns=(1, 1))
    assert load_policy(path).return_window_days == 14


def test_the_shop_uses_the_policy_file_it_is_given(tmp_path: Path) -> None:
    path = write_policy(tmp_path, return_window_days=45)
    shop = Shop.open(ShopConfig(f"sqlite:///{tmp_path / 'shop.db'}", policy_file=path))
    try:
        assert shop.policy.return_window_days == 45
        assert shop.orders.policy is shop.policy and shop.refunds.policy is shop.policy
        assert shop.attempts.max_attempts == shop.policy.max_verification_attempts
    finally:
        shop.close()
    assert load_policy().source == DEFAULT_POLICY_FILE.resolve()  # the demo shop's rules by default


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"return_window_days": ...}, "return_window_days"),
        ({"return_window_days": "thirty"}, "return_window_days"),
        ({"return_window_days": 0}, "return_window_days"),
        ({"final_sale_refundable": "no"}, "final_sale_refundable"),
        ({"handling_days": {"pending": 3, "lost": 1}}, "handling_days.lost"),
        ({"carriers": {"UPS": {"transit_days": 4, "tracking_url": "https://ups.example/"}}},
         "carriers.UPS.tracking_url"),
        ({"carriers": {"UPS": {"tracking_url": "https://ups.example/{tracking}"}}},
         "carriers.UPS.transit_days"),
        ({"cancellable_statuses": ["pending", "teleported"]}, "cancellable_statuses"),
        ({"supported_countries": ["DE", "germany"]}, "supported_countries"),
        ({"max_verification_attempts": -1}, "max_verification_attempts"),
        ({"cancellation_fee": "free"}, "cancellation_fee"),
        ({"refund_window": 30}, "refund_window"),
        ({"summary": {"refund_policy_text": "x"}}, "summary.cancellation_policy_text"),
        ({"cancellation_fee_text": "within {nonexistent} days"}, "cancellation_fee_text"),
    ],
)
def test_malformed_policy_names_the_bad_key(tmp_path: Path, changes: dict, key: str) -> None:
    path = write_policy(tmp_path, **changes)
    with pytest.raises(ValueError) as error:
        load_policy(path)
    assert f"'{key}'" in str(error.value)
    assert str(path) in str(error.value)


def test_missing_and_unparsable_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_policy(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("return_window_days: [30\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_policy(bad)
    listing = tmp_path / "list.yml"
    listing.write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match="mapping"):
        load_policy(listing)
