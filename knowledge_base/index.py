"""Build and store the dense index: chunk metadata, vectors and a faiss index, per encoder.

Folder layout (``KB_INDEX_DIR``, git-ignored)::

    <index_dir>/<encoder>/manifest.json   encoder, dims, index type, chunk count, build figures
    <index_dir>/<encoder>/chunks.json     chunk metadata (source, title, heading, anchor, URL, language, text)
    <index_dir>/<encoder>/documents.json  per document: title, URL, tags and the product fields used as filters
    <index_dir>/<encoder>/vectors.npy     normalised float32 vectors, one row per chunk
    <index_dir>/<encoder>/index.faiss     the faiss index over those rows
    <index_dir>/<encoder>/questions.json  shoppers' questions per section (content/questions) and their chunks
    <index_dir>/<encoder>/questions.npy   those questions' vectors, encoded as queries

Builds are incremental: a chunk whose embedded text is unchanged (same content hash) keeps its
vector from the previous build and is not encoded again.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.chunking import Chunk, chunk_document
from knowledge_base.documents import load_documents, load_section_questions
from knowledge_base.encoders import Encoder, get_encoder

logger = logging.getLogger(__name__)

INDEX_TYPES = ("auto", "flat", "ivf", "hnsw")
# Up to this many chunks the exact flat index is fast enough (1.4 ms a query at 20,000 on one core);
# above it IVF is several times faster at the same recall. `make kb-bench` measures it.
AUTO_FLAT_LIMIT = 50_000
BATCH = 32


@dataclass(frozen=True)
class BuildReport:
    encoder: str
    index_type: str
    chunks: int
    embedded: int
    reused: int
    seconds: float

    @property
    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (f"kb-build [{self.encoder}, {self.index_type}]: {self.chunks} chunks "
                f"({self.embedded} embedded, {self.reused} unchanged) in {self.seconds:.1f} s, "
                f"{self.chunks_per_second:.1f} chunks/s")


def resolve_index_type(index_type: str, count: int) -> str:
    if index_type not in INDEX_TYPES:
        raise ValueError(f"unknown index type {index_type!r}; choose one of {', '.join(INDEX_TYPES)} (KB_INDEX_TYPE)")
    if index_type == "auto":
        return "flat" if count <= AUTO_FLAT_LIMIT else "ivf"
    return index_type


def make_faiss_index(vectors: np.ndarray, index_type: str, nprobe: int | None = None):
    """A faiss inner-product index over ``vectors`` (already normalised, so scores are cosines)."""
    import faiss

    count, dim = vectors.shape
    if index_type == "flat" or count == 0:
        index = faiss.IndexFlatIP(dim)
    elif index_type == "ivf":
        nlist = max(1, min(int(4 * math.sqrt(count)), count // 39 or 1))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = nprobe or max(8, nlist // 8)
    elif index_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        raise ValueError(f"unknown index type {index_type!r}")
    if count:
        index.add(vectors)
    return index


def collect_chunks(content_dir: Path) -> tuple[list[Chunk], dict[str, dict]]:
    """Every chunk of the content, and per document its title, URL, tags and (products) attributes."""
    chunks, documents, _ = collect_content(content_dir)
    return chunks, documents


def collect_content(content_dir: Path) -> tuple[list[Chunk], dict[str, dict], list[dict]]:
    """``collect_chunks`` plus the section questions: ``{"text", "chunks": [chunk ids of its section]}``."""
    chunks: list[Chunk] = []
    documents: dict[str, dict] = {}
    loaded = load_documents(content_dir)
    for doc in loaded:
        chunks.extend(chunk_document(doc))
        documents.setdefault(doc.doc_id, {"title": doc.title, "kind": doc.kind, "url": doc.url,
                                          "tags": list(doc.tags), "languages": [], **doc.attributes})
        documents[doc.doc_id]["languages"].append(doc.language)
    section_chunks: dict[tuple[str, str, str], list[str]] = {}
    for chunk in chunks:
        section_chunks.setdefault((chunk.doc_id, chunk.language, chunk.heading), []).append(chunk.chunk_id)
    questions = [{"text": text, "chunks": section_chunks[key]}
                 for key, texts in load_section_questions(content_dir, loaded).items() for text in texts]
    return chunks, documents, questions


def question_hash(text: str) -> str:
    return hashlib.sha256(f"query\n{text}".encode("utf-8")).hexdigest()


def _previous_questions(folder: Path, encoder: str) -> dict[str, np.ndarray]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        hashes = manifest["question_hashes"] if manifest.get("encoder") == encoder else []
        vectors = np.load(folder / "questions.npy") if hashes else np.zeros((0, 0))
    except (OSError, ValueError, KeyError):
        return {}
    return dict(zip(hashes, vectors)) if len(hashes) == len(vectors) else {}


def _previous_vectors(folder: Path, encoder: str) -> dict[str, np.ndarray]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("encoder") != encoder:
            return {}
        hashes = manifest["hashes"]
        vectors = np.load(folder / "vectors.npy")
    except (OSError, ValueError, KeyError):
        return {}
    if len(hashes) != len(vectors):
        return {}
    return dict(zip(hashes, vectors))


def _embed_questions(folder: Path, encoder: Encoder, questions: list[dict]) -> np.ndarray:
    """The questions' vectors (encoded as queries, since a shopper's query is compared with them);
    unchanged questions keep their vectors from the previous build."""
    previous = _previous_questions(folder, encoder.name)
    hashes = [question_hash(q["text"]) for q in questions]
    todo = sorted({h: i for i, h in enumerate(hashes) if h not in previous}.values())
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        for i, vector in zip(batch, encoder.encode_queries([questions[i]["text"] for i in batch])):
            previous[hashes[i]] = vector
    if not questions:
        return np.zeros((0, encoder.dim), np.float32)
    return np.stack([previous[h] for h in hashes]).astype(np.float32)


def build_index(content_dir: Path, index_dir: Path, encoder: Encoder | str = "e5",
                index_type: str = "auto", progress: bool = True) -> BuildReport:
    """Chunk ``content_dir``, embed what changed and write the index for ``encoder`` under ``index_dir``."""
    import faiss
    from tqdm import tqdm

    started = time.perf_counter()
    encoder = get_encoder(encoder) if isinstance(encoder, str) else encoder
    folder = Path(index_dir) / encoder.name
    folder.mkdir(parents=True, exist_ok=True)
    chunks, documents, questions = collect_content(Path(content_dir))
    hashes = [chunk.content_hash for chunk in chunks]
    previous = _previous_vectors(folder, encoder.name)
    todo = sorted({i for i, h in enumerate(hashes) if h not in previous})
    fresh: dict[str, np.ndarray] = {}
    bar = tqdm(total=len(todo), desc=f"embedding ({encoder.name})", unit="chunk", disable=not progress or not todo)
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        vectors = encoder.encode_passages([chunks[i].embed_text for i in batch])
        for i, vector in zip(batch, vectors):
            fresh[hashes[i]] = vector
        bar.update(len(batch))
    bar.close()
    question_vectors = _embed_questions(folder, encoder, questions)
    lookup = {**previous, **fresh}
    matrix = np.stack([lookup[h] for h in hashes]).astype(np.float32) if chunks else np.zeros((0, encoder.dim), np.float32)
    resolved = resolve_index_type(index_type, len(chunks))
    index = make_faiss_index(matrix, resolved)
    seconds = time.perf_counter() - started
    report = BuildReport(encoder.name, resolved, len(chunks), len(todo), len(chunks) - len(todo), seconds)
    # write next to the old files, then rename, so a running reader never sees half an index
    np.save(folder / "vectors.tmp.npy", matrix)
    faiss.write_index(index, str(folder / "index.faiss.tmp"))
    (folder / "chunks.json.tmp").write_text(json.dumps([c.to_dict() for c in chunks], ensure_ascii=False))
    (folder / "documents.json.tmp").write_text(json.dumps(documents, ensure_ascii=False))
    np.save(folder / "questions.tmp.npy", question_vectors)
    (folder / "questions.json.tmp").write_text(json.dumps(questions, ensure_ascii=False))
    manifest = {"encoder": encoder.name, "dim": int(matrix.shape[1]), "index_type": resolved,
                "chunks": len(chunks), "hashes": hashes, "built_at": time.time(),
                "questions": len(questions), "question_hashes": [question_hash(q["text"]) for q in questions],
                "embedded": report.embedded, "seconds": round(seconds, 3)}
    (folder / "manifest.json.tmp").write_text(json.dumps(manifest))
    for name in ("vectors.npy", "questions.npy", "index.faiss", "chunks.json", "documents.json",
                 "questions.json", "manifest.json"):
        tmp = folder / (name.replace(".npy", ".tmp.npy") if name.endswith(".npy") else name + ".tmp")
        tmp.replace(folder / name)
    logger.info(report.summary())
    return report
