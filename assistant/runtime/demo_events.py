"""``make demo-events``: advance a few seeded orders so their notifications can be watched arriving.

It takes the orders ``make run`` prints ("Orders to try", one per status): the paid one ships, the shipped
one is delayed by two days, and the returned one's refund is paid. Verify one of them in the widget first
(order number + email), then run this: the running notification worker delivers each update to every
conversation the customer verified in, or queues an email when none can take it.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from datetime import date, timedelta

from assistant.runtime.settings import Settings, get_settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.commerce.fulfilment import FulfilmentResult
from assistant.shop.demo.order_generator import tracking_number
from assistant.shop.demo.sample_orders import sample_orders
from assistant.shop.notifications.rules import QuietHours
from assistant.shop.storage.clock import utcnow
from assistant.shop.support.business_hours import load_business_hours


def _line(what: str, order: dict, result: FulfilmentResult) -> str:
    outcome = "done" if result.event_recorded else f"skipped ({result.reason})"
    return f"  {order['order_id']}  {order['email']:<34} {what:<22} {outcome}"


def advance(shop: Shop, today: date) -> list[str]:
    """Ships the paid sample, delays the shipped one, pays the returned one's refund; one line each."""
    samples = {}
    for row in sample_orders(shop.sessions, 1, policy=shop.policy, today=today):
        samples.setdefault(row["status"], row)
    lines = []
    if "paid" in samples:
        order = samples["paid"]
        carrier = next(iter(shop.policy.carriers))
        tracking = tracking_number(carrier, random.Random(order["order_id"]))
        lines.append(_line(f"shipped with {carrier}", order,
                           shop.fulfilment.mark_shipped(order["order_id"], carrier, tracking)))
    if "shipped" in samples:
        order = samples["shipped"]
        current = shop.orders.get_order(order["order_id"])
        base = max(current.estimated_delivery or today, today) if current else today
        lines.append(_line("delayed by 2 days", order,
                           shop.fulfilment.mark_delayed(order["order_id"], base + timedelta(days=2))))
    if "returned" in samples:
        order = samples["returned"]
        lines.append(_line("refund paid", order, shop.fulfilment.issue_refund(order["order_id"])))
    return lines


def quiet_note(settings: Settings) -> str | None:
    zone = settings.notify_timezone or load_business_hours(settings.business_hours_file).timezone.key
    quiet = QuietHours.parse(settings.notify_quiet_hours, zone)
    if quiet is None or not quiet.contains(utcnow()):
        return None
    return (f"Note: it is quiet hours now ({settings.notify_quiet_hours} {zone}, unless `make run` was started "
            f"with other NOTIFY_QUIET_HOURS); then only urgent updates (the delay) go out now, the others at "
            f"{quiet.ends_after(utcnow()).astimezone(quiet.zone):%H:%M}. "
            "Start `make run` with NOTIFY_QUIET_HOURS= (empty) to see them at once.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.runtime.demo_events", description=__doc__)
    parser.parse_args(argv)
    settings = get_settings()
    shop = Shop.open(ShopConfig(settings.database_url, settings.policy_file))
    try:
        lines = advance(shop, utcnow().date())
    finally:
        shop.close()
    if not lines:
        print("error: no paid, shipped or returned orders to advance; reseed with `make seed`", file=sys.stderr)
        return 1
    print("Advanced these orders (verify one in the widget to get its update there):")
    print("\n".join(lines))
    note = quiet_note(settings)
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
