"""The router: after NLU, decide whether a message is a task, a product request, a question the
shop's guides and policies answer, or something the shop does not do.

The intent classifier alone loses answers: "where do I find my order number?" looks like
``order_status``, "how should I wash my rain jacket?" like ``product_question``, "can I write a
review?" like ``give_feedback``, and policy questions it has few examples of fall to ``nlu_fallback``.
The router weighs, for each message:

* the intent ranking (DIET, after the fallback classifier),
* the knowledge base's closest guides/policies and products with their scores (``knowledge``, attached
  inside Rasa by ``KnowledgeRetriever``: no extra action-server call),
* whether the message asks *how/what/can/why* something works in general (``Language.asks_how``) and
  whether it is about the shopper's own order (``Language.own_order``; a typed order number counts),
* whether a product is named (the ``product`` entity, or its full name found in the text by
  ``KnowledgeRetriever``: katakana, typos) or was just shown, and the conversation state.

A message routed to an answer gets the intent ``ask_shop_question`` (the rule answers it from the
knowledge base, which still abstains when its best passage is not close enough); the classifier's
own prediction stays in ``route.from_intent``. A question about the shopper's own order ("can I
return my order?") is answered from the policy first, and ``route.offer_task`` makes the answer offer
the task as a button. A kind of product with no product's name ("got any parkas in dark green"), or an
order task the classifier is unsure of for a message that describes a product ("I'd like a blouse in size
12"), becomes a product search; so does a request for products of a kind (``Language.wants_product``: "do
you have...", "我想买...", "...はありますか") that asks no advice (``Language.asks_advice``: care, fit, "how do
I..."), whatever the size guide scores ("26.5cmの登山靴はありますか" wants boots). Advice words also let a guide
answer that is only a little closer than the best product page ("is it ok to tumble dry my raincoat"); a
question naming a product in full is about that product; asking *when* a person is there
(``Language.asks_when``) gets the opening hours with the person offered. While the verification form waits,
a message placed with a question intent is answered and the form asks again; a product search ends the
form (rules in nlu_data/train/rules.yml).
Everything else keeps its intent. Runs in the Rasa process (``server.py`` wraps
``MessageProcessor.parse_message``), a few microseconds per message.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from assistant.i18n.detect import detect_language
from assistant.i18n.languages import DEFAULT_LANGUAGE, REGISTRY
from assistant.shop.commerce.order_tasks import ORDER_TASKS
from knowledge_base.product_words import has_cjk, lookup

ASK = "ask_shop_question"
FALLBACK = "nlu_fallback"
PRODUCT_QUESTION = "product_question"
PRODUCT_SEARCH = "product_search"
PRODUCT_INTENTS = (PRODUCT_SEARCH, PRODUCT_QUESTION)
SUPPORT_INTENTS = ("complaint", "payment_issue", "give_feedback", "bot_challenge")
BACK_TO_BOT = "back_to_bot"  # outside a handoff: "if I close the chat and come back, must I verify again?"
HANDOFF = "human_handoff"
PRODUCT_ACTIONS = ("action_product_search", "action_product_search_more", "action_product_question")
OWN_ORDER_ENTITIES = ("order_id", "email")
SIZE_GUIDES = frozenset({"guide:clothing-size-guide", "guide:shoe-size-guide", "guide:kids-sizes",
                         "guide:accessory-sizes", "guide:how-to-measure"})
HOURS_PAGES = frozenset({"policy:contact-and-opening-hours", "guide:contact-support"})
STRAY = ("inform", FALLBACK)  # data with no request
LOOK_UP = "order_status"      # what a shopper who types only their order number wants first


@dataclass(frozen=True)
class Thresholds:
    """Cosine scores of the best guide/policy (USE), swept on the tuning part of ``make answer-eval``
    (2026-12-06, counting where each answerable, task and unanswerable question is routed); the answer
    itself still abstains when the knowledge base is not sure. Lowering the task, support and fallback
    floors sent 26 more of the 473 answerable tuning questions to the answer and no task request away
    from its task; below 0.4 for the fallback, unanswerable questions came along."""

    task_question: float = 0.20    # a general question the classifier took for an order task
    product_question: float = 0.25  # a how-to, care or size question taken for a product request
    product_margin: float = 0.10   # ... and the page must beat the best product page by this much
    support_question: float = 0.25  # a question taken for complaint, payment problem or feedback
    fallback_question: float = 0.40  # a shop question the classifier could not place
    product_page: float = 0.30      # a question about one product the classifier could not place ...
    product_over_page: float = 0.05  # ... whose product page beats the best guide or policy by this much
    named_product_slack: float = 0.05  # a question naming a product in full: its page may trail the best guide by this
    size_slack: float = 0.02         # which size to choose: the size guide may trail the best product page by this


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class State:
    """What the router needs to know of the conversation before this message."""

    active_loop: Optional[str] = None
    handoff_active: bool = False
    handoff_waiting: bool = False  # a ticket waits for the team after hours (the bot answers meanwhile)
    product_shown: bool = False  # the bot's last turn showed or discussed a product

    @classmethod
    def of(cls, tracker: Any) -> State:
        if tracker is None:
            return cls()
        loop = getattr(tracker, "active_loop_name", None)
        return cls(active_loop=loop, handoff_active=bool(tracker.get_slot("handoff_active")),
                   handoff_waiting=bool(tracker.get_slot("handoff_waiting")),
                   product_shown=_product_in_last_turn(getattr(tracker, "events", []) or []))


def _product_in_last_turn(events: Any) -> bool:
    for event in reversed(list(events)):
        name = type(event).__name__
        if name == "UserUttered":
            return False
        if name == "ActionExecuted" and getattr(event, "action_name", None) in PRODUCT_ACTIONS:
            return True
    return False


CUES = ("asks_how", "own_order", "asks_to_act", "asks_size", "wants_product", "asks_advice", "asks_when")


@functools.lru_cache(maxsize=None)
def _cues(language: str) -> Dict[str, Optional[re.Pattern]]:
    """The language's routing cues (``Language`` fields named in ``CUES``), compiled once."""
    lang = REGISTRY.get(language) or REGISTRY[DEFAULT_LANGUAGE]
    return {name: re.compile(getattr(lang, name), re.I) if getattr(lang, name) else None for name in CUES}


