"""Proactive notifications outside a messenger's 24-hour window: the Messenger message tag and the WhatsApp
template, as the channel outputs send them (run in the Rasa venv; the platform APIs are captured)."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

from assistant.rasa_plugins.channels.facebook import FacebookOutput
from assistant.rasa_plugins.channels.rendering import BotMessage
from assistant.rasa_plugins.channels.twilio import TwilioOutput


class Captured:
    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []

    async def post(self, method: str, url: str, **kwargs: Any) -> Dict[str, Any]:
        self.calls.append({"method": method, **kwargs})
        return {}


def message(**metadata: Any) -> Dict[str, Any]:
    # what Rasa hands the output: the bot event's data and metadata merged (BotUttered.message())
    return {"text": "Your order SO100002 has shipped.", "buttons": [{"title": "Stop updates",
                                                                      "payload": "/stop_updates"}], **metadata}


def test_messenger_sends_a_reply_normally_and_a_tagged_update_when_asked() -> None:
    output = FacebookOutput("page-token", graph_url="http://fake")
    output.api = Captured()
    asyncio.run(output.send_response("facebook:1234567", message()))
    asyncio.run(output.send_response("facebook:1234567", message(messenger_tag="POST_PURCHASE_UPDATE")))
    first, second = (call["json"] for call in output.api.calls)
    assert first["messaging_type"] == "RESPONSE" and "tag" not in first
    assert second["messaging_type"] == "MESSAGE_TAG" and second["tag"] == "POST_PURCHASE_UPDATE"
    assert second["recipient"] == {"id": "1234567"}


def test_a_tag_that_is_not_a_tag_is_ignored() -> None:
    assert BotMessage.from_rasa(message(messenger_tag="post purchase; DROP")).messenger_tag is None
    assert BotMessage.from_rasa(message(whatsapp_template="HX1")).whatsapp_template is None


def test_whatsapp_outside_the_window_sends_the_template_instead_of_free_text() -> None:
    output = TwilioOutput("AC1", "token", "+14155238886", api_url="http://fake")
    output.api = Captured()
    template = {"sid": "HXb5b62575e6e4ff6129ad7c8efe1f983e", "variables": {"1": "SO100002", "2": "shipped"}}
    asyncio.run(output.send_response("whatsapp:+4915112345678", message(whatsapp_template=template)))
    [call] = output.api.calls
    fields = call["data"]
    assert fields["ContentSid"] == template["sid"] and "Body" not in fields
    assert json.loads(fields["ContentVariables"]) == template["variables"]
    assert fields["From"] == "whatsapp:+14155238886" and fields["To"] == "whatsapp:+4915112345678"


def test_sms_ignores_a_whatsapp_template_and_sends_text() -> None:
    output = TwilioOutput("AC1", "token", "+14155238886", api_url="http://fake")
    output.api = Captured()
    asyncio.run(output.send_response("sms:+4915112345678", message(whatsapp_template={"sid": "HX1"})))
    assert all("Body" in call["data"] for call in output.api.calls)
