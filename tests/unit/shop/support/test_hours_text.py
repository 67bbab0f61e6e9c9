"""Support hours as the bot states them: rendered from business_hours.yml, in four languages."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from assistant.shop.support.business_hours import (
    DEFAULT_BUSINESS_HOURS_FILE,
    BusinessHours,
    load_business_hours,
)
from assistant.shop.support.hours_text import describe_hours, describe_opening, fill_support_hours

UTC = timezone.utc
WEEKDAYS = {day: "09:00-18:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def hours_file(tmp_path: Path, **data) -> BusinessHours:
    data.setdefault("timezone", "Europe/London")
    data.setdefault("hours", {**WEEKDAYS, "saturday": "10:00-14:00"})
    path = tmp_path / "business_hours.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_business_hours(path)


@pytest.fixture()
def london(tmp_path: Path) -> BusinessHours:
    return hours_file(tmp_path, holidays=["2026-12-25", "2026-12-26", "2027-01-01"])


WEDNESDAY = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 8, 30, tzinfo=UTC)   # before Saturday opening in London
SUNDAY = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
HOLIDAY = datetime(2026, 12, 25, 11, 0, tzinfo=UTC)   # Christmas Day, a Friday


def test_english_groups_days_and_names_saturday_and_zone(london):
    text = describe_hours(london, datetime(2026, 11, 2, 12, 0, tzinfo=UTC), "en")
    assert text == "Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Europe/London time)"


def test_upcoming_holidays_are_named_in_the_shoppers_date_format(london):
    assert describe_hours(london, WEDNESDAY, "en").endswith(
        "(Europe/London time), closed on Fri 25 Dec 2026, Sat 26 Dec 2026 and Fri 1 Jan 2027")
    zh = describe_hours(london, WEDNESDAY, "zh-Hans")
    assert zh.startswith("周一至周五 9:00–18:00、周六 10:00–14:00（Europe/London 时间）")
    assert "2026年12月25日（周五）" in zh and zh.endswith("休息")
    hant = describe_hours(london, WEDNESDAY, "zh-Hant")
    assert hant.startswith("週一至週五 9:00–18:00、週六 10:00–14:00（Europe/London 時間）")
    assert "2026年12月25日（週五）" in hant
    ja = describe_hours(london, WEDNESDAY, "ja")
    assert ja.startswith("月曜〜金曜 9:00〜18:00、土曜 10:00〜14:00（Europe/London 時間）")
    assert "2026年12月25日（金）" in ja and ja.endswith("は休業")


def test_next_opening_on_a_saturday_morning_is_the_same_day(london):
    opening = london.next_opening(SATURDAY)
    assert describe_opening(opening, london, "en") == "Sat 5 Dec 2026 at 10:00 (Europe/London time)"
    assert describe_opening(opening, london, "ja") == "2026年12月5日（土） 10:00（Europe/London 時間）"


def test_next_opening_on_a_sunday_is_monday(london):
    opening = london.next_opening(SUNDAY)
    assert describe_opening(opening, london, "zh-Hans") == "2026年12月7日（周一） 9:00（Europe/London 时间）"


def test_next_opening_on_a_holiday_skips_it(london):
    opening = london.next_opening(HOLIDAY)
    assert describe_opening(opening, london, "zh-Hant") == "2026年12月28日（週一） 9:00（Europe/London 時間）"


def test_another_time_zone_and_split_hours(tmp_path):
    tokyo = hours_file(tmp_path, timezone="Asia/Tokyo",
                       hours={"monday": "09:00-12:00, 13:00-17:30", "wednesday": "09:00-12:00, 13:00-17:30",
                              "friday": "10:00-16:00"})
    assert describe_hours(tokyo, WEDNESDAY, "en") == (
        "Monday 9:00–12:00 and 13:00–17:30, Wednesday 9:00–12:00 and 13:00–17:30 and Friday 10:00–16:00 "
        "(Asia/Tokyo time)")
    # Wednesday 12:00 UTC is 21:00 in Tokyo: closed until Friday 10:00 local
    assert describe_opening(tokyo.next_opening(WEDNESDAY), tokyo, "ja") == "2026年12月4日（金） 10:00（Asia/Tokyo 時間）"


def test_always_and_never_open(tmp_path):
    always = BusinessHours.always()
    assert describe_hours(always, WEDNESDAY, "en") == "around the clock, every day"
    never = hours_file(tmp_path, hours={})
    assert "email" in describe_hours(never, WEDNESDAY, "en")
    assert describe_opening(None, never, "en") == "as soon as possible"


def test_placeholder_in_a_passage_follows_the_file(tmp_path):
    passage = "Our team answers {{support_hours}}. The chat is available 24/7."
    first = hours_file(tmp_path)
    assert fill_support_hours(passage, first, WEDNESDAY, "en") == (
        "Our team answers Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Europe/London time). "
        "The chat is available 24/7.")
    changed = hours_file(tmp_path, timezone="America/New_York", hours={"tuesday": "08:00-20:00"})
    assert fill_support_hours(passage, changed, WEDNESDAY, "en") == (
        "Our team answers Tuesday 8:00–20:00 (America/New_York time). The chat is available 24/7.")
    assert fill_support_hours("no placeholder", changed, WEDNESDAY, "en") == "no placeholder"


def test_shipped_schedule_is_what_the_bot_says():
    shipped = load_business_hours(DEFAULT_BUSINESS_HOURS_FILE)
    text = describe_hours(shipped, datetime(2026, 11, 2, 12, 0, tzinfo=UTC), "en")
    assert text == "Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Europe/London time)"
