"""The encoders' query cache: a text seen lately is not encoded again, and what the cache returns is what
a fresh encoding would be."""
import numpy as np

from knowledge_base import encoders
from knowledge_base.encoders import Encoder


class CountingEncoder(Encoder):
    name, dim = "counting", 4

    def __init__(self):
        super().__init__()
        self.encoded: list[str] = []

    def _load(self):
        return object()

    def _encode(self, texts, mode):
        self.encoded.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0 if mode == "query" else 2.0, 3.0] for t in texts])


def test_repeated_queries_are_encoded_once_and_equal_a_fresh_encoding():
    encoder = CountingEncoder()
    first = encoder.encode_queries(["where is my order?", "returns"])
    again = encoder.encode_queries(["returns", "where is my order?", "returns", "shipping"])
    assert encoder.encoded == ["where is my order?", "returns", "shipping"]
    assert encoder.query_cache_hits == 3
    fresh = CountingEncoder().encode_queries(["returns", "where is my order?", "returns", "shipping"])
    assert np.array_equal(again, fresh)
    assert np.array_equal(again[1], first[0])
    assert again.dtype == np.float32 and np.allclose(np.linalg.norm(again, axis=1), 1.0)


def test_callers_cannot_change_the_cached_vector():
    encoder = CountingEncoder()
    vector = encoder.encode_queries(["sizes"])
    vector[0, :] = 0.0
    assert np.allclose(np.linalg.norm(encoder.encode_queries(["sizes"]), axis=1), 1.0)


def test_passages_are_not_cached_and_differ_from_queries():
    encoder = CountingEncoder()
    encoder.encode_passages(["returns"])
    encoder.encode_passages(["returns"])
    query = encoder.encode_queries(["returns"])
    assert encoder.encoded == ["returns", "returns", "returns"]
    assert not np.array_equal(query, encoder.encode_passages(["returns"]))


def test_the_cache_keeps_the_most_recent_texts(monkeypatch):
    monkeypatch.setattr(encoders, "QUERY_CACHE_SIZE", 2)
    encoder = CountingEncoder()
    encoder.encode_queries(["a", "b"])
    encoder.encode_queries(["a"])  # "a" is now the most recent
    encoder.encode_queries(["c"])  # "b" goes
    encoder.encoded.clear()
    encoder.encode_queries(["a", "b", "c"])
    assert encoder.encoded == ["b"]


def test_no_texts():
    assert CountingEncoder().encode_queries([]).shape == (0, 4)
