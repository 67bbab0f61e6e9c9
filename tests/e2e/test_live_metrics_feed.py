"""The console's live metrics on this machine's real RabbitMQ: Rasa-shaped events published to Rasa's fanout
exchange come back through the real console application's ``GET /api/metrics/live``.

No Rasa process is needed: the test publishes what Rasa's Pika broker publishes (the same exchange, declared
the same way, the same JSON). Marker ``rabbitmq``: skipped when RabbitMQ is not reachable, failed under
``CI=true``. Other processes on the machine may publish to the same exchange while this runs (the scale-out
test, a developer's Rasa), so the checks count this test's own intent exactly and everything else as at least.
See README "Deployment and scale-out" and "Human handoff and the support console".
"""
from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from assistant.console.app import create_app
from assistant.console.event_feed import EXCHANGE, EXCHANGE_DECLARATION
from tests.asyncio_thread import run_async
from tests.unit.console.test_event_feed import console_settings

pytestmark = pytest.mark.rabbitmq

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"  # as tests/e2e/test_scale_out.py
QUEUE = "shop_console_events_test"  # fixed, so a killed run leaves nothing behind after the next one


def rabbitmq_channel() -> Any:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL + "?connection_attempts=1&socket_timeout=3"))
    return connection.channel()


def delete_queue() -> None:
    channel = rabbitmq_channel()
    channel.queue_delete(QUEUE)
    channel.connection.close()


def publish(bodies: list[bytes]) -> None:
    """Publishes as Rasa's PikaEventBroker does: to the fanout exchange, persistent, routing key ''."""
    import pika

    channel = rabbitmq_channel()
    channel.exchange_declare(EXCHANGE, **EXCHANGE_DECLARATION)  # RabbitMQ refuses it if Rasa's differs
    for body in bodies:
        channel.basic_publish(EXCHANGE, "", body, pika.BasicProperties(delivery_mode=2))
    channel.connection.close()


@pytest.fixture()
def broker() -> Iterator[None]:
    try:
        rabbitmq_channel().connection.close()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        reason = f"RabbitMQ on 127.0.0.1:5672 (guest/guest) is not reachable ({type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; required under CI=true")
        pytest.skip(reason)
    delete_queue()  # what a killed run left, if anything
    yield
    delete_queue()


def conversation(run: str, index: int, start: float, reply_after: float) -> list[dict[str, Any]]:
    """One shopper turn as Rasa publishes it: user, language slot, action, bot reply, action_listen."""
    sender = f"live-{run}-{index}"
    base = {"sender_id": sender}
    text = "where is my order SO100003? jane.doe@example.com"
    return [
        {**base, "event": "session_started", "timestamp": start - 0.01},
        {**base, "event": "user", "timestamp": start, "text": text, "input_channel": "socketio",
         "message_id": uuid.uuid4().hex, "metadata": {"language": "ja"},
         "parse_data": {"intent": {"name": f"live_test_{run}", "confidence": 0.97}, "entities": [],
                        "text": text, "intent_ranking": []}},
        {**base, "event": "slot", "timestamp": start + 0.01, "name": "language", "value": "ja"},
        {**base, "event": "action", "timestamp": start + 0.02, "name": "action_check_order_status",
         "policy": "RulePolicy", "confidence": 1.0},
        {**base, "event": "bot", "timestamp": start + reply_after, "text": "Your order shipped.", "data": {},
         "metadata": {"utter_action": "utter_order_status"}},
        {**base, "event": "action", "timestamp": start + reply_after + 0.01, "name": "action_listen"},
    ]


async def live_until(client: TestClient, headers: dict[str, str], done: Callable[[dict], bool],
                     seconds: float = 20) -> dict:
    deadline = time.monotonic() + seconds
    body: dict = {}
    while time.monotonic() < deadline:
        response = await client.get("/api/metrics/live", headers=headers)
        assert response.status == 200
        body = await response.json()
        if done(body):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"the live figures never got there: {json.dumps(body)[:2000]}")


