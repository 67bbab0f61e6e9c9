"""A customer's card for the support console: contact details and their latest orders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.models import Customer, Order


@dataclass(frozen=True)
class CustomerOrderLine:
    id: str
    status: str
    total: str
    created_at: datetime
    carrier: Optional[str]
    tracking: Optional[str]


@dataclass(frozen=True)
class CustomerCard:
    id: int
    name: str
    email: str
    phone: str
    address: str
    language: Optional[str]
    orders: tuple[CustomerOrderLine, ...]


class CustomerService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def card(self, customer_id: int, recent_orders: int = 10) -> Optional[CustomerCard]:
        """The customer and their ``recent_orders`` newest orders, or None if there is no such customer."""
        with self._sessions() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                return None
            orders = session.scalars(select(Order).where(Order.customer_id == customer.id)
                                     .order_by(Order.created_at.desc()).limit(recent_orders)).all()
            address = ", ".join(p for p in (customer.street, customer.city, customer.postal_code, customer.country)
                                if p)
            return CustomerCard(
                id=customer.id, name=customer.name, email=customer.email, phone=customer.phone or "",
                address=address, language=customer.language,
                orders=tuple(CustomerOrderLine(o.id, o.status, f"{o.total} {o.currency}", o.created_at, o.carrier,
                                               o.tracking_number) for o in orders),
            )
