"""Live product data from the shop database (stock changes there, not in the catalogue file)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.models import Product


@dataclass(frozen=True)
class StockLevel:
    sku: str
    name: str
    sizes: list[str]
    stock: dict[str, int]

    def size_named(self, size: str) -> Optional[str]:
        """The product's own spelling of ``size`` ("m" -> "M", "42" -> "42"), or None if not offered."""
        wanted = size.strip().upper()
        return next((s for s in self.sizes if str(s).upper() == wanted), None)

    def in_stock(self, size: str) -> int:
        return int(self.stock.get(size, 0))

    @property
    def sizes_in_stock(self) -> list[str]:
        return [s for s in self.sizes if self.in_stock(s) > 0]


@dataclass(frozen=True)
class ProductView:
    """A product as the shop page shows it (live stock from the database)."""
    sku: str
    name: str
    category: str
    subcategory: str
    description: str
    price: Decimal
    currency: str
    rating: Optional[float]
    review_count: Optional[int]
    image: str
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    in_stock: bool


def _product_view(product: Product) -> ProductView:
    return ProductView(
        sku=product.sku, name=product.name, category=product.category or "",
        subcategory=product.subcategory or "", description=product.description or "",
        price=product.price, currency=product.currency or "USD", rating=product.rating,
        review_count=product.review_count, image=product.image or "", colors=tuple(product.colors or ()),
        sizes=tuple(str(s) for s in product.sizes or ()),
        in_stock=any(int(v or 0) > 0 for v in (product.stock or {}).values()),
    )


class CatalogService:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def stock(self, sku: str) -> Optional[StockLevel]:
        with self._sessions() as session:
            product = session.get(Product, sku)
            if product is None:
                return None
            return StockLevel(product.sku, product.name, list(product.sizes or []),
                              {str(k): int(v) for k, v in (product.stock or {}).items()})

    def product(self, sku: str) -> Optional[ProductView]:
        with self._sessions() as session:
            product = session.get(Product, sku)
            return _product_view(product) if product is not None else None

    def featured(self, count: int) -> list[ProductView]:
        """``count`` products, the best rated of each category in turn, so a page shows the range."""
        with self._sessions() as session:
            products = session.scalars(select(Product).order_by(Product.rating.desc().nulls_last(), Product.sku)).all()
            by_category: dict[str, list[Product]] = {}
            for product in products:
                by_category.setdefault(product.category or "", []).append(product)
            chosen: list[Product] = []
            queues = list(by_category.values())
            while len(chosen) < count and any(queues):
                for queue in queues:
                    if queue and len(chosen) < count:
                        chosen.append(queue.pop(0))
            return [_product_view(p) for p in chosen]
