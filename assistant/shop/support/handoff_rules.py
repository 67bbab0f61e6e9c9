"""Rules applied when a conversation is handed to a person: reason codes, priority and a short summary.

Plain functions on plain values, so the action server, the console and the demo seeder
share them. Works on English, Chinese and Japanese text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.i18n.scripts import CJK, HANGUL

__all__ = [
    "COMPLAINT", "FALLBACK", "KB_ABSTENTION", "PAYMENT_ISSUE", "PRIORITY_LABELS", "REASONS",
    "REASON_LABELS", "REQUESTED", "VERIFICATION_FAILED", "TranscriptLine", "has_urgency_cue",
    "priority_for", "summarize", "trim_text",
]

# --- why a ticket was opened ----------------------------------------------------------------------------

REQUESTED = "requested"  # the shopper asked for a person
FALLBACK = "fallback"  # two messages in a row the bot did not understand
VERIFICATION_FAILED = "verification_failed"  # three failed identity checks
COMPLAINT = "complaint"
PAYMENT_ISSUE = "payment_issue"
KB_ABSTENTION = "kb_abstention"  # the bot did not know the answer and the shopper accepted a person

REASON_LABELS: dict[str, str] = {
    REQUESTED: "Asked for a person",
    FALLBACK: "Bot did not understand",
    VERIFICATION_FAILED: "Verification failed",
    COMPLAINT: "Complaint",
    PAYMENT_ISSUE: "Payment issue",
    KB_ABSTENTION: "Bot had no answer",
}
REASONS: tuple[str, ...] = tuple(REASON_LABELS)

# --- priority -------------------------------------------------------------------------------------------

URGENT, HIGH, NORMAL, LOW = 3, 2, 1, 0
PRIORITY_LABELS: dict[int, str] = {URGENT: "urgent", HIGH: "high", NORMAL: "normal", LOW: "low"}
_HIGH_PRIORITY = frozenset({COMPLAINT, PAYMENT_ISSUE})

_URGENCY_EN = re.compile(
    r"\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|as soon as possible|emergency|immediately"
    r"|charged (?:me )?(?:twice|two times|double)|double[- ]charged?|duplicate charges?"
    r"|fraud(?:ulent)?|stolen|scam(?:med)?|unauthori[sz]ed (?:charge|payment|transaction)s?"
    r"|lawyers?|attorney|legal action|sue|chargebacks?|police)\b",
    re.IGNORECASE,
)
_URGENCY_CJK = (
    "紧急", "緊急", "急", "盗刷", "盜刷", "被盗", "被盜", "诈骗", "詐騙", "扣了两次", "扣了兩次", "重复扣款",
    "重複扣款", "扣款两次", "扣款兩次", "律师", "律師", "报警", "報警", "至急", "二重請求", "二重に請求",
    "二重引き落とし", "不正利用", "不正請求", "詐欺", "弁護士", "警察",
)
# "Not urgent" must not raise the priority: these phrases are removed before looking for cues.
_NOT_URGENT = re.compile(
    r"\b(?:not (?:that |very |really |super )?urgent|no (?:rush|hurry)|not an emergency|no emergency)\b"
    r"|不急|不着急|不著急|不用急|不太急|不是很急|不赶|不趕|急ぎません|急がない|急いでいない|急ぎではない"
    r"|急ぎじゃない|至急ではない",
    re.IGNORECASE,
)


def has_urgency_cue(text: str) -> bool:
    """True when the shopper's own words signal urgency, fraud, a double charge or legal threats."""
    cleaned = _NOT_URGENT.sub(" ", text or "")
    return bool(_URGENCY_EN.search(cleaned)) or any(cue in cleaned for cue in _URGENCY_CJK)


def priority_for(reason: str, intents: Sequence[str], shopper_texts: Sequence[str]) -> int:
    """0 low .. 3 urgent: complaints and payment issues are high, the rest normal; urgency cues add one."""
    base = HIGH if reason in _HIGH_PRIORITY or _HIGH_PRIORITY.intersection(intents) else NORMAL
    if any(has_urgency_cue(text) for text in shopper_texts):
        base += 1
    return min(base, URGENT)


# --- summary --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    """One message of a conversation: ``sender`` is shopper, bot, agent or system."""

    sender: str
    text: str
    intent: str | None = None


