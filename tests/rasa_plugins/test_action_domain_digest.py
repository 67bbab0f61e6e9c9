"""Action calls carry the domain's digest instead of the domain (``install_domain_digest`` in
assistant/rasa_plugins/server.py), against a local server that answers like rasa-sdk and against rasa-sdk itself."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
from typing import Any, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from assistant.rasa_plugins.server import domain_digest, install_action_failure_reply, install_domain_digest
from assistant.runtime.settings import REPO_ROOT
from assistant.runtime.stack import ACTIONS_PYTHON, free_port, stop_process_group, wait_http

SMALL_DOMAIN = """
version: "3.1"
intents: [greet]
responses:
  utter_greet: [{text: "Hello!"}]
  utter_technical_problem: [{text: "Sorry, a technical problem."}]
actions: [action_count_responses]
"""


@pytest.fixture
def digest_patch(monkeypatch):
    """The patch installed for one test; monkeypatch puts Rasa's methods back afterwards."""
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    install_domain_digest()
    install_domain_digest()  # idempotent


@pytest.fixture(scope="module")
def shop_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "assistant" / "domain"))


class FakeActionServer:
    """``/webhook`` as rasa-sdk answers it: 449 unless the call carries the domain or the digest of the one
    it holds; it records every body. ``status`` forces that answer for every call."""

    def __init__(self, status: Optional[int] = None) -> None:
        self.status = status
        self.bodies: List[dict] = []
        self.sizes: List[int] = []
        self.domain: Optional[dict] = None
        self.digest: Optional[str] = None

    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        body = json.loads(raw)
        self.bodies.append(body)
        self.sizes.append(len(raw))
        name = body["next_action"]
        if self.status is not None:
            return web.json_response({"error": "forced", "action_name": name}, status=self.status)
        if body.get("domain") is None and not (self.digest and self.digest == body.get("domain_digest")):
            return web.json_response({"error": "domain missing", "action_name": name}, status=449)
        if body.get("domain"):
            self.domain, self.digest = body["domain"], body.get("domain_digest")
        seen = len(self.domain.get("responses", {}))
        return web.json_response({"events": [{"event": "slot", "name": "responses_seen", "value": seen}],
                                  "responses": []})


def _run_actions(server: FakeActionServer, domains: List[Domain], name: str = "action_count_responses",
                 events: Optional[list] = None) -> list:
    """Runs ``name`` once per domain in ``domains`` against ``server`` on a free port; the results or errors."""

    async def go() -> list:
        app = web.Application()
        app.router.add_post("/webhook", server.webhook)
        test_server = TestServer(app, host="127.0.0.1")
        await test_server.start_server()
        try:
            action = RemoteAction(name, EndpointConfig(str(test_server.make_url("/webhook"))))
            results = []
            for domain in domains:
                try:
                    results.append(await _run(action, domain, events))
                except RasaException as error:
                    results.append(error)
            return results
        finally:
            await test_server.close()

    return asyncio.run(go())


async def _run(action: RemoteAction, domain: Domain, events: Optional[list] = None) -> list:
    events = events or [UserUttered("hi", {"name": "greet"})]
    tracker = DialogueStateTracker.from_events("shopper", events, slots=domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker, domain)


def _seen(events: list) -> list:
    return [event.value for event in events if isinstance(event, SlotSet)]


def test_the_domain_is_sent_after_a_449_and_later_calls_carry_only_its_digest(digest_patch, shop_domain):
    server = FakeActionServer()
    first, second = _run_actions(server, [shop_domain, shop_domain])
    responses = len(shop_domain.responses)
    assert _seen(first) == _seen(second) == [responses]  # the action had the whole domain both times
    assert ["domain" in body for body in server.bodies] == [False, True, False]
    assert {body["domain_digest"] for body in server.bodies} == {domain_digest(shop_domain)}
    assert server.bodies[1]["domain"] == shop_domain.as_dict()
    first_body = server.bodies[0]
    assert set(first_body) == {"next_action", "sender_id", "tracker", "version", "domain_digest"}
    assert first_body["tracker"]["sender_id"] == "shopper" and first_body["tracker"]["events"]
    assert server.sizes[2] * 10 < server.sizes[1]


