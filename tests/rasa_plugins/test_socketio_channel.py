"""The widget's socket.io channel in-process (Rasa venv): every message to the widget carries its event's
timestamp, and a shopper message with a client message id counts once, whatever a browser sends."""
from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered

from assistant.rasa_plugins.channels.socketio import (
    ClientMessageIds,
    SocketIOChannel,
    SocketIOShopOutput,
    valid_client_message_id,
)

NAMESPACE = None


class FakeSio:
    """What the channel calls on python-socketio's server, recorded."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any, Dict[str, Any]]] = []

    async def emit(self, event: str, data: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data, kwargs))


# ---- what goes out: every message carries its event's timestamp --------------------------------

def sent(message: Dict[str, Any]) -> List[Dict[str, Any]]:
    sio = FakeSio()
    asyncio.run(SocketIOShopOutput(sio, "bot_uttered").send_response("web:" + "a" * 32, message))
    return [data for event, data, _ in sio.emitted if event == "bot_uttered"]


def test_every_part_of_a_bot_message_carries_the_events_timestamp() -> None:
    event = BotUttered("Your order shipped.\n\nTrack it here.", {"buttons": [{"title": "Thanks", "payload": "/thank_you"}],
                                                                  "custom": {"type": "kb_source", "title": "Shipping"}},
                       timestamp=1765000000.123456)
    messages = sent(event.message())
    assert [m.get("text") for m in messages] == ["Your order shipped.", "Track it here.", None]
    assert all(m["ts"] == 1765000000.123456 for m in messages)
    assert messages[1]["quick_replies"][0]["payload"] == "/thank_you" and messages[2]["custom"]["type"] == "kb_source"


def test_agent_messages_and_images_carry_the_timestamp_too() -> None:
    agent = BotUttered("Hi, I'm Mia", {}, {"agent": {"name": "Mia"}, "handoff": "joined"}, timestamp=1765000001.5)
    assert sent(agent.message()) == [{"text": "Hi, I'm Mia", "agent": {"name": "Mia"}, "handoff": "joined",
                                      "ts": 1765000001.5}]
    image = BotUttered(None, {"image": "https://shop.example/a.png"}, timestamp=1765000002.0)
    assert sent(image.message()) == [{"attachment": {"type": "image", "payload": {"src": "https://shop.example/a.png"}},
                                      "ts": 1765000002.0}]


def test_a_message_without_a_usable_timestamp_has_no_ts() -> None:
    for stamp in (None, "yesterday", True):
        assert "ts" not in sent({"text": "hello", "timestamp": stamp})[0]


# ---- the client message id: shape -------------------------------------------------------------

@pytest.mark.parametrize("value", ["w0123456789abcdef", "A" * 64, "abc_DEF-12"])
def test_valid_client_message_ids(value: str) -> None:
    assert valid_client_message_id(value)


@pytest.mark.parametrize("value", [None, 12345678, 1.5, True, ["w0123456789"], {"id": "w0123456789"}, "", "short",
                                   "a" * 65, "x" * 100_000, "has space 123", "ünïcödé-1234", "../../etc/passwd",
                                   "w0123456789\n", "<script>x</script>"])
def test_hostile_client_message_ids_are_refused(value: Any) -> None:
    assert not valid_client_message_id(value)


# ---- the client message id: de-duplication ----------------------------------------------------

def test_an_id_counts_once_per_conversation_while_handled_and_after() -> None:
    ids = ClientMessageIds()

    async def scenario() -> None:
        assert await ids.claim("web:a", "m-00000001")
        assert not await ids.claim("web:a", "m-00000001")  # a racing copy (second tab, reload) while Rasa handles it
        assert await ids.claim("web:b", "m-00000001")  # another shopper's conversation: their ids mean nothing here
        ids.done("web:a", "m-00000001")
        assert not await ids.claim("web:a", "m-00000001")  # handled: a resend is dropped
        assert await ids.claim("web:a", "m-00000002")
        ids.release("web:a", "m-00000002")  # handling failed: it may be sent again
        assert await ids.claim("web:a", "m-00000002")

    asyncio.run(scenario())


def test_the_recent_ids_are_bounded() -> None:
    ids = ClientMessageIds(size=3)

    async def scenario() -> None:
        for n in range(5):
            assert await ids.claim("web:a", f"m-0000000{n}")
            ids.done("web:a", f"m-0000000{n}")
        assert len(ids._handled) == 3
        assert await ids.claim("web:a", "m-00000000")  # forgotten by this process (the tracker still knows)

    asyncio.run(scenario())


def test_a_resent_id_is_looked_up_in_the_tracker() -> None:
    """After a Rasa restart the in-process ids are gone: the conversation's events still tell."""
    events = [{"event": "user", "text": "hi", "message_id": "m-00000001"}, {"event": "bot", "text": "hello"}]
    asked: List[str] = []

    async def load(sender_id: str) -> List[Dict[str, Any]]:
        asked.append(sender_id)
        return events

    async def broken(sender_id: str) -> List[Dict[str, Any]]:
        raise ConnectionError("tracker store down")

    async def scenario() -> None:
        ids = ClientMessageIds()
        assert not await ids.claim("web:a", "m-00000001", load)
        assert not await ids.claim("web:a", "m-00000001")  # now remembered without asking again
        assert await ids.claim("web:a", "m-00000002", load)
        assert await ids.claim("web:a", "m-00000003", broken)  # an unreadable tracker does not stop the message

    asyncio.run(scenario())
    assert asked == ["web:a", "web:a"]


