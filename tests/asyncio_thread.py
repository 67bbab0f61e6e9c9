"""Running a coroutine from a test, whatever else runs in the main thread."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_async(coroutine: Any) -> Any:
    """Runs ``coroutine`` on a fresh event loop in its own thread: the browser tests (Playwright's sync API)
    keep a loop running in the main thread for the rest of the session, where ``asyncio.run`` fails."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