def _matches(cue: str, text: str, language: Optional[str]) -> bool:
    pattern = _cues(language or DEFAULT_LANGUAGE)[cue]
    return bool(pattern and pattern.search(text))


def cues(text: str, language: Optional[str]) -> tuple[bool, bool]:
    """(asks how something works in general, is about the shopper's own order); a request to act
    ("can you cancel...", "where is my parcel") is not a general question."""
    asks = _matches("asks_how", text, language) and not _matches("asks_to_act", text, language)
    return asks, _matches("own_order", text, language)


def asks_size(text: str, language: Optional[str]) -> bool:
    """Which size to choose ("between M and L", "chest 98 cm", "胸围98该拿哪个码")."""
    return _matches("asks_size", text, language)


def asks_advice(text: str, language: Optional[str]) -> bool:
    """Advice on care, fit or use ("how do I wash...", "tumble dryer", "which size", "洗", "手入れ")."""
    return _matches("asks_advice", text, language)


def asks_when_people(text: str, language: Optional[str]) -> bool:
    """A question about when a person is there ("can I talk to a human on Sunday?", "土日でも人間と話せますか"):
    a question, even though asking for a person is otherwise a request to act, that names a day or an hour."""
    return _matches("asks_how", text, language) and _matches("asks_when", text, language)


def wants_product(text: str, language: Optional[str]) -> bool:
    """A request for products of a kind ("do you have...", "我想买...", "ありますか") that asks no advice
    ("how do I wash...", "which size..."): "26.5cmの登山靴はありますか" wants boots, not the size guide."""
    return _matches("wants_product", text, language) and not asks_advice(text, language)


def kind_of_product(text: str, language: Optional[str]) -> Optional[str]:
    """The catalogue's category named in Chinese or Japanese words, which the entity extractor misses where it
    has no annotated example ("ソロキャンプ用のテントが欲しい", "冬用の寝袋を探しています"); words that may be part of another
    word are left out ("包" of "包裹", "くつ" of "いくつか")."""
    return lookup("category", text, language, in_text=True) if has_cjk(text) else None


