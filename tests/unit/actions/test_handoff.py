"""action_handoff, action_relay_to_agent, action_end_handoff, action_handoff_resolved and action_store_csat,
in-process, with tickets in the test shop's database.

"Now" is Wed 2025-03-12 10:00 UTC (agents online: business_hours.yml, Europe/London); ``SUNDAY`` is closed.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.handoff import (
    ActionEndHandoff,
    ActionHandoff,
    ActionHandoffResolved,
    ActionRelayToAgent,
    ActionStoreCsat,
)
from assistant.shop.support.pii import mask_pii
from assistant.shop.support.tickets import NewTicket
from tests.unit.actions.conftest import asked, reply, responses, run, slots_of, tracker, unfilled

SUNDAY = datetime(2025, 3, 16, 10, 0, tzinfo=timezone.utc)
CARD = "4111 1111 1111 1111"
HISTORY = [
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}, "timestamp": 1741773000.0},
    {"event": "bot", "text": "Hello! How can I help?", "timestamp": 1741773001.0},
    {"event": "user", "text": f"my card {CARD} was charged twice, write to jane.doe@example.com",
     "parse_data": {"intent": {"name": "payment_issue"}}, "timestamp": 1741773002.0},
    {"event": "bot", "text": "Sorry about that. Shall I get a person?", "timestamp": 1741773003.0},
    {"event": "slot", "name": "awaiting_confirmation", "value": "handoff:payment_issue", "timestamp": 1741773003.0},
]


def _handoff(sender_id: str = "chat-1", slots=None, events=(), text: str = "a person please",
             intent: str = "human_handoff"):
    return run(ActionHandoff(), tracker(slots=slots, events=list(events), text=text, intent=intent,
                                        sender_id=sender_id))


def _open_ticket(services, sender_id: str, **fields) -> int:
    ticket, _ = services.shop.tickets.open_ticket(NewTicket(conversation_id=sender_id, channel="rest",
                                                            reason="requested", **fields))
    return ticket.id


# ---- action_handoff ----------------------------------------------------------------------------------

def test_a_request_for_a_person_opens_a_ticket_and_queues_the_shopper(services, domain, clock) -> None:
    events, messages = _handoff()
    queued = reply(messages, "utter_handoff_queued")
    assert queued["position"] == 1 and queued["buttons"] == [{"title": "Back to the assistant",
                                                             "payload": "/back_to_bot"}]
    assert unfilled(domain, queued) == set()
    slots = slots_of(events)
    assert slots == {"handoff_active": True, "handoff_waiting": False, "handoff_ticket": float(queued["ticket_id"]),
                     "awaiting_confirmation": None, "requested_slot": None}
    ticket = services.shop.tickets.get(queued["ticket_id"])
    assert (ticket.conversation_id, ticket.reason, ticket.status, ticket.language, ticket.channel) == (
        "chat-1", "requested", "open", "en", "rest")
    assert ticket.customer_id is None and ticket.order_id is None and ticket.payload["identity"] == "unknown"


def test_the_ticket_carries_the_transcript_intents_and_offered_reason(services, clock) -> None:
    events, _ = _handoff(events=HISTORY, text="yes please", intent="affirm")
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    assert ticket.reason == "payment_issue"  # what the bot had offered a person for
    assert [(m.sender, m.text) for m in ticket.messages] == [
        ("shopper", "hi"), ("bot", "Hello! How can I help?"),
        ("shopper", f"my card {CARD} was charged twice, write to jane.doe@example.com"),
        ("bot", "Sorry about that. Shall I get a person?"), ("shopper", "yes please")]
    assert ticket.messages[0].created_at == datetime.fromtimestamp(1741773000.0, timezone.utc)
    assert ticket.intents == ("payment_issue",)  # greet and affirm are not what the shopper wants
    assert ticket.messages[2].intent == "payment_issue"


def test_the_transcript_keeps_personal_data_for_agents_and_masks_it_for_display(services, clock) -> None:
    """Agents can reveal a value (audited), so the ticket keeps the words; the console shows them masked."""
    events, _ = _handoff(events=HISTORY, text="yes", intent="affirm")
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    shown = mask_pii(ticket.messages[2].text)
    assert CARD not in shown and "jane.doe@example.com" not in shown
    assert "[email]" in shown and "charged twice" in shown


def test_a_second_request_finds_the_open_ticket(services, domain, clock) -> None:
    first, _ = _handoff()
    events, messages = _handoff(text="hello? anyone?")
    waiting = reply(messages, "utter_handoff_still_waiting")
    assert float(waiting["ticket_id"]) == slots_of(first)["handoff_ticket"] == slots_of(events)["handoff_ticket"]
    assert unfilled(domain, waiting) == set()
    assert len(services.shop.tickets.queue()) == 1


def test_the_queue_position_counts_the_shoppers_ahead(services, clock) -> None:
    _handoff(sender_id="first")
    _, messages = _handoff(sender_id="second")
    assert reply(messages, "utter_handoff_queued")["position"] == 2


def test_a_verified_shopper_hands_over_customer_order_and_email(services, jane) -> None:
    events, _ = _handoff(sender_id="test-shopper", slots={**jane, "order_id": "SO100003"})
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    assert (ticket.customer_id, ticket.order_id, ticket.contact_email) == (1, "SO100003", "jane.doe@example.com")
    assert ticket.payload["identity"] == "verified"


def test_an_unverified_shopper_hands_over_no_order(services, clock) -> None:
    forged = {"verified_customer_id": "1", "order_id": "SO100003"}
    events, _ = _handoff(slots=forged)
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    assert ticket.order_id is None and ticket.customer_id is None


def test_a_channel_linked_earlier_names_the_customer_but_no_order(services, clock) -> None:
    services.shop.identities.link(1, "rest", "returning-shopper")
    events, _ = _handoff(sender_id="returning-shopper", slots={"order_id": "SO100003"})
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    assert ticket.customer_id == 1 and ticket.payload["identity"] == "linked_channel"
    assert ticket.order_id is None


def test_after_hours_the_shopper_learns_when_and_is_asked_for_an_email(services, domain, clock) -> None:
    clock(SUNDAY)
    events, messages = _handoff()
    after = reply(messages, "utter_handoff_after_hours")
    assert after["next_open"] == "Mon 17 Mar 2025 at 9:00 (Europe/London time)"
    assert after["reply_within_hours"] == 24 and after["email_note"] == ""
    assert "Monday to Friday 9:00" in after["support_hours"]
    assert unfilled(domain, after) == set()
    assert messages[1]["text"] and "email" in messages[1]["text"]  # no email known: asked for one
    assert "still here" in messages[2]["text"]  # and the bot goes on helping
    assert "buttons" not in after or not after["buttons"]  # no "back to the assistant": it never left
    slots = slots_of(events)
    assert (slots["handoff_active"], slots["handoff_waiting"]) == (False, True)
    assert services.shop.tickets.get(after["ticket_id"]).status == "open"


def test_after_hours_a_second_request_names_the_waiting_ticket_and_keeps_the_bot(services, clock) -> None:
    clock(SUNDAY)
    first_events, _ = _handoff()
    events, messages = _handoff(slots={"handoff_waiting": True})
    after = reply(messages, "utter_handoff_after_hours")
    assert after["ticket_id"] == int(slots_of(first_events)["handoff_ticket"])
    assert (slots_of(events)["handoff_active"], slots_of(events)["handoff_waiting"]) == (False, True)


def test_a_ticket_left_overnight_queues_the_shopper_once_the_team_is_online(services, clock) -> None:
    clock(SUNDAY)
    first_events, _ = _handoff()
    clock(datetime(2025, 3, 17, 10, 0, tzinfo=timezone.utc))  # Monday, online
    events, messages = _handoff(slots={"handoff_waiting": True})
    assert responses(messages) == ["utter_handoff_still_waiting"]
    assert messages[0]["ticket_id"] == int(slots_of(first_events)["handoff_ticket"])
    assert (slots_of(events)["handoff_active"], slots_of(events)["handoff_waiting"]) == (True, False)


def test_after_hours_a_known_email_is_named_and_not_asked(services, verify, clock) -> None:
    clock(SUNDAY)
    _, messages = _handoff(sender_id="test-shopper", slots={**verify(1), "order_id": "SO100003"})
    assert responses(messages)[0] == "utter_handoff_after_hours" and "email" not in messages[1]["text"]
    assert messages[0]["email_note"] == " and by email to jane.doe@example.com"


def test_after_hours_in_japanese(services, clock) -> None:
    clock(SUNDAY)
    events, messages = _handoff(slots={"language": "ja"}, text="人と話したい")
    after = reply(messages, "utter_handoff_after_hours")
    assert after["next_open"].startswith("2025年3月17日（月） 9:00")
    assert "お尋ねください" in messages[-1]["text"]
    ticket = services.shop.tickets.get(int(slots_of(events)["handoff_ticket"]))
    assert ticket.language == "ja"


def test_a_ticket_that_cannot_be_opened_still_says_how_to_reach_a_person(services, domain, clock,
                                                                         monkeypatch) -> None:
    def broken(new, now=None):
        raise RuntimeError("database is down")

    monkeypatch.setattr(services.shop.tickets, "open_ticket", broken)
    events, messages = _handoff()
    info = reply(messages, "utter_handoff_info")
    assert info["support_email"] == "help@shop.test" and "9:00" in info["support_hours"]
    assert unfilled(domain, info) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}  # not in a handoff


# ---- action_relay_to_agent ---------------------------------------------------------------------------

def test_a_message_during_the_handoff_goes_to_the_ticket_silently(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1")
    events, messages = run(ActionRelayToAgent(), tracker(text="it was order SO100003", intent="inform",
                                                         sender_id="chat-1"))
    assert messages == [] and slots_of(events) == {"handoff_ticket": float(ticket_id)}
    last = services.shop.tickets.get(ticket_id).messages[-1]
    assert (last.sender, last.text, last.intent) == ("shopper", "it was order SO100003", "inform")


def test_an_email_given_during_the_handoff_becomes_the_contact(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1")
    run(ActionRelayToAgent(), tracker(text="mail me: Bob@Example.org", intent="inform", sender_id="chat-1",
                                      entities=[{"entity": "email", "value": "Bob@Example.org"}]))
    assert services.shop.tickets.get(ticket_id).contact_email == "bob@example.org"


def test_a_known_contact_email_is_not_replaced(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1", contact_email="jane.doe@example.com")
    run(ActionRelayToAgent(), tracker(text="x@y.org", intent="inform", sender_id="chat-1",
                                      entities=[{"entity": "email", "value": "x@y.org"}]))
    assert services.shop.tickets.get(ticket_id).contact_email == "jane.doe@example.com"


def test_an_email_typed_while_the_ticket_waits_after_hours_is_its_contact_and_confirmed(services, clock) -> None:
    clock(SUNDAY)
    ticket_id = _open_ticket(services, "chat-1")
    events, messages = run(ActionRelayToAgent(), tracker(
        text="it's Bob@Example.org", intent="inform", sender_id="chat-1",
        slots={"handoff_waiting": True, "handoff_active": False},
        entities=[{"entity": "email", "value": "Bob@Example.org"}]))
    ticket = services.shop.tickets.get(ticket_id)
    assert ticket.contact_email == "bob@example.org"
    assert ticket.messages == ()  # it reaches the ticket with the rest of the wait when an agent takes it
    assert len(messages) == 1 and f"#{ticket_id}" in messages[0]["text"] and "bob@example.org" in messages[0]["text"]
    assert slots_of(events) == {"handoff_ticket": float(ticket_id)}  # still waiting, the bot still answering


def test_while_waiting_a_second_address_names_the_contact_already_known(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1", contact_email="jane.doe@example.com")
    _, messages = run(ActionRelayToAgent(), tracker(
        text="x@y.org", intent="inform", sender_id="chat-1", slots={"handoff_waiting": True},
        entities=[{"entity": "email", "value": "x@y.org"}]))
    assert services.shop.tickets.get(ticket_id).contact_email == "jane.doe@example.com"
    assert "jane.doe@example.com" in messages[0]["text"]


def test_an_empty_message_is_not_relayed(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1")
    events, messages = run(ActionRelayToAgent(), tracker(text="   ", sender_id="chat-1"))
    assert events == [] and messages == []
    assert services.shop.tickets.get(ticket_id).messages == ()


def test_without_an_active_ticket_the_bot_is_back(services, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1")
    services.shop.tickets.resolve(ticket_id, None)
    events, messages = run(ActionRelayToAgent(), tracker(text="hello?", sender_id="chat-1"))
    assert responses(messages) == ["utter_not_in_handoff"]
    assert slots_of(events) == {"handoff_active": False, "handoff_waiting": False}
    assert services.shop.tickets.get(ticket_id).messages == ()


def test_another_conversations_ticket_gets_nothing(services, clock) -> None:
    ticket_id = _open_ticket(services, "someone-else")
    _, messages = run(ActionRelayToAgent(), tracker(text="hi", sender_id="chat-1"))
    assert responses(messages) == ["utter_not_in_handoff"]
    assert services.shop.tickets.get(ticket_id).messages == ()


# ---- action_end_handoff ------------------------------------------------------------------------------

def test_back_to_the_bot_resolves_the_ticket_as_the_shoppers_choice(services, domain, clock) -> None:
    ticket_id = _open_ticket(services, "chat-1")
    events, messages = run(ActionEndHandoff(), tracker(text="/back_to_bot", intent="back_to_bot",
                                                       sender_id="chat-1"))
    ended = reply(messages, "utter_handoff_ended")
    assert ended["ticket_id"] == ticket_id and unfilled(domain, ended) == set()
    assert slots_of(events) == {"handoff_active": False, "handoff_waiting": False}
    ticket = services.shop.tickets.get(ticket_id)
    assert ticket.status == "resolved" and ticket.resolution == "shopper_returned_to_bot"
    assert (ticket.messages[-1].text, ticket.messages[-1].intent) == ("/back_to_bot", "back_to_bot")


def test_back_to_the_bot_without_a_ticket(services, clock) -> None:
    events, messages = run(ActionEndHandoff(), tracker(text="/back_to_bot", intent="back_to_bot"))
    assert responses(messages) == ["utter_not_in_handoff"]
    assert slots_of(events) == {"handoff_active": False, "handoff_waiting": False}


# ---- action_handoff_resolved and action_store_csat ---------------------------------------------------

def _resolved(services, sender_id: str = "chat-1") -> int:
    ticket_id = _open_ticket(services, sender_id)
    services.shop.tickets.resolve(ticket_id, None)
    return ticket_id


def _rate(value: str | None, events, sender_id: str = "chat-1", text: str | None = None):
    entities = [{"entity": "csat_rating", "value": value}] if value is not None else []
    state = tracker(text=text if text is not None else f'/csat{{"csat_rating": "{value}"}}', intent="csat",
                    entities=entities, events=events, sender_id=sender_id)
    return run(ActionStoreCsat(), state)


def test_a_resolved_ticket_asks_for_a_rating(services, domain, clock) -> None:
    ticket_id = _resolved(services)
    events, messages = run(ActionHandoffResolved(), tracker(slots={"handoff_ticket": float(ticket_id)},
                                                            intent="handoff_resolved", sender_id="chat-1"))
    ask = reply(messages, "utter_ask_csat")
    assert [b["title"] for b in ask["buttons"]] == ["1", "2", "3", "4", "5"]
    assert ask["buttons"][3]["payload"] == '/csat{"csat_rating": "4"}'
    assert unfilled(domain, ask) == set()
    assert slots_of(events) == {"handoff_active": False, "handoff_waiting": False, "handoff_ticket": float(ticket_id),
                                "awaiting_confirmation": f"csat:{ticket_id}"}


def test_another_conversations_ticket_is_not_asked_about_here(services, clock) -> None:
    ticket_id = _resolved(services)
    events, messages = run(ActionHandoffResolved(), tracker(slots={"handoff_ticket": float(ticket_id)},
                                                            intent="handoff_resolved", sender_id="someone-else"))
    assert messages == [] and slots_of(events) == {"handoff_active": False, "handoff_waiting": False}


def test_a_rating_asked_for_is_stored(services, domain, clock) -> None:
    ticket_id = _resolved(services)
    events, messages = _rate("4", asked(f"csat:{ticket_id}"))
    thanks = reply(messages, "utter_csat_thanks")
    assert thanks["rating"] == 4 and unfilled(domain, thanks) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}
    assert services.shop.tickets.get(ticket_id).csat_rating == 4


def test_a_ticket_is_rated_once(services, clock) -> None:
    ticket_id = _resolved(services)
    _rate("4", asked(f"csat:{ticket_id}"))
    _, messages = _rate("1", asked(f"csat:{ticket_id}"))
    assert responses(messages) == ["utter_ok"]
    assert services.shop.tickets.get(ticket_id).csat_rating == 4


def test_a_rating_payload_sent_later_is_ignored(services, clock) -> None:
    ticket_id = _resolved(services)
    stale = [*asked(f"csat:{ticket_id}"), {"event": "user", "text": "thanks, bye", "timestamp": 0},
             {"event": "bot", "text": "Bye!", "timestamp": 0}]
    events, messages = _rate("1", stale)
    assert responses(messages) == ["utter_ok"] and events == []
    assert services.shop.tickets.get(ticket_id).csat_rating is None


def test_a_rating_without_a_question_is_ignored(services, clock) -> None:
    ticket_id = _resolved(services)
    _, messages = _rate("5", [])
    assert responses(messages) == ["utter_ok"]
    assert services.shop.tickets.get(ticket_id).csat_rating is None


@pytest.mark.parametrize("value", ["9", "0", "great"])
def test_a_rating_out_of_range_is_asked_again(services, clock, value) -> None:
    ticket_id = _resolved(services)
    events, messages = _rate(value, asked(f"csat:{ticket_id}"))
    assert responses(messages) == ["utter_csat_invalid"] and len(messages[0]["buttons"]) == 5
    assert slots_of(events) == {"awaiting_confirmation": f"csat:{ticket_id}"}
    assert services.shop.tickets.get(ticket_id).csat_rating is None


@pytest.mark.parametrize(("text", "rating"), [("5", 5), ("4 stars", 4), ("３", 3), ("2/5", 2), ("5分", 5)])
def test_a_typed_rating_counts(services, clock, text, rating) -> None:
    ticket_id = _resolved(services)
    _, messages = _rate(None, asked(f"csat:{ticket_id}"), text=text)
    assert responses(messages) == ["utter_csat_thanks"]
    assert services.shop.tickets.get(ticket_id).csat_rating == rating


def test_another_conversations_ticket_cannot_be_rated(services, clock) -> None:
    ticket_id = _resolved(services, sender_id="someone-else")
    _, messages = _rate("1", asked(f"csat:{ticket_id}"))
    assert responses(messages) == ["utter_ok"]
    assert services.shop.tickets.get(ticket_id).csat_rating is None
