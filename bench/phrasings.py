"""Shopper messages for the load benchmark, drawn from the held-out NLU set ``nlu_data/eval``.

A benchmark that sends the same few sentences lets every cache (the tokenizer's, the encoders',
the knowledge base's, the OS's) see only a handful of texts and flatters the figures. So the
messages come from the hand-written held-out examples, in the four languages, chosen by intent
with a seeded random generator: the same ``--seed`` sends the same texts, to both systems.

Texts are dealt like cards: each group of examples is shuffled and dealt out in full before any
text repeats, so a run uses as many different texts as its length allows.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from assistant.runtime.settings import REPO_ROOT

EVAL_DIR = REPO_ROOT / "nlu_data" / "eval"
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "ja")

# The intents whose examples each kind of message is drawn from (nlu_data/train/rules.yml says what
# the assistant does with them).
ORDER_STATUS_INTENTS = ("order_status",)
# answered from the shop's guides and policies (the rule "questions the shop's guides and policies answer")
KNOWLEDGE_INTENTS = (
    "refund_policy", "cancellation_fee", "delivery_options", "delivery_time", "payment_methods", "invoice",
    "create_account", "delete_account", "edit_account", "switch_account", "recover_password",
    "registration_problems", "newsletter", "place_order",
)
PRODUCT_SEARCH_INTENTS = ("product_search",)
# canned replies only: no form, no confirmation question, no handoff that would silence the bot
SMALL_TALK_INTENTS = ("greet", "thank_you", "bot_challenge", "goodbye")

# Rasa's entity annotations: [text](entity), [text](entity:value), [text]{"entity": ..., "role": ...}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\)|(\{[^}]*\}))")
_JSON_ENTITY = re.compile(r'"entity"\s*:\s*"([^"]+)"')
# an opening message carrying one of these would answer the flow's questions before they are asked
FLOW_ENTITIES = frozenset({"order_id", "email"})


@dataclass(frozen=True)
class Phrasing:
    """One held-out example: the plain text a shopper would type, its intent and its language."""

    text: str
    intent: str
    language: str
    entities: frozenset[str] = frozenset()  # the entities the example marks (order_id, email, price...)


def strip_annotations(text: str) -> str:
    """``where is [SO123456](order_id)`` -> ``where is SO123456``: what the shopper actually typed."""
    return _ANNOTATION.sub(r"\1", text).strip()


def annotated_entities(text: str) -> frozenset[str]:
    """The entity names annotated in one example: ``[x](order_id)`` and ``[x]{"entity": "price"}`` alike."""
    names = set()
    for match in _ANNOTATION.finditer(text):
        short, json_form = match.group(2), match.group(3)
        found = _JSON_ENTITY.search(json_form) if json_form else None
        names.add(found.group(1) if found else (short or "").split(":", 1)[0].strip())
    return frozenset(name for name in names if name)


def file_language(path: Path) -> str:
    """``en_part_a.yml`` -> ``en``; ``zh-Hans.yml`` -> ``zh-Hans`` (the set is split per language)."""
    stem = path.stem
    for language in sorted(LANGUAGES, key=len, reverse=True):
        if stem == language or stem.startswith(f"{language}_"):
            return language
    raise ValueError(f"{path.name}: cannot tell its language (expected one of {', '.join(LANGUAGES)})")


def parse_examples(document: str, language: str) -> List[Phrasing]:
    """The examples of one Rasa NLU YAML document (``nlu: - intent: X  examples: | - text``)."""
    data = yaml.safe_load(document) or {}
    found: List[Phrasing] = []
    for block in data.get("nlu") or []:
        intent = block.get("intent") if isinstance(block, dict) else None
        if not intent:
            continue  # synonyms, regexes and lookups carry no shopper message
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if not line.startswith("- "):
                continue
            raw = line[2:].strip()
            text = strip_annotations(raw)
            if text:
                found.append(Phrasing(text, intent, language, annotated_entities(raw)))
    return found


def load_phrasings(eval_dir: Path = EVAL_DIR) -> List[Phrasing]:
    """Every held-out example, in file order (so a seed always means the same texts)."""
    phrasings: List[Phrasing] = []
    for path in sorted(eval_dir.glob("*.yml")):
        phrasings += parse_examples(path.read_text(encoding="utf-8"), file_language(path))
    if not phrasings:
        raise RuntimeError(f"no NLU examples in {eval_dir}")
    return phrasings


DeckKey = Tuple[Tuple[str, ...], str, bool]  # intents, language ("" for any), without flow entities


class PhrasingSampler:
    """Seeded draws of shopper messages by intent and language, every text dealt before one repeats."""

    def __init__(self, phrasings: Iterable[Phrasing], seed: int | str) -> None:
        self.phrasings = list(phrasings)
        self.rng = random.Random(seed)
        self._decks: Dict[DeckKey, List[Phrasing]] = {}

    def languages(self, intents: Sequence[str]) -> List[str]:
        """The languages that have examples of these intents, in the shop's order."""
        present = {p.language for p in self.phrasings if p.intent in intents}
        return [language for language in LANGUAGES if language in present]

    def pick_language(self, intents: Sequence[str]) -> str:
        """A language for a new conversation: uniform, so every language gets its share of the load."""
        choices = self.languages(intents)
        if not choices:
            raise ValueError(f"no held-out examples for the intents {', '.join(intents)}")
        return self.rng.choice(choices)

    def draw(self, intents: Sequence[str], language: Optional[str] = None, plain: bool = False) -> Phrasing:
        """The next example of one of ``intents`` (in ``language`` if given; without entities if ``plain``).

        ``plain`` is for a flow's opening message, which must not already carry an order number or an
        email (:data:`FLOW_ENTITIES`): the flow supplies its own, and a stray one would change the
        questions the bot asks.
        """
        key: DeckKey = (tuple(intents), language or "", plain)
        deck = self._decks.get(key)
        if not deck:
            deck = [p for p in self.phrasings
                    if p.intent in intents and (language is None or p.language == language)
                    and not (plain and p.entities & FLOW_ENTITIES)]
            if not deck:
                raise ValueError(f"no held-out examples for {', '.join(intents)} in {language or 'any language'}"
                                 f"{' without an order number or email' if plain else ''}")
            self.rng.shuffle(deck)
            self._decks[key] = deck
        return deck.pop()
