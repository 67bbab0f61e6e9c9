"""Demo history for the support console: resolved tickets over the past three weeks.

On a fresh demo the console's metrics and history pages would be empty; this adds a
few dozen realistic, already-resolved handoffs (short transcripts in the ticket's
language, waiting and handling times, satisfaction ratings), linked to seeded
customers and orders where that is natural. Two inactive demo agents answer them;
they cannot log in. Demo tickets carry ``payload["demo"] = True``.

Runs only while the ``tickets`` table is empty, so it never mixes with real tickets.
"""
from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.models import Agent, Customer, Order, Ticket, TicketMessage
from assistant.shop.support.handoff_rules import (
    COMPLAINT,
    FALLBACK,
    KB_ABSTENTION,
    PAYMENT_ISSUE,
    REQUESTED,
    VERIFICATION_FAILED,
    TranscriptLine,
    priority_for,
    summarize,
)

logger = logging.getLogger(__name__)

__all__ = ["DEMO_AGENTS", "seed_demo_tickets"]

T = TypeVar("T")

HISTORY_DAYS = 21
DEMO_AGENTS: tuple[tuple[str, str], ...] = (("maya.demo", "Maya (demo)"), ("kenji.demo", "Kenji (demo)"))
LANGUAGE_WEIGHTS: dict[str, int] = {"en": 60, "zh-Hans": 13, "zh-Hant": 13, "ja": 14}
CHANNEL_WEIGHTS: dict[str, int] = {"socketio": 55, "telegram": 20, "facebook": 15, "twilio": 10}
CSAT_SHARE = 0.7
CSAT_WEIGHTS: dict[int, int] = {5: 52, 4: 28, 3: 10, 2: 6, 1: 4}
_HOUR_WEIGHTS = [0, 0, 0, 0, 0, 0, 1, 2, 4, 6, 7, 7, 6, 6, 7, 7, 6, 5, 5, 4, 3, 2, 1, 1]  # UTC, by hour


@dataclass(frozen=True)
class _Scenario:
    """A handoff story. Lines before the first ``agent`` line are the bot conversation.

    ``{order}`` in a text is replaced by an order number, ``{agent}`` by the agent's first name.
    """

    language: str
    reason: str
    tags: tuple[str, ...]
    lines: tuple[tuple[str, str, str | None], ...]  # (sender, text, intent)
    order_statuses: tuple[str, ...] = ()  # non-empty: the story is about one of the shopper's orders


def _s(language: str, reason: str, tags: Sequence[str], lines: Sequence[tuple[str, str, str | None]],
       statuses: Sequence[str] = ()) -> _Scenario:
    return _Scenario(language, reason, tuple(tags), tuple(lines), tuple(statuses))


S, B, A = "shopper", "bot", "agent"

