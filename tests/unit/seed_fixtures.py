"""A small synthetic catalogue and customer list, so seed tests do not need the real files."""
from __future__ import annotations

from typing import Any

ADDRESSES = [
    ("Lindenstraße 12", "Berlin", "10115", "DE"),
    ("742 Evergreen Terrace", "Springfield", "62704", "US"),
    ("10 Downing Street", "London", "SW1A 2AA", "GB"),
    ("1-2-3 Shibuya", "Tokyo", "150-0002", "JP"),
]


def synthetic_customers(count: int = 12) -> list[dict[str, Any]]:
    customers = []
    for n in range(count):
        street, city, postal, country = ADDRESSES[n % len(ADDRESSES)]
        customers.append({
            "name": f"Customer {n}", "email": f"Customer{n}@Example.com", "phone": "+1 555 0100",
            "language": "en",
            "address": {"street": street, "city": city, "postal_code": postal, "country": country},
            "loyalty_tier": "gold",  # not a model column: must be ignored
        })
    return customers


def synthetic_products(count: int = 30) -> list[dict[str, Any]]:
    products = []
    for n in range(count):
        products.append({
            "sku": f"SKU-{n:03d}", "name": f"Product {n}", "category": "Tops", "subcategory": "Tees",
            "description": "A product.", "price": 9.99 + n, "currency": "USD",
            "colors": ["black", "navy"] if n % 3 else [], "sizes": ["S", "M", "L"] if n % 2 else [],
            "stock": {"S": 2, "M": 0, "L": 4}, "rating": 4.1, "reviews": 17, "final_sale": n % 7 == 0,
            "url": f"/products/{n}", "image": f"/img/{n}.jpg", "tags": ["extra", "ignored"],
        })
    return products
