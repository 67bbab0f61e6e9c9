"""The personal touch: what the shop may use to serve a known customer better.

* ``first_name``: how to greet a shopper recognised from a linked channel (the only thing said before
  verification);
* ``open_orders``: a verified customer's orders still on their way (or the ones a task applies to), as
  short lines (number, date, first item, status) for buttons and the support console;
* ``suggestions``: products from the categories the customer bought before, in the size they bought,
  in stock in that size, that they have not bought yet, best rated first.

Plain SQLAlchemy, no Rasa; callers get frozen views. Whether the shopper is verified is the caller's
check: these methods answer for whichever customer id they are given.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from assistant.shop.storage.models import Customer, Order, OrderItem, Product

OPEN_STATUSES: tuple[str, ...] = ("pending", "paid", "shipped")
# customers whose names are written family name first (the seed data's romanised Chinese names)
FAMILY_NAME_FIRST = ("zh-Hans", "zh-Hant")
MAX_OPEN_ORDERS = 8


def given_name(full_name: str, language: Optional[str] = None) -> Optional[str]:
    """The name to greet with: "Tyler" of "Tyler Moore"; "Wing Sze" of "Leung Wing Sze" (a Chinese name)."""
    parts = (full_name or "").split()
    if not parts:
        return None
    if language in FAMILY_NAME_FIRST and len(parts) > 1:
        return " ".join(parts[1:])[:40]
    return parts[0][:40]


@dataclass(frozen=True)
class OpenOrderLine:
    id: str
    status: str
    created_at: datetime
    first_item: str
    item_count: int
    total: Decimal
    currency: str


@dataclass(frozen=True)
class Suggestion:
    sku: str
    name: str
    category: str
    size: Optional[str]          # the size the customer bought in this category, in stock
    price: Decimal
    currency: str
    rating: Optional[float]
    review_count: int
    url: str
    image: str


class PersonalService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def first_name(self, customer_id: int) -> Optional[str]:
        with self._sessions() as session:
            customer = session.get(Customer, int(customer_id))
            return given_name(customer.name, customer.language) if customer is not None else None

    def open_orders(self, customer_id: int, statuses: Sequence[str] = OPEN_STATUSES,
                    limit: int = MAX_OPEN_ORDERS) -> list[OpenOrderLine]:
        """The customer's orders in ``statuses``, newest first (at most ``limit``)."""
        with self._sessions() as session:
            orders = session.scalars(
                select(Order).where(Order.customer_id == int(customer_id), Order.status.in_(tuple(statuses)))
                .options(selectinload(Order.items)).order_by(Order.created_at.desc(), Order.id).limit(limit)
            ).all()
            return [OpenOrderLine(id=o.id, status=o.status, created_at=o.created_at,
                                  first_item=o.items[0].name if o.items else "",
                                  item_count=sum(i.quantity for i in o.items), total=o.total, currency=o.currency)
                    for o in orders]

    def suggestions(self, customer_id: int, limit: int = 3) -> list[Suggestion]:
        """Products for the customer from their past orders (not cancelled ones), best rated first."""
        with self._sessions() as session:
            bought = session.execute(
                select(OrderItem.sku, OrderItem.size, Product.category)
                .join(Order, Order.id == OrderItem.order_id).join(Product, Product.sku == OrderItem.sku)
                .where(Order.customer_id == int(customer_id), Order.status != "cancelled")
            ).all()
            if not bought:
                return []
            owned = {sku for sku, _, _ in bought}
            categories = Counter(category for _, _, category in bought if category)
            sizes: dict[str, Counter[str]] = {}
            for _, size, category in bought:
                if size and category:
                    sizes.setdefault(category, Counter())[str(size)] += 1
            products = session.scalars(
                select(Product).where(Product.category.in_(list(categories)), Product.sku.not_in(owned))
                .order_by(Product.rating.desc().nulls_last(), Product.review_count.desc(), Product.sku)
            ).all()
            picks: list[Suggestion] = []
            per_category: Counter[str] = Counter()
            # the categories bought most first; at most two products of one category while others wait
            for product in sorted(products, key=lambda p: -categories[p.category or ""]):
                size = self._size_for(product, sizes.get(product.category or ""))
                if size is False or per_category[product.category or ""] >= 2:
                    continue
                per_category[product.category or ""] += 1
                picks.append(Suggestion(sku=product.sku, name=product.name, category=product.category or "",
                                        size=size or None, price=product.price, currency=product.currency,
                                        rating=product.rating, review_count=product.review_count or 0,
                                        url=product.url or "", image=product.image or ""))
            picks.sort(key=lambda s: (-categories[s.category], -(s.rating or 0), s.sku))
            return picks[:limit]

    @staticmethod
    def _size_for(product: Product, bought: Optional[Counter[str]]) -> str | bool:
        """The size the customer wears that this product has in stock; "" for a product without sizes or
        a category bought without a size; False when the product lacks it (or is sold out)."""
        stock = {str(k): int(v or 0) for k, v in (product.stock or {}).items()}
        offered = [str(s) for s in product.sizes or []]
        if not offered:
            return "" if any(v > 0 for v in stock.values()) or not stock else False
        if not bought:
            return "" if any(stock.get(s, 0) > 0 for s in offered) else False
        for size, _ in bought.most_common():
            own = next((s for s in offered if s.upper() == size.upper()), None)
            if own is not None and stock.get(own, 0) > 0:
                return own
        return False
