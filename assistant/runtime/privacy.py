"""Privacy requests and retention from the command line, over the shop database and Rasa's tracker store.

    python -m assistant.runtime.privacy export-customer EMAIL      # JSON on stdout
    python -m assistant.runtime.privacy erase-customer EMAIL --yes
    python -m assistant.runtime.privacy retention [--days 90]      # run daily (cron, systemd timer)

``make export-customer EMAIL=...``, ``make erase-customer EMAIL=...`` and ``make retention`` call these.
Export includes the conversations of every sender id linked to the customer; erasure deletes them from
the tracker store too. Retention deletes conversations whose last event is older than the chat
retention of the privacy policy (90 days), except those of a support case that is still open.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    select,
)
from sqlalchemy.engine import URL, Engine

from assistant.runtime.endpoints import tracker_store
from assistant.runtime.settings import Settings, get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.models import Ticket
from assistant.shop.support.privacy import CHAT_RETENTION, PrivacyService

logger = logging.getLogger(__name__)

_metadata = MetaData()
# the columns of rasa.core.tracker_store.SQLTrackerStore.SQLEvent this module uses
EVENTS = Table("events", _metadata, Column("id", Integer, primary_key=True),
               Column("sender_id", String(255), nullable=False), Column("type_name", String(255)),
               Column("timestamp", Float), Column("data", Text))


def tracker_engine(settings: Settings) -> Engine | None:
    """A read-write engine on the tracker store, or None when it does not exist yet (no conversation)."""
    store = tracker_store(settings)
    if (store.get("dialect") or "sqlite") == "sqlite":
        path = Path(store["db"])
        return create_engine(URL.create("sqlite", database=str(path))) if path.is_file() else None
    dialect = "postgresql+psycopg2" if store["dialect"] in ("postgresql", "postgres") else store["dialect"]
    return create_engine(URL.create(dialect, username=store.get("username"), password=store.get("password"),
                                    host=store.get("url"), port=store.get("port"), database=store.get("db"),
                                    query=store.get("query") or {}))


def conversation_events(engine: Engine | None, sender_ids: Sequence[str]) -> dict[str, list[Any]]:
    if engine is None or not sender_ids:
        return {}
    found: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        rows = connection.execute(select(EVENTS.c.sender_id, EVENTS.c.data).where(
            EVENTS.c.sender_id.in_(sender_ids)).order_by(EVENTS.c.id))
        for sender, data in rows:
            event = json.loads(data) if data else {}
            if event.get("event") in ("user", "bot"):
                found.setdefault(sender, []).append({"from": "you" if event["event"] == "user" else "assistant",
                                                     "text": event.get("text"), "at": event.get("timestamp")})
    return found


def delete_conversations(engine: Engine | None, sender_ids: Sequence[str]) -> int:
    if engine is None or not sender_ids:
        return 0
    with engine.begin() as connection:
        return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(sender_ids))).rowcount or 0


def expired_conversations(engine: Engine | None, keep: set[str], older_than: timedelta) -> list[str]:
    if engine is None:
        return []
    cutoff = (utcnow() - older_than).timestamp()
    with engine.connect() as connection:
        rows = connection.execute(select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id)
                                  .having(func.max(EVENTS.c.timestamp) < cutoff))
        return [sender for (sender,) in rows if sender not in keep]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.runtime.privacy", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export-customer", help="everything held about a customer, as JSON")
    export.add_argument("email")
    erase = commands.add_parser("erase-customer", help="delete a customer's support data and conversations")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="really erase (without it, only say what would go)")
    retention = commands.add_parser("retention", help="delete conversations and closed cases past retention")
    retention.add_argument("--days", type=int, default=CHAT_RETENTION.days)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    settings = get_settings()
    shop = Shop.open(ShopConfig(settings.database_url, settings.policy_file))
    privacy = PrivacyService(shop.sessions)
    engine = tracker_engine(settings)
    try:
        if args.command == "retention":
            with shop.sessions() as session:
                open_cases = set(session.scalars(select(Ticket.conversation_id).where(Ticket.status != "resolved")))
            expired = expired_conversations(engine, open_cases, timedelta(days=args.days))
            events = delete_conversations(engine, expired)
            report = privacy.apply_retention(chat_retention=timedelta(days=args.days))
            print(json.dumps({"conversations_deleted": len(expired), "events_deleted": events,
                              "resolved_cases_deleted": report.tickets,
                              "verification_rows_deleted": report.verification_rows}))
            return 0
        customer_id = privacy.customer_id_for(args.email)
        if customer_id is None:
            print(f"error: no customer with the email {args.email!r}", file=sys.stderr)
            return 1
        if args.command == "export-customer":
            data = privacy.export(customer_id) or {}
            data["conversations"] = conversation_events(engine, privacy.conversations_of(customer_id))
            print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return 0
        conversations = privacy.conversations_of(customer_id)
        if not args.yes:
            print(f"would erase customer {customer_id}: support tickets, linked channels and "
                  f"{len(conversations)} conversation(s); run again with --yes", file=sys.stderr)
            return 2
        report = privacy.erase(customer_id)
        events = delete_conversations(engine, conversations)
        print(json.dumps({"customer_id": customer_id, "tickets_deleted": report.tickets if report else 0,
                          "identities_deleted": report.identities if report else 0,
                          "conversations_deleted": len(conversations), "events_deleted": events}))
        return 0
    finally:
        shop.close()
        if engine is not None:
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