ELLIPSIS = "…"
_CJK = re.compile(f"[{CJK}{HANGUL}]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_SMALL_TALK_INTENTS = frozenset({
    "greet", "goodbye", "thank_you", "affirm", "deny", "bot_challenge", "set_language", "back_to_bot",
})
_NEUTRAL_INTENTS = frozenset({"inform", "nlu_fallback", "out_of_scope"})
_HANDOFF_INTENTS = frozenset({"human_handoff"})
# Whole messages that carry no request (compared after lower-casing and dropping punctuation).
_FILLERS = frozenset({
    "hi", "hello", "hey", "hiya", "yo", "morning", "evening", "hi there", "hello there", "hey there",
    "good morning", "good afternoon", "good evening", "thanks", "thank you", "thanks a lot",
    "thank you so much", "thx", "ty", "cheers", "ok", "okay", "k", "sure", "fine", "great", "cool", "yes",
    "yeah", "yep", "yup", "no", "nope", "nah", "correct", "right", "exactly", "please", "help", "help me",
    "help please", "bye", "goodbye", "good bye", "see you", "ok thanks", "okay thanks", "no thanks",
    "yes please", "anyone there", "are you there", "hello anyone there",
    "你好", "您好", "嗨", "哈喽", "哈囉", "谢谢", "謝謝", "多谢", "多謝", "好", "好的", "好啊", "嗯", "是", "是的",
    "对", "對", "不是", "不", "不用", "没有", "沒有", "可以", "行", "再见", "再見", "拜拜", "掰掰", "在吗", "在嗎",
    "有人吗", "有人嗎", "帮帮我", "幫幫我",
    "こんにちは", "こんばんは", "おはよう", "おはようございます", "ありがとう", "ありがとうございます", "どうも",
    "はい", "いいえ", "うん", "ううん", "そうです", "違います", "お願いします", "よろしく", "よろしくお願いします",
    "すみません", "さようなら",
})
_HANDOFF_TEXT = re.compile(
    r"\b(?:human|person|people|agent|operator|representative|someone|somebody|staff|real person|manager"
    r"|customer (?:service|support)|live chat)\b"
    r"|人工|真人|客服|专人|專人|人员|人員|オペレーター|担当者|担当の方|スタッフ|有人|人間|人と話|人に",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def _is_cjk(text: str) -> bool:
    """True when CJK characters make up at least a third of the letters in ``text``."""
    cjk = len(_CJK.findall(text))
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return cjk > 0 and cjk * 3 >= latin  # one CJK character carries about as much as a short word


def _size(text: str) -> float:
    """How much a message says: words for spaced scripts, characters / 2 for CJK."""
    if _is_cjk(text):
        return len(_CJK.findall(text)) / 2 + len(_LATIN_WORD.findall(_CJK.sub(" ", text)))
    return float(len(_LATIN_WORD.findall(text)))


def _normalized(text: str) -> str:
    return _PUNCTUATION.sub(" ", text.lower()).strip()


def _is_filler(line: TranscriptLine) -> bool:
    if line.intent in _SMALL_TALK_INTENTS:
        return True
    return _normalized(line.text) in _FILLERS


def _is_handoff_request(line: TranscriptLine) -> bool:
    """A bare request for a person ("talk to a human", "转人工"), with nothing else in it."""
    if line.intent not in _HANDOFF_INTENTS and not _HANDOFF_TEXT.search(line.text):
        return False
    return _size(line.text) <= 8


def _tokens(text: str) -> set[str]:
    if _is_cjk(text):
        chars = [char for char in text if _CJK.match(char) or char.isalnum()]
        return {a + b for a, b in zip(chars, chars[1:])} or set(chars)
    return {word.lower() for word in _LATIN_WORD.findall(text)}


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def trim_text(text: str, max_chars: int) -> str:
    """``text`` on one line, at most ``max_chars`` characters; cut at a word boundary (CJK: any
    character) and ended with "…" when it was longer."""
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    if max_chars <= 1:
        return ELLIPSIS[:max_chars]
    room = max_chars - len(ELLIPSIS)
    head = flat[:room]
    if not _is_cjk(head) and not flat[room].isspace():
        boundary = head.rfind(" ")
        if boundary >= room // 2:
            head = head[:boundary]
    return head.rstrip(" ,;:、，；：-") + ELLIPSIS


def _score(line: TranscriptLine) -> float:
    size = _size(line.text)
    if line.intent and line.intent not in _NEUTRAL_INTENTS and line.intent not in _HANDOFF_INTENTS:
        score = 3.0  # a task: order_status, request_refund, complaint, payment_issue, product_question...
    elif line.intent in _NEUTRAL_INTENTS:
        score = 1.0
    else:
        score = 1.5  # unlabelled: judge by content
    if re.search(r"\d", line.text):
        score += 0.5  # order numbers, amounts, dates
    return score + min(size / 8, 2.0)


def summarize(lines: Sequence[TranscriptLine], max_lines: int = 3, max_chars: int = 160) -> str:
    """A short extractive summary of what the shopper wants: up to ``max_lines`` of their own messages.

    Greetings, thanks, yes/no, button payloads ("/affirm") and bare requests for a person are
    skipped when something more specific exists; the earliest statement of the problem and the
    latest new information are preferred. Lines keep their order and are trimmed to ``max_chars``.
    """
    shopper = [
        (index, TranscriptLine(line.sender, " ".join(line.text.split()), line.intent))
        for index, line in enumerate(lines)
        if line.sender == "shopper" and line.text.strip() and not line.text.lstrip().startswith("/")
    ]
    if not shopper or max_lines <= 0:
        return ""
    informative = [
        (index, line) for index, line in shopper
        if not _is_filler(line) and not _is_handoff_request(line) and (
            _size(line.text) >= 3 or (line.intent and line.intent not in _NEUTRAL_INTENTS)
        )
    ]
    if not informative:
        requests = [line for _, line in shopper if _is_handoff_request(line)]
        if requests:
            return trim_text(requests[0].text, max_chars)
        others = [line for _, line in shopper if not _is_filler(line)]
        return trim_text(max(others, key=lambda line: _size(line.text)).text, max_chars) if others else ""

    scores = {index: _score(line) for index, line in informative}
    first_task = next((i for i, line in informative if line.intent and line.intent not in _NEUTRAL_INTENTS),
                      informative[0][0])
    scores[first_task] += 1.5  # the shopper's first statement of the problem
    scores[informative[-1][0]] += 1.0  # the latest information
    by_index = dict(informative)
    chosen: list[int] = []
    for index in sorted(scores, key=lambda i: (-scores[i], i)):
        tokens = _tokens(by_index[index].text)
        if any(_overlap(tokens, _tokens(by_index[other].text)) >= 0.8 for other in chosen):
            continue  # says again what a chosen line already says
        chosen.append(index)
        if len(chosen) == max_lines:
            break
    return "\n".join(trim_text(by_index[index].text, max_chars) for index in sorted(chosen))
