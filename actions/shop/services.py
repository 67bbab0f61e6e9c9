"""One object that opens the shop database and holds every service (what the action server creates once)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from actions.shop.catalog import CatalogService
from actions.shop.db import init_db, make_engine, session_factory
from actions.shop.identity import IdentityService
from actions.shop.orders import OrderService
from actions.shop.policy import Policy, load_policy
from actions.shop.refunds import RefundService
from actions.shop.tickets import TicketService
from actions.shop.verification import VerificationState, Verifier


@dataclass(frozen=True)
class Shop:
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    orders: OrderService
    refunds: RefundService
    verifier: Verifier
    attempts: VerificationState
    catalog: CatalogService
    identities: IdentityService
    tickets: TicketService

    @classmethod
    def open(cls, database_url: str | None = None, policy_file: str | Path | None = None) -> Shop:
        """Connect (default ``DATABASE_URL``), create missing tables and build the services."""
        engine = make_engine(database_url)
        init_db(engine)
        sessions = session_factory(engine)
        policy = load_policy(policy_file)
        return cls(
            engine=engine,
            sessions=sessions,
            policy=policy,
            orders=OrderService(sessions, policy),
            refunds=RefundService(sessions, policy),
            verifier=Verifier(sessions),
            attempts=VerificationState(policy.max_verification_attempts),
            catalog=CatalogService(sessions),
            identities=IdentityService(sessions),
            tickets=TicketService(sessions),
        )

    def close(self) -> None:
        self.engine.dispose()
