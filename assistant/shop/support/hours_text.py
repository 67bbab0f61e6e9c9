"""Support hours as a shopper reads them, rendered from ``business_hours.yml`` when they are said.

Every sentence that states the support team's hours (handoff notices, the knowledge base's
``{{support_hours}}`` placeholder, the console) comes from here, so changing the schedule file
changes all of them at once:

    describe_hours(hours, now, "en")
    # 'Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Europe/London time),
    #  closed on Fri 25 Dec 2026 and Sat 26 Dec 2026'
    describe_opening(hours.next_opening(now), hours, "ja")
    # '2026年12月7日（月） 9:00（Europe/London 時間）'

Days with the same hours are grouped ("Monday to Friday"), times are the shop's wall-clock times
in its time zone, and holidays in the next few weeks are named in the shopper's date format.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import List, Optional, Sequence

from assistant.i18n.phrases import current_language, local_day, phrase
from assistant.shop.support.business_hours import DAY_MINUTES, BusinessHours, Ranges

PLACEHOLDER = "{{support_hours}}"
HOLIDAY_HORIZON_DAYS = 42
MAX_HOLIDAYS_NAMED = 3


def _clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"


def _ranges_text(ranges: Ranges, language: str) -> str:
    parts = [phrase("hours.range", language, start=_clock(start), end=_clock(end)) for start, end in ranges]
    return phrase("hours.ranges_joiner", language).join(parts)


def _join(items: Sequence[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    last = phrase("hours.last_joiner", language)
    return phrase("hours.joiner", language).join(items[:-1]) + last + items[-1]


def _day_groups(weekly: Sequence[Ranges]) -> List[tuple[int, int, Ranges]]:
    """(first weekday, last weekday, ranges) for runs of consecutive open days with the same hours."""
    groups: List[tuple[int, int, Ranges]] = []
    for day, ranges in enumerate(weekly):
        if not ranges:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    return groups


def _upcoming_holidays(hours: BusinessHours, today: date) -> List[date]:
    until = today + timedelta(days=HOLIDAY_HORIZON_DAYS)
    return sorted(d for d in hours.holidays if today <= d <= until)[:MAX_HOLIDAYS_NAMED]


def describe_hours(hours: BusinessHours, at: datetime, language: Optional[str] = None) -> str:
    """The weekly hours in ``language`` with the time zone and the holidays coming up after ``at``."""
    language = language or current_language()
    zone = hours.timezone.key
    if hours.never_open:
        return phrase("hours.never", language)
    if all(day == ((0, DAY_MINUTES),) for day in hours.weekly):
        text = phrase("hours.always", language)
    else:
        names = phrase("hours.day_names", language).split()
        groups = []
        for first, last, ranges in _day_groups(hours.weekly):
            days = names[first] if first == last else phrase("hours.through", language, first=names[first],
                                                              last=names[last])
            groups.append(phrase("hours.day_hours", language, days=days, hours=_ranges_text(ranges, language)))
        text = _join(groups, language) + phrase("hours.zone", language, zone=zone)
    holidays = _upcoming_holidays(hours, hours.local(at).date())
    if holidays:
        dates = [local_day(d, language) for d in holidays]
        text += phrase("hours.closed_on", language, dates=_join(dates, language))
    return text


def describe_opening(opening: Optional[datetime], hours: BusinessHours, language: Optional[str] = None) -> str:
    """When the team is next online, in the shop's time zone and the shopper's date format."""
    language = language or current_language()
    if opening is None:
        return phrase("handoff.next_open_unknown", language)
    local = hours.local(opening)
    return phrase("hours.at", language, day=local_day(local.date(), language), time=_clock(local.hour * 60 + local.minute),
                  zone=hours.timezone.key)


def fill_support_hours(text: str, hours: BusinessHours, at: datetime, language: Optional[str] = None) -> str:
    """``text`` (a knowledge-base passage) with its ``{{support_hours}}`` placeholders rendered."""
    if PLACEHOLDER not in text:
        return text
    return text.replace(PLACEHOLDER, describe_hours(hours, at, language))