def test_another_domain_gets_its_own_digest_and_is_sent_after_its_449(digest_patch):
    old = Domain.from_yaml(SMALL_DOMAIN)
    new = Domain.from_yaml(SMALL_DOMAIN.replace("Hello!", "Welcome back!"))
    server = FakeActionServer()
    results = _run_actions(server, [old, new, new])
    assert all(isinstance(result, list) for result in results)
    assert domain_digest(old) != domain_digest(new)
    assert domain_digest(Domain.from_yaml(SMALL_DOMAIN)) == domain_digest(old)  # content, not the object
    assert [(body["domain_digest"], "domain" in body) for body in server.bodies] == [
        (domain_digest(old), False), (domain_digest(old), True),
        (domain_digest(new), False), (domain_digest(new), True),
        (domain_digest(new), False)]
    assert server.bodies[3]["domain"]["responses"]["utter_greet"] == [{"text": "Welcome back!"}]


def test_a_449_after_the_retry_fails_like_any_action_server_error(digest_patch):
    server = FakeActionServer(status=449)
    [error] = _run_actions(server, [Domain.from_yaml(SMALL_DOMAIN)])
    assert isinstance(error, RasaException) and "Failed to execute custom action" in str(error)
    assert error.__cause__.status == 449
    assert ["domain" in body for body in server.bodies] == [False, True]


def test_other_answers_are_not_retried(digest_patch):
    rejected = FakeActionServer(status=400)
    [rejection] = _run_actions(rejected, [Domain.from_yaml(SMALL_DOMAIN)])
    assert isinstance(rejection, ActionExecutionRejection) and len(rejected.bodies) == 1
    broken = FakeActionServer(status=500)
    [error] = _run_actions(broken, [Domain.from_yaml(SMALL_DOMAIN)])
    assert error.__cause__.status == 500 and len(broken.bodies) == 1


def test_the_failure_reply_sees_only_what_the_retry_left(digest_patch):
    install_action_failure_reply()
    [events] = _run_actions(FakeActionServer(), [Domain.from_yaml(SMALL_DOMAIN)])
    assert _seen(events) == [2]  # retried after the 449, not answered with utter_technical_problem
    [events] = _run_actions(FakeActionServer(status=449), [Domain.from_yaml(SMALL_DOMAIN)])
    assert [event.text for event in events] == ["Sorry, a technical problem."]


def test_installing_after_the_failure_reply_is_refused(monkeypatch):
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    install_action_failure_reply()
    with pytest.raises(RuntimeError, match="before install_action_failure_reply"):
        install_domain_digest()


def test_the_prefix_stripping_plugin_hook_gets_the_body(digest_patch):
    import pluggy
    from rasa.plugin import plugin_manager

    hookimpl = pluggy.HookimplMarker("rasa")

    class StripSpace:
        def __init__(self) -> None:
            self.bodies: List[dict] = []

        @hookimpl
        def prefix_stripping_for_custom_actions(self, json_body: dict) -> dict:
            self.bodies.append(json_body)
            return {**json_body, "next_action": json_body["next_action"].removeprefix("shop.")}

    plugin = StripSpace()
    plugin_manager().register(plugin)
    try:
        server = FakeActionServer()
        _run_actions(server, [Domain.from_yaml(SMALL_DOMAIN)], name="shop.action_count_responses")
    finally:
        plugin_manager().unregister(plugin)
    assert [("domain_digest" in body, "domain" in body) for body in plugin.bodies] == [(True, False), (True, True)]
    assert [body["next_action"] for body in server.bodies] == ["action_count_responses"] * 2


TEST_ACTIONS = '''
from rasa_sdk import Action
from rasa_sdk.events import SlotSet


class ActionCountResponses(Action):
    def name(self):
        return "action_count_responses"

    def run(self, dispatcher, tracker, domain):
        return [SlotSet("responses_seen", len(domain.get("responses", {})))]
'''


