"""A customer's opt-in or opt-out of proactive order updates ("stop updates" / "start updates")."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import resolve_now
from assistant.shop.storage.models import Customer, NotificationPreference

logger = logging.getLogger(__name__)


class NotificationPreferences:
    """Who wants order updates. Without a stored choice a customer gets ``default_opt_in``."""

    def __init__(self, session_factory: sessionmaker[Session], default_opt_in: bool = True) -> None:
        self._sessions = session_factory
        self.default_opt_in = default_opt_in

    def wants_updates(self, customer_id: int) -> bool:
        with self._sessions() as session:
            row = session.get(NotificationPreference, customer_id)
            return self.default_opt_in if row is None else bool(row.opted_in)

    def set(self, customer_id: int, opted_in: bool, *, via: str | None = None,
            now: datetime | None = None) -> bool:
        """Stores the choice; returns whether it changed anything. Unknown customers raise ``LookupError``."""
        moment = resolve_now(now)
        try:
            return self._set(customer_id, opted_in, via, moment)
        except IntegrityError:  # two conversations of the same customer at once: the second one updates
            return self._set(customer_id, opted_in, via, moment)

    def _set(self, customer_id: int, opted_in: bool, via: str | None, moment: datetime) -> bool:
        with self._sessions() as session, session.begin():
            if session.get(Customer, customer_id) is None:
                raise LookupError(f"no customer {customer_id}")
            row = session.get(NotificationPreference, customer_id, with_for_update=True)
            before = self.default_opt_in if row is None else bool(row.opted_in)
            if row is None:
                session.add(NotificationPreference(customer_id=customer_id, opted_in=opted_in, changed_at=moment,
                                                   changed_via=(via or "")[:40] or None))
                session.flush()
            else:
                row.opted_in, row.changed_at, row.changed_via = opted_in, moment, (via or "")[:40] or None
            logger.info("customer %s %s order updates", customer_id, "opted in to" if opted_in else "opted out of")
            return before != opted_in