SCENARIOS: tuple[_Scenario, ...] = (
    # --- English -------------------------------------------------------------------------------------
    _s("en", COMPLAINT, ["damaged", "replacement"], [
        (S, "hi", "greet"),
        (B, "Hi! How can I help you today?", None),
        (S, "the jacket from order {order} arrived with a ripped seam on the sleeve", "complaint"),
        (B, "I'm sorry to hear that. I'm passing this to a colleague who can sort it out.", None),
        (A, "Hi, I'm {agent}. Sorry about the seam! Could you send me a photo of the damage?", None),
        (S, "sure, just uploaded it", None),
        (A, "Thanks. I've arranged a free replacement; the return label is on its way by email.", None),
        (S, "great, thank you", "thank_you"),
    ], ["delivered"]),
    _s("en", PAYMENT_ISSUE, ["double-charge", "billing"], [
        (S, "I was charged twice for order {order}", "payment_issue"),
        (B, "I'm sorry about that. Let me get a person to look at the payment.", None),
        (A, "Hello, {agent} here. I can see two authorisations: one is a pending hold that drops off "
            "within 3 business days.", None),
        (S, "ok so I won't actually pay twice?", None),
        (A, "Correct, only one charge will settle. I've added a note to your order as well.", None),
        (S, "thanks for checking", "thank_you"),
    ], ["paid", "shipped"]),
    _s("en", REQUESTED, ["delivery"], [
        (S, "where is my order {order}? it was supposed to arrive on Monday", "order_status"),
        (B, "I can check that. Please tell me the email address on the order.", None),
        (S, "can I just talk to someone please", "human_handoff"),
        (A, "Hi, it's {agent}. The parcel is with the carrier in your city and is due tomorrow.", None),
        (S, "perfect, thanks", "thank_you"),
    ], ["shipped"]),
    _s("en", FALLBACK, ["gift-wrap", "pre-sales"], [
        (S, "do you do gift wrapping with a handwritten note", "nlu_fallback"),
        (B, "Sorry, I didn't quite get that. Could you rephrase it?", None),
        (S, "gift wrap plus a card with my own message for my mum", "nlu_fallback"),
        (B, "I'm still not sure I understood. I'll ask a colleague to help.", None),
        (A, "Hi! {agent} here. We can gift wrap for $4 and print a note of up to 200 characters.", None),
        (S, "lovely, I'll add it at checkout", None),
    ]),
    _s("en", VERIFICATION_FAILED, ["cancellation", "verification"], [
        (S, "I want to cancel order {order}", "cancel_order"),
        (B, "I can help with that. Please tell me the email address on the order.", None),
        (S, "I think I used my old work email but I don't have access to it anymore", "inform"),
        (B, "I'm sorry, I couldn't verify the order. A colleague will help you.", None),
        (A, "Hi, {agent} here. I've verified you with your billing postcode; the order is cancelled "
            "and the refund is on its way.", None),
        (S, "thank you so much", "thank_you"),
    ], ["pending", "paid"]),
    _s("en", KB_ABSTENTION, ["product-care"], [
        (S, "are the merino sweaters machine washable?", "product_question"),
        (B, "I'm not sure about that one. Would you like me to ask a person?", None),
        (S, "yes please", "affirm"),
        (A, "Hi, {agent} here. Yes: a wool cycle at 30°C, then dry them flat.", None),
        (S, "great, that helps", None),
    ]),
    _s("en", COMPLAINT, ["refund", "escalated"], [
        (S, "my refund for {order} still hasn't arrived after two weeks, this is urgent", "complaint"),
        (B, "I'm sorry for the wait. I'm handing this to a colleague right away.", None),
        (A, "Hi, I'm {agent}. The warehouse received your return; I've pushed the refund through "
            "today.", None),
        (S, "ok, please make sure it actually goes through this time", None),
        (A, "It's confirmed on our side. Your bank may take 2-3 days to show it.", None),
    ], ["returned"]),
    _s("en", REQUESTED, ["exchange", "sizing"], [
        (S, "I need a bigger size of the jeans from {order}", "return_item"),
        (B, "I can help with returns. Would you like to start a return?", None),
        (S, "can I speak to a human? I'd like to swap them rather than return them", "human_handoff"),
        (A, "Sure! {agent} here. I've set up an exchange for the next size up; the courier collects the "
            "old pair.", None),
        (S, "brilliant", None),
    ], ["delivered"]),
    _s("en", PAYMENT_ISSUE, ["checkout", "card-declined"], [
        (S, "my card keeps getting declined at checkout", "payment_issue"),
        (B, "Sorry about that! A declined card is usually a check by your bank. Have you tried another "
            "card?", None),
        (S, "the bank says everything is fine and I need this for a birthday on Saturday", None),
        (A, "Hi, {agent} here. Our payment provider flagged the billing address; I've cleared it, please "
            "try again now.", None),
        (S, "it worked, thank you!", "thank_you"),
    ]),
    _s("en", REQUESTED, ["address-change"], [
        (S, "I need to change the delivery address for {order}", "change_shipping_address"),
        (B, "That order has already shipped, so its address can no longer be changed here.", None),
        (S, "please get me a person, I just moved house. The new address is 14 Elm Road, Leeds",
         "human_handoff"),
        (A, "Hi, {agent}. I've asked the carrier to redirect the parcel to your new address.", None),
        (S, "thanks, appreciated", "thank_you"),
    ], ["shipped"]),
    # --- Simplified Chinese --------------------------------------------------------------------------
    _s("zh-Hans", COMPLAINT, ["quality", "refund"], [
        (S, "我在订单{order}买的卫衣洗了一次就掉色了", "complaint"),
        (B, "非常抱歉给您带来不便，我请同事来帮您处理。", None),
        (A, "您好，我是{agent}。麻烦发一张照片给我，我们给您办理退款。", None),
        (S, "好的，照片已经发了", None),
        (A, "收到，退款已经提交，3到5个工作日到账。", None),
        (S, "谢谢", "thank_you"),
    ], ["delivered"]),
    _s("zh-Hans", PAYMENT_ISSUE, ["double-charge"], [
        (S, "付款的时候扣了两次钱，订单号{order}", "payment_issue"),
        (B, "抱歉！我马上请同事核实。", None),
        (A, "您好，{agent}为您服务。其中一笔是预授权，会在3个工作日内自动退回。", None),
        (S, "好的，明白了，谢谢", "thank_you"),
    ], ["paid", "shipped"]),
    _s("zh-Hans", REQUESTED, ["delivery"], [
        (S, "我想问一下订单{order}什么时候能到", "order_status"),
        (B, "请提供下单时使用的邮箱。", None),
        (S, "转人工", "human_handoff"),
        (A, "您好，我是{agent}。包裹已经到达您所在的城市，预计明天送达。", None),
        (S, "好的谢谢", "thank_you"),
    ], ["shipped"]),
    _s("zh-Hans", FALLBACK, ["delivery", "pre-sales"], [
        (S, "羽绒服能不能寄到学校的快递柜", "nlu_fallback"),
        (B, "抱歉，我没太明白，能换个说法吗？", None),
        (S, "就是小区门口的快递柜，能不能放那里", "nlu_fallback"),
        (B, "我还是不太确定，我请同事来回答。", None),
        (A, "您好，{agent}在这里。可以的，下单时把快递柜地址填为收货地址就行。", None),
        (S, "好的", "affirm"),
    ]),
    # --- Traditional Chinese -------------------------------------------------------------------------
    _s("zh-Hant", KB_ABSTENTION, ["product-care"], [
        (S, "這件羊毛大衣可以用洗衣機洗嗎", "product_question"),
        (B, "這個問題我不太確定，要幫您轉給專人嗎？", None),
        (S, "好，麻煩了", "affirm"),
        (A, "您好，我是{agent}。這件大衣建議乾洗，不要機洗喔。", None),
        (S, "了解，謝謝", "thank_you"),
    ]),
    _s("zh-Hant", REQUESTED, ["refund"], [
        (S, "訂單{order}退貨寄回去兩個禮拜了，退款還沒收到", "refund_status"),
        (B, "退款通常在收到退貨後5個工作天內退回原付款方式。", None),
        (S, "已經超過了，很急，請幫我轉真人客服", "human_handoff"),
        (A, "您好，{agent}為您服務。倉庫已經收到退貨，退款今天已處理。", None),
        (S, "太好了，謝謝", "thank_you"),
    ], ["returned"]),
    _s("zh-Hant", VERIFICATION_FAILED, ["cancellation", "verification"], [
        (S, "我要取消訂單{order}", "cancel_order"),
        (B, "請提供訂單上的電子郵件。", None),
        (S, "應該是我以前的信箱，我忘記是哪一個了", "inform"),
        (B, "抱歉，無法驗證這筆訂單，我幫您轉給專人。", None),
        (A, "您好，我是{agent}。已經用電話號碼幫您驗證，訂單已取消。", None),
        (S, "謝謝你", "thank_you"),
    ], ["pending", "paid"]),
    # --- Japanese ------------------------------------------------------------------------------------
    _s("ja", COMPLAINT, ["wrong-item"], [
        (S, "注文{order}のスニーカーが片方だけサイズ違いで届きました", "complaint"),
        (B, "ご不便をおかけして申し訳ありません。担当者におつなぎします。", None),
        (A, "{agent}です。大変失礼いたしました。正しいサイズを本日発送いたします。", None),
        (S, "ありがとうございます、助かります", "thank_you"),
    ], ["delivered"]),
    _s("ja", PAYMENT_ISSUE, ["double-charge"], [
        (S, "クレジットカードが二重請求されています。至急確認してください", "payment_issue"),
        (B, "申し訳ありません。担当者が確認いたします。", None),
        (A, "{agent}です。一件は仮売上で、数日以内に自動で取り消されます。", None),
        (S, "わかりました", None),
    ]),
    _s("ja", REQUESTED, ["delivery"], [
        (S, "注文{order}の配送状況を知りたいです", "order_status"),
        (B, "ご注文時のメールアドレスを教えてください。", None),
        (S, "オペレーターと話したいです", "human_handoff"),
        (A, "{agent}です。お荷物は明日お届け予定です。", None),
        (S, "了解です、ありがとうございます", "thank_you"),
    ], ["shipped"]),
)

