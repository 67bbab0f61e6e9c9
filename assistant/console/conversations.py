"""How many conversations the bot had, read from Rasa's SQL tracker store.

Rasa writes one row per event to the ``events`` table (``sender_id``, ``type_name``,
``timestamp`` as float epoch seconds...). A conversation counts on a UTC day when
the shopper sent at least one message (``type_name = 'user'``) that day.

The store is opened read-only and without a connection pool; when it is missing or
unreachable the counts are ``None`` (the metrics page shows "n/a") and this is
logged once at INFO, not raised.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    cast,
    create_engine,
    func,
    select,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from assistant.runtime.endpoints import tracker_store
from assistant.runtime.settings import Settings

logger = logging.getLogger(__name__)

__all__ = ["TrackerStoreReader", "conversations_per_day", "tracker_store_url"]

SECONDS_PER_DAY = 86400
CONNECT_TIMEOUT_SECONDS = 3

# Only the columns read here, in the shape of rasa.core.tracker_store.SQLTrackerStore.SQLEvent.
_metadata = MetaData()
EVENTS = Table(
    "events", _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
)


def tracker_store_url(settings: Settings) -> URL:
    """The SQLAlchemy URL of the tracker store Rasa is configured with (``assistant.runtime.endpoints``)."""
    store = tracker_store(settings)
    dialect = str(store.get("dialect") or "sqlite")
    if dialect == "sqlite":
        return sqlite_read_only_url(Path(store["db"]))
    return URL.create(dialect, username=store.get("username"), password=store.get("password"),
                      host=store.get("url"), port=store.get("port"), database=store.get("db") or None,
                      query=store.get("query") or {})


def sqlite_read_only_url(path: Path) -> URL:
    """A URL that opens the SQLite file read-only and never creates it."""
    return URL.create("sqlite", database=f"file:{quote(str(path.resolve()), safe='/')}",
                      query={"mode": "ro", "uri": "true"})


def _epoch(day: date) -> float:
    return datetime.combine(day, time.min, timezone.utc).timestamp()


class TrackerStoreReader:
    """A small read-only window on the tracker store; one per application, closed with it."""

    def __init__(self, url: URL | str) -> None:
        self._url = make_url(url)
        self._engine: Engine | None = None
        self._unavailable_logged = False

    def _open(self) -> Engine:
        if self._engine is None:
            connect_args: dict[str, Any] = {}
            if self._url.get_backend_name() == "postgresql":
                connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS,
                                "options": "-c default_transaction_read_only=on"}
            self._engine = create_engine(self._url, poolclass=NullPool, connect_args=connect_args)
        return self._engine

    def conversations_per_day(self, start: date, end: date) -> dict[date, int] | None:
        """Distinct conversations with a shopper message on each UTC day from ``start`` to ``end`` inclusive.

        Every day of the range is present (zeros included); None when the store cannot be read.
        """
        if end < start:
            return {}
        try:
            engine = self._open()
            epoch = EVENTS.c.timestamp / SECONDS_PER_DAY
            # timestamps are positive, so truncation is floor; SQLite has no floor() before 3.35
            day_number = cast(epoch, Integer) if engine.dialect.name == "sqlite" else func.floor(epoch)
            query = (
                select(day_number.label("day"), func.count(EVENTS.c.sender_id.distinct()))
                .where(EVENTS.c.type_name == "user",
                       EVENTS.c.timestamp >= _epoch(start),
                       EVENTS.c.timestamp < _epoch(end + timedelta(days=1)))
                .group_by(day_number)
            )
            with engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError as exc:
            if not self._unavailable_logged:
                logger.info("conversation counts unavailable: cannot read the tracker store (%s); "
                            "the metrics page shows n/a until Rasa has written to it",
                            str(exc).splitlines()[0])
                self._unavailable_logged = True
            return None
        if self._unavailable_logged:
            logger.info("the tracker store is readable again")
            self._unavailable_logged = False
        counts = {start + timedelta(days=offset): 0 for offset in range((end - start).days + 1)}
        for day_number_value, count in rows:
            day = date(1970, 1, 1) + timedelta(days=int(day_number_value))
            if day in counts:
                counts[day] += int(count)
        return counts

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def conversations_per_day(settings: Settings, start: date, end: date,
                          reader: TrackerStoreReader | None = None) -> dict[date, int] | None:
    """Conversations per UTC day from the configured tracker store; None when it is missing or unreachable.

    Pass the application's cached ``reader`` to reuse its engine; without one a
    short-lived reader is opened and closed here.
    """
    if reader is not None:
        return reader.conversations_per_day(start, end)
    own = TrackerStoreReader(tracker_store_url(settings))
    try:
        return own.conversations_per_day(start, end)
    finally:
        own.close()
