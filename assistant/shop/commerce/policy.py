"""The shop's refund, return, cancellation and shipping rules, loaded from ``policy.yml``.

The rules are configuration: :func:`load_policy` reads and validates the file
(default: the demo shop's ``policy.yml`` beside this module) and returns a frozen :class:`Policy`.
A malformed file raises ``ValueError`` naming the file and the bad key.
"""
from __future__ import annotations

import functools
import logging
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from assistant.shop.storage.models import ORDER_STATUSES

DEFAULT_POLICY_FILE = Path(__file__).with_name("policy.yml")
logger = logging.getLogger(__name__)

SUMMARY_KEYS = (
    "refund_policy_text", "cancellation_policy_text", "shipping_policy_text", "address_change_text",
)
_REQUIRED_KEYS = (
    "return_window_days",
    "final_sale_refundable",
    "refund_processing_days",
    "handling_days",
    "carriers",
    "cancellable_statuses",
    "address_change_statuses",
    "supported_countries",
    "max_verification_attempts",
    "cancellation_fee",
    "cancellation_fee_text",
    "summary",
)
_OPTIONAL_KEYS = {
    "currency": "USD", "standard_shipping_cost": 0, "free_shipping_threshold": None,
    "payment_methods": ["Visa", "Mastercard", "American Express", "PayPal"],
}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Carrier:
    name: str
    transit_days: int
    tracking_url: str

    def tracking_link(self, tracking_number: str) -> str:
        return self.tracking_url.format(tracking=tracking_number)


@dataclass(frozen=True)
class Policy:
    return_window_days: int
    final_sale_refundable: bool
    refund_processing_days: int
    handling_days: Mapping[str, int]
    carriers: Mapping[str, Carrier]
    cancellable_statuses: tuple[str, ...]
    address_change_statuses: tuple[str, ...]
    supported_countries: tuple[str, ...]
    max_verification_attempts: int
    cancellation_fee: Decimal
    cancellation_fee_text: str
    currency: str
    standard_shipping_cost: Decimal
    free_shipping_threshold: Decimal | None
    summary: Mapping[str, str]
    payment_methods: tuple[str, ...] = tuple(_OPTIONAL_KEYS["payment_methods"])  # type: ignore[arg-type]
    source: Path | None = None

    @property
    def refund_policy_text(self) -> str:
        return self.summary["refund_policy_text"]

    @property
    def cancellation_policy_text(self) -> str:
        return self.summary["cancellation_policy_text"]

    @property
    def shipping_policy_text(self) -> str:
        return self.summary["shipping_policy_text"]

    @property
    def address_change_text(self) -> str:
        return self.summary["address_change_text"]

    def carrier(self, name: str | None) -> Carrier | None:
        """The carrier called ``name`` (case-insensitive), or None."""
        if not name:
            return None
        for key, carrier in self.carriers.items():
            if key.lower() == name.strip().lower():
                return carrier
        return None

    def tracking_url(self, carrier: str | None, tracking_number: str | None) -> str | None:
        found = self.carrier(carrier)
        if found is None or not tracking_number:
            return None
        return found.tracking_link(tracking_number)

    def ships_to(self, country: str | None) -> bool:
        return bool(country) and country.upper() in self.supported_countries  # type: ignore[union-attr]

    def shipping_cost_for(self, subtotal: Decimal) -> Decimal:
        if self.free_shipping_threshold is not None and subtotal >= self.free_shipping_threshold:
            return Decimal("0.00")
        return self.standard_shipping_cost


