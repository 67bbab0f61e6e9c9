"""The NLU parse cache: which messages it keeps, that a hit equals the first parse and cannot be changed by
its caller, its bound, and a new model starting afresh."""
from __future__ import annotations

from types import SimpleNamespace

from assistant.rasa_plugins.parse_cache import ParseCache


def processor(model_id="model-a", http_interpreter=None):
    return SimpleNamespace(model_metadata=SimpleNamespace(model_id=model_id), http_interpreter=http_interpreter)


def message(text):
    return SimpleNamespace(text=text, sender_id="s1")


PARSED = {"text": "where is my order?", "intent": {"name": "order_status", "confidence": 0.97},
          "entities": [], "intent_ranking": [{"name": "order_status", "confidence": 0.97}],
          "knowledge": {"language": "en", "pages": [{"doc_id": "guide:track-your-order", "score": 0.5}]}}


def test_a_text_parsed_before_comes_back_equal_and_its_copy_is_the_callers():
    cache = ParseCache(8)
    key = cache.key(processor(), message("where is my order?"))
    assert cache.get(key) is None
    cache.put(key, PARSED)
    first = cache.get(cache.key(processor(), message("where is my order?")))
    assert first == PARSED
    first["intent"]["name"] = "ask_shop_question"  # the router replaces the intent of what it gets
    first["knowledge"]["pages"].clear()
    assert cache.get(key) == PARSED
    assert (cache.hits, cache.misses) == (2, 1)


def test_the_first_parse_changed_by_its_caller_after_put_does_not_change_the_cache():
    cache = ParseCache(8)
    parsed = {**PARSED, "intent": dict(PARSED["intent"])}
    key = cache.key(processor(), message("where is my order?"))
    cache.put(key, parsed)
    parsed["intent"]["name"] = "nlu_fallback"
    assert cache.get(key)["intent"]["name"] == "order_status"


def test_payloads_empty_texts_full_properties_and_remote_nlu_are_not_kept():
    cache = ParseCache(8)
    assert cache.key(processor(), message("/greet")) is None
    assert cache.key(processor(), message(' /choose_language{"language": "ja"}')) is None
    assert cache.key(processor(), message("   ")) is None
    assert cache.key(processor(), message(None)) is None
    assert cache.key(processor(), message("hi"), only_output_properties=False) is None
    assert cache.key(processor(http_interpreter=object()), message("hi")) is None
    assert ParseCache(0).key(processor(), message("hi")) is None
    cache.put(None, PARSED)
    assert len(cache) == 0 and cache.get(None) is None


def test_texts_differing_in_case_or_spaces_are_different_texts():
    cache = ParseCache(8)
    keys = {cache.key(processor(), message(t)) for t in ("Thanks", "thanks", "thanks ", "ｔｈａｎｋｓ")}
    assert len(keys) == 4  # the pipeline sees them differently (entity offsets, tokens)


def test_a_new_model_does_not_reuse_the_old_models_parses():
    cache = ParseCache(8)
    cache.put(cache.key(processor("model-a"), message("hi")), PARSED)
    assert cache.get(cache.key(processor("model-b"), message("hi"))) is None


def test_the_least_recently_used_text_goes_first():
    cache = ParseCache(2)
    keys = {t: cache.key(processor(), message(t)) for t in ("a", "b", "c")}
    cache.put(keys["a"], {"text": "a"})
    cache.put(keys["b"], {"text": "b"})
    assert cache.get(keys["a"]) == {"text": "a"}  # "a" is now the most recent
    cache.put(keys["c"], {"text": "c"})
    assert cache.get(keys["b"]) is None
    assert cache.get(keys["a"]) == {"text": "a"} and cache.get(keys["c"]) == {"text": "c"}
    assert len(cache) == 2