def own_intent(body: dict, run: str) -> int:
    return next((row["count"] for row in body.get("top_intents", []) if row["intent"] == f"live_test_{run}"), 0)


def queue_depth() -> int:
    channel = rabbitmq_channel()
    depth = channel.queue_declare(QUEUE, passive=True).method.message_count
    channel.connection.close()
    return depth


def test_events_published_to_rasas_exchange_reach_the_live_metrics(broker: None, tmp_path: Path) -> None:
    settings, token = console_settings(tmp_path, RABBITMQ_URL=RABBITMQ_URL, CONSOLE_EVENTS_QUEUE=QUEUE)
    headers = {"Authorization": f"Bearer {token}"}
    run = uuid.uuid4().hex[:8]
    conversations = 20
    now = time.time()
    events = [e for index in range(conversations)
              for e in conversation(run, index, now - 120 + index, reply_after=0.5 + index * 0.1)]
    bodies = [json.dumps(e).encode() for e in events] + [b"not json", b'{"event": "user"}']  # two malformed

    async def main() -> None:
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            began = time.monotonic()
            ready = await live_until(client, headers, lambda b: b["available"])
            connect_seconds = time.monotonic() - began
            assert ready["queue"] == QUEUE and ready["broker"] == "127.0.0.1:5672 (virtual host /)"

            began = time.monotonic()
            await asyncio.to_thread(publish, bodies)
            body = await live_until(client, headers, lambda b: own_intent(b, run) == conversations
                                    and b["malformed_events"] >= 2 and b["events_received"] >= len(bodies))
            consume_seconds = time.monotonic() - began
            print("\nlive metrics feed:", json.dumps({"connect_s": round(connect_seconds, 2),
                                                      "events": len(bodies),
                                                      "published_to_counted_s": round(consume_seconds, 2),
                                                      "others_publishing": body["events_received"] != len(bodies)}))
            assert body["source"] == "rabbitmq" and body["available"] is True and body["reason"] is None
            assert body["shopper_messages"] >= conversations and body["bot_replies"] >= conversations
            assert body["sessions_started"] >= conversations
            active = body["active_conversations"]
            assert active["last_15_minutes"] >= conversations
            languages = {row["language"]: row["conversations"] for row in active["by_language"]}
            assert languages.get("ja", 0) >= conversations
            reply = body["reply_time_seconds"]
            assert reply["measured"] >= conversations
            if body["events_received"] == len(bodies):  # nobody else published meanwhile: exact figures
                assert reply["median"] == pytest.approx(1.4, abs=0.01)  # 0.5 .. 2.4 s: nearest rank, 10th
                assert reply["p95"] == pytest.approx(2.3, abs=0.01)
                assert body["fallback_rate"] == 0 and body["handoffs_started"] == 0
            assert sum(m["shopper_messages"] for m in body["per_minute"]) == body["shopper_messages"]
            shown = json.dumps(body)
            assert "jane.doe" not in shown and f"live-{run}" not in shown  # no text, no conversation id
            assert queue_depth() == 0  # every message acknowledged, the malformed ones too

            page = await client.get("/metrics", headers=headers)
            html = await page.text()
            assert page.status == 200 and "connected since" in html and f"live_test_{run}" in html

            # the queue disappears under the consumer (as after a broker restart without it): it re-declares
            # its queue, binds it again and goes on counting
            await asyncio.to_thread(delete_queue)
            began = time.monotonic()
            await live_until(client, headers, lambda b: not b["available"] or b["connected_since"] !=
                             ready["connected_since"], seconds=10)
            await live_until(client, headers, lambda b: b["available"], seconds=15)
            reconnect_seconds = time.monotonic() - began
            later = [e for index in range(conversations, conversations + 5)
                     for e in conversation(run, index, time.time() - 5, reply_after=1.0)]
            await asyncio.to_thread(publish, [json.dumps(e).encode() for e in later])
            await live_until(client, headers, lambda b: own_intent(b, run) == conversations + 5)
            print("live metrics feed:", json.dumps({"reconnect_s": round(reconnect_seconds, 2)}))
        finally:
            await client.close()

    run_async(main())
