"""Live metrics from Rasa's broker events: the aggregation on event dicts (a fake clock), the consumer's
handling of bad messages, and the console without RabbitMQ (unset, or configured but down).

The real broker is exercised in tests/e2e/test_live_metrics_feed.py.
"""
from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from assistant.console import event_feed, live_metrics
from assistant.console.app import create_app
from assistant.console.event_feed import EXCHANGE_DECLARATION, EventFeed, describe_broker, queue_arguments
from assistant.console.live_metrics import LiveMetrics, weighted_quantiles
from assistant.runtime.settings import get_settings
from assistant.shop.backend import Shop, ShopConfig
from tests.asyncio_thread import run_async
from tests.unit.shop_fixtures import standard_shop

START = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC, a minute boundary


class Clock:
    def __init__(self, now: float = START + 3600 + 45) -> None:  # 45 s into a minute
        self.now = now

    def __call__(self) -> float:
        return self.now


def event(kind: str, sender: str, at: float, **fields: Any) -> dict[str, Any]:
    return {"event": kind, "sender_id": sender, "timestamp": at, **fields}


def user(sender: str, at: float, intent: str = "greet", text: str = "hello there",
         channel: str = "socketio", **fields: Any) -> dict[str, Any]:
    fields.setdefault("metadata", {})
    return event("user", sender, at, text=text, input_channel=channel,
                 parse_data={"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text},
                 **fields)


def bot(sender: str, at: float, text: str = "Hi! How can I help?", **metadata: Any) -> dict[str, Any]:
    return event("bot", sender, at, text=text, data={}, metadata=metadata)


def slot(sender: str, at: float, name: str, value: Any) -> dict[str, Any]:
    return event("slot", sender, at, name=name, value=value)


def action(sender: str, at: float, name: str) -> dict[str, Any]:
    return event("action", sender, at, name=name, policy="RulePolicy", confidence=1.0)


def feed(metrics: LiveMetrics, *events: dict[str, Any]) -> None:
    for item in events:
        assert metrics.observe(item), item


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def metrics(clock: Clock) -> LiveMetrics:
    return LiveMetrics(clock=clock)


# ---- counts per minute --------------------------------------------------------------------------------


def test_messages_and_replies_land_in_their_minute_over_a_sixty_minute_window(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 30), bot("a", now - 29), bot("a", now - 29),  # two utterances in one turn
         user("b", now - 125), bot("b", now - 124),
         user("c", now - 59 * 60 - 10),  # the window's first minute
         user("d", now - 60 * 60 - 1),  # before the window: ignored
         user("e", now + 120))  # ahead of the console's clock: counts as now
    figures = metrics.snapshot()
    assert len(figures.per_minute) == 60
    assert figures.per_minute[-1].minute.timestamp() == now - now % 60
    counts = [(m.shopper_messages, m.bot_replies) for m in figures.per_minute]
    assert counts[-1] == (2, 2)  # a and e; a's two utterances
    assert counts[-3] == (1, 1)  # b, two minutes ago
    assert counts[0] == (1, 0)
    assert sum(m for m, _ in counts) == figures.shopper_messages == 4
    assert figures.bot_replies == 3


def test_figures_leave_the_window_as_time_passes(metrics, clock) -> None:
    feed(metrics, user("a", clock.now - 10), bot("a", clock.now - 9), slot("a", clock.now - 9, "handoff_active", True))
    assert metrics.snapshot().shopper_messages == 1
    clock.now += 61 * 60
    figures = metrics.snapshot()
    assert (figures.shopper_messages, figures.bot_replies, figures.handoffs_started) == (0, 0, 0)
    assert figures.active_15_minutes == 0 and figures.replies_measured == 0
    assert not metrics._conversations  # idle conversations are forgotten with the window


