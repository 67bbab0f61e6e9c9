"""Deterministic demo orders: every status, realistic dates relative to a given day, refunds to match.

Pure functions over plain dicts (no database): :func:`generate_orders` returns the rows
that :mod:`assistant.shop.demo.seed` inserts. The same seed and day always give the same rows.
"""
from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from assistant.shop.commerce.order_ids import format_order_id
from assistant.shop.commerce.policy import Policy
from assistant.shop.commerce.refund_records import format_refund_id
from assistant.shop.storage.clock import add_business_days
from assistant.shop.storage.column_types import to_money

# How many orders of each status the demo shop gets (270 in all).
STATUS_COUNTS: dict[str, int] = {
    "pending": 35, "paid": 35, "shipped": 50, "delivered": 80, "cancelled": 35, "returned": 35,
}
DELIVERED_DAYS_AGO = (2, 90)      # delivered orders spread over this range (inclusive)
DELIVERED_REFUNDS = 10            # delivered orders that already have an open refund
RETURN_REASONS = ("wrong size", "changed my mind", "not as pictured", "damaged")
REFUND_REASONS = ("too small", "arrived late", "not as described", "changed my mind")
_FALLBACK_ADDRESS = {
    "street": "742 Evergreen Terrace", "city": "Springfield", "postal_code": "62704", "country": "US",
}


@dataclass
class GeneratedOrders:
    orders: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)


def tracking_number(carrier: str, rng: random.Random) -> str:
    """A tracking number in the carrier's usual shape (UPS 1Z + 16, DHL 10, FedEx 12, USPS 22 digits)."""
    digits = string.digits
    if carrier == "UPS":
        shipper = "".join(rng.choice(string.ascii_uppercase + digits) for _ in range(6))
        service = rng.choice(["01", "02", "03", "12", "13"])
        return f"1Z{shipper}{service}{''.join(rng.choice(digits) for _ in range(8))}"
    if carrier == "DHL":
        return "".join(rng.choice(digits) for _ in range(10))
    if carrier == "FedEx":
        return "".join(rng.choice(digits) for _ in range(12))
    if carrier == "USPS":
        return "9400" + "".join(rng.choice(digits) for _ in range(18))
    return "".join(rng.choice(digits) for _ in range(12))


