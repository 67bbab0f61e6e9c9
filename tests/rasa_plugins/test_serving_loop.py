"""What keeps Rasa's event loop free while it serves: NLU runs in a thread of its own, and the loaded
model's objects are kept out of the garbage collector's full collections after a warm-up."""
from __future__ import annotations

import asyncio
import gc
import threading
from types import SimpleNamespace

import rasa.core.run as rasa_run

from assistant.rasa_plugins import server


class Processor:
    """Rasa's MessageProcessor as parse_off_loop sees it: which thread ran the NLU graph, with what."""

    http_interpreter = None

    def __init__(self):
        self.graph_threads = []
        self.steps = []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.graph_threads.append(threading.current_thread())
        self.steps.append(("graph", message.text, tracker.sender_id, only_output_properties))
        return {"text": message.text, "intent": {"name": "order_status", "confidence": 0.9}, "entities": []}

    def _update_full_retrieval_intent(self, parsed):
        self.steps.append(("retrieval_intent", parsed["text"]))

    def _check_for_unseen_features(self, parsed):
        self.steps.append(("unseen_features", parsed["text"]))


def test_the_nlu_graph_runs_off_the_event_loop_and_rasa_s_steps_around_it_still_run():
    processor = Processor()
    message = SimpleNamespace(text="where is my order?", sender_id="s1")

    async def parse_twice():
        loop_thread = threading.current_thread()
        first = await server.parse_off_loop(processor, None, message, None, True)
        second = await server.parse_off_loop(processor, None, message, None, False)
        return loop_thread, first, second

    loop_thread, first, second = asyncio.run(parse_twice())
    assert first["intent"]["name"] == "order_status" and second["text"] == "where is my order?"
    # one NLU thread, not the loop's, for every message: the components see one message at a time
    assert len(set(processor.graph_threads)) == 1 and processor.graph_threads[0] is not loop_thread
    assert processor.steps == [
        ("graph", "where is my order?", "s1", True), ("retrieval_intent", "where is my order?"),
        ("unseen_features", "where is my order?"),
        ("graph", "where is my order?", "s1", False), ("retrieval_intent", "where is my order?"),
        ("unseen_features", "where is my order?")]


def test_remote_nlu_is_left_to_rasa():
    calls = []

    async def remote_parse(processor, message, tracker, only_output_properties):
        calls.append(message.text)
        return {"text": message.text}

    processor = SimpleNamespace(http_interpreter=object())
    message = SimpleNamespace(text="hi", sender_id="s1")
    assert asyncio.run(server.parse_off_loop(processor, remote_parse, message, None, True)) == {"text": "hi"}
    assert calls == ["hi"]


class Agent:
    def __init__(self, fail=False):
        self.parsed = []
        self.fail = fail

    def is_ready(self):
        return True

    async def parse_message(self, text):
        self.parsed.append(text)
        if self.fail:
            raise RuntimeError("model broken")
        return {"text": text}


def test_the_loaded_model_is_warmed_up_in_every_language_then_frozen(monkeypatch):
    agent = Agent()

    async def load_agent_on_start(model_path, endpoints, remote_storage, app, loop):
        app.ctx.agent = agent
        return agent

    monkeypatch.setattr(rasa_run, "load_agent_on_start", load_agent_on_start)
    server.install_heap_freeze()
    server.install_heap_freeze()  # idempotent: one wrapper
    assert getattr(rasa_run.load_agent_on_start, "_shop_freeze", False)
    app = SimpleNamespace(ctx=SimpleNamespace())
    try:
        loaded = asyncio.run(rasa_run.load_agent_on_start("m.tar.gz", None, None, app, None))
        assert gc.get_freeze_count() > 0  # everything alive after the load left the collector's sight
    finally:
        gc.unfreeze()
    assert loaded is agent and app.ctx.agent is agent
    assert agent.parsed == list(server.WARM_UP_TEXTS) and len(server.WARM_UP_TEXTS) == 4


def test_a_failing_warm_up_does_not_stop_the_server():
    agent = Agent(fail=True)
    asyncio.run(server.warm_up(agent))  # logged, not raised
    assert agent.parsed == [server.WARM_UP_TEXTS[0]]
