"""Rasa's Redis lock store, made safe for several Rasa processes (``REDIS_URL``).

Rasa serialises the messages of one conversation with a ticket lock: each message takes a numbered ticket
and waits until it is served. ``RedisLockStore`` keeps a conversation's tickets as one JSON value and
changes it by reading it, changing it in Python and writing it back, in separate Redis calls. Two Rasa
processes doing that for the same conversation at the same moment overwrite each other: both can be
issued the same ticket and handle the conversation at once, or one deletes the lock while the other's
ticket still waits, which then fails with "Could not acquire lock" and the message is dropped (the
shopper gets no reply). ``tests/e2e/test_scale_out.py`` sends four messages of each of 50 conversations
at once to two processes: with Rasa's store, 2 of the 200 messages were dropped.

Here each read-change-write is one Redis transaction (``WATCH`` the key, ``MULTI``/``EXEC``, retried
when another process changed the key in between), so tickets are issued, served and removed exactly as in
a single process. A lock with no tickets left is deleted in the same transaction, and every write sets
the key to expire when its last ticket does, so a process that dies holding a ticket leaves nothing
behind. Rasa's reading and waiting (``_acquire_lock``) are unchanged.

``assistant/runtime/endpoints.py`` names this class as the lock store whenever ``REDIS_URL`` is set.
"""
from __future__ import annotations

import json
import math
import time
from typing import Any, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")

# the change made to a conversation's lock: the lock to store (None: delete it) and a value to return
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]


class TransactionalRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose every change to a lock is atomic across processes."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        # Rasa builds a custom lock store from its endpoint config; tests may pass RedisLockStore's arguments
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id
        result: list[T] = []

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, value = change(lock)
            pipe.multi()
            if new_lock is None or not new_lock.tickets:
                if raw is not None:
                    pipe.delete(key)
            else:
                last_expiry = max(ticket.expires for ticket in new_lock.tickets)
                milliseconds = max(1000, math.ceil((last_expiry - time.time()) * 1000) + 1000)
                pipe.set(key, new_lock.dumps(), px=milliseconds)
            result[:] = [value]

        self.red.transaction(transaction, key)
        return result[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except Exception as exc:  # as Rasa's: any failure to issue a ticket is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Rasa's: finish_serving, then is_someone_waiting, then delete_lock, three steps another process can
        # get between; here one transaction, which deletes the lock once no ticket is left
        self.finish_serving(conversation_id, ticket_number)
