"""Print a few real orders of every status, for manual testing and end-to-end tests.

    python -m assistant.runtime.demo sample-orders [--database-url URL] [--per-status 2]

One JSON object per line: {"order_id", "email", "status", "tracking_number"}.
Delivered orders alternate: first one inside the refund window (fully refundable
now, with a few days to spare), then one outside it (expired a few days ago at least).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.commerce.policy import Policy, load_policy
from assistant.shop.commerce.refunds import RefundService
from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.db import init_db, make_engine
from assistant.shop.storage.db import session_factory as make_session_factory
from assistant.shop.storage.models import ORDER_STATUSES, Customer, Order

MARGIN_DAYS = 3  # keep samples away from the window's edge so they stay valid for a few days


def _row(order_id: str, email: str, status: str, tracking: str | None) -> dict[str, Any]:
    return {"order_id": order_id, "email": email, "status": status, "tracking_number": tracking}


def _interleave(first: list[Any], second: list[Any], limit: int) -> list[Any]:
    out: list[Any] = []
    for index in range(max(len(first), len(second))):
        for source in (first, second):
            if index < len(source) and len(out) < limit:
                out.append(source[index])
    return out


def sample_orders(
    session_factory: sessionmaker[Session],
    per_status: int = 2,
    *,
    policy: Policy | None = None,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """Up to ``per_status`` orders per status (lowest ids first), as plain dicts."""
    policy = policy or load_policy()
    today = today or utcnow().date()
    refunds = RefundService(session_factory, policy)
    samples: list[dict[str, Any]] = []
    with session_factory() as session:
        for status in ORDER_STATUSES:
            rows = session.execute(
                select(Order.id, Customer.email, Order.status, Order.tracking_number)
                .join(Customer, Customer.id == Order.customer_id)
                .where(Order.status == status)
                .order_by(Order.id)
            ).all()
            if status != "delivered":
                samples.extend(_row(*row) for row in rows[:per_status])
                continue
            inside, outside = [], []
            for row in rows:
                verdict = refunds.eligibility(row[0], today=today)
                if verdict.eligible and not verdict.partial and (verdict.days_left or 0) >= MARGIN_DAYS:
                    inside.append(row)
                elif verdict.reason == "window_expired" and verdict.deadline is not None \
                        and (today - verdict.deadline).days >= MARGIN_DAYS:
                    outside.append(row)
            samples.extend(_row(*row) for row in _interleave(inside, outside, per_status))
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.runtime.demo sample-orders",
                                     description="Print sample orders of every status as JSON lines.")
    parser.add_argument("--database-url", required=True, help="SQLAlchemy URL of the shop database")
    parser.add_argument("--per-status", type=int, default=2, help="orders per status (default 2)")
    args = parser.parse_args(argv)
    if args.per_status < 1:
        parser.error("--per-status must be at least 1")
    engine = make_engine(args.database_url)
    try:
        init_db(engine)
        rows = sample_orders(make_session_factory(engine), args.per_status)
    finally:
        engine.dispose()
    if not rows:
        print("error: the shop database has no orders; run python -m assistant.runtime.demo seed first",
              file=sys.stderr)
        return 1
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
