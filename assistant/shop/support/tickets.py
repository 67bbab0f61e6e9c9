"""Support tickets: the handoff from the bot to a person, and the console's work on it.

The action server opens a ticket (with the transcript so far, a summary and a
priority) and appends the shopper's messages while an agent owns the chat; the
console lists, takes, answers, resolves and reopens tickets and records CSAT.
Plain SQLAlchemy, no Rasa import; callers get frozen views, never ORM objects.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.shop.storage.clock import resolve_now, to_utc
from assistant.shop.storage.models import Agent, AuditEvent, Ticket, TicketMessage, TicketNote
from assistant.shop.support.handoff_rules import (
    PRIORITY_LABELS,
    REASON_LABELS,
    TranscriptLine,
    priority_for,
    summarize,
)
from assistant.shop.support.pii import mask_pii

logger = logging.getLogger(__name__)

ACTIVE = ("open", "assigned")
MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MAX_MESSAGE_LENGTH = 4000


class TicketError(ValueError):
    """A ticket action that cannot be done; the message says why."""


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class MessageView:
    id: int
    sender: str
    text: str
    intent: str | None
    agent_name: str | None
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoteView:
    id: int
    agent_name: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class TicketView:
    id: int
    conversation_id: str
    channel: str
    customer_id: int | None
    order_id: str | None
    contact_email: str | None
    reason: str
    status: str
    priority: int
    language: str
    intents: tuple[str, ...]
    summary: str
    tags: tuple[str, ...]
    assignee: AgentView | None
    created_at: datetime
    updated_at: datetime
    taken_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    csat_rating: int | None
    payload: dict[str, Any]
    messages: tuple[MessageView, ...] = ()
    notes: tuple[NoteView, ...] = ()

    @property
    def priority_label(self) -> str:
        return PRIORITY_LABELS.get(self.priority, str(self.priority))

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def waiting(self, now: datetime | None = None) -> timedelta:
        end = self.resolved_at or resolve_now(now)
        return end - self.created_at

    def to_dict(self, with_messages: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "conversation_id": self.conversation_id, "channel": self.channel,
            "customer_id": self.customer_id, "order_id": self.order_id, "reason": self.reason,
            "status": self.status, "priority": self.priority, "priority_label": self.priority_label,
            "language": self.language, "intents": list(self.intents), "summary": self.summary,
            "tags": list(self.tags), "assignee": self.assignee.display_name if self.assignee else None,
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "taken_at": _iso(self.taken_at), "first_response_at": _iso(self.first_response_at),
            "resolved_at": _iso(self.resolved_at), "resolution": self.resolution, "csat_rating": self.csat_rating,
        }
        if with_messages:
            data["messages"] = [
                {"id": m.id, "sender": m.sender, "text": m.text, "intent": m.intent, "agent": m.agent_name,
                 "created_at": m.created_at.isoformat()} for m in self.messages]
            data["notes"] = [{"id": n.id, "agent": n.agent_name, "text": n.text,
                              "created_at": n.created_at.isoformat()} for n in self.notes]
        return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _agent_view(agent: Agent | None) -> AgentView | None:
    return AgentView(agent.id, agent.username, agent.display_name) if agent else None


def _message_view(message: TicketMessage) -> MessageView:
    return MessageView(message.id, message.sender, message.text, message.intent,
                       message.agent.display_name if message.agent else None,
                       to_utc(message.created_at), dict(message.data or {}))  # type: ignore[arg-type]


def _view(ticket: Ticket, with_messages: bool = False) -> TicketView:
    return TicketView(
        id=ticket.id, conversation_id=ticket.conversation_id, channel=ticket.channel,
        customer_id=ticket.customer_id, order_id=ticket.order_id, contact_email=ticket.contact_email,
        reason=ticket.reason, status=ticket.status, priority=ticket.priority, language=ticket.language,
        intents=tuple(ticket.intents or ()), summary=ticket.summary or "", tags=tuple(ticket.tags or ()),
        assignee=_agent_view(ticket.assignee), created_at=ticket.created_at, updated_at=ticket.updated_at,
        taken_at=ticket.taken_at, first_response_at=ticket.first_response_at, resolved_at=ticket.resolved_at,
        resolution=ticket.resolution, csat_rating=ticket.csat_rating, payload=dict(ticket.payload or {}),
        messages=tuple(_message_view(m) for m in ticket.messages) if with_messages else (),
        notes=tuple(NoteView(n.id, n.agent.display_name if n.agent else "?", n.text, n.created_at)
                    for n in ticket.notes) if with_messages else (),
    )


@dataclass(frozen=True)
class NewTicket:
    """What the bot knows when it hands off."""

    conversation_id: str
    channel: str
    reason: str
    language: str = "en"
    transcript: Sequence[TranscriptLine] = ()
    transcript_times: Sequence[datetime | None] = ()  # when each line was said, if known
    intents: Sequence[str] = ()
    customer_id: int | None = None
    order_id: str | None = None
    contact_email: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    tag: str = ""
    intent: str = ""
    reason: str = ""
    date_from: date | None = None
    date_to: date | None = None
    status: str = "resolved"  # "resolved", "active" or "any"
    limit: int = 200


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Lower-case, trimmed, unique tags; rejects over-long or too many."""
    cleaned: list[str] = []
    for raw in tags:
        tag = " ".join(str(raw).strip().lower().split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise TicketError(f"a tag is at most {MAX_TAG_LENGTH} characters: {tag[:MAX_TAG_LENGTH]}…")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise TicketError(f"a ticket has at most {MAX_TAGS} tags")
    return cleaned


class TicketService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # ---- the bot's side ---------------------------------------------------
    def open_ticket(self, new: NewTicket, now: datetime | None = None) -> tuple[TicketView, bool]:
        """Opens a ticket for the conversation, or returns its active one; True when newly created."""
        now = resolve_now(now)
        with self._sessions.begin() as session:
            existing = session.scalars(
                select(Ticket).where(Ticket.conversation_id == new.conversation_id, Ticket.status.in_(ACTIVE))
                .order_by(Ticket.id.desc()).limit(1)
            ).first()
            if existing is not None:
                return _view(existing), False
            shopper_texts = [line.text for line in new.transcript if line.sender == "shopper"]
            intents = list(dict.fromkeys(i for i in new.intents if i))
            ticket = Ticket(
                conversation_id=new.conversation_id, channel=new.channel or "rest", reason=new.reason,
                language=new.language or "en", intents=intents, summary=summarize(list(new.transcript)),
                priority=priority_for(new.reason, intents, shopper_texts), customer_id=new.customer_id,
                order_id=new.order_id, contact_email=new.contact_email, payload=dict(new.payload),
                status="open", created_at=now, updated_at=now, tags=[],
            )
            times = list(new.transcript_times) + [None] * (len(new.transcript) - len(new.transcript_times))
            for line, said_at in zip(new.transcript, times):
                ticket.messages.append(TicketMessage(sender=line.sender, text=line.text[:MAX_MESSAGE_LENGTH],
                                                     intent=line.intent, created_at=said_at or now, data={}))
            session.add(ticket)
            session.flush()
            logger.info("ticket %s opened for conversation %s (%s, priority %s)", ticket.id,
                        new.conversation_id, new.reason, ticket.priority)
            return _view(ticket), True

    def active_ticket(self, conversation_id: str) -> TicketView | None:
        with self._sessions() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.conversation_id == conversation_id, Ticket.status.in_(ACTIVE))
                .order_by(Ticket.id.desc()).limit(1)
            ).first()
            return _view(ticket) if ticket else None

    def queue_position(self, ticket_id: int) -> int:
        """1 for the next ticket an agent will take: waiting tickets ordered by priority, then age."""
        with self._sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None or ticket.status != "open":
                return 0
            ahead = session.scalar(
                select(func.count()).select_from(Ticket).where(
                    Ticket.status == "open", Ticket.id != ticket.id,
                    or_(Ticket.priority > ticket.priority,
                        (Ticket.priority == ticket.priority) & (Ticket.created_at <= ticket.created_at)),
                )
            )
            return int(ahead or 0) + 1

    def add_message(self, ticket_id: int, sender: str, text: str, *, intent: str | None = None,
                    agent_id: int | None = None, data: dict[str, Any] | None = None,
                    now: datetime | None = None) -> MessageView:
        text = (text or "").strip()
        if not text:
            raise TicketError("the message is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise TicketError(f"the message is longer than {MAX_MESSAGE_LENGTH} characters")
        now = resolve_now(now)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            message = TicketMessage(ticket=ticket, sender=sender, text=text, intent=intent, agent_id=agent_id,
                                    created_at=now, data=data or {})
            session.add(message)
            ticket.updated_at = now
            if sender == "agent" and ticket.first_response_at is None:
                ticket.first_response_at = now
            session.flush()
            session.refresh(message)
            return _message_view(message)

    def mark_undelivered(self, message_id: int) -> None:
        """An agent message Rasa did not take: kept, and flagged for the console."""
        with self._sessions.begin() as session:
            message = session.get(TicketMessage, message_id)
            if message is not None:
                message.data = {**(message.data or {}), "undelivered": True}

    def set_contact_email(self, ticket_id: int, email: str) -> None:
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            if not ticket.contact_email:
                ticket.contact_email = email
                ticket.updated_at = resolve_now(None)

    def record_csat(self, ticket_id: int, rating: int, now: datetime | None = None) -> TicketView:
        if not 1 <= int(rating) <= 5:
            raise TicketError("a rating is a whole number from 1 to 5")
        now = resolve_now(now)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            ticket.csat_rating = int(rating)
            ticket.csat_at = now
            ticket.updated_at = now
            return _view(ticket)

    # ---- the console's side -----------------------------------------------
    def get(self, ticket_id: int) -> TicketView | None:
        with self._sessions() as session:
            ticket = session.scalars(
                select(Ticket).where(Ticket.id == ticket_id).options(
                    selectinload(Ticket.messages).selectinload(TicketMessage.agent),
                    selectinload(Ticket.notes).selectinload(TicketNote.agent), selectinload(Ticket.assignee))
            ).first()
            return _view(ticket, with_messages=True) if ticket else None

    def queue(self) -> list[TicketView]:
        """Active tickets: waiting ones first, by priority then wait time; then those agents are on."""
        with self._sessions() as session:
            tickets = session.scalars(
                select(Ticket).where(Ticket.status.in_(ACTIVE)).options(selectinload(Ticket.assignee))
                .order_by((Ticket.status == "assigned").asc(), Ticket.priority.desc(), Ticket.created_at.asc())
            ).all()
            return [_view(t) for t in tickets]

    def for_customer(self, customer_id: int, exclude: int | None = None, limit: int = 20) -> list[TicketView]:
        with self._sessions() as session:
            query = select(Ticket).where(Ticket.customer_id == customer_id)
            if exclude is not None:
                query = query.where(Ticket.id != exclude)
            tickets = session.scalars(query.order_by(Ticket.created_at.desc()).limit(limit)).all()
            return [_view(t) for t in tickets]

    def take(self, ticket_id: int, agent_id: int, now: datetime | None = None) -> TicketView:
        now = resolve_now(now)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            if ticket.status == "resolved":
                raise TicketError(f"ticket #{ticket_id} is resolved; reopen it first")
            ticket.status = "assigned"
            ticket.assignee_id = agent_id
            ticket.taken_at = ticket.taken_at or now
            ticket.updated_at = now
            self._audit(session, agent_id, ticket_id, "take", {})
            session.flush()
            session.refresh(ticket)
            return _view(ticket)

    def resolve(self, ticket_id: int, agent_id: int | None, resolution: str = "agent",
                now: datetime | None = None) -> TicketView:
        now = resolve_now(now)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            if ticket.status == "resolved":
                raise TicketError(f"ticket #{ticket_id} is already resolved")
            ticket.status = "resolved"
            ticket.resolved_at = now
            ticket.resolution = resolution
            ticket.updated_at = now
            if agent_id is not None and ticket.assignee_id is None:
                ticket.assignee_id = agent_id
            self._audit(session, agent_id, ticket_id, "resolve", {"resolution": resolution})
            session.flush()
            session.refresh(ticket)
            return _view(ticket)

    def reopen(self, ticket_id: int, agent_id: int, now: datetime | None = None) -> TicketView:
        now = resolve_now(now)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            if ticket.status != "resolved":
                raise TicketError(f"ticket #{ticket_id} is not resolved")
            other = session.scalars(select(Ticket.id).where(
                Ticket.conversation_id == ticket.conversation_id, Ticket.status.in_(ACTIVE))).first()
            if other is not None:
                raise TicketError(f"the conversation already has an active ticket (#{other})")
            ticket.status = "assigned"
            ticket.assignee_id = agent_id
            ticket.resolved_at = None
            ticket.resolution = None
            ticket.updated_at = now
            self._audit(session, agent_id, ticket_id, "reopen", {})
            session.flush()
            session.refresh(ticket)
            return _view(ticket)

    def set_tags(self, ticket_id: int, tags: Iterable[str], agent_id: int | None = None) -> TicketView:
        cleaned = clean_tags(tags)
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            ticket.tags = cleaned
            ticket.updated_at = resolve_now(None)
            self._audit(session, agent_id, ticket_id, "tags", {"tags": cleaned})
            return _view(ticket)

    def add_note(self, ticket_id: int, agent_id: int, text: str) -> NoteView:
        text = (text or "").strip()
        if not text:
            raise TicketError("the note is empty")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise TicketError(f"a note is at most {MAX_MESSAGE_LENGTH} characters")
        with self._sessions.begin() as session:
            ticket = self._get(session, ticket_id)
            note = TicketNote(ticket=ticket, agent_id=agent_id, text=text, created_at=resolve_now(None))
            session.add(note)
            ticket.updated_at = resolve_now(None)
            session.flush()
            agent = session.get(Agent, agent_id)
            return NoteView(note.id, agent.display_name if agent else "?", note.text, note.created_at)

    def audit(self, agent_id: int | None, ticket_id: int | None, action: str, detail: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            self._audit(session, agent_id, ticket_id, action, detail)

    def audit_log(self, ticket_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        with self._sessions() as session:
            query = select(AuditEvent, Agent.username).outerjoin(Agent, Agent.id == AuditEvent.agent_id)
            if ticket_id is not None:
                query = query.where(AuditEvent.ticket_id == ticket_id)
            rows = session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
            return [{"agent": username, "ticket_id": event.ticket_id, "action": event.action,
                     "detail": event.detail, "at": event.created_at.isoformat()} for event, username in rows]

    def search(self, query: SearchQuery) -> list[TicketView]:
        """Tickets by free text (summary and transcript), tag, intent, reason and creation date."""
        stmt: Select = select(Ticket).options(selectinload(Ticket.assignee))
        if query.status == "resolved":
            stmt = stmt.where(Ticket.status == "resolved")
        elif query.status == "active":
            stmt = stmt.where(Ticket.status.in_(ACTIVE))
        if query.reason:
            stmt = stmt.where(Ticket.reason == query.reason)
        if query.date_from:
            stmt = stmt.where(Ticket.created_at >= datetime.combine(query.date_from, time.min, timezone.utc))
        if query.date_to:
            stmt = stmt.where(Ticket.created_at < datetime.combine(query.date_to + timedelta(days=1), time.min,
                                                                   timezone.utc))
        text = query.text.strip().lower()
        if text:
            # % and _ are literal characters here, not wildcards
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            in_messages = select(TicketMessage.ticket_id).where(
                func.lower(TicketMessage.text).like(pattern, escape="\\"))
            stmt = stmt.where(or_(func.lower(Ticket.summary).like(pattern, escape="\\"), Ticket.id.in_(in_messages),
                                  Ticket.conversation_id == query.text.strip()))
            stmt = stmt.options(selectinload(Ticket.messages))
        stmt = stmt.order_by(Ticket.created_at.desc())
        with self._sessions() as session:
            tickets = session.scalars(stmt).all()
            if text:
                # agents see transcripts with personal data masked: a search must not find what the mask
                # hides, or masked values could be read back a character at a time
                tickets = [t for t in tickets if t.conversation_id == query.text.strip()
                           or text in mask_pii(t.summary or "").lower()
                           or any(text in mask_pii(m.text or "").lower() for m in t.messages)]
        # JSON list columns are filtered here: portable across SQLite and PostgreSQL
        tag = query.tag.strip().lower()
        intent = query.intent.strip()
        found = [t for t in tickets if (not tag or tag in (t.tags or [])) and (not intent or intent in (t.intents or []))]
        return [_view(t) for t in found[: query.limit]]

    def change_marker(self) -> str:
        """Changes whenever any ticket or message changes: the live views poll this."""
        with self._sessions() as session:
            updated, count = session.execute(select(func.max(Ticket.updated_at), func.count(Ticket.id))).one()
            last_message = session.scalar(select(func.max(TicketMessage.id)))
            return f"{updated}|{count}|{last_message}"

    def all_between(self, start: datetime, end: datetime) -> list[TicketView]:
        with self._sessions() as session:
            tickets = session.scalars(select(Ticket).where(Ticket.created_at >= start, Ticket.created_at < end)
                                      .order_by(Ticket.created_at)).all()
            return [_view(t) for t in tickets]

    # ---- helpers ----------------------------------------------------------
    @staticmethod
    def _get(session: Session, ticket_id: int) -> Ticket:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise TicketError(f"there is no ticket #{ticket_id}")
        return ticket

    @staticmethod
    def _audit(session: Session, agent_id: int | None, ticket_id: int | None, action: str,
               detail: dict[str, Any]) -> None:
        session.add(AuditEvent(agent_id=agent_id, ticket_id=ticket_id, action=action, detail=detail,
                               created_at=resolve_now(None)))
