"""``bench.load``'s pure parts: percentiles, the shoppers' scripts and their checks, options, the workload."""
from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import pytest

from bench.figures import LoadResult, Outcome, first_and_last, latency_summary, percentile
from bench.load import (
    CpuMeter,
    LoadSpec,
    Message,
    answered_messages,
    build_workload,
    compare,
    long_summary,
    parse_args,
    plan_shoppers,
    reply_problem,
    spec_from_args,
    status_check,
    summarize,
)
from bench.phrasings import LANGUAGES, Phrasing, PhrasingSampler, load_phrasings
from bench.scenarios import (
    LONG_BLOCK,
    LONG_EDGE,
    SCENARIOS,
    Planner,
    long_turn_kinds,
    products_check,
    source_check,
)

ORDERS = [
    {"order_id": "SO100001", "email": "a@example.test", "status": "shipped", "tracking_number": "1Z999"},
    {"order_id": "SO100002", "email": "b@example.test", "status": "delivered", "tracking_number": None},
    {"order_id": "SO100003", "email": "c@example.test", "status": "paid", "tracking_number": None},
    {"order_id": "SO100004", "email": "d@example.test", "status": "pending", "tracking_number": None},
]


# --- percentiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 7, 100, 1001])
def test_percentile_matches_numpy(size: int) -> None:
    values = sorted(random.Random(size).uniform(0, 5) for _ in range(size))
    for q in (0.0, 0.5, 0.95, 0.99, 1.0):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q * 100)))


def test_percentile_of_nothing_is_nan_and_q_must_be_a_fraction() -> None:
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError):
        percentile([1.0], 95)


def test_latency_summary_in_milliseconds_with_max_and_null_when_empty() -> None:
    summary = latency_summary([0.1, 0.2, 0.3, 0.4])
    assert summary == {"p50": 250.0, "p95": 385.0, "p99": 397.0, "mean": 250.0, "max": 400.0}
    assert latency_summary([]) == {"p50": None, "p95": None, "p99": None, "mean": None, "max": None}


def test_first_and_last_compares_means_and_skips_unanswered_turns() -> None:
    turns = [0.05, 0.10, 0.25, 0.20, None] + [0.9] * 10 + [0.06, 0.12, 0.30, None, 0.24]
    edges = first_and_last(turns, 5)
    assert edges["first_ms"] == {"mean": 150.0, "p50": 150.0}
    assert edges["last_ms"] == {"mean": 180.0, "p50": 180.0}
    assert edges["last_to_first"] == 1.2


# --- checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("order", "reply", "right"), [
    (ORDERS[0], "Order SO100001 shipped on ... Tracking number: 1Z999.", True),
    (ORDERS[0], "Order SO100001 shipped on ...", False),
    (ORDERS[1], "Order SO100002 (boots) was delivered on Monday.", True),
    (ORDERS[1], "订单 SO100002（靴子）已于 11月24日 送达。", True),
    (ORDERS[1], "ご注文 SO100002 は 11月24日 にお届け済みです。", True),
    (ORDERS[2], "It will ship by Friday.", True),
    (ORDERS[2], "訂單 SO100003 已完成付款，正在備貨中，預計於 11月28日 前出貨。", True),
    (ORDERS[3], "ご注文 SO100004 ... 11月28日までに発送予定です。", True),
    (ORDERS[3], "What is the email address on the order?", False),
])
def test_status_check_in_every_language(order: Dict[str, Any], reply: str, right: bool) -> None:
    assert (status_check(order)(reply) is None) is right


def rest(*replies: Dict[str, Any]) -> str:
    return json.dumps([{"recipient_id": "s", **r} for r in replies])


def test_reply_problem_knowledge_source_and_products() -> None:
    answer = {"text": "You can return items within 30 days."}
    source = {"custom": {"type": "kb_source", "title": "Returns", "doc_id": "returns-policy"}}
    cards = {"custom": {"type": "product_carousel", "products": [{"sku": "X1"}], "total": 1}}
    knowledge, product = Message("can I return it?", source_check), Message("rain jacket under $150", products_check)
    assert reply_problem("s", knowledge, 200, rest(answer, source)) is None
    assert "no knowledge-base source" in reply_problem("s", knowledge, 200, rest(answer))
    assert reply_problem("s", knowledge, 200, rest(answer, {"text": "来源：退货政策"})) is None  # the text line will do
    assert reply_problem("s", knowledge, 200, rest({"text": "Source:"})) is not None
    abstention = {"text": "I'm not sure about that one.", "buttons": [{"title": "Returns", "payload": "/kb_topic"}]}
    assert reply_problem("s", knowledge, 200, rest(abstention)) is not None
    assert reply_problem("s", product, 200, rest({"text": "Here are 5"}, cards)) is None
    empty = {"custom": {"type": "product_carousel", "products": []}}
    assert "no products" in reply_problem("s", product, 200, rest({"text": "None found"}, empty))
    assert "HTTP 500" in reply_problem("s", product, 500, "boom")
    assert "not a JSON list" in reply_problem("s", product, 200, "<html>")
    assert reply_problem("s", Message("hi"), 200, "<html>") is None  # unchecked message: any 200 will do


