"""Handing the conversation to a person, relaying while they own it, and the rating after.

``start_handoff`` opens a ticket with everything the bot knew (transcript,
intents, verified customer and order, language, channel) and tells the shopper
what happens next: inside business hours their place in the queue, outside them
when and where the answer comes. From then on ``HandoffPolicy`` (Rasa side)
routes each shopper message to ``action_relay_to_agent`` until the console
resolves the ticket (``action_handoff_resolved`` asks for a 1-5 rating) or the
shopper asks for the bot back (``action_end_handoff``). Outside business hours
nobody would read those messages for hours, so the bot goes on helping while
the ticket waits (``handoff_waiting``); the agent who takes it next gets what
was said meanwhile and the live chat.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    Events,
    ShopAction,
    first,
    intent_of,
    pending_confirmation,
    slot_order_id,
    verified_customer,
)
from actions.services import Services
from assistant.i18n.phrases import current_language, phrase
from assistant.shop.commerce.verification import normalize_email
from assistant.shop.storage.clock import utcnow
from assistant.shop.support.handoff_rules import REQUESTED, TranscriptLine
from assistant.shop.support.hours_text import describe_hours, describe_opening
from assistant.shop.support.tickets import NewTicket, TicketError, TicketView

logger = logging.getLogger(__name__)

RATING = re.compile(r"^\s*([1-5１-５])\s*(?:/\s*5|stars?|分|星|点|點)?\s*[.!。！]*\s*$", re.IGNORECASE)
CSAT_PENDING = "csat"
WAITING_SLOT = "handoff_waiting"  # a ticket waits for the team after hours; the bot goes on helping


def transcript_of(tracker: Tracker) -> Tuple[List[TranscriptLine], List[Optional[datetime]], List[str]]:
    """The conversation so far as transcript lines (with times) and the intents the shopper expressed."""
    lines: List[TranscriptLine] = []
    times: List[Optional[datetime]] = []
    intents: List[str] = []
    for event in tracker.events:
        kind = event.get("event")
        text = (event.get("text") or "").strip()
        if kind == "user" and text:
            intent = intent_of(event)
            lines.append(TranscriptLine("shopper", text, intent))
            if intent and intent not in ("nlu_fallback", "affirm", "deny", "greet", "inform"):
                intents.append(intent)
        elif kind == "bot" and text:
            agent = (event.get("metadata") or {}).get("agent")
            lines.append(TranscriptLine("agent" if agent else "bot", text))
        else:
            continue
        stamp = event.get("timestamp")
        times.append(datetime.fromtimestamp(stamp, timezone.utc) if isinstance(stamp, (int, float)) else None)
    return lines, times, intents


def _channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def _contact_email(tracker: Tracker) -> Optional[str]:
    raw = tracker.get_slot("verified_email") or first(tracker.get_slot("email"))
    return normalize_email(str(raw)) if raw else None


def _known_customer(tracker: Tracker, services: Services) -> Tuple[Optional[int], str]:
    """The verified customer, else one recognised from a channel identity linked earlier."""
    customer_id = verified_customer(tracker, services)
    if customer_id is not None:
        return customer_id, "verified"
    try:
        linked = services.shop.identities.customer_for(_channel(tracker), tracker.sender_id)
    except Exception:  # noqa: BLE001 - recognising a returning shopper is optional
        logger.exception("channel identity lookup failed for conversation %s", tracker.sender_id)
        linked = None
    if linked is not None:
        return linked, "linked_channel"
    return None, "unknown"


def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, reason: str) -> Events:
    """Opens (or finds) the conversation's ticket and tells the shopper what happens next."""
    lines, times, intents = transcript_of(tracker)
    customer_id, identity = _known_customer(tracker, services)
    verified = verified_customer(tracker, services) is not None
    new = NewTicket(
        conversation_id=tracker.sender_id, channel=_channel(tracker), reason=reason,
        language=current_language(), transcript=lines, transcript_times=times, intents=intents,
        customer_id=customer_id, order_id=slot_order_id(tracker) if verified else None,
        contact_email=_contact_email(tracker),
        payload={"identity": identity, "verification_failures": tracker.get_slot("verification_failures") or 0},
    )
    try:
        ticket, created = services.shop.tickets.open_ticket(new)
    except Exception:  # noqa: BLE001 - the shopper still learns how to reach a person
        logger.exception("could not open a ticket for conversation %s", tracker.sender_id)
        dispatcher.utter_message(response="utter_handoff_info", support_email=services.settings.support_email,
                                 support_hours=describe_hours(services.business_hours(), utcnow()))
        return [SlotSet("awaiting_confirmation", None)]
    now, hours = utcnow(), services.business_hours()
    if not hours.is_open(now) and ticket.assignee is None:
        return _after_hours(dispatcher, tracker, services, ticket, created, now, reason)
    if not created:
        dispatcher.utter_message(response="utter_handoff_still_waiting", ticket_id=ticket.id)
    else:
        position = services.shop.tickets.queue_position(ticket.id) or 1
        dispatcher.utter_message(response="utter_handoff_queued", ticket_id=ticket.id, position=position,
                                 buttons=[back_to_bot_button()])
    logger.info("conversation %s handed off: ticket %s (%s)", tracker.sender_id, ticket.id, reason)
    return [SlotSet("handoff_active", True), SlotSet(WAITING_SLOT, False), SlotSet("handoff_ticket", float(ticket.id)),
            SlotSet("awaiting_confirmation", None), SlotSet("requested_slot", None)]