_JOINED = "{name} joined the conversation"


@dataclass(frozen=True)
class _OrderRef:
    id: str
    customer_id: int
    status: str


def _demo_agents(session: Session) -> list[Agent]:
    agents = []
    for username, display_name in DEMO_AGENTS:
        agent = session.scalar(select(Agent).where(Agent.username == username))
        if agent is None:
            agent = Agent(username=username, display_name=display_name, password_hash="!", is_active=False)
            session.add(agent)
            logger.info("created demo agent %s (inactive, cannot log in)", username)
        agents.append(agent)
    session.flush()
    return agents


def _pick_order(rng: random.Random, scenario: _Scenario, orders: Sequence[_OrderRef],
                languages: dict[int, str]) -> _OrderRef | None:
    wanted = [o for o in orders if o.status in scenario.order_statuses]
    for pool in ([o for o in wanted if languages.get(o.customer_id) == scenario.language], wanted, orders):
        if pool:
            return rng.choice(pool)
    return None


def _weighted(rng: random.Random, weights: Mapping[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed_demo_tickets(
    sessions: sessionmaker[Session],
    today: date | None = None,
    count: int = 60,
    rng_seed: int = 7,
    history_days: int = HISTORY_DAYS,
) -> int:
    """Add ``count`` resolved demo tickets over the ``history_days`` days before ``today``.

    Does nothing (returns 0) when the ``tickets`` table has any row. Returns how many were added.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    today = today or utcnow().date()
    rng = random.Random(rng_seed)
    by_language: dict[str, list[_Scenario]] = defaultdict(list)
    for scenario in SCENARIOS:
        by_language[scenario.language].append(scenario)

    with sessions() as session, session.begin():
        existing = session.scalar(select(func.count(Ticket.id))) or 0
        if existing:
            logger.info("tickets table has %d rows; demo tickets not added", existing)
            return 0
        agents = _demo_agents(session)
        customers = {c.id: c for c in session.scalars(select(Customer).order_by(Customer.id))}
        languages = {cid: c.language for cid, c in customers.items()}
        customers_by_language: dict[str, list[int]] = defaultdict(list)
        for cid, language in languages.items():
            customers_by_language[language].append(cid)
        orders = [_OrderRef(*row) for row in session.execute(
            select(Order.id, Order.customer_id, Order.status).order_by(Order.id))]

        for _ in range(count):
            language = _weighted(rng, LANGUAGE_WEIGHTS)
            scenario = rng.choice(by_language[language])
            agent = rng.choice(agents)
            order = _pick_order(rng, scenario, orders, languages) if scenario.order_statuses else None
            customer_id: int | None = order.customer_id if order else None
            if customer_id is None and rng.random() < 0.5:
                pool = customers_by_language.get(language) or list(customers)
                customer_id = rng.choice(pool) if pool else None
            order_text = order.id if order else f"SO{rng.randint(100000, 999999)}"
            first_name = agent.display_name.split(" (")[0]

            day = today - timedelta(days=rng.randint(1, history_days))
            hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
            created = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)),
                                       tzinfo=timezone.utc)
            taken = created + timedelta(minutes=min(90.0, 0.5 + rng.expovariate(1 / 7)))
            first_response = taken + timedelta(minutes=rng.uniform(0.3, 3.0))
            resolved = first_response + timedelta(minutes=rng.uniform(4.0, 35.0))

            lines = [(sender, text.format(order=order_text, agent=first_name), intent)
                     for sender, text, intent in scenario.lines]
            handoff_at = next(i for i, (sender, _, _) in enumerate(lines) if sender == A)
            before = [TranscriptLine(sender, text, intent) for sender, text, intent in lines[:handoff_at]]
            shopper_before = [line for line in before if line.sender == S]
            intents = list(dict.fromkeys(line.intent for line in shopper_before if line.intent))

            ticket = Ticket(
                conversation_id=f"demo-{rng.getrandbits(64):016x}",
                channel=_weighted(rng, CHANNEL_WEIGHTS),
                customer_id=customer_id,
                order_id=order.id if order else None,
                contact_email=customers[customer_id].email if customer_id else None,
                reason=scenario.reason,
                status="resolved",
                priority=priority_for(scenario.reason, intents, [line.text for line in shopper_before]),
                language=language,
                intents=intents,
                summary=summarize(before),
                tags=list(scenario.tags),
                assignee_id=agent.id,
                created_at=created,
                taken_at=taken,
                first_response_at=first_response,
                resolved_at=resolved,
                resolution="agent",
                payload={"demo": True},
            )
            if rng.random() < CSAT_SHARE:
                ticket.csat_rating = _weighted(rng, CSAT_WEIGHTS)
                ticket.csat_at = resolved + timedelta(minutes=rng.uniform(0.5, 10.0))

            step = timedelta(seconds=rng.randint(15, 40))
            for position, (sender, text, intent) in enumerate(lines[:handoff_at]):
                ticket.messages.append(TicketMessage(
                    sender=sender, text=text, intent=intent,
                    created_at=created - step * (handoff_at - 1 - position)))
            ticket.messages.append(TicketMessage(
                sender="system", text=_JOINED.format(name=agent.display_name), created_at=taken))
            after = lines[handoff_at:]
            gap = (resolved - first_response) / max(len(after), 1)
            for position, (sender, text, intent) in enumerate(after):
                ticket.messages.append(TicketMessage(
                    sender=sender, text=text, intent=intent,
                    agent_id=agent.id if sender == A else None,
                    created_at=first_response + gap * position))
            session.add(ticket)
    logger.info("added %d demo tickets over the %d days before %s", count, history_days, today)
    return count