def test_system_triggered_messages_agents_and_notifications_are_not_shopper_messages_or_bot_replies(
        metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 50, intent="handoff_resolved", text="EXTERNAL: handoff_resolved"),
         user("b", now - 50, metadata={"is_external": True}),
         bot("a", now - 40, text="Thanks, Alice here", agent={"name": "Alice"}, handoff="message"),
         bot("c", now - 30, text="Your order shipped", notification={"event": 1, "delivery": 2}),
         event("session_started", "c", now - 31), event("session_started", "d", now - 20))
    figures = metrics.snapshot()
    assert figures.shopper_messages == 0 and figures.bot_replies == 0
    assert figures.agent_messages == 1 and figures.notifications == 1
    assert figures.sessions_started == 2
    assert figures.active_15_minutes == 0


# ---- reply time ---------------------------------------------------------------------------------------


def test_reply_time_runs_from_the_first_unanswered_message_to_the_next_bot_reply(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 100), user("a", now - 99), bot("a", now - 97.5), bot("a", now - 97),  # 2.5 s
         user("b", now - 80), action("b", now - 79.8, "action_listen"), bot("b", now - 79.6),  # 0.4 s
         bot("c", now - 70))  # a greeting nobody asked for: a reply, no reply time
    figures = metrics.snapshot()
    assert figures.replies_measured == 2
    assert figures.reply_median_seconds == pytest.approx(0.4)  # nearest rank of (0.4, 2.5)
    assert figures.reply_p95_seconds == pytest.approx(2.5)
    assert figures.bot_replies == 4


def test_median_and_p95_are_nearest_rank_over_the_window(metrics, clock) -> None:
    for index in range(20):
        start = clock.now - 600 + index * 20
        feed(metrics, user(f"s{index}", start), bot(f"s{index}", start + index + 1))  # 1..20 s
    figures = metrics.snapshot()
    assert figures.replies_measured == 20
    assert figures.reply_median_seconds == 10 and figures.reply_p95_seconds == 19


def test_no_reply_time_while_a_person_owns_the_conversation(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 600, intent="human_handoff"), bot("a", now - 599),  # the queue notice: 1 s
         slot("a", now - 599, "handoff_active", True),
         user("a", now - 500, intent="inform"),  # relayed to the agent
         bot("a", now - 400, text="Hello, Alice here", agent={"name": "Alice"}),
         user("a", now - 300), slot("a", now - 300, "handoff_active", True),  # still handed off: no second start
         user("a", now - 120, text="EXTERNAL: handoff_resolved"),
         bot("a", now - 119, text="How would you rate the help you got?"),
         slot("a", now - 119, "handoff_active", False),
         user("a", now - 60, intent="csat"), bot("a", now - 58))  # the bot is back: 2 s
    figures = metrics.snapshot()
    assert figures.handoffs_started == 1
    assert figures.replies_measured == 2
    assert (figures.reply_median_seconds, figures.reply_p95_seconds) == (1, 2)
    assert figures.shopper_messages == 4 and figures.agent_messages == 1 and figures.bot_replies == 3


def test_a_conversation_handed_off_again_later_counts_again(metrics, clock) -> None:
    now = clock.now
    feed(metrics, slot("a", now - 900, "handoff_active", True), slot("a", now - 800, "handoff_active", False),
         slot("a", now - 700, "handoff_active", True), slot("b", now - 600, "handoff_active", None))
    assert metrics.snapshot().handoffs_started == 2


def test_a_ticket_waiting_after_hours_is_a_handoff_and_the_bot_is_still_timed(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 900, intent="human_handoff"), bot("a", now - 899),
         slot("a", now - 899, "handoff_waiting", True),  # nobody online: the ticket waits, the bot answers
         user("a", now - 800, intent="ask_payment"), bot("a", now - 797),  # a reply time of 3 s
         bot("a", now - 600, text="Morning! Alice here", agent={"name": "Alice"}),
         slot("a", now - 600, "handoff_active", True), slot("a", now - 600, "handoff_waiting", False),
         slot("b", now - 500, "handoff_waiting", True), slot("b", now - 400, "handoff_waiting", False),
         slot("b", now - 300, "handoff_active", True))
    figures = metrics.snapshot()
    assert figures.handoffs_started == 3  # a once (waiting, then taken), b twice (gave up, asked again)
    assert figures.replies_measured == 2 and figures.reply_p95_seconds == 3


