"""Proactive notifications through the real processes: the outbox, the worker, Rasa and its channels.

An order marked shipped in the shop database reaches the shopper's connected widget (socket.io) and a
fake Telegram API within 5 seconds, once, in the shopper's language; "stop updates" (the button's payload,
through the real Telegram webhook) stops the next one; a worker killed and started again delivers what
happened meanwhile, once.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List

import pytest
import socketio

from assistant.shop.backend import Shop as Backend
from assistant.shop.backend import ShopConfig
from assistant.shop.storage.models import Customer, Order
from tests.e2e.conftest import AUTH_TOKEN, seed_database, start_stack
from tests.e2e.test_messenger_channels import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    FakePlatformApi,
    Recorded,
    telegram_update,
)

pytestmark = pytest.mark.e2e

CHAT_ID = 777000111
DELIVERY_SECONDS = 5.0


@dataclass
class WidgetInbox:
    """A connected widget: a socket.io client in its session, collecting every bot message."""

    url: str
    client: socketio.SimpleClient = field(default_factory=socketio.SimpleClient)
    messages: List[Dict[str, Any]] = field(default_factory=list)
    session_id: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def connect(self) -> "WidgetInbox":
        self.client.connect(self.url, transports=["polling"])
        self.client.emit("session_request", {})
        name, data = self.client.receive(timeout=15)
        assert name == "session_confirm"
        self.session_id = data["session_id"]
        threading.Thread(target=self._listen, name="widget-inbox", daemon=True).start()
        return self

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                name, data = self.client.receive(timeout=0.5)
            except socketio.exceptions.TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - disconnected
                return
            if name == "bot_uttered" and isinstance(data, dict):
                with self._lock:
                    self.messages.append(data)

    def texts_about(self, order_id: str) -> List[str]:
        with self._lock:
            return [m.get("text", "") for m in self.messages if order_id in str(m.get("text", ""))]

    def close(self) -> None:
        self._stop.set()
        self.client.disconnect()


@dataclass
class System:
    stack: Any
    backend: Backend
    fake: FakePlatformApi
    widget: WidgetInbox
    worker: subprocess.Popen
    customer_id: int
    order_id: str

    def telegram_texts_about(self, order_id: str) -> List[Recorded]:
        return self.fake.since(0, lambda r: r.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
                               and r.json.get("chat_id") == CHAT_ID and order_id in r.json.get("text", ""))

    def tap(self, payload: str) -> None:
        """The shopper taps a button in Telegram (its payload arrives as the message)."""
        import urllib.request

        body = json.dumps(telegram_update(CHAT_ID, payload)).encode()
        request = urllib.request.Request(f"{self.stack.rasa_url}/webhooks/telegram/webhook", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        with urllib.request.urlopen(request, timeout=90) as answer:
            assert answer.status == 200

    def kill_worker(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)
        self.stack.processes.remove(self.worker)

    def event_status(self, kind: str) -> str:
        return next(status for event, status in self.backend.outbox.events_for_order(self.order_id)
                    if event.kind == kind)


def wait_until(check, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    fake = FakePlatformApi().start()
    tmp = tmp_path_factory.mktemp("notifications")
    url = f"sqlite:///{tmp / 'shop.db'}"
    seed_database(url)
    backend = Backend.open(ShopConfig(url))
    with backend.sessions() as session, session.begin():   # a paid order of a Japanese-speaking shopper
        order = session.query(Order).filter(Order.status == "paid").order_by(Order.id).first()
        customer = session.get(Customer, order.customer_id)
        customer.language = "ja"
        order_id, customer_id = order.id, customer.id
    stack, widget = None, None
    try:
        stack = start_stack(tmp, url, with_actions=True, RASA_AUTH_TOKEN=AUTH_TOKEN,
                            TELEGRAM_ACCESS_TOKEN=TELEGRAM_TOKEN, TELEGRAM_BOT_NAME="northwind_shop_bot",
                            TELEGRAM_SECRET_TOKEN=TELEGRAM_SECRET, TELEGRAM_API_URL=fake.url,
                            NOTIFY_QUIET_HOURS="", NOTIFY_POLL_SECONDS="0.3")
        worker = stack.start_notification_worker()
        widget = WidgetInbox(stack.rasa_url).connect()
        # the shopper verified earlier in both places (that links the senders; tests/e2e/test_messenger_channels
        # checks the linking itself)
        backend.identities.link(customer_id, "socketio", widget.session_id)
        backend.identities.link(customer_id, "telegram", f"telegram:{CHAT_ID}")
        yield System(stack, backend, fake, widget, worker, customer_id, order_id)
    finally:
        if widget is not None:
            widget.close()
        if stack is not None:
            stack.stop()
        backend.close()
        fake.stop()


def test_a_shipped_order_reaches_the_widget_and_telegram_within_5_s_once_in_japanese(system: System) -> None:
    result = system.backend.fulfilment.mark_shipped(system.order_id, "DHL", "4455667788")
    assert result.event_recorded
    widget_took = wait_until(lambda: system.widget.texts_about(system.order_id), DELIVERY_SECONDS, "the widget update")
    telegram_took = wait_until(lambda: system.telegram_texts_about(system.order_id), DELIVERY_SECONDS,
                               "the Telegram update")
    assert max(widget_took, telegram_took) < DELIVERY_SECONDS
    time.sleep(2)  # anything doubled would have arrived by now
    [widget_text] = system.widget.texts_about(system.order_id)
    [telegram] = system.telegram_texts_about(system.order_id)
    for text in (widget_text, telegram.json["text"]):
        assert "発送しました" in text and "4455667788" in text and "DHL" in text
    assert telegram.json["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/stop_updates"
    # the message is in the conversation's transcript too
    assert system.event_status("shipped") == "done"


def test_stop_updates_stops_the_next_notification(system: System) -> None:
    start = system.fake.count()
    system.tap("/stop_updates")
    assert not system.backend.notification_preferences.wants_updates(system.customer_id)
    replies = system.fake.since(start, lambda r: r.path.endswith("/sendMessage"))
    assert replies, "the shopper gets a confirmation"
    eta = system.backend.orders.get_order(system.order_id).estimated_delivery
    from datetime import timedelta

    assert system.backend.fulfilment.mark_delayed(system.order_id, eta + timedelta(days=3)).event_recorded
    wait_until(lambda: system.event_status("delayed") == "done", 10, "the worker handling the delay")
    assert [t for t in system.widget.texts_about(system.order_id) if "遅れ" in t] == []
    assert [r for r in system.telegram_texts_about(system.order_id) if "遅れ" in r.json["text"]] == []
    assert system.backend.outbox.emails_for(system.customer_id) == []
    system.tap("/start_updates")
    assert system.backend.notification_preferences.wants_updates(system.customer_id)


def test_a_restarted_worker_loses_nothing_and_sends_nothing_twice(system: System) -> None:
    system.kill_worker()
    assert system.backend.fulfilment.mark_delivered(system.order_id).event_recorded
    time.sleep(1.5)
    assert [t for t in system.widget.texts_about(system.order_id) if "お届けしました" in t] == []
    system.worker = system.stack.start_notification_worker()
    wait_until(lambda: [t for t in system.widget.texts_about(system.order_id) if "お届けしました" in t],
               15, "the delivered update after the restart")
    # Telegram: shipped, then (the delay was not sent) delivered; in the language the chat now speaks
    wait_until(lambda: len(system.telegram_texts_about(system.order_id)) >= 2, 15,
               "the Telegram delivered update after the restart")
    time.sleep(2)
    assert len([t for t in system.widget.texts_about(system.order_id) if "お届けしました" in t]) == 1
    assert len(system.telegram_texts_about(system.order_id)) == 2
    assert len([t for t in system.widget.texts_about(system.order_id) if "発送しました" in t]) == 1  # not re-sent
    assert system.event_status("delivered") == "done"