def test_load_result_keeps_scenarios_and_wrong_replies_apart() -> None:
    result = LoadResult()
    result.record(0.1, None, scenario="knowledge")
    result.record(0.2, "no source", scenario="knowledge", wrong_reply=True)
    result.record(None, "timeout", scenario="order_status")
    assert (result.finished, result.errors, result.wrong_replies) == (3, 2, 1)
    assert result.by_scenario["knowledge"].latencies_s == [0.1, 0.2]
    assert result.by_scenario["order_status"].errors == 1 and result.by_scenario["order_status"].wrong_replies == 0


# --- the shoppers' scripts ---------------------------------------------------------------------------


def test_plan_shoppers_without_phrasings_is_the_original_order_flow() -> None:
    plans = plan_shoppers(ORDERS, shoppers=2, rounds=3, check_status=True)
    assert [[c.sender for c in plan] for plan in plans] == [
        ["bench-000-r0", "bench-000-r1", "bench-000-r2"], ["bench-001-r0", "bench-001-r1", "bench-001-r2"]]
    first = plans[0][0]
    assert [m.text for m in first.messages] == ["where is my order?", "SO100001", "a@example.test", "thanks"]
    assert [m.check is not None for m in first.messages] == [False, False, True, False]
    assert plans[1][0].messages[1].text == ORDERS[3]["order_id"]  # orders dealt round-robin


PHRASINGS = [Phrasing(f"{lang} {intent} {n}", intent, lang) for lang in LANGUAGES for n in range(6)
             for intent in ("order_status", "refund_policy", "product_search", "greet", "thank_you")]


def test_scenarios_are_dealt_round_robin_and_conversations_stay_in_one_language() -> None:
    plans = plan_shoppers(ORDERS, 3, 2, True, ("order_status", "knowledge", "product_search"),
                          PhrasingSampler(PHRASINGS, 4))
    assert [c.scenario for plan in plans for c in plan] == ["order_status", "knowledge", "product_search"] * 2
    for conversation in (c for plan in plans for c in plan):
        assert len(conversation.messages) == 4
        if conversation.scenario != "order_status":
            assert {m.text.split()[0] for m in conversation.messages} == {conversation.language}
            assert all(m.check is not None for m in conversation.messages)


def test_long_conversation_ends_as_it_starts_with_one_order_flow_inside() -> None:
    kinds = long_turn_kinds(60)
    assert len(kinds) >= 60
    assert kinds[:LONG_EDGE] == list(LONG_BLOCK) == kinds[-LONG_EDGE:]
    assert kinds.count("order_status") == 3
    with pytest.raises(ValueError):
        long_turn_kinds(12)
    long = Planner(ORDERS, PhrasingSampler(PHRASINGS, 1), check=True).long("bench-long", 60)
    assert long.kinds == kinds and len(long.messages) == len(kinds)
    assert long.messages[-LONG_EDGE:] == long.messages[:LONG_EDGE]  # the two ends compared are the same texts
    assert len({m.text for m in long.messages[LONG_EDGE:-LONG_EDGE]}) > 20  # the turns between them are varied
    flow = [m for m, kind in zip(long.messages, kinds) if kind == "order_status"]
    assert [m.text for m in flow[1:]] == ["SO100001", "a@example.test"]
    assert flow[2].check is not None


def test_long_summary_reports_the_ratio_against_the_target() -> None:
    long = Planner(ORDERS, PhrasingSampler(PHRASINGS, 1), check=True).long("bench-long", 13)
    turns = [0.1] * 5 + [0.2] * 3 + [0.13] * 5
    summary = long_summary(long, turns, LoadResult())
    assert summary["turns"] == 13 and summary["last_to_first"] == 1.3 and summary["meets_target"] is False
    assert summary["turn_latencies_ms"][:2] == [100.0, 100.0]