def _after_hours(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, ticket: TicketView,
                 created: bool, now: datetime, reason: str) -> Events:
    """Nobody is online: the ticket waits for the team, and the bot goes on helping meanwhile.

    The bot does not fall silent (a person would not answer for hours): ``handoff_waiting`` marks the
    open ticket, an email typed now becomes its contact (``HandoffPolicy`` routes it to the relay), and
    the agent who takes the ticket gets what was said in the meantime and the live chat
    (``assistant/console/desk.py``).
    """
    hours = services.business_hours()
    email_note = phrase("handoff.email_note", email=ticket.contact_email) if ticket.contact_email else ""
    dispatcher.utter_message(
        response="utter_handoff_after_hours", ticket_id=ticket.id, email_note=email_note,
        support_hours=describe_hours(hours, now), next_open=describe_opening(hours.next_opening(now), hours),
        reply_within_hours=hours.reply_within_hours)
    if not ticket.contact_email:
        dispatcher.utter_message(text=phrase("handoff.ask_email"))
    dispatcher.utter_message(text=phrase("handoff.meanwhile"))
    logger.info("conversation %s handed off after hours: ticket %s (%s, %s)", tracker.sender_id, ticket.id,
                reason, "new" if created else "already open")
    return [SlotSet("handoff_active", False), SlotSet(WAITING_SLOT, True), SlotSet("handoff_ticket", float(ticket.id)),
            SlotSet("awaiting_confirmation", None), SlotSet("requested_slot", None)]


def back_to_bot_button() -> Dict[str, str]:
    return {"title": phrase("button.back_to_bot"), "payload": "/back_to_bot"}


def _ticket_id(tracker: Tracker) -> Optional[int]:
    raw = tracker.get_slot("handoff_ticket")
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _ticket(tracker: Tracker, services: Services) -> Optional[TicketView]:
    """The conversation's active ticket (one query, without the transcript: this runs on every relayed message)."""
    return services.shop.tickets.active_ticket(tracker.sender_id)


class ActionHandoff(ShopAction):
    """The shopper asked for a person (or accepted one): open a ticket."""

    def name(self) -> Text:
        return "action_handoff"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        offered = pending_confirmation(tracker) or ""  # "handoff:complaint" when the bot had offered a person
        reason = offered.partition(":")[2] if offered.startswith("handoff:") else ""
        return start_handoff(dispatcher, tracker, services, reason or REQUESTED)


class ActionRelayToAgent(ShopAction):
    """While a person owns the chat: add the shopper's message to the ticket; the bot stays quiet.

    While a ticket waits for the team after hours (``handoff_waiting``) the bot answers as usual; only a
    message with an email address comes here (``HandoffPolicy``): it becomes the ticket's contact when
    none is known, and the shopper is told where the answer will go (the message itself reaches the
    ticket with the rest of that wait when an agent takes it).
    """

    def name(self) -> Text:
        return "action_relay_to_agent"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        ticket = _ticket(tracker, services)
        if ticket is None:  # resolved in the meantime: the bot is back
            logger.info("conversation %s: no active ticket to relay to; the bot resumes", tracker.sender_id)
            dispatcher.utter_message(response="utter_not_in_handoff")
            return _handoff_over()
        emails = [normalize_email(str(value)) for value in tracker.get_latest_entity_values("email")]
        email = next((value for value in emails if value), None)
        if tracker.get_slot(WAITING_SLOT) and not tracker.get_slot("handoff_active"):
            # after hours: the ticket gets this message with the rest of what was said meanwhile when an
            # agent takes it (the console reads it from the tracker); here only the contact address
            if email and not ticket.contact_email:
                services.shop.tickets.set_contact_email(ticket.id, email)
            contact = ticket.contact_email or email
            dispatcher.utter_message(text=phrase("handoff.email_saved", ticket_id=ticket.id, email=contact)
                                     if contact else phrase("handoff.meanwhile"))
            return [SlotSet("handoff_ticket", float(ticket.id))]
        text = tracker.latest_message.get("text") or ""
        intent = tracker.get_intent_of_latest_message(skip_fallback_intent=False)
        try:
            services.shop.tickets.add_message(ticket.id, "shopper", text, intent=intent)
        except TicketError as exc:
            logger.warning("conversation %s: message not relayed: %s", tracker.sender_id, exc)
            return []
        if email and not ticket.contact_email:
            services.shop.tickets.set_contact_email(ticket.id, email)
        return [SlotSet("handoff_ticket", float(ticket.id))]


