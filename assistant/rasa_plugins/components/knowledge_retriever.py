"""Attaches the knowledge base's closest guides, policies and products to every parsed message.

The router (``assistant/rasa_plugins/routing.py``) weighs these scores against the intent ranking to
choose between a task, a product search, a guide or policy answer and "I don't know". Retrieval here
reuses what the pipeline already computed: the message's Universal Sentence Encoder vector (kept by
``UniversalSentenceEncoderFeaturizer``) against the passage vectors of the knowledge base's ``use``
index (``var/kb/use``, built by ``make kb-build`` / setup with ``knowledge_base build --encoder use``).
One matrix product over about 2,000 passages: well under a millisecond, and no action-server call.
Passages in the message's own language are preferred (the encoder is multilingual, so a page exists
in every language and the own-language one scores best anyway); the answer itself is still chosen by
the action server with the stronger e5 hybrid search.

Output key ``knowledge`` (in the parse result and the tracker's latest message)::

    {"language": "en", "pages": [{"doc_id": "guide:care-waterproof-jackets", "score": 0.62, "passage": 0.55}, ...],
     "products": [{"doc_id": "product:NW-JAC-0007", "score": 0.41}, ...]}

``named_product`` (only when there is one) is the product whose full name the message contains, in
English or katakana (``knowledge_base.product_names``). ``pages`` are the best guides and policies (one entry per document, best first), ``products`` the best
product pages. A page's ``score`` counts its sections' shopper questions (``question_offset``), its
``passage`` score only its text, which is what a product page (with no questions) is compared with.
Without an index the key is left out and the router decides on the intent alone.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.rasa_plugins.components.sentence_encoder import SENTENCE_VECTOR

logger = logging.getLogger(__name__)

KNOWLEDGE = "knowledge"


class PassageIndex:
    """The ``use`` index's passage vectors and their document, kind and language."""

    def __init__(self, vectors: np.ndarray, doc_ids: List[str], kinds: List[str], languages: List[str],
                 question_vectors: Optional[np.ndarray] = None, question_rows: Optional[List[List[int]]] = None,
                 question_offset: float = 0.0) -> None:
        self.vectors = _normalised(vectors)
        self.doc_ids = np.asarray(doc_ids)
        self.kinds = np.asarray(kinds)
        self.languages = np.asarray(languages)
        # the shoppers' questions each section answers (knowledge_base/content/questions): a passage
        # scores the better of its own cosine and its section's closest question's plus the offset
        pairs = [(q, row) for q, rows in enumerate(question_rows or []) for row in rows]
        self.question_vectors = _normalised(question_vectors) if pairs and question_vectors is not None else None
        self.pair_questions = np.asarray([q for q, _ in pairs], dtype=np.int64)
        self.pair_rows = np.asarray([r for _, r in pairs], dtype=np.int64)
        self.question_offset = question_offset
        self.documents: Dict[str, Dict[str, str]] = {}  # product pages by doc id, for names typed in full

    @classmethod
    def load(cls, folder: Path, question_offset: Optional[float] = None) -> Optional[PassageIndex]:
        """``question_offset`` None leaves the section questions out."""
        try:
            chunks = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
            vectors = np.load(folder / "vectors.npy")
        except (OSError, ValueError) as error:
            logger.warning("no knowledge-base index for routing in %s (%s); run `make kb-build`. "
                           "Routing uses the intent ranking alone.", folder, error)
            return None
        if len(chunks) != len(vectors):
            logger.warning("the knowledge-base index in %s is incomplete; run `make kb-build`", folder)
            return None
        question_vectors, question_rows = None, None
        if question_offset is not None:
            question_vectors, question_rows = _questions(folder, {c.get("chunk_id"): i for i, c in enumerate(chunks)})
        index = cls(vectors, [c["doc_id"] for c in chunks], [c["kind"] for c in chunks],
                    [c["language"] for c in chunks], question_vectors, question_rows, question_offset or 0.0)
        index.documents = {c["doc_id"]: {"kind": "product", "title": str(c.get("title") or "")}
                           for c in chunks if c.get("kind") == "product"}
        return index

    def named_product(self, text: str) -> Optional[str]:
        """The product whose full name the message contains ("Cascade Hiker", "カスケードハイカー"), which the
        entity extractor may miss (katakana, a typo)."""
        from knowledge_base.product_names import find_product_in_text

        found = find_product_in_text(self, text) if self.documents else None  # type: ignore[arg-type]
        return found[0] if found else None

    def best(self, vector: np.ndarray, language: Optional[str], page_count: int,
             product_count: int) -> Dict[str, Any]:
        norm = float(np.linalg.norm(vector)) or 1.0
        query = vector.astype(np.float32) / norm
        scores = plain = self.vectors @ query
        if self.question_vectors is not None:
            by_question = np.full(len(scores), -np.inf, dtype=np.float32)
            np.maximum.at(by_question, self.pair_rows,
                          (self.question_vectors @ query)[self.pair_questions] + self.question_offset)
            scores = np.maximum(scores, by_question)
        if language and np.any(self.languages == language):
            # guides and policies in the message's language first (products are written once, in English)
            other = (self.languages != language) & (self.kinds != "product")
            scores = np.where(other, scores - 1.0, scores)
            plain = np.where(other, plain - 1.0, plain)
        order = np.argsort(-scores)
        pages: List[Dict[str, Any]] = []
        products: List[Dict[str, Any]] = []
        seen: set = set()
        for i in order:
            doc_id = str(self.doc_ids[i])
            if doc_id in seen:
                continue
            seen.add(doc_id)
            entry = {"doc_id": doc_id, "score": round(float(scores[i]), 4)}
            if self.kinds[i] != "product":  # the passage's own cosine, comparable with a product page's
                entry["passage"] = round(float(plain[i]), 4)
            if self.kinds[i] == "product":
                if len(products) < product_count:
                    products.append(entry)
            elif len(pages) < page_count:
                pages.append(entry)
            if len(pages) >= page_count and len(products) >= product_count:
                break
        return {"language": language, "pages": pages, "products": products}


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


