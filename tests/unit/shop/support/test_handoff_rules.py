from __future__ import annotations

import pytest

from assistant.shop.support.handoff_rules import (
    COMPLAINT,
    FALLBACK,
    KB_ABSTENTION,
    PAYMENT_ISSUE,
    PRIORITY_LABELS,
    REASON_LABELS,
    REASONS,
    REQUESTED,
    VERIFICATION_FAILED,
    TranscriptLine,
    has_urgency_cue,
    priority_for,
    summarize,
    trim_text,
)


def shopper(text: str, intent: str | None = None) -> TranscriptLine:
    return TranscriptLine("shopper", text, intent)


def bot(text: str) -> TranscriptLine:
    return TranscriptLine("bot", text)


# --- reasons and priorities -----------------------------------------------------------------------------


def test_reason_codes_and_labels() -> None:
    assert (REQUESTED, FALLBACK, VERIFICATION_FAILED, COMPLAINT, PAYMENT_ISSUE, KB_ABSTENTION) == (
        "requested", "fallback", "verification_failed", "complaint", "payment_issue", "kb_abstention")
    assert set(REASON_LABELS) == set(REASONS) == {
        REQUESTED, FALLBACK, VERIFICATION_FAILED, COMPLAINT, PAYMENT_ISSUE, KB_ABSTENTION}
    assert all(label and len(label) <= 30 for label in REASON_LABELS.values())
    assert PRIORITY_LABELS == {3: "urgent", 2: "high", 1: "normal", 0: "low"}


@pytest.mark.parametrize("reason, intents, expected", [
    (REQUESTED, [], 1),
    (FALLBACK, ["nlu_fallback"], 1),
    (VERIFICATION_FAILED, ["order_status"], 1),
    (KB_ABSTENTION, ["product_question"], 1),
    (COMPLAINT, [], 2),
    (PAYMENT_ISSUE, [], 2),
    (REQUESTED, ["greet", "complaint", "human_handoff"], 2),
    (FALLBACK, ["payment_issue"], 2),
    ("something_new", [], 1),
])
def test_base_priority(reason: str, intents: list[str], expected: int) -> None:
    assert priority_for(reason, intents, ["hello, where is my parcel"]) == expected


@pytest.mark.parametrize("text", [
    "this is URGENT", "please reply asap", "I need it as soon as possible", "you charged me twice!",
    "I was double charged", "I think this is fraud", "my card was stolen", "I'll talk to my lawyer",
    "I'm filing a chargeback", "there's an unauthorized charge on my card",
    "紧急！", "很急", "信用卡被盗刷了", "怎么扣了两次钱", "緊急處理一下", "扣了兩次款", "至急対応してください",
    "二重請求されています", "急いでいます",
])
def test_urgency_cues_raise_priority_by_one(text: str) -> None:
    assert has_urgency_cue(text)
    assert priority_for(REQUESTED, [], ["hi", text]) == 2
    assert priority_for(COMPLAINT, [], [text]) == 3


@pytest.mark.parametrize("text", [
    "where is my order", "it's not urgent", "no rush at all", "not that urgent, whenever you can",
    "不急，慢慢来", "急ぎません", "the fraudster movie was great? no, the frame is broken",
    "I suggest a larger size", "",
])
def test_no_urgency(text: str) -> None:
    assert not has_urgency_cue(text)
    assert priority_for(REQUESTED, [], [text]) == 1


def test_priority_is_capped_and_only_the_shoppers_words_count() -> None:
    assert priority_for(PAYMENT_ISSUE, ["payment_issue", "complaint"], ["urgent!", "fraud", "lawyer"]) == 3
    assert priority_for(REQUESTED, ["order_status"], []) == 1


# --- trimming -------------------------------------------------------------------------------------------


def test_trim_at_a_word_boundary() -> None:
    text = "The quick brown fox jumps over the lazy dog and keeps running far away"
    assert trim_text(text, 30) == "The quick brown fox jumps…"
    assert len(trim_text(text, 30)) <= 30
    assert trim_text("short   and\nsweet", 30) == "short and sweet"
    assert trim_text(text, len(text)) == text


def test_trim_cjk_by_characters() -> None:
    text = "我的订单到现在还没有发货，已经等了两个星期了，能不能帮我查一下到底是什么情况"
    trimmed = trim_text(text, 12)
    assert trimmed == "我的订单到现在还没有发…" and len(trimmed) == 12
    assert trim_text("注文したスニーカーが片方だけサイズ違いで届きました", 10) == "注文したスニーカー…"


def test_trim_a_single_long_word() -> None:
    assert trim_text("a" * 50, 10) == "a" * 9 + "…"


# --- summaries ------------------------------------------------------------------------------------------


