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

from assistant.rasa_plugins.components.out_of_scope import OutOfScopeToFallback
from assistant.rasa_plugins.components.sentence_encoder import UniversalSentenceEncoderFeaturizer


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


def test_adds_sentence_features_only_by_default(context):
    [message] = featurizer(context).process(tokenized("where is my order SO482913"))
    sequence, sentence = message.get_dense_features(TEXT, [])
    assert sentence.features.shape == (1, 512)
    assert sequence is None


def test_token_features_when_configured(context):
    [message] = featurizer(context, token_features=True).process(tokenized("where is my order SO482913"))
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


def test_pattern_filter_drops_look_alikes_and_duplicates(context):
    from assistant.rasa_plugins.components.entity_filter import PatternEntityFilter

    storage, resource, execution = context
    component = PatternEntityFilter.create(
        {"patterns": {"order_id": r"^#?(?:[Ss][Oo][- ]?)?[0-9]{6}$"}}, storage, resource, execution
    )
    message = Message(data={TEXT: "order SO123456 to 10115"})
    order = {"entity": "order_id", "value": "SO123456", "start": 6, "end": 14}
    message.set("entities", [
        order,
        dict(order, extractor="DIETClassifier"),
        {"entity": "order_id", "value": "10115", "start": 18, "end": 23},
        {"entity": "color", "value": "blue", "start": 0, "end": 4},
    ])
    component.process([message])
    assert [e["value"] for e in message.get("entities")] == ["SO123456", "blue"]


def test_pattern_filter_drops_entities_inside_a_longer_one(context):
    from assistant.rasa_plugins.components.entity_filter import PatternEntityFilter

    storage, resource, execution = context
    component = PatternEntityFilter.create({"patterns": {}}, storage, resource, execution)
    message = Message(data={TEXT: "where is SO109576"})
    message.set("entities", [
        {"entity": "order_id", "value": "109576", "start": 11, "end": 17},
        {"entity": "order_id", "value": "SO109576", "start": 9, "end": 17},
    ])
    component.process([message])
    assert [e["value"] for e in message.get("entities")] == ["SO109576"]


def shop_tokens(text: str):
    from assistant.rasa_plugins.components.tokenizer import MASKED_TEXT, ShopTokenizer

    message = Message(data={TEXT: text})
    tokens = ShopTokenizer(ShopTokenizer.get_default_config()).tokenize(message, TEXT)
    return tokens, message.get(MASKED_TEXT)


@pytest.mark.parametrize("text, value", [
    ("where is my order SO109576?", "SO109576"),
    ("order #so-482913 please", "#so-482913"),
    ("track 482913", "482913"),
    ("it's SO 482913", "SO 482913"),
    ("订单 ＳＯ４８２９１３", "ＳＯ４８２９１３"),
])
def test_tokenizer_keeps_order_numbers_whole_and_masks_them(text, value):
    tokens, masked = shop_tokens(text)
    [token] = [t for t in tokens if t.text == "ordernumber"]
    assert text[token.start:token.end] == value
    assert "order number" in masked and value not in masked


def test_tokenizer_masks_emails_and_keeps_other_words():
    tokens, masked = shop_tokens("my email is Jane.Doe@example.co.uk thanks")
    assert [t.text for t in tokens] == ["my", "email", "is", "emailaddress", "thanks"]
    email = tokens[3]
    assert "my email is Jane.Doe@example.co.uk thanks"[email.start:email.end] == "Jane.Doe@example.co.uk"
    assert masked == "my email is email address thanks"


def test_tokenizer_leaves_other_numbers_alone():
    tokens, masked = shop_tokens("boots under 100 dollars, postal code 10115 or 1234567")
    assert "ordernumber" not in [t.text for t in tokens]
    assert masked == "boots under 100 dollars, postal code 10115 or 1234567"


