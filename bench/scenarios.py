"""What the simulated shoppers say, and what a right reply must contain, per benchmark scenario.

Scenarios (``--scenario``):

* ``order_status``: an opening question about an order (a held-out ``order_status`` example), the
  order number, the email on the order, "thanks". The reply to the email must carry
  the order's status: its tracking number (shipped), "delivered on" (delivered) or "will ship by"
  (pending, paid), in whichever of the four languages the conversation is in.
* ``knowledge``: four general shop questions (held-out examples of the intents the guides and
  policies answer). Each reply must cite a knowledge-base source. The REST channel returns an
  answer as its text, a "Source: <title>" line (in the conversation's language) and a ``custom``
  payload ``{"type": "kb_source", "doc_id": ...}``; either of the last two will do. An "I'm not
  sure" has neither.
* ``product_search``: four product requests ("do you have a rain jacket under $150?"). Each reply
  must contain products: a ``custom`` payload of type ``product_carousel`` with at least one product.
* ``long``: one conversation of ``--long-turns`` turns: blocks of small talk, questions and product
  requests, with an order-status flow in the middle. Its first and its last five turns are the same
  kinds of message, so their latencies compare what a long history costs.

Each conversation stays in one language, chosen per conversation, so the four languages share the
load and every reply is in the language the checks expect. No message carries an order number or
an email except the order flow's own (see :meth:`Planner._text`).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

from bench.phrasings import (
    KNOWLEDGE_INTENTS,
    ORDER_STATUS_INTENTS,
    PRODUCT_SEARCH_INTENTS,
    SMALL_TALK_INTENTS,
    PhrasingSampler,
)

ORDER_STATUS, KNOWLEDGE, PRODUCT_SEARCH, LONG = "order_status", "knowledge", "product_search", "long"
SCENARIOS = (ORDER_STATUS, KNOWLEDGE, PRODUCT_SEARCH, LONG)
LOAD_SCENARIOS = (ORDER_STATUS, KNOWLEDGE, PRODUCT_SEARCH)  # many conversations at once; ``long`` runs alone
SMALL_TALK = "small_talk"
MESSAGES_PER_CONVERSATION = 4
DEFAULT_OPENER = "where is my order?"

# A long conversation repeats this block, so its first and last five turns are alike.
LONG_BLOCK = (SMALL_TALK, KNOWLEDGE, PRODUCT_SEARCH, SMALL_TALK, KNOWLEDGE)
LONG_ORDER_TURNS = 3  # opener, order number, email
LONG_EDGE = len(LONG_BLOCK)  # turns compared at each end
MIN_LONG_TURNS = 2 * len(LONG_BLOCK) + LONG_ORDER_TURNS

# what the status reply says, per status, in English, Simplified and Traditional Chinese, Japanese
# (assistant/domain/orders.yml, utter_order_status_*)
STATUS_MARKERS = {
    "delivered": ("delivered on", "送达", "送達", "お届け済み"),
    "paid": ("will ship by", "前发货", "前出貨", "までに発送予定"),
    "pending": ("will ship by", "前发货", "前出貨", "までに発送予定"),
}

# how a knowledge answer names its source, per language (assistant/domain/knowledge.yml, utter_kb_answer)
SOURCE_LABELS = ("Source:", "来源：", "資料來源：", "出典：")

Replies = List[Dict[str, Any]]
Check = Callable[[str], Optional[str]]  # reply text -> problem, or None when the reply is right
ReplyCheck = Callable[[Replies], Optional[str]]  # the REST channel's reply list -> problem, or None


@dataclass(frozen=True)
class Message:
    text: str
    check: Optional[ReplyCheck] = None


@dataclass(frozen=True)
class Conversation:
    sender: str
    messages: List[Message]
    scenario: str = ORDER_STATUS
    kinds: List[str] = field(default_factory=list)  # per message, for the long conversation's turns
    language: str = "en"


# --- checks ------------------------------------------------------------------------------------------


def reply_text(replies: Replies) -> str:
    return "\n".join(str(r.get("text", "")) for r in replies if isinstance(r, dict) and r.get("text"))


def custom_payloads(replies: Replies, kind: str) -> List[Dict[str, Any]]:
    """The ``custom`` payloads of one type (``kb_source``, ``product_carousel``) among the replies."""
    found = []
    for reply in replies:
        custom = reply.get("custom") if isinstance(reply, dict) else None
        if isinstance(custom, dict) and custom.get("type") == kind:
            found.append(custom)
    return found


def on_text(check: Check) -> ReplyCheck:
    """A check of the reply's text, applied to the REST channel's reply list."""
    return lambda replies: check(reply_text(replies))


def status_check(order: Dict[str, Any]) -> Check:
    """What the reply to the email must contain for this order's status (any of the four languages)."""
    status = order["status"]
    if status == "shipped":
        expected = (order.get("tracking_number") or "Tracking number",)
    else:
        expected = STATUS_MARKERS.get(status, STATUS_MARKERS["pending"])

    def check(reply: str) -> Optional[str]:
        if any(marker in reply for marker in expected):
            return None
        return f"{status} order {order['order_id']}: reply lacks {expected[0]!r}: {reply[:200]!r}"

    return check