def test_replies_past_the_limit_are_not_reply_times(metrics, clock) -> None:
    feed(metrics, user("a", clock.now - 1800), bot("a", clock.now - 1800 + live_metrics.MAX_REPLY_SECONDS + 1))
    figures = metrics.snapshot()
    assert figures.replies_measured == 0 and figures.reply_median_seconds is None
    assert figures.bot_replies == 1


def test_a_busy_minute_keeps_a_weighted_sample_of_its_reply_times(clock) -> None:
    metrics = LiveMetrics(clock=clock)
    busy = live_metrics.SAMPLES_PER_MINUTE * 3
    minute = clock.now - clock.now % 60 - 120
    for index in range(busy):  # one busy minute, every reply 3 s
        feed(metrics, user(f"busy{index}", minute + 1), bot(f"busy{index}", minute + 4))
    for index in range(10):  # a quiet minute, every reply 9 s
        feed(metrics, user(f"quiet{index}", minute - 60), bot(f"quiet{index}", minute - 51))
    figures = metrics.snapshot()
    assert figures.replies_measured == busy + 10
    assert len(metrics._minutes[int(minute // 60)].reply_samples) == live_metrics.SAMPLES_PER_MINUTE
    # unweighted, the 10 quiet replies would be 1% of the samples; weighted, 0.33% of the replies
    assert figures.reply_median_seconds == 3 and figures.reply_p95_seconds == 3


def test_weighted_quantiles() -> None:
    assert weighted_quantiles([], (0.5, 0.95)) == [None, None]
    assert weighted_quantiles([(5.0, 1.0)], (0.5, 0.95)) == [5.0, 5.0]
    assert weighted_quantiles([(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)], (0.5, 1.0)) == [2.0, 4.0]
    assert weighted_quantiles([(1.0, 1.0), (10.0, 3.0)], (0.25, 0.26)) == [1.0, 10.0]


# ---- fallbacks, intents, active conversations -------------------------------------------------------


def test_fallback_rate_counts_each_shopper_message_once(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 50, intent="nlu_fallback"), action("a", now - 49, "action_fallback"),  # one, not two
         user("b", now - 40, intent="check_order_status"), action("b", now - 39, "action_default_fallback"),
         action("b", now - 38, "action_fallback"),  # the same turn again: still one
         user("c", now - 30, intent="greet"), user("d", now - 20, intent="goodbye"),
         action("e", now - 10, "action_fallback"))  # no shopper message before it: not a message's fallback
    figures = metrics.snapshot()
    assert figures.fallbacks == 2 and figures.shopper_messages == 4
    assert figures.fallback_rate == pytest.approx(0.5)


def test_fallback_rate_is_unknown_without_messages(metrics) -> None:
    figures = metrics.snapshot()
    assert figures.fallback_rate is None and figures.reply_median_seconds is None
    assert figures.shopper_messages == 0 and len(figures.per_minute) == 60


def test_top_intents_are_ranked_and_limited(metrics, clock) -> None:
    for index in range(12):
        for repeat in range(index + 1):
            feed(metrics, user(f"s{index}-{repeat}", clock.now - 100, intent=f"intent_{index:02d}"))
    feed(metrics, user("x", clock.now - 50, intent="intent_11"))
    top = metrics.snapshot().top_intents
    assert len(top) == live_metrics.TOP_INTENTS
    assert top[0] == ("intent_11", 13) and top[1] == ("intent_10", 11)
    assert [n for _, n in top] == sorted((n for _, n in top), reverse=True)


def test_active_conversations_by_language_and_channel(metrics, clock) -> None:
    now = clock.now
    feed(metrics,
         user("a", now - 60), slot("a", now - 60, "language", "ja"),
         user("b", now - 4 * 60, channel="telegram"), slot("b", now - 4 * 60, "language", "zh-Hans"),
         user("c", now - 10 * 60), slot("c", now - 10 * 60, "language", "ja"),
         user("d", now - 14 * 60, channel="twilio"),  # no language slot yet
         user("e", now - 20 * 60), slot("e", now - 20 * 60, "language", "en"),  # not active any more
         slot("f", now - 30, "language", "en"))  # no shopper message: not active
    figures = metrics.snapshot()
    assert (figures.active_5_minutes, figures.active_15_minutes) == (2, 4)
    assert figures.active_by_language == (("ja", 2), ("unknown", 1), ("zh-Hans", 1))
    assert figures.active_by_channel == (("socketio", 2), ("telegram", 1), ("twilio", 1))


def test_conversations_kept_are_bounded(clock) -> None:
    metrics = LiveMetrics(clock=clock, max_conversations=100)
    for index in range(250):
        feed(metrics, user(f"s{index}", clock.now - 30))
    assert len(metrics._conversations) == 100
    assert metrics.snapshot().shopper_messages == 250  # counts are per minute, not per conversation


# ---- bad input and privacy ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, [], "user", 42, {"event": "user"}, {"sender_id": "a"},
                                 {"event": 3, "sender_id": "a"}, {"event": "user", "sender_id": ""},
                                 {"event": "user", "sender_id": ["a"]}])