@pytest.mark.parametrize("text, words", [
    ("我的订单到哪了", ["我", "的", "订单", "到", "哪", "了"]),
    ("我的訂單到哪裡了", ["我", "的", "訂單", "到", "哪裡", "了"]),
    ("注文はいつ届きますか", ["注文", "は", "いつ", "届き", "ます", "か"]),
])
def test_tokenizer_splits_chinese_and_japanese_into_words(text, words):
    tokens, _ = shop_tokens(text)
    assert [t.text for t in tokens] == words
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_tokenizer_handles_mixed_scripts_with_offsets():
    text = "iPhone 15 的保护壳"
    tokens, _ = shop_tokens(text)
    assert [t.text for t in tokens][:2] == ["iPhone", "15"]
    assert "保护" in [t.text for t in tokens] or "保护壳" in [t.text for t in tokens]
    assert all(text[t.start:t.end] == t.text for t in tokens)


@pytest.mark.parametrize("text, value", [
    ("我的订单SO482913到哪了", "SO482913"),
    ("訂單ＳＯ４８２９１３還沒到", "ＳＯ４８２９１３"),
    ("注文番号は#so-482913です", "#so-482913"),
    ("482913の注文", "482913"),
])
def test_order_numbers_stay_whole_inside_chinese_and_japanese(text, value):
    tokens, masked = shop_tokens(text)
    [token] = [t for t in tokens if t.text == "ordernumber"]
    assert text[token.start:token.end] == value
    assert "order number" in masked


def test_emails_stay_whole_next_to_japanese():
    text = "メールはtanaka.yuki@example.jpです"
    tokens, masked = shop_tokens(text)
    [email] = [t for t in tokens if t.text == "emailaddress"]
    assert text[email.start:email.end] == "tanaka.yuki@example.jp"
    assert masked == "メールはemail addressです"


# ---- KnowledgeRetriever: the closest pages and products for the router ---------------------------


def _index(folder, rows, titles=None):
    """A tiny ``use`` index: (doc_id, kind, language, vector) per passage."""
    titles = titles or {}
    import json

    use = folder / "use"
    use.mkdir(parents=True)
    (use / "chunks.json").write_text(json.dumps([{"doc_id": d, "kind": k, "language": lang, "title": titles.get(d, "")}
                                                 for d, k, lang, _ in rows]))
    np.save(use / "vectors.npy", np.asarray([v for *_, v in rows], dtype=np.float32))
    return folder


def test_knowledge_retriever_attaches_own_language_pages_and_any_language_products(context, tmp_path):
    from assistant.rasa_plugins.components.knowledge_retriever import KNOWLEDGE, KnowledgeRetriever
    from assistant.rasa_plugins.components.sentence_encoder import SENTENCE_VECTOR

    folder = _index(tmp_path / "kb", [
        ("guide:care", "guide", "en", [1.0, 0.0, 0.0]),
        ("guide:care", "guide", "ja", [1.0, 0.05, 0.0]),   # the same page in Japanese
        ("policy:returns", "policy", "ja", [0.6, 0.8, 0.0]),
        ("product:NW-1", "product", "en", [0.9, 0.1, 0.0]),  # products are written once, in English
    ])
    storage, resource, execution = context
    retriever = KnowledgeRetriever.create({**KnowledgeRetriever.get_default_config(), "index_dir": str(folder)},
                                          storage, resource, execution)
    message = Message(data={TEXT: "ダウンジャケットの洗い方"})
    message.set(SENTENCE_VECTOR, np.asarray([1.0, 0.0, 0.0], dtype=np.float32))
    retriever.process([message])
    knowledge = message.get(KNOWLEDGE)
    assert knowledge["language"] == "ja"
    assert [p["doc_id"] for p in knowledge["pages"]] == ["guide:care", "policy:returns"]
    assert knowledge["pages"][0]["score"] > 0.99
    assert knowledge["products"] == [{"doc_id": "product:NW-1", "score": pytest.approx(0.9939, abs=1e-3)}]
    assert KNOWLEDGE in message.as_dict(only_output_properties=True)


