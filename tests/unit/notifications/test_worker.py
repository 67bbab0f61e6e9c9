"""The notification worker in-process, against a fake Rasa HTTP API and the small test shop."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assistant.notifications.rasa_api import (
    ConversationState,
    RasaRefused,
    RasaUnavailable,
    conversation_state,
)
from assistant.notifications.worker import NotificationWorker, WorkerConfig, masked_email
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.notifications.rules import QuietHours
from tests.asyncio_thread import run_async
from tests.unit.shop_fixtures import NOW, standard_shop

WEB = "web:" + "ab" * 16


class Crash(BaseException):
    """The worker process dies right after Rasa took the message (not an Exception: nothing catches it)."""


@dataclass
class FakeRasa:
    conversations: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False
    crash_after_send: bool = False
    refuse: str = ""  # "conversation" or "deliver": that call gets a 4xx

    async def conversation(self, conversation_id: str) -> ConversationState:
        if self.down:
            raise RasaUnavailable("Rasa is not reachable")
        if self.refuse == "conversation":
            raise RasaRefused("Rasa answered 404: no such conversation")
        info = self.conversations.get(conversation_id, {})
        ids = frozenset(m["metadata"]["notification"]["delivery"] for m in self.sent
                        if m["conversation"] == conversation_id)
        return ConversationState(info.get("language"), info.get("last_user_at"), ids)

    async def deliver(self, conversation_id: str, channel: str, text: str, buttons: list[dict[str, str]],
                      metadata: dict[str, Any]) -> None:
        if self.down:
            raise RasaUnavailable("Rasa is not reachable")
        if self.refuse == "deliver":
            raise RasaRefused("Rasa answered 400: bad event")
        self.sent.append({"conversation": conversation_id, "channel": channel, "text": text, "buttons": buttons,
                          "metadata": metadata})
        if self.crash_after_send:
            raise Crash()


@pytest.fixture()
def shop(tmp_path: Path) -> Shop:
    standard_shop(tmp_path).engine.dispose()
    opened = Shop.open(ShopConfig(f"sqlite:///{tmp_path / 'db' / 'shop.db'}"))
    yield opened
    opened.close()


def worker(shop: Shop, rasa: FakeRasa, quiet: str = "", name: str = "w1", **config: Any) -> NotificationWorker:
    return NotificationWorker(shop.outbox, shop.notification_preferences, rasa,
                              WorkerConfig(quiet_hours=QuietHours.parse(quiet, "UTC"), **config), name=name)


def link(shop: Shop, channel: str, conversation: str, when: datetime = NOW) -> None:
    shop.identities.link(1, channel, conversation, now=when)


def ship(shop: Shop, order: str = "SO100002") -> None:
    assert shop.fulfilment.mark_shipped(order, "UPS", "1Z999AA10123456784", now=NOW).event_recorded


def test_a_shipped_order_reaches_each_linked_conversation_once_in_its_language(shop: Shop) -> None:
    link(shop, "socketio", WEB)
    link(shop, "telegram", "telegram:4242")
    rasa = FakeRasa({"telegram:4242": {"language": "ja", "last_user_at": NOW - timedelta(hours=1)}})
    ship(shop)
    assert run_async(worker(shop, rasa).run_once(NOW)) == 1
    by_conversation = {m["conversation"]: m for m in rasa.sent}
    assert set(by_conversation) == {WEB, "telegram:4242"}
    assert "has shipped with UPS" in by_conversation[WEB]["text"]            # the customer's language: en
    assert "発送しました" in by_conversation["telegram:4242"]["text"]            # the conversation's language
    assert by_conversation[WEB]["buttons"] == [{"title": "Stop updates", "payload": "/stop_updates"}]
    assert by_conversation["telegram:4242"]["channel"] == "telegram"
    [(event, status)] = shop.outbox.events_for_order("SO100002")
    assert status == "done"
    # nothing is due any more: a second round sends nothing
    assert run_async(worker(shop, rasa).run_once(NOW + timedelta(minutes=5))) == 0
    assert len(rasa.sent) == 2
    assert shop.outbox.emails_for(1) == []


def test_a_worker_that_dies_after_sending_never_sends_twice(shop: Shop) -> None:
    link(shop, "telegram", "telegram:4242")
    rasa = FakeRasa(crash_after_send=True)
    ship(shop)
    with pytest.raises(Crash):
        run_async(worker(shop, rasa, name="first").run_once(NOW))
    assert len(rasa.sent) == 1
    rasa.crash_after_send = False
    # a restarted worker waits for the dead one's lease, then finds the message in the transcript
    assert run_async(worker(shop, rasa, name="second").run_once(NOW + timedelta(seconds=10))) == 0
    assert run_async(worker(shop, rasa, name="second").run_once(NOW + timedelta(seconds=61))) == 1
    assert len(rasa.sent) == 1
    [event_status] = shop.outbox.events_for_order("SO100002")
    assert event_status[1] == "done"
    [delivery] = shop.outbox.deliveries(event_status[0].id)
    assert (delivery.status, delivery.reason) == ("delivered", "found in the transcript")


def test_rasa_down_means_try_again_later_and_nothing_is_lost(shop: Shop) -> None:
    link(shop, "telegram", "telegram:4242")
    rasa = FakeRasa(down=True)
    ship(shop)
    run_async(worker(shop, rasa).run_once(NOW))
    assert rasa.sent == [] and shop.outbox.events_for_order("SO100002")[0][1] == "pending"
    rasa.down = False
    assert run_async(worker(shop, rasa).run_once(NOW + timedelta(seconds=2))) == 0   # backing off
    assert run_async(worker(shop, rasa).run_once(NOW + timedelta(seconds=6))) == 1
    assert len(rasa.sent) == 1 and shop.outbox.emails_for(1) == []


@pytest.mark.parametrize("call, status, reason", [
    ("conversation", "skipped", "Rasa answered 404: no such conversation"),
    ("deliver", "failed", "Rasa answered 400: bad event"),
])
def test_a_refused_call_is_not_retried(shop: Shop, call: str, status: str, reason: str) -> None:
    """RasaRefused is a RasaUnavailable too (the console shows both alike); the worker tells them apart."""
    link(shop, "telegram", "telegram:4242")
    ship(shop)
    run_async(worker(shop, FakeRasa(refuse=call)).run_once(NOW))
    [(event, _)] = shop.outbox.events_for_order("SO100002")
    [delivery] = [d for d in shop.outbox.deliveries(event.id) if d.target == "telegram|telegram:4242"]
    assert (delivery.status, delivery.reason) == (status, reason)


def test_an_opted_out_customer_gets_nothing_not_even_email(shop: Shop) -> None:
    link(shop, "telegram", "telegram:4242")
    shop.notification_preferences.set(1, False, via="telegram")
    rasa = FakeRasa()
    ship(shop)
    run_async(worker(shop, rasa).run_once(NOW))
    assert rasa.sent == [] and shop.outbox.emails_for(1) == []
    assert shop.outbox.events_for_order("SO100002")[0][1] == "done"


def test_without_a_reachable_chat_the_update_is_emailed_and_logged_masked(shop: Shop, caplog) -> None:
    link(shop, "rest", "shopper-1")                                   # REST cannot be pushed to
    link(shop, "twilio", "whatsapp:+4915112345678", NOW - timedelta(days=3))  # outside the window, no template
    rasa = FakeRasa({"whatsapp:+4915112345678": {"last_user_at": NOW - timedelta(days=3)}})
    ship(shop)
    with caplog.at_level(logging.INFO):
        run_async(worker(shop, rasa).run_once(NOW))
    assert rasa.sent == []
    [(to, subject, body)] = shop.outbox.emails_for(1)
    assert to == "jane.doe@example.com" and "SO100002" in subject and "stop updates" in body
    assert "j•••@example.com" in caplog.text and "jane.doe@example.com" not in caplog.text
    statuses = {d.target: d.status for d in shop.outbox.deliveries(shop.outbox.events_for_order("SO100002")[0][0].id)}
    assert statuses == {"rest|shopper-1": "skipped", "twilio|whatsapp:+4915112345678": "skipped",
                        "email": "delivered"}


def test_messenger_and_whatsapp_outside_the_window_use_a_tag_and_a_template(shop: Shop) -> None:
    old = NOW - timedelta(days=2)
    link(shop, "facebook", "facebook:1234567", old)
    link(shop, "twilio", "whatsapp:+4915112345678", old)
    rasa = FakeRasa({c: {"last_user_at": old} for c in ("facebook:1234567", "whatsapp:+4915112345678")})
    ship(shop)
    run_async(worker(shop, rasa, whatsapp_template="HXb5b62575e6e4ff6129ad7c8efe1f983e").run_once(NOW))
    meta = {m["conversation"]: m["metadata"] for m in rasa.sent}
    assert meta["facebook:1234567"]["messenger_tag"] == "POST_PURCHASE_UPDATE"
    template = meta["whatsapp:+4915112345678"]["whatsapp_template"]
    assert template["sid"] == "HXb5b62575e6e4ff6129ad7c8efe1f983e" and template["variables"]["1"] == "SO100002"


def test_quiet_hours_hold_a_shipment_but_not_a_delay(shop: Shop) -> None:
    link(shop, "telegram", "telegram:4242")
    rasa = FakeRasa()
    ship(shop)
    night = NOW.replace(hour=23)
    run_async(worker(shop, rasa, quiet="21:00-08:00").run_once(night))
    assert rasa.sent == []
    shop.fulfilment.mark_delayed("SO100003", (NOW + timedelta(days=20)).date(), now=night)
    run_async(worker(shop, rasa, quiet="21:00-08:00").run_once(night))
    assert [m["metadata"]["notification"]["kind"] for m in rasa.sent] == ["delayed"]
    run_async(worker(shop, rasa, quiet="21:00-08:00").run_once(NOW.replace(hour=8) + timedelta(days=1)))
    assert [m["metadata"]["notification"]["kind"] for m in rasa.sent] == ["delayed", "shipped"]


def test_the_tracker_reader_finds_language_last_message_and_delivered_notifications() -> None:
    tracker = {"slots": {"language": "zh-Hant"}, "events": [
        {"event": "user", "timestamp": 1741773600.0},
        {"event": "bot", "metadata": {"notification": {"delivery": 7}}},
        {"event": "bot", "metadata": {"notification": {"delivery": "8"}}},  # not ours: ids are integers
        "junk"]}
    state = conversation_state(tracker)
    assert state.language == "zh-Hant" and state.notification_deliveries == frozenset({7})
    assert state.last_user_at is not None and state.last_user_at.year == 2025
    assert conversation_state({}).last_user_at is None


def test_masked_email() -> None:
    assert masked_email("jane.doe@example.com") == "j•••@example.com"
    assert masked_email("nonsense") == "•••"


def test_after_the_last_attempt_the_update_is_given_up_and_emailed(shop: Shop) -> None:
    link(shop, "telegram", "telegram:4242")
    rasa = FakeRasa()
    ship(shop)
    moment = NOW
    rasa.down = True
    for _ in range(12):
        moment += timedelta(minutes=10)
        run_async(worker(shop, rasa).run_once(moment))
    [(event, status)] = shop.outbox.events_for_order("SO100002")
    assert status == "done" and rasa.sent == []
    assert len(shop.outbox.emails_for(1)) == 1
    assert {d.target: d.status for d in shop.outbox.deliveries(event.id)} == {"email": "delivered"}