def test_what_is_not_a_rasa_event_is_refused(metrics, bad) -> None:
    assert metrics.observe(bad) is False
    assert metrics.snapshot().shopper_messages == 0


@pytest.mark.parametrize("odd", [
    {"event": "user", "sender_id": "a", "timestamp": "yesterday", "parse_data": "?", "metadata": [1]},
    {"event": "user", "sender_id": "a", "timestamp": float("nan"), "parse_data": {"intent": None}},
    {"event": "user", "sender_id": "a", "timestamp": True, "parse_data": {"intent": {"name": 5}},
     "input_channel": {"x": 1}},
    {"event": "bot", "sender_id": "a", "metadata": "agent"},
    {"event": "slot", "sender_id": "a", "name": "language", "value": {"nested": "ja"}},
    {"event": "action", "sender_id": "a", "name": None},
    {"event": "restart", "sender_id": "a", "timestamp": 1.0},
    {"event": "user", "sender_id": "a", "timestamp": 1e300},
])
def test_odd_fields_of_a_rasa_event_never_raise(metrics, odd) -> None:
    assert metrics.observe(odd) is True
    metrics.snapshot()


def test_no_text_or_conversation_id_is_kept_or_shown(metrics, clock) -> None:
    sender, secret = "whatsapp:+447700900123", "my card is 4111 1111 1111 1111, jane@example.com"
    feed(metrics, user(sender, clock.now - 30, text=secret, intent="payment_issue"),
         bot(sender, clock.now - 29, text=f"echo {secret}"), slot(sender, clock.now - 29, "email", "jane@example.com"))
    shown = json.dumps(metrics.snapshot().to_dict())
    kept = repr(metrics._conversations) + repr(metrics._minutes)
    for private in (sender, "+447700900123", "4111", "jane@example.com", "card"):
        assert private not in shown and private not in kept
    assert "payment_issue" in shown


def test_the_consumer_drops_and_counts_malformed_messages() -> None:
    metrics = LiveMetrics()
    consumer = EventFeed("amqp://u:p@127.0.0.1:9/", "q", metrics)
    for body in (b"not json", b"\xff\xfe", b"[1, 2]", b'{"event": "user"}', b""):
        consumer._take(body)
    consumer._take(json.dumps(user("a", 0.0)).encode())
    status = consumer.status()
    assert (status.events, status.malformed) == (6, 5)
    assert status.last_event_at is not None


def test_broker_descriptions_never_show_the_password() -> None:
    assert describe_broker("amqp://rasa:s3cret@mq.internal:5673/shop") == "mq.internal:5673 (virtual host shop)"
    assert describe_broker("amqps://rasa:s3cret@mq.internal/") == "mq.internal:5671 (virtual host /)"


