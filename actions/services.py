"""The domain services the actions call, opened once per action-server worker.

Opened lazily on first use (not at import), so the action server's worker
starts fast and a database problem surfaces as a polite reply, not a crash.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from assistant.runtime.heap import freeze_heap
from assistant.runtime.settings import Settings, get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.commerce.orders import OrderService
from assistant.shop.commerce.policy import Policy
from assistant.shop.commerce.refunds import RefundService
from assistant.shop.commerce.verification import Verifier
from assistant.shop.support.business_hours import BusinessHours, load_business_hours
from knowledge_base.encoders import use_threads
from knowledge_base.search import KnowledgeBase


@dataclass(frozen=True)
class Services:
    settings: Settings
    shop: Shop

    @property
    def policy(self) -> Policy:
        return self.shop.policy

    @property
    def orders(self) -> OrderService:
        return self.shop.orders

    @property
    def refunds(self) -> RefundService:
        return self.shop.refunds

    @property
    def verifier(self) -> Verifier:
        return self.shop.verifier

    def business_hours(self) -> BusinessHours:
        """When agents are online; the file is re-read when it changes, so edits need no restart."""
        return _business_hours(self.settings.business_hours_file, _mtime(self.settings.business_hours_file))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@functools.lru_cache(maxsize=4)
def _business_hours(path: Path, _mtime: float) -> BusinessHours:
    return load_business_hours(path)


T = TypeVar("T")


def opened_once(open_it: Callable[[], T]) -> Callable[[], T]:
    """``open_it``'s result, opened by the first caller only. Actions run in several threads at once, and
    ``functools.lru_cache`` lets each thread that finds the cache empty open its own copy: the first
    messages of a busy worker loaded the knowledge base (two encoders and their indexes) several times
    over, 400 MB more at the peak of a load test."""
    opened: list[T] = []
    lock = threading.Lock()

    @functools.wraps(open_it)
    def get() -> T:
        if not opened:
            with lock:
                if not opened:
                    opened.append(open_it())
        return opened[0]

    return get


@opened_once
def get_services() -> Services:
    settings = get_settings()
    return Services(settings=settings, shop=Shop.open(ShopConfig(settings.database_url, settings.policy_file)))


SECOND_OPINION = "use"  # the router's encoder (built by setup), also a second opinion on answer confidence


@opened_once
def get_knowledge_base() -> KnowledgeBase:
    """The knowledge-base index for the configured encoder, loaded once per worker on first use."""
    settings = get_settings()
    use_threads(settings.encoder_threads)
    kb = KnowledgeBase.load(settings.kb_index_dir, settings.kb_encoder)
    if settings.kb_encoder != SECOND_OPINION:
        kb.with_second_opinion(settings.kb_index_dir, SECOND_OPINION)
    # the encoders load their weights on first use: load them now, then keep all of it out of the garbage
    # collector's full collections (assistant.runtime.heap)
    for loaded in (kb, getattr(kb, "second", None)):
        if loaded is not None:
            loaded.encoder.encode_queries(["warm-up"])
    freeze_heap("knowledge base")
    return kb
