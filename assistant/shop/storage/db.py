"""Engine and session set-up for the shop database (SQLite embedded, PostgreSQL scaled).

The same code runs on both back ends: ``make_engine(url)`` prepares SQLite (folder, WAL, foreign keys) and
points plain ``postgresql://`` URLs at the psycopg2 driver.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

logger = logging.getLogger(__name__)


def normalize_database_url(url: str) -> URL:
    """Parse ``url`` and choose the driver we ship with (psycopg2 for PostgreSQL)."""
    try:
        parsed = make_url(url.strip())
    except Exception as exc:  # sqlalchemy raises ArgumentError; keep the message readable
        raise ValueError(
            f"DATABASE_URL is not a valid SQLAlchemy URL: {url!r} "
            "(expected e.g. sqlite:///var/shop.db or postgresql://user:pass@host/db)"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed


def _is_memory_sqlite(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or str(url.database).startswith("file::memory:")


def _sqlite_pragmas(use_wal: bool):
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if use_wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return on_connect


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url`` (the caller's configuration: ``DATABASE_URL`` in the settings)."""
    parsed = normalize_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = _is_memory_sqlite(parsed)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if memory:
            kwargs["poolclass"] = StaticPool
        else:
            _owner_only_file(Path(str(parsed.database)).expanduser().resolve())
        engine = create_engine(parsed, echo=echo, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(use_wal=not memory))
    else:
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
    logger.debug("shop database engine: %s", parsed.render_as_string(hide_password=True))
    return engine


def _owner_only_file(path: Path) -> None:
    """Creates the SQLite file (and its folder) readable by its owner only: it holds personal data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    except PermissionError:  # a read-only database we do not own: leave it as it is
        logger.debug("cannot set the permissions of %s", path)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def init_db(engine: Engine) -> None:
    """Create the shop tables that do not exist yet (never drops anything)."""
    from assistant.shop.storage.models import Base  # local import keeps db.py free of model cycles

    Base.metadata.create_all(engine)
    _add_missing_columns(engine, Base.metadata)


def _add_missing_columns(engine: Engine, metadata: Any) -> None:
    """Columns added to a table after it was created (nullable ones only): ``ALTER TABLE ... ADD COLUMN``.

    ``create_all`` creates missing tables but never changes existing ones; this keeps a database seeded
    by an earlier version working.
    """
    from sqlalchemy import inspect, text

    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as connection:
                    connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))
                logger.info("added column %s.%s", table.name, column.name)


def drop_db(engine: Engine) -> None:
    """Drop the shop tables (only ours; other tables in the database are left alone)."""
    from assistant.shop.storage.models import Base

    Base.metadata.drop_all(engine)