def test_summary_prefers_the_problem_and_new_information() -> None:
    lines = [
        shopper("hi", "greet"),
        bot("Hello! How can I help?"),
        shopper("My order SO123456 arrived with a broken zipper and the sleeve is torn", "complaint"),
        bot("I'm sorry to hear that."),
        shopper("yes", "affirm"),
        shopper("I want to talk to a person", "human_handoff"),
        shopper("/affirm"),
        shopper("I already sent photos to your email yesterday but nobody answered", "inform"),
        shopper("thanks!", "thank_you"),
    ]
    assert summarize(lines) == (
        "My order SO123456 arrived with a broken zipper and the sleeve is torn\n"
        "I already sent photos to your email yesterday but nobody answered"
    )
    assert summarize(lines, max_lines=1) == (
        "My order SO123456 arrived with a broken zipper and the sleeve is torn")


def test_summary_without_intents() -> None:
    lines = [
        shopper("Hello!"),
        shopper("I returned the boots from SO100004 three weeks ago and I still have no refund"),
        shopper("ok"),
        shopper("can I speak to an agent"),
        shopper("The tracking shows the warehouse signed for it on the 3rd"),
    ]
    assert summarize(lines).splitlines() == [
        "I returned the boots from SO100004 three weeks ago and I still have no refund",
        "The tracking shows the warehouse signed for it on the 3rd",
    ]


def test_summary_keeps_chronological_order_and_at_most_max_lines() -> None:
    lines = [
        shopper("Where is my order SO100003? It should have arrived on Monday", "order_status"),
        shopper("I also want to change the colour of the scarf in the same order", "change_order"),
        shopper("and please send the invoice to my company for the whole order", "invoice"),
        shopper("Actually the parcel tracking has not moved for five days now", "order_status"),
    ]
    summary = summarize(lines).splitlines()
    assert len(summary) == 3
    assert summary[0].startswith("Where is my order")
    assert summary[-1].startswith("Actually the parcel")
    positions = [next(i for i, line in enumerate(lines) if line.text == text) for text in summary]
    assert positions == sorted(positions)


def test_repeated_messages_are_not_summarised_twice() -> None:
    lines = [
        shopper("my card was declined at checkout for the blue jacket", "payment_issue"),
        shopper("my card was declined at checkout for the blue jacket!!", "payment_issue"),
    ]
    assert summarize(lines) == "my card was declined at checkout for the blue jacket"


def test_only_a_request_for_a_person() -> None:
    lines = [shopper("hello", "greet"), bot("Hi!"), shopper("Talk to a human please", "human_handoff")]
    assert summarize(lines) == "Talk to a human please"
    assert summarize([shopper("转人工", "human_handoff")]) == "转人工"


def test_bot_and_agent_lines_and_payloads_are_ignored() -> None:
    lines = [
        bot("Would you like to talk to a person about your refund of $40?"),
        TranscriptLine("agent", "Hi, I'm Maya, I will look at your refund now"),
        TranscriptLine("system", "Maya joined"),
        shopper("/human_handoff"),
    ]
    assert summarize(lines) == ""
    assert summarize([]) == ""


def test_short_messages_when_nothing_better_exists() -> None:
    assert summarize([shopper("hi"), shopper("help"), shopper("jacket broken")]) == "jacket broken"
    assert summarize([shopper("hi"), shopper("thanks")]) == ""


def test_long_messages_are_trimmed() -> None:
    long = "I ordered a pair of trail running shoes " + "and they are really uncomfortable " * 10
    summary = summarize([shopper(long, "complaint")], max_chars=60)
    assert summary.endswith("…") and len(summary) <= 60 and " " not in summary[-2:]


def test_chinese_summary() -> None:
    lines = [
        shopper("你好", "greet"),
        shopper("我的订单SO100004到现在还没发货，已经等了两个星期了，能帮我查一下吗", "order_status"),
        shopper("转人工", "human_handoff"),
        shopper("好的", "affirm"),
        shopper("我下周就要出国了，很急", "inform"),
    ]
    assert summarize(lines).splitlines() == [
        "我的订单SO100004到现在还没发货，已经等了两个星期了，能帮我查一下吗",
        "我下周就要出国了，很急",
    ]
    assert summarize(lines, max_chars=20).splitlines()[0] == "我的订单SO100004到现在还没发货…"


def test_traditional_chinese_and_japanese_summaries() -> None:
    zh_hant = [shopper("您好"), shopper("訂單SO100010退貨寄回去兩個禮拜了，退款還沒收到", "refund_status"),
               shopper("請幫我轉真人客服", "human_handoff"), shopper("謝謝")]
    assert summarize(zh_hant) == "訂單SO100010退貨寄回去兩個禮拜了，退款還沒收到"
    ja = [shopper("こんにちは"), shopper("はい"),
          shopper("注文したスニーカーが片方だけサイズ違いで届きました"),
          shopper("オペレーターと話したいです")]
    assert summarize(ja) == "注文したスニーカーが片方だけサイズ違いで届きました"


def test_first_problem_statement_beats_a_later_longer_chat() -> None:
    lines = [
        shopper("Has my refund for SO100011 been processed?", "refund_status"),
        shopper("I am asking because my bank statement looks a bit odd this month and I was wondering",
                "inform"),
        shopper("the weather here is lovely by the way and I might order more soon", "inform"),
    ]
    assert summarize(lines, max_lines=1) == "Has my refund for SO100011 been processed?"
