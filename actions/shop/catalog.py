"""Live product data from the shop database (stock changes there, not in the catalogue file)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.orm import Session, sessionmaker

from actions.shop.models import Product


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