def only_order_number(text: str, entities: Any) -> bool:
    """Nothing but an order number (and punctuation) in the message."""
    rest = text
    spans = sorted(((e["start"], e["end"]) for e in entities if e.get("entity") == "order_id"
                    and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)), reverse=True)
    for start, end in spans:  # from the end, so earlier offsets stay valid
        rest = rest[:max(start, 0)] + rest[max(end, 0):]
    return not re.sub(r"[\W_]+", "", rest)


TASK_IN_RANKING = 0.3  # "SO640218 這筆我要申請退款" below the fallback threshold: return_item 0.50, refund 0.46


def ranked_task(parsed: Mapping[str, Any]) -> Optional[str]:
    """The order task the classifier ranks first among the intents, when it is at least somewhat sure."""
    for entry in parsed.get("intent_ranking") or []:
        name = entry.get("name")
        if name in STRAY:
            continue
        confident = float(entry.get("confidence") or 0.0) >= TASK_IN_RANKING
        return name if name in ORDER_TASKS and confident else None
    return None


def message_language(parsed: Mapping[str, Any], text: str) -> str:
    """The language the retriever detected, else detected here."""
    return (parsed.get("knowledge") or {}).get("language") or detect_language(text)


def best_page(parsed: Mapping[str, Any]) -> tuple[Optional[str], float]:
    pages = ((parsed.get("knowledge") or {}).get("pages") or [])
    return (pages[0]["doc_id"], float(pages[0]["score"])) if pages else (None, 0.0)


def best_page_passage(parsed: Mapping[str, Any]) -> float:
    """The best page's score on its text alone (no section questions): on the scale of a product page."""
    pages = ((parsed.get("knowledge") or {}).get("pages") or [])
    return float(pages[0].get("passage", pages[0]["score"])) if pages else 0.0


def best_product(parsed: Mapping[str, Any]) -> float:
    products = ((parsed.get("knowledge") or {}).get("products") or [])
    return float(products[0]["score"]) if products else 0.0


PRODUCT_DETAILS = frozenset({"category", "color", "size", "price", "product"})
PRODUCT_FILTERS = frozenset({"color", "size", "price"})
UNSURE_TASK = 0.6  # "I'd like a blouse in size 12": change_order 0.45, product_search third


def _asks_for_a_product(parsed: Mapping[str, Any], entities: set) -> bool:
    """An order task the classifier is unsure of, for a message that names what a product should be (a kind,
    size, colour, price) and no order, with a product search among the three intents it ranks first (the
    caller has made sure it asks no question: "kids section or adult sizes?" wants the size guide)."""
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    ranked = [entry.get("name") for entry in (parsed.get("intent_ranking") or [])[:3]]
    return confidence < UNSURE_TASK and bool(entities & PRODUCT_DETAILS) and PRODUCT_SEARCH in ranked


VERIFYING = "order_verification_form"
KEEP_IN_FORM = (*ORDER_TASKS, HANDOFF, "affirm", "deny", "inform", "greet", "goodbye", "thank_you", "bot_challenge")


def _question_while_verifying(parsed: Mapping[str, Any], text: str, intent: str, entities: set,
                              state: State, thresholds: Thresholds) -> Optional[Dict[str, Any]]:
    """While the verification form waits for an order number or an email, a shop question ("how do I get to
    the checkout?") is answered and the form asks again (rule in nlu_data/train/rules.yml); the form used
    to take it for an order number ("That doesn't look like an order number"). Other forms keep
    everything."""
    if state.active_loop != VERIFYING or entities & set(OWN_ORDER_ENTITIES) or intent in KEEP_IN_FORM:
        return None
    if intent in PRODUCT_INTENTS:
        return None  # a search ends the verification (rule); a question about a product stays the form's
    doc, page = best_page(parsed)
    if doc is None:
        return None
    # a message the classifier placed with a question intent of the shop is never an order number: answered
    # (the knowledge base still abstains when unsure); a message it could not place only when it asks how
    # something works and a page is close
    if intent == FALLBACK and (not cues(text, message_language(parsed, text))[0] or page < thresholds.fallback_question):
        return None
    return {"decision": "answer", "from_intent": intent, "offer_task": None, "own_order": False, "page": doc,
            "page_score": round(page, 4), "reason": "a shop question while verification waits for an answer"}