def test_the_exchange_is_declared_as_rasa_declares_it() -> None:
    """Rasa 3.6.21 (rasa/core/brokers/pika.py) calls aio-pika's declare_exchange(name, type=FANOUT) with its
    defaults: not durable, not auto-deleted. RabbitMQ refuses a second declaration that differs."""
    assert EXCHANGE_DECLARATION == {"exchange_type": "fanout", "durable": False, "auto_delete": False,
                                    "internal": False}
    rasa_broker = Path(__file__).resolve().parents[3] / ".venv-rasa" / "lib" / "python3.10" / "site-packages" \
        / "rasa" / "core" / "brokers" / "pika.py"
    if rasa_broker.is_file():  # the Rasa venv of this checkout: its declaration passes no other flag
        source = rasa_broker.read_text()
        call = source[source.index("channel.declare_exchange("):]
        call = call[:call.index(")") + 1]
        assert "FANOUT" in call and "durable" not in call and "auto_delete" not in call
    assert queue_arguments()["x-message-ttl"] == 3_600_000


# ---- settings -----------------------------------------------------------------------------------------


def test_the_console_queue_setting(tmp_path) -> None:
    base = {"SHOP_VAR_DIR": str(tmp_path)}
    assert get_settings(base).console_events_queue == "shop_console_events"
    assert get_settings({**base, "CONSOLE_EVENTS_QUEUE": "console_a"}).console_events_queue == "console_a"
    with pytest.raises(ValueError, match="CONSOLE_EVENTS_QUEUE must differ from RABBITMQ_QUEUE"):
        get_settings({**base, "CONSOLE_EVENTS_QUEUE": "rasa_events"})
    with pytest.raises(ValueError, match="CONSOLE_EVENTS_QUEUE must differ"):
        get_settings({**base, "RABBITMQ_QUEUE": "shared", "CONSOLE_EVENTS_QUEUE": "shared"})


# ---- the console without a broker ---------------------------------------------------------------------


def console_settings(tmp_path: Path, **env: str) -> tuple[Any, str]:
    """Settings for a console on a fresh shop database, and an API token for it."""
    from assistant.shop.support.accounts import AgentAccounts

    standard_shop(tmp_path).engine.dispose()
    url = f"sqlite:///{tmp_path / 'db' / 'shop.db'}"
    settings = get_settings({"SHOP_VAR_DIR": str(tmp_path), "DATABASE_URL": url, "RASA_URL": "http://127.0.0.1:9",
                             "KB_INDEX_DIR": str(tmp_path / "no-index"), **env})
    shop = Shop.open(ShopConfig(url))
    accounts = AgentAccounts(shop.sessions)
    accounts.create_agent("lead", "Sam Lead", "correct horse battery")
    token = accounts.create_token("lead", "tests")
    shop.close()
    return settings, token


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def live_until(client: TestClient, headers: dict[str, str], done: Any, seconds: float = 10) -> dict:
    body: dict = {}
    for _ in range(int(seconds / 0.1)):
        response = await client.get("/api/metrics/live", headers=headers)
        assert response.status == 200
        body = await response.json()
        if done(body):
            break
        await asyncio.sleep(0.1)
    return body


def test_without_rabbitmq_the_live_figures_say_why(tmp_path) -> None:
    settings, token = console_settings(tmp_path)
    headers = {"Authorization": f"Bearer {token}"}

    async def main() -> None:
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            anonymous = await client.get("/api/metrics/live")
            assert anonymous.status == 401
            body = await (await client.get("/api/metrics/live", headers=headers)).json()
            assert body["source"] == "rabbitmq" and body["available"] is False
            assert "RABBITMQ_URL is not set" in body["reason"]
            assert "shopper_messages" not in body
            page = await client.get("/metrics", headers=headers)
            html = await page.text()
            assert page.status == 200 and 'id="live"' in html and "RABBITMQ_URL is not set" in html
            assert "Tickets per day" in html  # the rest of the page as before
            fragment = await client.get("/metrics/live", headers=headers)
            assert fragment.status == 200 and "<html" not in await fragment.text()
        finally:
            await client.close()

    run_async(main())