def test_both_systems_get_the_same_texts_and_only_the_assistant_is_checked() -> None:
    spec = LoadSpec(scenarios=SCENARIOS, seed=3, shoppers=4, rounds=3, rates=(), duration_s=60, arrivals="poisson",
                    think_s=2, long_turns=20)
    phrasings = load_phrasings()
    ours, theirs = (build_workload(spec, ORDERS, phrasings, check) for check in (True, False))

    def texts(workload: Any) -> List[str]:
        return [m.text for plan in workload.plans for c in plan for m in c.messages]

    assert texts(ours) == texts(theirs) and ours.messages == 4 * 3 * 4
    assert [m.text for m in ours.long.messages] == [m.text for m in theirs.long.messages]
    assert any(m.check for plan in ours.plans for c in plan for m in c.messages)
    assert not any(m.check for plan in theirs.plans for c in plan for m in c.messages)
    stream_a, stream_b = ours.streams(30), theirs.streams(30)
    assert [next(stream_a).messages[0].text for _ in range(6)] == [next(stream_b).messages[0].text for _ in range(6)]


# --- options -------------------------------------------------------------------------------------------


def test_default_options_are_the_closed_loop_over_every_scenario() -> None:
    spec = spec_from_args(parse_args([]))
    assert spec.scenarios == SCENARIOS and not spec.open_loop
    assert (spec.shoppers, spec.rounds) == (50, 3)


def test_open_loop_options() -> None:
    spec = spec_from_args(parse_args(["--open-loop", "30", "--duration", "60", "--scenario", "knowledge", "long"]))
    assert spec.rates == (30.0,) and spec.duration_s == 60 and spec.scenarios == ("knowledge", "long")
    assert spec.arrivals == "poisson" and spec.load_scenarios == ("knowledge",)
    sweep = spec_from_args(parse_args(["--rates", "10,20,30", "--arrivals", "fixed"]))
    assert sweep.rates == (10.0, 20.0, 30.0) and sweep.duration_s == 60 and sweep.arrivals == "fixed"