def test_rasa_sdk_gets_the_domain_once_and_keeps_it(digest_patch, monkeypatch, tmp_path):
    (tmp_path / "digest_test_actions.py").write_text(TEST_ACTIONS)
    port, log = free_port(), tmp_path / "action-server.log"
    sent: List[dict] = []
    request = EndpointConfig.request

    async def recording_request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs["json"])
        return await request(self, *args, **kwargs)

    monkeypatch.setattr(EndpointConfig, "request", recording_request)
    env = {**os.environ, "ACTION_SERVER_SANIC_WORKERS": "1", "SANIC_HOST": "127.0.0.1"}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(ACTIONS_PYTHON), "-m", "rasa_sdk", "--actions", "digest_test_actions", "--port", str(port)],
            cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", 90, process, log)
        domain = Domain.from_yaml(SMALL_DOMAIN)
        action = RemoteAction("action_count_responses", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))

        async def twice() -> list:
            return [await _run(action, domain), await _run(action, domain)]

        first, second = asyncio.run(twice())
    finally:
        stop_process_group(process)
    assert _seen(first) == _seen(second) == [len(domain.responses)]
    assert ["domain" in body for body in sent] == [False, True, False]


def test_the_body_sent_is_the_action_call_with_earlier_events_serialised_once(digest_patch, shop_domain):
    """The action server gets exactly the action call's JSON; an earlier event's text is made once (kept on
    the event), and a shopper's text that is itself JSON changes nothing."""
    from rasa.shared.core.events import ActionExecuted, BotUttered

    from assistant.rasa_plugins import server as server_module

    mark = '", "events": [], "x": "'  # a shopper\'s text that is JSON itself
    events = []
    for turn in range(4):
        events += [UserUttered(mark if turn % 2 else f"{mark} turn {turn}", {"name": "greet", "confidence": 1.0}),
                   ActionExecuted("utter_greet"), BotUttered("Hello!", {"buttons": [{"title": "x", "payload": "/y"}]}),
                   ActionExecuted("action_listen")]
    fake = FakeActionServer()
    _run_actions(fake, [shop_domain, shop_domain], events=events)
    tracker = DialogueStateTracker.from_events("shopper", events, slots=shop_domain.slots)
    expected = server_module.action_call_with_digest(RemoteAction("action_count_responses", None), tracker, shop_domain)
    sent = fake.bodies[-1]
    assert sent["tracker"]["events"] == json.loads(json.dumps(expected["tracker"]["events"]))
    assert sent["tracker"]["latest_message"]["text"] == mark
    assert {k: v for k, v in sent.items() if k != "tracker"} == json.loads(json.dumps(
        {k: v for k, v in expected.items() if k != "tracker"}))
    assert [e["text"] for e in sent["tracker"]["events"] if e["event"] == "user"] == [
        f"{mark} turn 0", mark, f"{mark} turn 2", mark]
    earlier = [e for e in list(tracker.events)[:-3] if server_module.ACTION_JSON_MEMO in e.__dict__]
    assert earlier and all(json.loads(e.__dict__[server_module.ACTION_JSON_MEMO]) == e.__dict__[
        server_module.ACTION_DICT_MEMO] for e in earlier if e.__dict__[server_module.ACTION_DICT_MEMO] is not None)


def test_only_action_calls_are_encoded_ahead():
    from assistant.rasa_plugins.server import EncodedEvents, encode_action_call

    assert encode_action_call({"tracker": {"events": [{"event": "user"}]}}) is None  # a plain list: aiohttp's
    assert encode_action_call({"text": "hi"}) is None and encode_action_call(None) is None
    assert json.loads(encode_action_call({"tracker": {"events": EncodedEvents([], [])}})) == {"tracker": {"events": []}}
    body = {"next_action": "a", "tracker": {"sender_id": "s", "events": EncodedEvents(
        [{"event": "bot", "text": "é"}, {"event": "user", "text": "\u2028"}], ['{"event": "bot", "text": "\\u00e9"}'])}}
    assert json.loads(encode_action_call(body)) == json.loads(json.dumps(body))