def _questions(folder: Path, rows: Dict[str, int]) -> tuple[Optional[np.ndarray], Optional[List[List[int]]]]:
    try:
        questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
        vectors = np.load(folder / "questions.npy")
    except (OSError, ValueError):
        return None, None  # an index built before section questions existed
    if len(questions) != len(vectors) or not len(vectors):
        return None, None
    return vectors, [[rows[c] for c in q["chunks"] if c in rows] for q in questions]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KnowledgeRetriever(GraphComponent):
    """Adds ``knowledge`` (closest pages and products with their cosine scores) to each message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # question_offset: see PassageIndex; None leaves the section questions out
        return {"index_dir": None, "pages": 3, "products": 2, "question_offset": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config
        self._index: Optional[PassageIndex] = None
        self._loaded = False
        self._lock = threading.Lock()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> KnowledgeRetriever:
        return cls(config)

    def _folder(self) -> Path:
        if self._config.get("index_dir"):
            return Path(self._config["index_dir"]) / "use"
        from assistant.runtime.settings import get_settings

        return get_settings().kb_index_dir / "use"

    def _get_index(self) -> Optional[PassageIndex]:
        with self._lock:  # loaded on the first message, not at start-up
            if not self._loaded:
                self._index = PassageIndex.load(self._folder(), self._config.get("question_offset"))
                self._loaded = True
        return self._index

    def process(self, messages: List[Message]) -> List[Message]:
        from assistant.i18n.detect import detect_language

        for message in messages:
            vector = message.get(SENTENCE_VECTOR)
            if vector is None:
                continue
            index = self._get_index()
            if index is None:
                return messages
            text = message.get(TEXT) or ""
            language = detect_language(text)
            knowledge = index.best(np.asarray(vector), language, self._config["pages"], self._config["products"])
            named = index.named_product(text)
            if named:
                knowledge["named_product"] = named
            message.set(KNOWLEDGE, knowledge, add_to_output=True)
        return messages