class _Checker:
    """Reads typed values out of the raw mapping, raising ValueError naming file and key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> ValueError:
        return ValueError(f"{self.source}: '{key}' {problem}")

    def integer(self, raw: Any, key: str, minimum: int = 0) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise self.fail(key, f"must be a whole number, got {raw!r}")
        if raw < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {raw}")
        return raw

    def boolean(self, raw: Any, key: str) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(key, f"must be true or false, got {raw!r}")
        return raw

    def text(self, raw: Any, key: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise self.fail(key, f"must be a non-empty text, got {raw!r}")
        return " ".join(raw.split())

    def money(self, raw: Any, key: str) -> Decimal:
        if isinstance(raw, bool):
            raise self.fail(key, f"must be an amount, got {raw!r}")
        try:
            amount = Decimal(str(raw))
        except InvalidOperation:
            raise self.fail(key, f"must be an amount, got {raw!r}") from None
        if amount < 0:
            raise self.fail(key, f"must not be negative, got {raw}")
        return amount.quantize(Decimal("0.01"))

    def mapping(self, raw: Any, key: str) -> dict[str, Any]:
        if not isinstance(raw, dict) or not raw:
            raise self.fail(key, f"must be a non-empty mapping, got {raw!r}")
        return raw

    def statuses(self, raw: Any, key: str) -> tuple[str, ...]:
        if not isinstance(raw, list):
            raise self.fail(key, f"must be a list of order statuses, got {raw!r}")
        unknown = [s for s in raw if s not in ORDER_STATUSES]
        if unknown:
            raise self.fail(key, f"has unknown order statuses {unknown}; known: {list(ORDER_STATUSES)}")
        return tuple(raw)


def _parse(data: Any, source: str, path: Path | None) -> Policy:
    check = _Checker(source)
    if not isinstance(data, dict):
        raise ValueError(
            f"{source}: expected a mapping of policy keys at the top level, got {type(data).__name__}"
        )
    missing = [key for key in _REQUIRED_KEYS if key not in data]
    if missing:
        raise check.fail(missing[0], f"is missing (required keys missing: {missing})")
    unknown = sorted(set(data) - set(_REQUIRED_KEYS) - set(_OPTIONAL_KEYS))
    if unknown:
        raise check.fail(unknown[0], f"is not a policy key (unknown keys: {unknown})")
    values = {**_OPTIONAL_KEYS, **data}

    handling_raw = check.mapping(values["handling_days"], "handling_days")
    handling: dict[str, int] = {}
    for status, days in handling_raw.items():
        if status not in ORDER_STATUSES:
            raise check.fail(
                f"handling_days.{status}", f"is not an order status; known: {list(ORDER_STATUSES)}"
            )
        handling[status] = check.integer(days, f"handling_days.{status}")

    carriers: dict[str, Carrier] = {}
    for name, spec in check.mapping(values["carriers"], "carriers").items():
        spec = check.mapping(spec, f"carriers.{name}")
        url = check.text(spec.get("tracking_url"), f"carriers.{name}.tracking_url")
        if "{tracking}" not in url:
            raise check.fail(f"carriers.{name}.tracking_url", "must contain the placeholder {tracking}")
        carriers[str(name)] = Carrier(
            name=str(name),
            transit_days=check.integer(spec.get("transit_days"), f"carriers.{name}.transit_days", minimum=1),
            tracking_url=url,
        )

    countries_raw = values["supported_countries"]
    if not isinstance(countries_raw, list) or not countries_raw:
        raise check.fail(
            "supported_countries", f"must be a non-empty list of ISO-2 codes, got {countries_raw!r}"
        )
    bad = [c for c in countries_raw if not isinstance(c, str) or not _COUNTRY.match(c)]
    if bad:
        raise check.fail("supported_countries", f"must hold upper-case ISO-2 codes such as DE; bad: {bad}")

    currency = check.text(values["currency"], "currency")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise check.fail("currency", f"must be an ISO 4217 code such as USD, got {currency!r}")
    threshold = values["free_shipping_threshold"]

    numbers: dict[str, Any] = {
        "return_window_days": check.integer(values["return_window_days"], "return_window_days", minimum=1),
        "refund_processing_days": check.integer(values["refund_processing_days"], "refund_processing_days"),
        "max_verification_attempts": check.integer(
            values["max_verification_attempts"], "max_verification_attempts", minimum=1
        ),
        "cancellation_fee": check.money(values["cancellation_fee"], "cancellation_fee"),
        "standard_shipping_cost": check.money(values["standard_shipping_cost"], "standard_shipping_cost"),
        "free_shipping_threshold": (
            None if threshold is None else check.money(threshold, "free_shipping_threshold")
        ),
        "handling_days": handling,
        "currency": currency,
    }

    def render(raw: Any, key: str) -> str:
        text = check.text(raw, key)
        try:
            return string.Formatter().vformat(text, (), numbers)
        except (KeyError, IndexError, AttributeError, ValueError) as exc:
            raise check.fail(key, f"uses an unknown or malformed placeholder ({exc}); "
                             f"available: {sorted(numbers)}") from None

    summary_raw = check.mapping(values["summary"], "summary")
    missing_texts = [key for key in SUMMARY_KEYS if key not in summary_raw]
    if missing_texts:
        raise check.fail(f"summary.{missing_texts[0]}", "is missing")
    summary = {str(key): render(text, f"summary.{key}") for key, text in summary_raw.items()}

    return Policy(
        return_window_days=numbers["return_window_days"],
        final_sale_refundable=check.boolean(values["final_sale_refundable"], "final_sale_refundable"),
        refund_processing_days=numbers["refund_processing_days"],
        handling_days=MappingProxyType(handling),
        carriers=MappingProxyType(carriers),
        cancellable_statuses=check.statuses(values["cancellable_statuses"], "cancellable_statuses"),
        address_change_statuses=check.statuses(values["address_change_statuses"], "address_change_statuses"),
        supported_countries=tuple(countries_raw),
        max_verification_attempts=numbers["max_verification_attempts"],
        cancellation_fee=numbers["cancellation_fee"],
        cancellation_fee_text=render(values["cancellation_fee_text"], "cancellation_fee_text"),
        currency=currency,
        standard_shipping_cost=numbers["standard_shipping_cost"],
        free_shipping_threshold=numbers["free_shipping_threshold"],
        summary=MappingProxyType(summary),
        payment_methods=_payment_methods(check, values["payment_methods"]),
        source=path,
    )


def _payment_methods(check: _Checker, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise check.fail("payment_methods", f"must be a non-empty list of names, got {raw!r}")
    return tuple(check.text(name, "payment_methods") for name in raw)


@functools.lru_cache(maxsize=16)
def _load_cached(path_str: str, _mtime_ns: int) -> Policy:
    path = Path(path_str)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc})") from exc
    policy = _parse(data, str(path), path)
    logger.debug("loaded shop policy from %s", path)
    return policy


def load_policy(path: str | Path = DEFAULT_POLICY_FILE) -> Policy:
    """Load and validate the policy file (default: the demo shop's ``policy.yml`` beside this module).

    Results are cached per path and reloaded when the file changes.
    """
    resolved = Path(path).expanduser().resolve()
    try:
        mtime = resolved.stat().st_mtime_ns
    except FileNotFoundError:
        raise ValueError(
            f"shop policy file not found: {resolved} "
            "(set SHOP_POLICY_FILE or restore assistant/shop/commerce/policy.yml)"
        ) from None
    return _load_cached(str(resolved), mtime)