# ---- the socket.io handlers --------------------------------------------------------------------

class Socket:
    """The channel's blueprint with python-socketio's sending replaced, and what reached Rasa."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, slow: Optional[asyncio.Event] = None,
                 handler: Optional[Callable[[UserMessage], Awaitable[None]]] = None) -> None:
        monkeypatch.setenv("SHOP_SESSION_KEY", "test-session-key")
        self.channel = SocketIOChannel()
        self.handled: List[UserMessage] = []
        self.slow = slow

        async def on_new_message(message: UserMessage) -> None:
            self.handled.append(message)
            if self.slow is not None:
                await self.slow.wait()

        self.channel.blueprint(handler or on_new_message)
        sio = self.channel.sio
        self.confirms: List[Dict[str, str]] = []

        async def emit(event: str, data: Any = None, **kwargs: Any) -> None:
            if event == "session_confirm":
                self.confirms.append(data)

        monkeypatch.setattr(sio, "emit", emit)
        monkeypatch.setattr(sio, "enter_room", lambda *args, **kwargs: None)
        self.handlers = sio.handlers["/"]

    def join(self, sid: str) -> str:
        asyncio.run(self.handlers["session_request"](sid, {}))
        return self.confirms[-1]["session_id"]

    async def say(self, sid: str, data: Any) -> Dict[str, Any]:
        return await self.handlers["user_uttered"](sid, data)


def test_messages_with_an_id_reach_rasa_once_and_are_acknowledged(monkeypatch: pytest.MonkeyPatch) -> None:
    socket = Socket(monkeypatch)
    session = socket.join("sid-1")
    payload = {"message": "where is my order?", "session_id": session,
               "metadata": {"message_id": "w0123456789abcdef", "language": "en", "agent": {"name": "Mia"}}}
    assert asyncio.run(socket.say("sid-1", payload)) == {"status": "accepted", "message_id": "w0123456789abcdef"}
    resent = {**payload, "metadata": {**payload["metadata"], "resent": True}}
    assert asyncio.run(socket.say("sid-1", resent))["status"] == "duplicate"
    assert len(socket.handled) == 1
    message = socket.handled[0]
    assert message.message_id == "w0123456789abcdef" and message.sender_id == session
    assert message.metadata == {"language": "en"}  # the id travels as the message's id, not as metadata

    other = socket.join("sid-2")  # another shopper reusing the id: their message is theirs
    assert asyncio.run(socket.say("sid-2", {**payload, "session_id": other}))["status"] == "accepted"
    assert len(socket.handled) == 2
    without = asyncio.run(socket.say("sid-1", {"message": "hello again"}))  # old widgets: Rasa picks the id
    assert without["status"] == "accepted" and len(socket.handled[-1].message_id) == 32


def test_two_tabs_racing_with_the_same_message_send_it_once_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        gate = asyncio.Event()
        socket = Socket(monkeypatch, slow=gate)
        await socket.handlers["session_request"]("tab-1", {})
        token = socket.confirms[-1]
        await socket.handlers["session_request"]("tab-2", dict(token))
        assert socket.confirms[-1]["session_id"] == token["session_id"]
        first = {"message": "one", "metadata": {"message_id": "w-first-0001"}}
        racing = asyncio.create_task(socket.say("tab-1", first))
        await asyncio.sleep(0)
        assert await socket.say("tab-2", {**first, "metadata": {"message_id": "w-first-0001", "resent": True}}) == \
            {"status": "duplicate", "message_id": "w-first-0001"}
        gate.set()
        assert (await racing)["status"] == "accepted"
        assert [m.text for m in socket.handled] == ["one"]

    asyncio.run(scenario())


def test_a_failed_message_may_be_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[str] = []

    async def failing(message: UserMessage) -> None:
        calls.append(message.text)
        if len(calls) == 1:
            raise RuntimeError("model not loaded")

    socket = Socket(monkeypatch, handler=failing)
    socket.join("sid-1")
    payload = {"message": "hi", "metadata": {"message_id": "w-retry-00001"}}
    assert asyncio.run(socket.say("sid-1", payload))["status"] == "failed"
    assert asyncio.run(socket.say("sid-1", payload))["status"] == "accepted"
    assert calls == ["hi", "hi"]


@pytest.mark.parametrize("data", [
    None, "hello", 42, ["message", "hi"],
    {"message": ""}, {"message": "   "}, {"message": 5}, {"message": "x" * 5001},
    {"message": "hi", "metadata": {"message_id": "x" * 100_000}},
    {"message": "hi", "metadata": {"message_id": 123456789}},
    {"message": "hi", "metadata": {"message_id": {"$ne": None}}},
    {"message": "hi", "metadata": {"message_id": "short"}},
    {"message": "hi", "metadata": '{"message_id": "bad id with spaces"}'},
    {"message": "hi", "session_id": "web:" + "0" * 32},  # another shopper's conversation
])
def test_hostile_payloads_are_rejected_with_a_reason_and_never_reach_rasa(monkeypatch: pytest.MonkeyPatch,
                                                                           data: Any) -> None:
    socket = Socket(monkeypatch)
    socket.join("sid-1")
    answer = asyncio.run(socket.say("sid-1", data))
    assert answer["status"] == "rejected" and answer["error"]
    assert socket.handled == []


def test_a_socket_without_a_session_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    socket = Socket(monkeypatch)
    answer = asyncio.run(socket.say("never-joined", {"message": "hi", "metadata": {"message_id": "w0123456789"}}))
    assert answer == {"status": "rejected", "error": "no session: send session_request first"}
    assert socket.handled == []


def test_the_tracker_loader_reads_the_conversation_from_rasas_tracker_store() -> None:
    from types import SimpleNamespace

    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    class Store:
        async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
            if sender_id != "web:a":
                return None
            return DialogueStateTracker.from_events("web:a", [UserUttered("hi", message_id="w-known-0001")])

    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=Store()))))
    channel = SocketIOChannel()
    channel.sio = SimpleNamespace(get_environ=lambda sid, namespace=None: {"sanic.request": request} if sid == "s1" else None)
    load = channel._tracker_loader("s1")
    assert load is not None and channel._tracker_loader("gone") is None

    async def scenario() -> None:
        ids = ClientMessageIds()
        assert not await ids.claim("web:a", "w-known-0001", load)
        assert await ids.claim("web:a", "w-other-0002", load)
        assert await ids.claim("web:b", "w-known-0001", load)  # no tracker yet: a new conversation

    asyncio.run(scenario())