class _Generator:
    def __init__(
        self,
        customers: Sequence[Mapping[str, Any]],
        products: Sequence[Mapping[str, Any]],
        rng: random.Random,
        today: date,
        policy: Policy,
    ) -> None:
        if not customers:
            raise ValueError("cannot generate orders without customers")
        self.customers = list(customers)
        same_currency = [p for p in products if (p.get("currency") or policy.currency) == policy.currency]
        usable = same_currency or list(products)
        self.regular = [p for p in usable if not p.get("final_sale")]
        self.final_sale = [p for p in usable if p.get("final_sale")]
        if not self.regular:
            raise ValueError("cannot generate orders: the catalogue has no product that is not final sale")
        self.rng = rng
        self.today = today
        self.policy = policy
        self.anchor = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
        self.used_ids: set[str] = set()
        self.out = GeneratedOrders()
        self.refund_number = 0

    # -- building blocks ---------------------------------------------------------------------
    def order_id(self) -> str:
        while True:
            candidate = format_order_id(self.rng.randint(100000, 999999))
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def day(self, days_ago: int) -> datetime:
        """A daytime instant ``days_ago`` days before today (days_ago >= 1 keeps it in the past)."""
        return self.anchor - timedelta(days=days_ago) + timedelta(
            hours=self.rng.randint(8, 20), minutes=self.rng.randint(0, 59)
        )

    def minutes_before(self, moment: datetime, low: int, high: int) -> datetime:
        return moment - timedelta(minutes=self.rng.randint(low, high))

    def carrier_for(self, country: str) -> str:
        preferred = ["USPS", "UPS", "FedEx"] if country == "US" else ["DHL", "UPS", "FedEx"]
        available = [c for c in preferred if c in self.policy.carriers] or list(self.policy.carriers)
        return self.rng.choice(available)

    def address(self, customer: Mapping[str, Any]) -> dict[str, str]:
        fields = {k: str(customer.get(k) or "") for k in ("street", "city", "postal_code", "country")}
        if not fields["street"] or not fields["city"] or not self.policy.ships_to(fields["country"]):
            return dict(_FALLBACK_ADDRESS)
        return fields

    def pick_items(self, order_id: str, mix: str) -> list[dict[str, Any]]:
        """Lines for an order; ``mix`` is "regular", "mixed" (one final-sale line) or "final_sale"."""
        count = self.rng.choices([1, 2, 3, 4], weights=[40, 30, 20, 10])[0]
        if mix == "final_sale" and self.final_sale:
            chosen = [self.rng.choice(self.final_sale) for _ in range(min(count, 2))]
        elif mix == "mixed" and self.final_sale:
            chosen = [self.rng.choice(self.final_sale)]
            chosen += [self.rng.choice(self.regular) for _ in range(max(1, count - 1))]
        else:
            chosen = [self.rng.choice(self.regular) for _ in range(count)]
        lines: dict[tuple[str, str | None, str | None], dict[str, Any]] = {}
        for product in chosen:
            colors = list(product.get("colors") or [])
            sizes = list(product.get("sizes") or [])
            color = self.rng.choice(colors) if colors else None
            size = self.rng.choice(sizes) if sizes else None
            quantity = self.rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
            key = (str(product["sku"]), color, size)
            if key in lines:
                lines[key]["quantity"] += quantity
                continue
            lines[key] = {
                "order_id": order_id,
                "sku": str(product["sku"]),
                "name": str(product["name"]),
                "color": color,
                "size": size,
                "quantity": quantity,
                "unit_price": to_money(product["price"]),
                "final_sale": bool(product.get("final_sale")),
            }
        return list(lines.values())

    def add_order(self, status: str, customer: Mapping[str, Any], mix: str, **dates: Any) -> dict[str, Any]:
        order_id = self.order_id()
        items = self.pick_items(order_id, mix)
        subtotal = to_money(sum((i["unit_price"] * i["quantity"] for i in items), Decimal("0")))
        shipping = self.policy.shipping_cost_for(subtotal)
        address = self.address(customer)
        row: dict[str, Any] = {
            "id": order_id, "customer_id": customer["id"], "status": status,
            "paid_at": None, "shipped_at": None, "carrier": None, "tracking_number": None,
            "estimated_delivery": None, "delivered_at": None, "cancelled_at": None,
            "returned_at": None, "ship_by": None,
            "shipping_street": address["street"], "shipping_city": address["city"],
            "shipping_postal_code": address["postal_code"], "shipping_country": address["country"],
            "subtotal": subtotal, "shipping_cost": shipping, "total": subtotal + shipping,
            "currency": self.policy.currency,
        }
        row.update(dates)
        self.out.orders.append(row)
        self.out.items.extend(items)
        return row

    def add_refund(self, order: dict[str, Any], *, amount: Decimal, status: str, kind: str, reason: str,
                   created_at: datetime, updated_at: datetime) -> None:
        self.refund_number += 1
        self.out.refunds.append({
            "id": format_refund_id(self.refund_number), "order_id": order["id"], "amount": amount,
            "currency": order["currency"], "status": status, "kind": kind, "reason": reason,
            "created_at": created_at, "updated_at": min(updated_at, self.anchor - timedelta(minutes=1)),
            "expected_by": add_business_days(created_at.date(), self.policy.refund_processing_days),
            "conversation_id": None,
        })

    def shipment(self, country: str, shipped_at: datetime) -> dict[str, Any]:
        carrier = self.carrier_for(country)
        transit = self.policy.carriers[carrier].transit_days
        return {
            "carrier": carrier,
            "tracking_number": tracking_number(carrier, self.rng),
            "shipped_at": shipped_at,
            "estimated_delivery": shipped_at.date() + timedelta(days=transit + self.rng.randint(0, 1)),
        }

    def refundable_amount(self, order_id: str) -> Decimal:
        lines = [i for i in self.out.items if i["order_id"] == order_id and not i["final_sale"]]
        return to_money(sum((i["unit_price"] * i["quantity"] for i in lines), Decimal("0")))

    # -- one function per status -------------------------------------------------------------
    def pending(self, customer: Mapping[str, Any], index: int) -> None:
        created = self.minutes_before(self.anchor, 10, 2 * 1440)
        handling = timedelta(days=self.policy.handling_days.get("pending", 3))
        ship_by = max(created.date() + handling, self.today)
        self.add_order("pending", customer, self.mix(index), created_at=created, ship_by=ship_by)

    def paid(self, customer: Mapping[str, Any], index: int) -> None:
        paid_at = self.minutes_before(self.anchor, 10, 2 * 1440)
        ship_by = max(paid_at.date() + timedelta(days=self.policy.handling_days.get("paid", 1)), self.today)
        self.add_order("paid", customer, self.mix(index), created_at=self.minutes_before(paid_at, 1, 90),
                       paid_at=paid_at, ship_by=ship_by)

    def shipped(self, customer: Mapping[str, Any], index: int) -> None:
        shipped_at = self.day(self.rng.randint(1, 6))
        paid_at = shipped_at - timedelta(days=self.rng.randint(0, 2), hours=self.rng.randint(1, 12))
        country = self.address(customer)["country"]
        self.add_order("shipped", customer, self.mix(index), created_at=self.minutes_before(paid_at, 1, 90),
                       paid_at=paid_at, **self.shipment(country, shipped_at))

    def delivered(self, customer: Mapping[str, Any], days_ago: int, mix: str) -> dict[str, Any]:
        delivered_at = self.day(days_ago)
        country = self.address(customer)["country"]
        shipped_at = delivered_at - timedelta(days=self.rng.randint(2, 6), hours=self.rng.randint(0, 8))
        paid_at = shipped_at - timedelta(days=self.rng.randint(0, 2), hours=self.rng.randint(1, 12))
        return self.add_order(
            "delivered", customer, mix, created_at=self.minutes_before(paid_at, 1, 90),
            paid_at=paid_at, delivered_at=delivered_at, **self.shipment(country, shipped_at),
        )

    def cancelled(self, customer: Mapping[str, Any], index: int) -> None:
        created = self.day(self.rng.randint(3, 60))
        was_paid = index % 2 == 0
        paid_at = created + timedelta(minutes=self.rng.randint(1, 60)) if was_paid else None
        cancelled_at = (paid_at or created) + timedelta(hours=self.rng.randint(1, 30))
        order = self.add_order("cancelled", customer, self.mix(index), created_at=created, paid_at=paid_at,
                               cancelled_at=cancelled_at)
        if was_paid:
            self.add_refund(order, amount=order["total"], status="refunded", kind="refund",
                            reason="order cancelled before shipment", created_at=cancelled_at,
                            updated_at=cancelled_at + timedelta(days=self.rng.randint(2, 5)))

    def returned(self, customer: Mapping[str, Any], index: int) -> None:
        days_ago = self.rng.randint(15, 90)
        order = self.delivered(customer, days_ago, "regular")
        order["status"] = "returned"
        returned_after = self.rng.randint(4, min(25, days_ago - 1))
        requested_after = self.rng.randint(1, returned_after - 1)
        order["returned_at"] = order["delivered_at"] + timedelta(days=returned_after)
        self.add_refund(order, amount=self.refundable_amount(order["id"]), status="refunded", kind="return",
                        reason=self.rng.choice(RETURN_REASONS),
                        created_at=order["delivered_at"] + timedelta(days=requested_after),
                        updated_at=order["returned_at"] + timedelta(days=self.rng.randint(1, 3)))

    def mix(self, index: int) -> str:
        return "mixed" if index % 9 == 4 else "regular"

    # -- the plan ----------------------------------------------------------------------------
    def run(self, counts: Mapping[str, int]) -> GeneratedOrders:
        plan = [status for status, n in counts.items() for _ in range(n)]
        self.rng.shuffle(plan)
        seen: dict[str, int] = {}
        delivered_days = self.delivered_spread(counts.get("delivered", 0))
        delivered_orders: list[tuple[dict[str, Any], int, str]] = []
        for status in plan:
            index = seen.get(status, 0)
            seen[status] = index + 1
            customer = self.rng.choice(self.customers)
            if status == "delivered":
                days_ago = delivered_days[index]
                mix = "final_sale" if index % 20 == 7 else ("mixed" if index % 8 == 3 else "regular")
                delivered_orders.append((self.delivered(customer, days_ago, mix), days_ago, mix))
            else:
                getattr(self, status)(customer, index)
        self.open_refunds(delivered_orders)
        return self.out

    def delivered_spread(self, count: int) -> list[int]:
        """Days since delivery, spread over the range, including the window's last day and the day after."""
        low, high = DELIVERED_DAYS_AGO
        if count <= 0:
            return []
        days = [low + round(i * (high - low) / max(1, count - 1)) for i in range(count)]
        edge = self.policy.return_window_days
        for slot, value in enumerate((edge, edge + 1)):
            if slot < count and low <= value <= high:
                days[slot] = value
        self.rng.shuffle(days)
        return days

    def open_refunds(self, delivered: list[tuple[dict[str, Any], int, str]]) -> None:
        """Give some delivered orders inside the window an open (requested or approved) refund."""
        edge = self.policy.return_window_days
        candidates = [(o, d) for o, d, mix in delivered if mix != "final_sale" and 3 <= d < edge - 1]
        for n, (order, days_ago) in enumerate(candidates[:DELIVERED_REFUNDS]):
            created = order["delivered_at"] + timedelta(days=self.rng.randint(1, days_ago - 2), hours=1)
            self.add_refund(order, amount=self.refundable_amount(order["id"]),
                            status="requested" if n % 2 == 0 else "approved",
                            kind="refund" if n % 3 else "return",
                            reason=self.rng.choice(REFUND_REASONS),
                            created_at=created, updated_at=created + timedelta(hours=self.rng.randint(1, 20)))


def generate_orders(
    customers: Sequence[Mapping[str, Any]],
    products: Sequence[Mapping[str, Any]],
    *,
    rng: random.Random,
    today: date,
    policy: Policy,
    counts: Mapping[str, int] | None = None,
) -> GeneratedOrders:
    """Orders, order items and refunds for the demo shop (customers need an ``id``)."""
    return _Generator(customers, products, rng, today, policy).run(counts or STATUS_COUNTS)
