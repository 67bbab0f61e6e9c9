"""The services an action-server worker opens once: once, also when the first calls come at the same time."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from actions.services import opened_once


def test_concurrent_first_calls_open_once_and_share_the_result() -> None:
    opened = []
    started = threading.Barrier(8)

    @opened_once
    def open_it() -> object:
        opened.append(threading.get_ident())
        time.sleep(0.2)  # a slow load: every other caller arrives while it runs
        return object()

    def call() -> object:
        started.wait()
        return open_it()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: call(), range(8)))
    assert len(opened) == 1
    assert all(result is results[0] for result in results)
    assert open_it() is results[0]


def test_a_failed_open_is_tried_again_by_the_next_caller() -> None:
    attempts = []

    @opened_once
    def open_it() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database not there yet")
        return "open"

    try:
        open_it()
    except OSError:
        pass
    assert open_it() == "open" and open_it() == "open" and len(attempts) == 2