@pytest.mark.parametrize("text,named", [
    ("is the Cascade Hiker waterproof?", "product:NW-SHO-0002"),
    ("カスケードハイカーは防水ですか", "product:NW-SHO-0002"),   # the extractor finds no katakana name
    ("カスケード・ハイカー クラシックは？", "product:NW-SHO-0002"),
    ("how do I wash a hiker?", None),
])
def test_knowledge_retriever_names_the_product_typed_in_full(context, tmp_path, text, named):
    from assistant.rasa_plugins.components.knowledge_retriever import KNOWLEDGE, KnowledgeRetriever
    from assistant.rasa_plugins.components.sentence_encoder import SENTENCE_VECTOR

    folder = _index(tmp_path / "kb", [("guide:care", "guide", "en", [1.0, 0.0, 0.0]),
                                      ("product:NW-SHO-0002", "product", "en", [0.9, 0.1, 0.0])],
                    titles={"product:NW-SHO-0002": "Cascade Hiker"})
    storage, resource, execution = context
    retriever = KnowledgeRetriever.create({**KnowledgeRetriever.get_default_config(), "index_dir": str(folder)},
                                          storage, resource, execution)
    message = Message(data={TEXT: text})
    message.set(SENTENCE_VECTOR, np.asarray([1.0, 0.0, 0.0], dtype=np.float32))
    retriever.process([message])
    assert message.get(KNOWLEDGE).get("named_product") == named


def test_knowledge_retriever_without_an_index_leaves_the_message_alone(context, tmp_path):
    from assistant.rasa_plugins.components.knowledge_retriever import KNOWLEDGE, KnowledgeRetriever
    from assistant.rasa_plugins.components.sentence_encoder import SENTENCE_VECTOR

    storage, resource, execution = context
    retriever = KnowledgeRetriever.create({**KnowledgeRetriever.get_default_config(),
                                           "index_dir": str(tmp_path / "missing")}, storage, resource, execution)
    message = Message(data={TEXT: "hello"})
    message.set(SENTENCE_VECTOR, np.ones(3, dtype=np.float32))
    retriever.process([message])
    assert message.get(KNOWLEDGE) is None


def test_the_routers_state_reads_a_real_tracker():
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from assistant.rasa_plugins.routing import State

    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("is it waterproof?"), ActionExecuted("action_product_question"), ActionExecuted("action_listen"),
    ], slots=[])
    assert State.of(tracker) == State(active_loop=None, handoff_active=False, product_shown=True)
    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("where is my order?"), ActionExecuted("order_verification_form"),
        ActiveLoop("order_verification_form"), SlotSet("requested_slot", "order_id"), ActionExecuted("action_listen"),
    ], slots=[])
    assert State.of(tracker).active_loop == "order_verification_form"
    assert State.of(None) == State()


def test_knowledge_retriever_counts_the_sections_questions(context, tmp_path):
    """A page whose text is far from the message but whose section question is close ranks first; its
    ``passage`` score (what a product page is compared with) stays its text's own."""
    import json

    from assistant.rasa_plugins.components.knowledge_retriever import KNOWLEDGE, KnowledgeRetriever
    from assistant.rasa_plugins.components.sentence_encoder import SENTENCE_VECTOR

    folder = _index(tmp_path / "kb", [
        ("guide:care", "guide", "en", [0.6, 0.8, 0.0]),
        ("policy:returns", "policy", "en", [0.8, 0.6, 0.0]),
    ])
    chunks = json.loads((folder / "use" / "chunks.json").read_text())
    for chunk, chunk_id in zip(chunks, ("guide:care#wash", "policy:returns")):
        chunk["chunk_id"] = chunk_id
    (folder / "use" / "chunks.json").write_text(json.dumps(chunks))
    (folder / "use" / "questions.json").write_text(json.dumps([{"text": "how do I wash it?", "chunks": ["guide:care#wash"]}]))
    np.save(folder / "use" / "questions.npy", np.asarray([[1.0, 0.0, 0.0]], dtype=np.float32))
    storage, resource, execution = context
    config = KnowledgeRetriever.get_default_config()
    pages = {}
    for offset in (None, -0.1):
        retriever = KnowledgeRetriever.create({**config, "index_dir": str(folder), "question_offset": offset},
                                              storage, resource, execution)
        message = Message(data={TEXT: "washing a jacket"})
        message.set(SENTENCE_VECTOR, np.asarray([1.0, 0.0, 0.0], dtype=np.float32))
        retriever.process([message])
        pages[offset] = message.get(KNOWLEDGE)["pages"]
    assert [p["doc_id"] for p in pages[None]] == ["policy:returns", "guide:care"]
    assert [p["doc_id"] for p in pages[-0.1]] == ["guide:care", "policy:returns"]
    assert pages[-0.1][0]["score"] == pytest.approx(0.9) and pages[-0.1][0]["passage"] == pytest.approx(0.6)
