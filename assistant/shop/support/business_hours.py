"""When support agents are online, loaded from ``business_hours.yml``.

Opening hours are wall-clock times in the shop's time zone, so they follow daylight
saving time: "09:00-18:00" in Europe/London is 08:00-17:00 UTC in summer and
09:00-18:00 UTC in winter. Holidays are local dates when the shop is closed all day.

    hours = load_business_hours(DEFAULT_BUSINESS_HOURS_FILE)
    if not hours.is_open(now):
        back = hours.next_opening(now)  # aware, in the shop's time zone
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_BUSINESS_HOURS_FILE", "DAYS", "BusinessHours", "load_business_hours"]

DEFAULT_BUSINESS_HOURS_FILE = Path(__file__).with_name("business_hours.yml")
DAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_MINUTES = 24 * 60
_KEYS = ("timezone", "reply_within_hours", "hours", "holidays")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_CLOSED_WORDS = ("closed", "off", "none", "")

Ranges = tuple[tuple[int, int], ...]  # (start, end) in minutes after local midnight, end exclusive


@dataclass(frozen=True)
class BusinessHours:
    """Weekly opening hours in ``timezone`` (``weekly[0]`` is Monday) and closed holiday dates."""

    timezone: ZoneInfo
    reply_within_hours: int = 24
    weekly: tuple[Ranges, ...] = field(default=((),) * 7)
    holidays: frozenset[date] = frozenset()
    source: Path | None = None

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError(f"weekly must hold 7 days (Monday first), got {len(self.weekly)}")

    @classmethod
    def always(cls, timezone_name: str = "UTC", reply_within_hours: int = 24) -> BusinessHours:
        """Open around the clock, every day (e.g. when agents cover all shifts, or for tests)."""
        return cls(
            timezone=ZoneInfo(timezone_name),
            reply_within_hours=reply_within_hours,
            weekly=(((0, DAY_MINUTES),),) * 7,
        )

    @property
    def always_open(self) -> bool:
        return not self.holidays and all(day == ((0, DAY_MINUTES),) for day in self.weekly)

    @property
    def never_open(self) -> bool:
        return not any(self.weekly)

    def ranges_on(self, day: date) -> Ranges:
        """The opening ranges on a local date (empty on holidays and closed days)."""
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def local(self, at: datetime) -> datetime:
        """``at`` in the shop's time zone; a naive ``at`` is taken to be UTC (as everywhere in the shop)."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return at.astimezone(self.timezone)

    def is_open(self, at: datetime) -> bool:
        """True when agents are online at the instant ``at`` (aware, any time zone)."""
        here = self.local(at)
        minute = here.hour * 60 + here.minute + (here.second + here.microsecond / 1e6) / 60
        return any(start <= minute < end for start, end in self.ranges_on(here.date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first instant at or after ``at`` when the shop is open, in the shop's time zone.

        ``at`` itself (converted) when the shop is open then; None when it never opens.
        """
        here = self.local(at)
        if self.is_open(here):
            return here
        if self.never_open:
            return None
        # Every holiday can close at most one day, and within any week an open weekday recurs.
        for offset in range(len(self.holidays) + 8):
            day = here.date() + timedelta(days=offset)
            for start, _end in self.ranges_on(day):
                opening = self._instant(day, start)
                if opening > here:
                    return opening
        return None

    def _instant(self, day: date, minute: int) -> datetime:
        """The first instant whose local wall time is ``minute`` after midnight on ``day``."""
        naive = datetime.combine(day, time(minute // 60, minute % 60))
        first = naive.replace(tzinfo=self.timezone)  # fold=0: the first of two repeated wall times
        if first.astimezone(timezone.utc).astimezone(self.timezone).replace(tzinfo=None) == naive:
            return first
        # The wall time was skipped by a DST change (01:30 on the spring-forward night): the shop
        # opens at the change itself, the first instant whose wall time is past ``naive``.
        bounds = sorted(int(naive.replace(tzinfo=self.timezone, fold=fold).timestamp()) for fold in (0, 1))
        low, high = bounds
        while high - low > 1:
            middle = (low + high) // 2
            local = datetime.fromtimestamp(middle, self.timezone).replace(tzinfo=None)
            low, high = (low, middle) if local >= naive else (middle, high)
        return datetime.fromtimestamp(high, self.timezone)


# --- loading ----------------------------------------------------------------------------------------------


def _fail(path: Path, message: str) -> ValueError:
    return ValueError(f"{path}: {message}")


def _parse_ranges(path: Path, day: str, value: Any) -> Ranges:
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in _CLOSED_WORDS):
        return ()
    if not isinstance(value, str):
        raise _fail(path, f"hours.{day}: expected a string such as \"09:00-18:00\" or closed, got {value!r}")
    ranges: list[tuple[int, int]] = []
    for part in value.split(","):
        match = _RANGE.match(part)
        if not match:
            raise _fail(path, f"hours.{day}: bad time range {part.strip()!r} in {value!r} "
                              "(expected HH:MM-HH:MM, several separated by commas, or closed)")
        start_h, start_m, end_h, end_m = (int(g) for g in match.groups())
        if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
            raise _fail(path, f"hours.{day}: bad time in {part.strip()!r} (hours 00-23, minutes 00-59; "
                              "24:00 only as an end)")
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if end <= start:
            raise _fail(path, f"hours.{day}: range {part.strip()!r} ends before it starts "
                              "(a range cannot cross midnight: split it over two days)")
        ranges.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse_holidays(path: Path, value: Any) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _fail(path, f"holidays: expected a list of dates (YYYY-MM-DD), got {value!r}")
    days: set[date] = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(str(item).strip()))
        except ValueError:
            raise _fail(path, f"holidays: {item!r} is not a date (expected YYYY-MM-DD)") from None
    return frozenset(days)


def _parse_timezone(path: Path, value: Any) -> ZoneInfo:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, f"timezone: expected an IANA time zone name such as Europe/London, got {value!r}")
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(path, f"timezone: unknown time zone {value!r} (use an IANA name such as "
                          "Europe/London, America/New_York or Asia/Tokyo)") from None


def _parse_weekly(path: Path, value: Any) -> tuple[Ranges, ...]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"hours: expected a mapping of weekday to hours (monday: \"09:00-18:00\"), "
                          f"got {value!r}")
    weekly: list[Ranges] = [()] * 7
    for key, ranges in value.items():
        day = str(key).strip().lower()
        if day not in DAYS:
            raise _fail(path, f"hours: unknown day {key!r} (expected one of {', '.join(DAYS)})")
        weekly[DAYS.index(day)] = _parse_ranges(path, day, ranges)
    return tuple(weekly)


def _check_keys(path: Path, keys: Iterable[Any]) -> None:
    unknown = [str(k) for k in keys if k not in _KEYS]
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))} (expected {', '.join(_KEYS)})")


def load_business_hours(path: Path | str = DEFAULT_BUSINESS_HOURS_FILE) -> BusinessHours:
    """Read and validate a business-hours file; ``ValueError`` names the file and the bad key or value."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"business hours file not found: {path}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail(path, f"not valid YAML ({exc})") from exc
    if not isinstance(data, Mapping):
        raise _fail(path, "expected a mapping with timezone, reply_within_hours, hours and holidays")
    _check_keys(path, data.keys())
    for key in ("timezone", "hours"):
        if key not in data:
            raise _fail(path, f"missing required key {key!r}")
    reply = data.get("reply_within_hours", 24)
    if isinstance(reply, bool) or not isinstance(reply, int) or reply <= 0:
        raise _fail(path, f"reply_within_hours: expected a positive whole number of hours, got {reply!r}")
    hours = BusinessHours(
        timezone=_parse_timezone(path, data["timezone"]),
        reply_within_hours=reply,
        weekly=_parse_weekly(path, data["hours"]),
        holidays=_parse_holidays(path, data.get("holidays")),
        source=path,
    )
    if hours.never_open:
        logger.warning("%s: no day has opening hours; support is never online", path)
    return hours
