"""Custom Rasa NLU components, run inside the Rasa venv."""
from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.components.out_of_scope import OutOfScopeToFallback
from assistant.components.sentence_encoder import UniversalSentenceEncoderFeaturizer


@pytest.fixture()
def context(tmp_path):
    storage = LocalModelStorage(tmp_path)
    return storage, Resource("node"), ExecutionContext(graph_schema=None, node_name="use")


def tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    return messages


def featurizer(context, **config) -> UniversalSentenceEncoderFeaturizer:
    storage, resource, execution = context
    full = {**UniversalSentenceEncoderFeaturizer.get_default_config(), **config}
    return UniversalSentenceEncoderFeaturizer.create(full, storage, resource, execution)


def sentence_vector(message: Message) -> np.ndarray:
    _, sentence = message.get_dense_features(TEXT, [])
    return sentence.features[0]


def test_adds_sentence_and_token_features(context):
    [message] = featurizer(context).process(tokenized("where is my order SO482913"))
    sequence, sentence = message.get_dense_features(TEXT, [])
    assert sentence.features.shape == (1, 512)
    assert sequence.features.shape == (5, 512)


def test_paraphrases_are_closer_than_unrelated_text(context):
    a, b, c = featurizer(context).process(
        tokenized("where is my parcel", "has my package shipped yet", "what is the weather tomorrow")
    )
    va, vb, vc = (sentence_vector(m) for m in (a, b, c))
    assert float(va @ vb) > float(va @ vc)


def test_multilingual_meaning_is_shared(context):
    en, zh, other = featurizer(context).process(tokenized("where is my order", "我的订单到哪了", "I like jazz"))
    assert float(sentence_vector(en) @ sentence_vector(zh)) > float(sentence_vector(en) @ sentence_vector(other))


def test_invalid_config_is_rejected():
    from rasa.shared.exceptions import InvalidConfigException

    with pytest.raises(InvalidConfigException):
        UniversalSentenceEncoderFeaturizer.validate_config({"threads": 0, "batch_size": 8})


def test_out_of_scope_becomes_nlu_fallback(context):
    storage, resource, execution = context
    component = OutOfScopeToFallback.create(OutOfScopeToFallback.get_default_config(), storage, resource, execution)
    message = Message(data={TEXT: "what's the weather"})
    message.set("intent", {"name": "out_of_scope", "confidence": 0.93})
    message.set("intent_ranking", [{"name": "out_of_scope", "confidence": 0.93}])
    other = Message(data={TEXT: "hi"})
    other.set("intent", {"name": "greet", "confidence": 0.99})
    component.process([message, other])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.93}
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"
    assert other.get("intent")["name"] == "greet"
