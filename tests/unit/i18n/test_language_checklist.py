"""README "Adding a language", enforced: every registered language has each item of the checklist."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from assistant.i18n import languages
from assistant.i18n.detect import normalise_language
from assistant.i18n.phrases import PHRASES_FILE

REPO = Path(__file__).resolve().parents[3]
OTHERS = [code for code in languages.LANGUAGES if code != languages.DEFAULT_LANGUAGE]


def _domain() -> dict:
    merged: dict = {"responses": {}, "slots": {}}
    for path in sorted((REPO / "assistant" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in merged:
            merged[key].update(data.get(key) or {})
    return merged


def _phrase_leaves(node: object, path: str = ""):
    if isinstance(node, dict) and languages.DEFAULT_LANGUAGE in node:
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _phrase_leaves(value, f"{path}.{key}".lstrip("."))


def _js_object(source: str, name: str) -> dict:
    match = re.search(rf"var {name} = (\{{[^}}]*\}});", source)
    assert match, f"widget.js has no {name} table"
    return json.loads(re.sub(r"(\w+|\"[^\"]+\"):", lambda m: f'"{m.group(1).strip(chr(34))}":', match.group(1)))


def test_the_registry_lists_each_language_once_with_the_default_first() -> None:
    assert languages.LANGUAGES[0] == languages.DEFAULT_LANGUAGE
    assert len(set(languages.LANGUAGES)) == len(languages.LANGUAGES)
    for code, language in languages.REGISTRY.items():
        assert language.code == code
        assert normalise_language(code) == code
        assert all(normalise_language(name) == code for name in language.names), code


def test_the_language_slot_takes_exactly_the_registered_languages() -> None:
    assert _domain()["slots"]["language"]["values"] == list(languages.LANGUAGES)


@pytest.mark.parametrize("code", OTHERS)
def test_every_response_has_a_variant_in_each_language(code: str) -> None:
    missing = [name for name, variants in _domain()["responses"].items()
               if not any(c.get("name") == "language" and c.get("value") == code
                          for v in variants for c in v.get("condition") or [])]
    assert not missing, f"responses without a {code} variant: {missing}"


@pytest.mark.parametrize("code", OTHERS)
def test_every_phrase_is_translated(code: str) -> None:
    phrases = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    missing = [path for path, leaf in _phrase_leaves(phrases) if code not in leaf]
    assert not missing, f"phrases without {code}: {missing}"


@pytest.mark.parametrize("code", languages.LANGUAGES)
def test_training_and_evaluation_data_exist(code: str) -> None:
    train = list((REPO / "nlu_data" / "train" / code).glob("*.yml"))
    assert train, f"nlu_data/train/{code}/ has no training data"
    assert list((REPO / "nlu_data" / "eval").glob(f"{code}*.yml")) or list(
        (REPO / "nlu_data" / "eval").glob(f"{code}_part_*.yml")), f"nlu_data/eval has no {code} file"


@pytest.mark.parametrize("code", OTHERS)
@pytest.mark.parametrize("kind", ["guides", "policies"])
def test_the_knowledge_base_has_every_page_in_each_language(code: str, kind: str) -> None:
    content = REPO / "knowledge_base" / "content" / kind
    english = {p.name for p in (content / languages.DEFAULT_LANGUAGE).glob("*.md")}
    assert {p.name for p in (content / code).glob("*.md")} == english


def test_the_widget_offers_exactly_the_registered_languages() -> None:
    source = (REPO / "assistant" / "console" / "widget" / "src" / "widget.js").read_text(encoding="utf-8")
    assert _js_object(source, "LANGS") == {c: lang.native_name for c, lang in languages.REGISTRY.items()}
    assert _js_object(source, "SHORT") == {c: lang.short_label for c, lang in languages.REGISTRY.items()}
    for code in languages.LANGUAGES:
        assert re.search(rf'^\s+"?{re.escape(code)}"?: \{{', source, re.M), f"widget.js has no {code} strings"


def test_retrieval_evaluation_covers_each_language() -> None:
    evaluation = REPO / "knowledge_base" / "eval"
    for code in OTHERS:
        assert (evaluation / f"questions_{code}.yml").is_file(), code
