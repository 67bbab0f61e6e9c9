"""The Redis lock store shared by several Rasa processes (``assistant/rasa_plugins/lock_store.py``), on the
local Redis: threads with a store each stand for the processes."""
from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid

import pytest

from assistant.rasa_plugins.lock_store import TransactionalRedisLockStore

pytestmark = pytest.mark.redis

REDIS_DB = 5  # the scale-out e2e test's database; the keys here carry their own prefix and are removed


@pytest.fixture
def stores():
    """Four stores (four 'processes') on one Redis database, with a key prefix of their own."""
    import redis

    try:
        redis.StrictRedis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=3).ping()
    except redis.exceptions.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is required under CI=true but is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"test{uuid.uuid4().hex[:8]}"
    made = [TransactionalRedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix=prefix)
            for _ in range(4)]
    yield made
    leftover = list(made[0].red.scan_iter(f"{prefix}:*"))
    if leftover:
        made[0].red.delete(*leftover)


def _in_threads(stores, work):
    threads = [threading.Thread(target=work, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def test_tickets_issued_at_the_same_time_by_several_processes_are_all_different(stores):
    issued = []

    def issue(store):
        for _ in range(100):
            issued.append(store.issue_ticket("c1"))

    _in_threads(stores, issue)
    assert sorted(issued) == list(range(400))
    for number in issued:
        stores[0].cleanup("c1", number)
    assert stores[0].get_lock("c1") is None  # the last cleanup deleted it


def test_one_message_at_a_time_per_conversation_across_processes(stores):
    inside, most_inside, served, errors = [0], [0], [0], []
    guard = threading.Lock()

    def handle(store):
        async def messages():
            for _ in range(25):
                async with store.lock("c2", wait_time_in_seconds=0.002):
                    with guard:
                        inside[0] += 1
                        most_inside[0] = max(most_inside[0], inside[0])
                    time.sleep(0.001)
                    with guard:
                        inside[0] -= 1
                        served[0] += 1

        try:
            asyncio.run(messages())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    _in_threads(stores, handle)
    assert errors == []
    assert (served[0], most_inside[0]) == (100, 1)
    assert stores[0].get_lock("c2") is None


def test_a_lock_left_by_a_dead_process_expires(stores):
    store = stores[0]
    store.issue_ticket("c3", lock_lifetime=1)  # the process dies before cleanup
    ttl = store.red.pttl(store.key_prefix + "c3")
    assert 0 < ttl <= 2100