def names_a_source(line: str) -> bool:
    """``Source: Shipping policy`` (or 来源：, 資料來源：, 出典：) with a title after the label."""
    line = line.strip()
    return any(line.startswith(label) and line[len(label):].strip() for label in SOURCE_LABELS)


def source_check(replies: Replies) -> Optional[str]:
    """A knowledge answer cites its source: the ``kb_source`` payload with the document's id (the
    widget's link), or the "Source: <title>" line the REST channel sends with it."""
    if any(p.get("doc_id") for p in custom_payloads(replies, "kb_source")):
        return None
    if any(names_a_source(line) for line in reply_text(replies).splitlines()):
        return None
    return f"no knowledge-base source in the reply: {reply_text(replies)[:200]!r}"


def products_check(replies: Replies) -> Optional[str]:
    """A product request is answered with product cards."""
    if any(p.get("products") for p in custom_payloads(replies, "product_carousel")):
        return None
    return f"no products in the reply: {reply_text(replies)[:200]!r}"


def answered_check(replies: Replies) -> Optional[str]:
    """The bot said something (a silent bot is handed over to a person, or broken)."""
    return None if reply_text(replies) else "no reply text"


CHECKS: Dict[str, ReplyCheck] = {KNOWLEDGE: source_check, PRODUCT_SEARCH: products_check, SMALL_TALK: answered_check}


# --- conversations -------------------------------------------------------------------------------------


def order_conversation(
    sender: str, order: Dict[str, Any], check_status: bool, opener: str = DEFAULT_OPENER
) -> Conversation:
    return Conversation(sender, [
        Message(opener),
        Message(order["order_id"]),
        Message(order["email"], on_text(status_check(order)) if check_status else None),
        Message("thanks"),
    ], ORDER_STATUS)


def messages_per_round() -> int:
    return MESSAGES_PER_CONVERSATION


