from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.shop.commerce.policy import Policy, load_policy
from tests.unit.shop_fixtures import ShopDB, standard_shop


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The shipped policy.yml (tests assert its documented defaults: 30-day window, 3 attempts...)."""
    return load_policy(Path(__file__).resolve().parents[2] / "assistant" / "shop" / "commerce" / "policy.yml")


@pytest.fixture()
def shop(tmp_path: Path) -> Iterator[ShopDB]:
    built = standard_shop(tmp_path)
    yield built
    built.engine.dispose()
