"""The attack suite's own running system: action server, Rasa and console on free ports, over a fresh
demo shop (the same helpers as the end-to-end tests)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import AUTH_TOKEN, Shop, seed_database, start_stack

# The messenger channels are on, so their webhooks can be attacked; their platform APIs point at a
# closed port (a reply that cannot be delivered is logged, never a crash).
DEAD_API = "http://127.0.0.1:9"
MESSENGERS = {
    "TELEGRAM_ACCESS_TOKEN": "123456:test-token", "TELEGRAM_BOT_NAME": "northwind_shop_bot",
    "TELEGRAM_SECRET_TOKEN": "telegram-secret", "TELEGRAM_API_URL": DEAD_API,
    "FACEBOOK_VERIFY_TOKEN": "verify-me", "FACEBOOK_APP_SECRET": "facebook-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token", "FACEBOOK_GRAPH_URL": DEAD_API,
    "TWILIO_ACCOUNT_SID": "AC0123456789", "TWILIO_AUTH_TOKEN": "twilio-auth-token", "TWILIO_NUMBER": "+15550000000",
    "TWILIO_WEBHOOK_URL": "https://shop.example.test/webhooks/twilio/webhook", "TWILIO_API_URL": DEAD_API,
}


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    tmp = tmp_path_factory.mktemp("target")
    url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(url)
    stack = start_stack(tmp, url, with_console=True, RASA_AUTH_TOKEN=AUTH_TOKEN, **MESSENGERS)
    yield Shop(stack, url)
    stack.stop()