def decide(parsed: Mapping[str, Any], state: State = State(),
           thresholds: Thresholds = THRESHOLDS) -> Optional[Dict[str, Any]]:
    """The route for a message the classifier got wrong, or None to keep its intent."""
    text = str(parsed.get("text") or "")
    intent = (parsed.get("intent") or {}).get("name")
    if not text or text.startswith("/") or state.handoff_active or intent is None:
        return None
    entities = {e.get("entity") for e in parsed.get("entities") or []}
    if state.active_loop:
        return _question_while_verifying(parsed, text, intent, entities, state, thresholds)
    bare_number = "order_id" in entities and only_order_number(text, parsed.get("entities") or [])
    if "order_id" in entities and intent not in (*ORDER_TASKS, HANDOFF) and (intent in STRAY or bare_number):
        # "NW-10023" on its own: look the order up (verification first); the other tasks are one message
        # away ("cancel it" after the status uses that order). Asking what to do with it left a shopper
        # who typed their email instead of tapping a button with two "not understood" and a handoff.
        task = None if bare_number else ranked_task(parsed)
        return {"decision": "task", "task": task or LOOK_UP, "from_intent": intent, "offer_task": None,
                "reason": "an order number with no clear request: the task ranked first, else look the order up"}
    language = message_language(parsed, text)
    if "category" not in entities and kind_of_product(text, language):
        entities.add("category")
    asks_how, own = cues(text, language)
    own = own or bool(entities & set(OWN_ORDER_ENTITIES))
    doc, page = best_page(parsed)
    if doc is None:
        return None
    reason = None
    product, passage = best_product(parsed), best_page_passage(parsed)
    # a product named in full: the name found in the text (katakana, a typo), or the extractor's entity
    # unless the message also names a kind of product ("trail shoes in size 9": "trail" is no product)
    full_name = bool((parsed.get("knowledge") or {}).get("named_product"))
    named_product = full_name or ("product" in entities and "category" not in entities)
    # a guide or policy close enough, and closer than any product page (by a margin, unless the message asks
    # for advice in so many words: "is it ok to put my raincoat in the tumble dryer")
    advice = asks_advice(text, language)
    margin = 0.0 if advice else thresholds.product_margin
    page_answers = page >= thresholds.product_question and passage >= product + margin

    def search(reason: str) -> Dict[str, Any]:
        return {"decision": "search", "from_intent": intent, "offer_task": None, "page": doc,
                "page_score": round(page, 4), "product_score": round(product, 4), "reason": reason}

    if intent not in (*ORDER_TASKS, HANDOFF, "product_question") and (
            (named_product and product >= passage) or
            (intent == FALLBACK and not advice and product >= thresholds.product_page
             and product >= passage + thresholds.product_over_page)):
        # "got any parkas in dark green": a kind of product and no product's name is a search; so is a message
        # the classifier could not place that names no product ("I need a daypack around 25 litres"): a
        # question about "it" needs a product named or just shown
        search = ("category" in entities and not full_name) or (
            intent == FALLBACK and not named_product and not state.product_shown)
        return {"decision": "search" if search else "product", "from_intent": intent, "offer_task": None,
                "page": doc, "page_score": round(page, 4), "product_score": round(product, 4),
                "reason": "a search for a kind of product" if search else "a question about a product the shop sells"}
    wants = wants_product(text, language)
    if full_name and asks_how and not wants and not advice and intent not in (*ORDER_TASKS, HANDOFF, PRODUCT_QUESTION) \
            and product >= passage - thresholds.named_product_slack:
        # "Kestrel Rain Shell 的帽子戴着头盔能套得下吗": a question about the product named in full, whatever the
        # classifier made of it, when its page is about as close as the best guide
        return {"decision": "product", "from_intent": intent, "offer_task": None, "page": doc,
                "page_score": round(page, 4), "product_score": round(product, 4),
                "reason": "a question about the product named in full"}
    if intent == PRODUCT_SEARCH and wants and not named_product:
        return None  # "寝袋はありますか", "26.5cmの登山靴はありますか": a search, whatever the guides score
    if intent in ORDER_TASKS and wants and "category" in entities and not own and not entities & {"order_id"} \
            and not _matches("asks_to_act", text, language):
        return search("a product of a kind wanted, not an order of the shopper's")  # "我想买一双42码的登山鞋"
    # the classifier's question classes: "有没有" and "ありますか" also ask whether there is a warranty or a fee, so
    # a kind of product needs a size, colour or price asked for with it, or product pages closer than the guides
    if intent in (ASK, FALLBACK) and wants and "category" in entities and not named_product \
            and (entities & PRODUCT_FILTERS or product >= passage):
        return search("a product of a kind wanted, taken for a shop question")  # "do you have walking boots in a 45?"
    size_question = doc in SIZE_GUIDES and asks_size(text, language) and page >= thresholds.product_question
    if intent == PRODUCT_QUESTION and "category" in entities and not named_product and not (asks_how and page_answers) \
            and not size_question \
            and PRODUCT_SEARCH in [entry.get("name") for entry in (parsed.get("intent_ranking") or [])[:3]]:
        # "got any parkas in dark green" right after a result: a new kind of product, not the one just shown
        return search("a kind of product with no product's name, taken for a question about a product")
    if intent in ORDER_TASKS and not own and not asks_how and _asks_for_a_product(parsed, entities):
        return search("a product with its size or colour asked for, not an order of the shopper's")
    if intent in ORDER_TASKS or intent == HANDOFF:
        if asks_how and page >= thresholds.task_question and not entities & {"order_id"}:
            reason = "a general question, not a request to act on an order"
        elif intent == HANDOFF and doc in HOURS_PAGES and asks_when_people(text, language):
            reason = "when a person can be reached: the opening hours, and the person offered"
    elif intent in PRODUCT_INTENTS:
        named = named_product or (intent == "product_question" and state.product_shown)
        if not named and page_answers and (asks_how or intent == "product_question"):
            reason = "a how-to, care or size question with no product named"
        elif not named and size_question and passage >= product - thresholds.size_slack:
            reason = "which size to choose, with no product named: the size guides"
    elif intent in SUPPORT_INTENTS or (intent == BACK_TO_BOT and not state.handoff_waiting):
        # a "back to the bot" outside any handoff is a question about the chat itself, not a request
        if asks_how and page >= thresholds.support_question:
            reason = "a question about how something works, not a complaint or a report"
    elif intent == FALLBACK:
        if asks_how and page >= thresholds.fallback_question:
            reason = "a shop question the classifier could not place"
    if reason is None:
        return None
    # "can I return my order?" is answered from the policy, and the task the classifier saw is offered after
    # it as a button ("how do I reach a person?": the person)
    offer = intent if intent in ORDER_TASKS or intent == HANDOFF else None
    return {"decision": "answer", "from_intent": intent, "offer_task": offer, "own_order": own, "page": doc,
            "page_score": round(page, 4), "reason": reason}


def route(parsed: Dict[str, Any], state: State = State(), thresholds: Thresholds = THRESHOLDS) -> Dict[str, Any]:
    """``parsed`` with its intent replaced by ``ask_shop_question`` (or ``product_question``, or the order
    look-up for a bare order number) when the router says so."""
    decision = decide(parsed, state, thresholds)
    if decision is None:
        return parsed
    confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
    name = {"product": PRODUCT_QUESTION, "search": PRODUCT_SEARCH, "task": decision.get("task")}.get(
        decision["decision"], ASK)
    asked = {"name": name, "confidence": max(confidence, decision.get("page_score", 0.0))}
    ranking = [asked, *[r for r in parsed.get("intent_ranking") or [] if r.get("name") != name]]
    return {**parsed, "intent": asked, "intent_ranking": ranking, "route": decision}