def test_with_rabbitmq_down_the_console_serves_metrics_and_live_shows_unavailable(tmp_path, caplog,
                                                                                   monkeypatch) -> None:
    monkeypatch.setattr(event_feed, "BACKOFF_FIRST", 0.05)  # several retries within the test
    settings, token = console_settings(tmp_path, RABBITMQ_URL=f"amqp://guest:guest@127.0.0.1:{closed_port()}/")
    headers = {"Authorization": f"Bearer {token}"}

    async def main() -> None:
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            body = await live_until(client, headers, lambda b: "unreachable" in (b["reason"] or ""))
            assert body["available"] is False and "unreachable since" in body["reason"]
            assert "guest" not in json.dumps(body)
            assert body["queue"] == "shop_console_events" and body["shopper_messages"] == 0
            page = await client.get("/metrics", headers=headers)
            html = await page.text()
            assert page.status == 200 and "unreachable since" in html and "Tickets per day" in html
            assert (await client.get("/api/metrics", headers=headers)).status == 200
            assert (await client.get("/health")).status == 200
            await asyncio.sleep(0.5)
        finally:
            await client.close()

    with caplog.at_level("WARNING", logger="assistant.console.event_feed"):
        run_async(main())
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, however many retries


def test_a_rabbitmq_url_without_password_disables_the_feed_not_the_console(tmp_path) -> None:
    settings, token = console_settings(tmp_path, RABBITMQ_URL="amqp://127.0.0.1:5672/")

    async def main() -> None:
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            body = await (await client.get("/api/metrics/live", headers={"Authorization": f"Bearer {token}"})).json()
            assert body["available"] is False and "user and a password" in body["reason"]
        finally:
            await client.close()

    run_async(main())


def test_the_live_section_renders_the_figures_without_inline_styles_or_scripts(clock) -> None:
    import re
    from datetime import datetime, timezone

    import jinja2

    from assistant.console.event_feed import FeedStatus, LiveView
    from assistant.console.metrics import CHANNEL_NAMES, LANGUAGE_NAMES, live_charts
    from assistant.console.rendering import template_filters

    metrics = LiveMetrics(clock=clock)
    now = clock.now
    feed(metrics, user("a", now - 90, intent="check_order_status"), slot("a", now - 90, "language", "ja"),
         bot("a", now - 88.5), user("b", now - 30, intent="nlu_fallback", channel="telegram"), bot("b", now - 29),
         slot("b", now - 29, "handoff_active", True))
    started = datetime.fromtimestamp(now - 600, timezone.utc)
    status = FeedStatus(configured=True, connected=True, reason=None, broker="mq:5672 (virtual host /)",
                        queue="shop_console_events", started_at=started, connected_since=started,
                        last_event_at=started, events=12, malformed=1)
    view = LiveView(status, metrics.snapshot())
    templates = Path(__file__).resolve().parents[3] / "assistant" / "console" / "templates"
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(templates), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters.update(template_filters())
    html = environment.get_template("_live_metrics.html").render(
        live=view, live_charts=live_charts(view.figures), reply_seconds=lambda s: "n/a" if s is None else f"{s:.1f} s",
        percent=lambda r: "n/a" if r is None else f"{r * 100:.1f}%", language_names=LANGUAGE_NAMES,
        channel_names=CHANNEL_NAMES)
    assert "connected since" in html and "shop_console_events" in html
    assert "50.0%" in html  # fallback rate: 1 of 2
    assert "1.0 s" in html and "1.5 s" in html  # median and p95 reply time
    assert "Japanese" in html and "Telegram" in html and "check_order_status" in html
    assert "1 malformed" in html and html.count("<svg") == 2
    assert not re.search(r"\sstyle=", html) and "<script" not in html


def test_reply_times_follow_timestamps_when_two_rasa_processes_publish_out_of_order(metrics, clock) -> None:
    """Process A answers message 1, process B takes message 2 and publishes first: each reply still belongs
    to the message before it in time."""
    now = clock.now
    feed(metrics, user("a", now - 60), user("a", now - 57), bot("a", now - 58), bot("a", now - 55.5),
         user("b", now - 40), bot("b", now - 39), bot("b", now - 38))
    figures = metrics.snapshot()
    assert figures.replies_measured == 3  # 2 s, 1.5 s and 1 s; b's second utterance is no reply time
    assert (figures.reply_median_seconds, figures.reply_p95_seconds) == (1.5, 2)