def _handoff_over() -> Events:
    return [SlotSet("handoff_active", False), SlotSet(WAITING_SLOT, False)]


class ActionEndHandoff(ShopAction):
    """"Back to the bot": close the ticket as the shopper's choice and carry on."""

    def name(self) -> Text:
        return "action_end_handoff"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        ticket = _ticket(tracker, services)
        if ticket is None:
            dispatcher.utter_message(response="utter_not_in_handoff")
            return _handoff_over()
        try:
            services.shop.tickets.add_message(ticket.id, "shopper", tracker.latest_message.get("text") or "/back_to_bot",
                                              intent="back_to_bot")
            services.shop.tickets.resolve(ticket.id, None, resolution="shopper_returned_to_bot")
        except TicketError as exc:
            logger.info("conversation %s: %s", tracker.sender_id, exc)
        dispatcher.utter_message(response="utter_handoff_ended", ticket_id=ticket.id)
        return _handoff_over()


class ActionHandoffResolved(ShopAction):
    """The agent resolved the ticket (the console triggers ``handoff_resolved``): ask for a rating."""

    def name(self) -> Text:
        return "action_handoff_resolved"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        ticket_id = _ticket_id(tracker)
        ticket = services.shop.tickets.get(ticket_id) if ticket_id is not None else None
        if ticket is None or ticket.conversation_id != tracker.sender_id:
            return _handoff_over()
        dispatcher.utter_message(response="utter_ask_csat", ticket_id=ticket.id, buttons=csat_buttons())
        return [*_handoff_over(), SlotSet("handoff_ticket", float(ticket.id)),
                SlotSet("awaiting_confirmation", f"{CSAT_PENDING}:{ticket.id}")]


def csat_buttons() -> List[Dict[str, str]]:
    return [{"title": str(n), "payload": f'/csat{{"csat_rating": "{n}"}}'} for n in range(1, 6)]


def rating_from(tracker: Tracker) -> Optional[int]:
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") == "csat_rating":
            try:
                return int(str(entity.get("value")).strip())
            except ValueError:
                return None
    match = RATING.match(tracker.latest_message.get("text") or "")
    if match:
        return int(match.group(1).translate(str.maketrans("１２３４５", "12345")))
    return None


def store_csat(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services, ticket_id: int) -> Events:
    rating = rating_from(tracker)
    if rating is None or not 1 <= rating <= 5:
        dispatcher.utter_message(response="utter_csat_invalid", buttons=csat_buttons())
        return [SlotSet("awaiting_confirmation", f"{CSAT_PENDING}:{ticket_id}")]
    ticket = services.shop.tickets.get(ticket_id)
    if ticket is None or ticket.conversation_id != tracker.sender_id or ticket.csat_rating is not None:
        dispatcher.utter_message(response="utter_ok")  # not this shopper's ticket, or rated already
        return [SlotSet("awaiting_confirmation", None)]
    services.shop.tickets.record_csat(ticket_id, rating)
    logger.info("conversation %s rated ticket %s: %s/5", tracker.sender_id, ticket_id, rating)
    dispatcher.utter_message(response="utter_csat_thanks", rating=rating)
    return [SlotSet("awaiting_confirmation", None)]


def csat_ticket(tracker: Tracker) -> Optional[int]:
    """The ticket a rating would be for: the one whose rating the bot asked for last, else the slot's."""
    pending = pending_confirmation(tracker) or ""
    if pending.startswith(f"{CSAT_PENDING}:"):
        try:
            return int(pending.split(":", 1)[1])
        except ValueError:
            return None
    return None


class ActionStoreCsat(ShopAction):
    """A rating button (``/csat{"csat_rating": "4"}``): store it on the ticket just resolved.

    Only while the bot is waiting for that rating, and once: a shopper cannot re-rate a ticket by
    sending the payload again later."""

    def name(self) -> Text:
        return "action_store_csat"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        ticket_id = csat_ticket(tracker)
        if ticket_id is None:
            dispatcher.utter_message(response="utter_ok")
            return []
        return store_csat(dispatcher, tracker, services, ticket_id)