@pytest.mark.parametrize("argv", [
    ["--open-loop", "30", "--rates", "10,20"],
    ["--duration", "60"],
    ["--open-loop", "30", "--scenario", "long"],
    ["--rates", "10,x"],
    ["--rates", "0"],
    ["--scenario", "checkout"],
    ["--long-turns", "5"],
    ["--shoppers", "0"],
])
def test_bad_options_are_refused(argv: List[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


def test_compare_keeps_the_closed_loop_ratios_and_adds_open_loop_ones() -> None:
    closed = {"latency_ms": {"p50": 200.0, "p95": 400.0}, "messages_per_second": 30.0}
    base = {"latency_ms": {"p50": 100.0, "p95": 200.0}, "messages_per_second": 40.0}
    assert compare(closed, base) == {"p50": 2.0, "p95": 2.0, "messages_per_second": 0.75}
    ours = {"open_loop": [{"offered_rate": 30, "latency_ms": {"p50": 60.0, "p95": 120.0, "p99": 300.0}}]}
    theirs = {"open_loop": [{"offered_rate": 30, "latency_ms": {"p50": 30.0, "p95": 60.0, "p99": 100.0}}]}
    assert compare(ours, theirs) == {"open_loop": [{"offered_rate": 30, "p50": 2.0, "p95": 2.0, "p99": 3.0}]}


def test_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from bench.plot import plot_report

    run = {"offered_rate": 10, "latency_ms": {"p50": 50.0, "p95": 90.0, "p99": 120.0},
           "by_scenario": {"knowledge": {"latency_ms": {"p50": 60.0, "p95": 100.0, "p99": 130.0}}}}
    report = {"mode": "open_loop", "scenarios": ["knowledge", "long"], "targets": {"p95_ms": 150, "p99_ms": 300},
              "assistant": {"open_loop": [run, {**run, "offered_rate": 20}],
                            "long": {"turn_latencies_ms": [50.0] * 12 + [None], "last_to_first": 1.0}}}
    path = plot_report(report, tmp_path / "plot.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cpu_meter_counts_this_process_per_message_and_nothing_without_messages() -> None:
    import os
    import time

    meter = CpuMeter({"self": os.getpid()}).start()
    deadline = time.process_time() + 0.05
    while time.process_time() < deadline:
        sum(range(1000))
    figures = meter.per_message(10)
    assert figures["self"] is not None and figures["self"] >= 4.0  # at least 50 ms over 10 messages
    assert figures["total"] == figures["self"]
    assert meter.per_message(0) == {"self": None, "total": None}
    assert CpuMeter({"gone": 2 ** 22 + 12345}).start().per_message(1)["gone"] == 0.0


def test_answered_messages_in_the_closed_and_the_open_loop() -> None:
    assert answered_messages({"answered": 12, "latency_ms": {}}) == 12
    assert answered_messages({"open_loop": [{"answered": 5}, {"answered": 7}]}) == 12
    assert answered_messages({}) == 0


def test_the_long_conversation_runs_under_several_senders_and_keeps_each_turns_median() -> None:
    """One slow turn in one run must not move the long conversation's figures (LONG_REPEATS)."""
    import asyncio

    from aiohttp import web

    from bench.load import run_long
    from bench.scenarios import Conversation
    from tests.asyncio_thread import run_async

    seen: List[str] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append(body["sender"])
        if len(seen) == 2:  # the second turn of the first run only
            await asyncio.sleep(0.3)
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    async def scenario() -> List[Optional[float]]:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            conversation = Conversation("bench-long", [Message("hi"), Message("thanks"), Message("bye")], "long",
                                        ["small_talk"] * 3)
            turns, result = await run_long(f"http://127.0.0.1:{port}", conversation, repeats=3)
        finally:
            await runner.cleanup()
        assert result.errors == 0
        return turns

    turns = run_async(scenario())  # the browser tests keep a loop running in the main thread
    assert len(turns) == 3 and all(t is not None for t in turns)
    assert turns[1] < 0.2  # the median of the three runs, not the slow one
    assert sorted(set(seen)) == ["bench-long", "bench-long-2", "bench-long-3"] and len(seen) == 9


# --- several Rasa processes --------------------------------------------------------------------------


def test_a_conversation_always_reaches_the_same_rasa_process_and_the_processes_share_the_load() -> None:
    from bench.load import webhook

    urls = ["http://127.0.0.1:5001", "http://127.0.0.1:5002"]
    senders = [f"bench-open-30-{i}" for i in range(400)]
    chosen = [webhook(urls, sender) for sender in senders]
    assert chosen == [webhook(urls, sender) for sender in senders]  # stable: session affinity
    assert chosen == [webhook(list(reversed(urls))[::-1], sender) for sender in senders]  # any sequence type
    share = sum(url.startswith(urls[0]) for url in chosen) / len(chosen)
    assert 0.4 < share < 0.6
    assert all(url.endswith("/webhooks/rest/webhook") for url in chosen)
    assert webhook(urls[0], "anyone") == "http://127.0.0.1:5001/webhooks/rest/webhook"  # one process
    with pytest.raises(ValueError):
        webhook([], "anyone")


def test_process_options_and_what_they_deploy() -> None:
    from bench.load import Deployment, deployment_from_args, process_names

    one = deployment_from_args(parse_args([]))
    assert one == Deployment() and not one.redis_locks
    assert one.describe()["tracker_store"] == "sqlite" and one.describe()["lock_store"] == "in-memory"
    two = deployment_from_args(parse_args(["--rasa-processes", "2", "--action-workers", "2", "--open-loop", "30"]))
    assert two.redis_locks and two.rasa_processes == 2 and two.action_workers == 2
    assert two.describe() == {"rasa_processes": 2, "action_server_workers": 2, "tracker_store": "sqlite",
                              "lock_store": "redis", "routing": "by sender (session affinity)"}
    on_postgres = deployment_from_args(parse_args(["--rasa-processes", "2", "--tracker-store", "postgresql"]))
    assert on_postgres.describe()["tracker_store"] == "postgresql" and on_postgres.redis_locks
    assert process_names(3) == ["rasa", "rasa-2", "rasa-3"]
    for argv in (["--rasa-processes", "0"], ["--action-workers", "9"], ["--tracker-store", "mysql"]):
        with pytest.raises(SystemExit):
            parse_args(argv)


def test_the_share_of_repeated_texts_is_reported():
    """What a parse cache could save is visible next to the figures it flatters."""
    result = LoadResult()
    for text in ("where is my order?", "thanks", "where is my order?", "Thanks", "where is my order?"):
        result.record_outcome(Outcome(True, None), 0.01, "order_status", text=text)
    result.record_outcome(Outcome(True, None), 0.01, "order_status")  # no text given: not counted
    assert result.repeated_texts == 2 and result.finished == 6
    assert summarize(result, {})["repeated_texts"] == round(2 / 6, 3)