def long_turn_kinds(turns: int) -> List[str]:
    """Whole blocks of :data:`LONG_BLOCK` around one order-status flow, at least ``turns`` in all."""
    if turns < MIN_LONG_TURNS:
        raise ValueError(f"a long conversation needs at least {MIN_LONG_TURNS} turns, got {turns}")
    blocks = math.ceil((turns - LONG_ORDER_TURNS) / len(LONG_BLOCK))
    before = list(LONG_BLOCK) * (blocks // 2)
    after = list(LONG_BLOCK) * (blocks - blocks // 2)
    return before + [ORDER_STATUS] * LONG_ORDER_TURNS + after


class Planner:
    """Builds the conversations of a run from seeded phrasings and seeded orders.

    Without a sampler the order flow opens with "where is my order?" (the benchmark's original
    script). With ``check=False`` no reply is checked (the baseline bot cannot answer these).
    """

    def __init__(self, orders: Sequence[Dict[str, Any]], sampler: Optional[PhrasingSampler], check: bool) -> None:
        if not orders:
            raise ValueError("the order-status flow needs at least one order")
        self.orders = list(orders)
        self.sampler = sampler
        self.check = check

    def _text(self, intents: Sequence[str], language: str) -> str:
        """An example without an order number or email: in a question one would start the order
        verification, which then takes the conversation's next messages for the answers it wants."""
        assert self.sampler is not None
        return self.sampler.draw(intents, language, plain=True).text

    def _checked(self, text: str, kind: str) -> Message:
        return Message(text, CHECKS[kind] if self.check else None)

    def _language(self, intents: Sequence[str], language: Optional[str]) -> str:
        if language:
            return language
        return self.sampler.pick_language(intents) if self.sampler else "en"

    def order_status(self, sender: str, index: int, language: Optional[str] = None) -> Conversation:
        order = self.orders[index % len(self.orders)]
        if self.sampler is None:
            return order_conversation(sender, order, self.check)
        language = self._language(ORDER_STATUS_INTENTS, language)
        opener = self._text(ORDER_STATUS_INTENTS, language)
        return replace(order_conversation(sender, order, self.check, opener), language=language)

    def questions(self, sender: str, scenario: str, language: Optional[str] = None) -> Conversation:
        intents = KNOWLEDGE_INTENTS if scenario == KNOWLEDGE else PRODUCT_SEARCH_INTENTS
        if self.sampler is None:
            raise ValueError(f"the {scenario} scenario draws its messages from nlu_data/eval: give a sampler")
        language = self._language(intents, language)
        messages = [self._checked(self._text(intents, language), scenario) for _ in range(MESSAGES_PER_CONVERSATION)]
        return Conversation(sender, messages, scenario, language=language)

    def conversation(self, scenario: str, sender: str, index: int, language: Optional[str] = None) -> Conversation:
        """Conversation number ``index`` of one load scenario (``index`` also picks the order), in
        ``language`` or in one picked at random."""
        if scenario == ORDER_STATUS:
            return self.order_status(sender, index, language)
        if scenario in (KNOWLEDGE, PRODUCT_SEARCH):
            return self.questions(sender, scenario, language)
        raise ValueError(f"{scenario!r} is not a load scenario ({', '.join(LOAD_SCENARIOS)})")

    def long(self, sender: str, turns: int, index: int = 0, language: Optional[str] = None) -> Conversation:
        """One conversation of at least ``turns`` turns in one language (see :func:`long_turn_kinds`)."""
        if self.sampler is None:
            raise ValueError("the long scenario draws its messages from nlu_data/eval: give a sampler")
        language = language or self.sampler.pick_language(KNOWLEDGE_INTENTS)
        intents = {SMALL_TALK: SMALL_TALK_INTENTS, KNOWLEDGE: KNOWLEDGE_INTENTS,
                   PRODUCT_SEARCH: PRODUCT_SEARCH_INTENTS}
        kinds = long_turn_kinds(turns)
        order = self.orders[index % len(self.orders)]
        opener = self._text(ORDER_STATUS_INTENTS, language)
        flow = iter(order_conversation(sender, order, self.check, opener).messages[:LONG_ORDER_TURNS])
        messages = [next(flow) if kind == ORDER_STATUS else self._checked(self._text(intents[kind], language), kind)
                    for kind in kinds]
        # the last turns repeat the first ones word for word, so the two ends compared differ only in how
        # long the conversation is (with other texts one product search that matches 322 products against
        # one that matches 21 moved the ratio by a tenth)
        messages[-LONG_EDGE:] = messages[:LONG_EDGE]
        return Conversation(sender, messages, LONG, kinds, language)

    def stream(self, scenarios: Sequence[str], prefix: str) -> Iterator[Conversation]:
        """Endless conversations for the open loop, the scenarios taking turns."""
        for index in itertools.count():
            scenario = scenarios[index % len(scenarios)]
            yield self.conversation(scenario, f"{prefix}-{index:05d}", index)


def plan_shoppers(
    orders: Sequence[Dict[str, Any]],
    shoppers: int,
    rounds: int,
    check_status: bool,
    scenarios: Sequence[str] = (ORDER_STATUS,),
    sampler: Optional[PhrasingSampler] = None,
) -> List[List[Conversation]]:
    """One list of conversations per shopper; scenarios and orders are dealt out round-robin."""
    planner = Planner(orders, sampler, check_status)

    def conversation(shopper: int, round_: int) -> Conversation:
        index = shopper * rounds + round_
        return planner.conversation(scenarios[index % len(scenarios)], f"bench-{shopper:03d}-r{round_}", index)

    return [[conversation(s, r) for r in range(rounds)] for s in range(shoppers)]

