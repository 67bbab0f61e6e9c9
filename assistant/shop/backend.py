"""One object that opens the shop database and holds every service: what the action server and the
console each create once, from a ``ShopConfig`` their settings fill in (the backend reads no settings)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.commerce.catalog import CatalogService
from assistant.shop.commerce.customers import CustomerService
from assistant.shop.commerce.fulfilment import FulfilmentService
from assistant.shop.commerce.orders import OrderService
from assistant.shop.commerce.personal import PersonalService
from assistant.shop.commerce.policy import DEFAULT_POLICY_FILE, Policy, load_policy
from assistant.shop.commerce.refunds import RefundService
from assistant.shop.commerce.reviews import ReviewService
from assistant.shop.commerce.verification import VerificationState, Verifier
from assistant.shop.commerce.verification_ledger import VerificationLedger, VerificationLimits
from assistant.shop.notifications.outbox import Outbox
from assistant.shop.notifications.preferences import NotificationPreferences
from assistant.shop.storage.db import init_db, make_engine, session_factory
from assistant.shop.support.identity import IdentityService
from assistant.shop.support.surveys import SurveyService
from assistant.shop.support.tickets import TicketService


@dataclass(frozen=True)
class ShopConfig:
    database_url: str                           # SQLAlchemy URL: sqlite:///var/shop.db, postgresql://...
    policy_file: Path = DEFAULT_POLICY_FILE     # refund, return, cancellation and shipping rules
    notify_default_opt_in: bool = True          # order updates for customers who never said stop or start


@dataclass(frozen=True)
class Shop:
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    orders: OrderService
    refunds: RefundService
    verifier: Verifier
    attempts: VerificationState
    verifications: VerificationLedger
    catalog: CatalogService
    customers: CustomerService
    identities: IdentityService
    tickets: TicketService
    reviews: ReviewService
    personal: PersonalService
    fulfilment: FulfilmentService
    notification_preferences: NotificationPreferences
    outbox: Outbox
    surveys: SurveyService

    @classmethod
    def open(cls, config: ShopConfig) -> Shop:
        """Connect, create missing tables and build the services."""
        engine = make_engine(config.database_url)
        init_db(engine)
        sessions = session_factory(engine)
        policy = load_policy(config.policy_file)
        return cls(
            engine=engine,
            sessions=sessions,
            policy=policy,
            orders=OrderService(sessions, policy),
            refunds=RefundService(sessions, policy),
            verifier=Verifier(sessions),
            attempts=VerificationState(policy.max_verification_attempts),
            verifications=VerificationLedger(sessions, VerificationLimits(per_conversation=policy.max_verification_attempts)),
            catalog=CatalogService(sessions),
            customers=CustomerService(sessions),
            identities=IdentityService(sessions),
            tickets=TicketService(sessions),
            reviews=ReviewService(sessions),
            personal=PersonalService(sessions),
            fulfilment=FulfilmentService(sessions, policy),
            notification_preferences=NotificationPreferences(sessions, config.notify_default_opt_in),
            outbox=Outbox(sessions),
            surveys=SurveyService(sessions),
        )

    def close(self) -> None:
        self.engine.dispose()
