"""faiss index types by catalogue size: build time, search latency and recall@10 against exact search.

    python -m bench.kb_index [--sizes 1000 10000 50000 200000] [--queries 200]

Vectors are random unit vectors of the encoder's width (384) with some cluster structure, which is a
fair stand-in for timing; recall is measured against the exact flat index on the same data. Prints JSON.
The crossover it shows is where ``KB_INDEX_TYPE=auto`` switches from flat to IVF.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from knowledge_base.index import make_faiss_index

DIM = 384


def vectors(count: int, rng: np.random.Generator) -> np.ndarray:
    centres = rng.normal(size=(max(8, count // 200), DIM)).astype(np.float32)
    data = centres[rng.integers(0, len(centres), count)] + 0.6 * rng.normal(size=(count, DIM)).astype(np.float32)
    return data / np.linalg.norm(data, axis=1, keepdims=True)


def measure(data: np.ndarray, queries: np.ndarray, index_type: str, truth: np.ndarray | None) -> dict:
    started = time.perf_counter()
    index = make_faiss_index(data, index_type)
    build_s = time.perf_counter() - started
    times, found = [], []
    for q in queries:
        started = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), 10)
        times.append((time.perf_counter() - started) * 1000)
        found.append(ids[0])
    result = {"build_s": round(build_s, 3), "search_ms_p50": round(statistics.median(times), 3),
              "search_ms_p95": round(float(np.percentile(times, 95)), 3)}
    if truth is not None:
        hits = [len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]
        result["recall@10"] = round(float(np.mean(hits)), 4)
    return result, np.array(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000, 200_000])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    import faiss

    faiss.omp_set_num_threads(1)  # one query at a time, as in the action server
    rng = np.random.default_rng(7)
    report = {"dim": DIM, "queries": args.queries, "sizes": {}}
    for size in args.sizes:
        data = vectors(size, rng)
        queries = vectors(args.queries, rng)
        flat, truth = measure(data, queries, "flat", None)
        row = {"flat": flat}
        for index_type in ("ivf", "hnsw"):
            row[index_type], _ = measure(data, queries, index_type, truth)
        report["sizes"][str(size)] = row
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
