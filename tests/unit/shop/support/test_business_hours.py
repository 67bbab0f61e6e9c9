from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from assistant.shop.support.business_hours import (
    DEFAULT_BUSINESS_HOURS_FILE,
    BusinessHours,
    load_business_hours,
)

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = timezone.utc
WEEKDAYS = {day: "09:00-18:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write_hours(tmp_path: Path, text: str | None = None, **data) -> Path:
    path = tmp_path / "business_hours.yml"
    if text is None:
        data.setdefault("timezone", "Europe/London")
        data.setdefault("hours", dict(WEEKDAYS))
        text = yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped() -> BusinessHours:
    return load_business_hours(DEFAULT_BUSINESS_HOURS_FILE)


# --- the shipped file -----------------------------------------------------------------------------------


def test_shipped_file(shipped: BusinessHours) -> None:
    assert shipped.timezone == LONDON
    assert shipped.reply_within_hours == 24
    assert shipped.weekly[0] == ((9 * 60, 18 * 60),)
    assert shipped.weekly[5] == ((10 * 60, 14 * 60),)
    assert shipped.weekly[6] == ()
    assert shipped.holidays == {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
    assert not shipped.always_open and shipped.source == DEFAULT_BUSINESS_HOURS_FILE


def test_winter_hours_are_utc_in_london(shipped: BusinessHours) -> None:
    # Wednesday 14 January 2026: London is on GMT (UTC+0).
    assert not shipped.is_open(utc(2026, 1, 14, 8, 59, 59))
    assert shipped.is_open(utc(2026, 1, 14, 9, 0))
    assert shipped.is_open(utc(2026, 1, 14, 17, 59, 59))
    assert not shipped.is_open(utc(2026, 1, 14, 18, 0))


def test_summer_hours_follow_daylight_saving(shipped: BusinessHours) -> None:
    # Wednesday 15 July 2026: London is on BST (UTC+1), so 09:00-18:00 local is 08:00-17:00 UTC.
    assert not shipped.is_open(utc(2026, 7, 15, 7, 59))
    assert shipped.is_open(utc(2026, 7, 15, 8, 0))
    assert shipped.is_open(utc(2026, 7, 15, 16, 59))
    assert not shipped.is_open(utc(2026, 7, 15, 17, 0))


def test_any_time_zone_and_naive_utc(shipped: BusinessHours) -> None:
    new_york = ZoneInfo("America/New_York")
    assert shipped.is_open(datetime(2026, 7, 15, 10, 0, tzinfo=new_york))  # 15:00 in London
    assert not shipped.is_open(datetime(2026, 7, 15, 14, 0, tzinfo=new_york))  # 19:00 in London
    assert not shipped.is_open(datetime(2026, 7, 15, 9, 0, tzinfo=TOKYO))  # 01:00 in London
    assert shipped.is_open(datetime(2026, 1, 14, 12, 0))  # naive: taken as UTC
    assert not shipped.is_open(datetime(2026, 1, 14, 20, 0))


def test_saturday_short_day_and_closed_sunday(shipped: BusinessHours) -> None:
    assert shipped.is_open(utc(2026, 1, 17, 10, 30))  # Saturday
    assert not shipped.is_open(utc(2026, 1, 17, 14, 0))
    assert not shipped.is_open(utc(2026, 1, 18, 12, 0))  # Sunday


def test_holidays_are_closed_all_day(shipped: BusinessHours) -> None:
    assert not shipped.is_open(utc(2026, 12, 25, 12, 0))  # a Friday
    assert not shipped.is_open(utc(2027, 1, 1, 12, 0))
    assert shipped.is_open(utc(2026, 12, 24, 12, 0))


# --- next opening ---------------------------------------------------------------------------------------


def test_next_opening_over_a_weekend(shipped: BusinessHours) -> None:
    opening = shipped.next_opening(utc(2026, 1, 17, 15, 0))  # Saturday after closing
    assert opening == datetime(2026, 1, 19, 9, 0, tzinfo=LONDON)
    assert opening is not None and opening.tzinfo == LONDON
    assert shipped.next_opening(utc(2026, 1, 16, 18, 30)) == datetime(2026, 1, 17, 10, 0, tzinfo=LONDON)


def test_next_opening_later_the_same_day(shipped: BusinessHours) -> None:
    assert shipped.next_opening(utc(2026, 1, 14, 6, 15)) == datetime(2026, 1, 14, 9, 0, tzinfo=LONDON)
    assert shipped.next_opening(utc(2026, 1, 17, 9, 59)) == datetime(2026, 1, 17, 10, 0, tzinfo=LONDON)


def test_next_opening_while_open_is_now(shipped: BusinessHours) -> None:
    now = utc(2026, 1, 14, 12, 0)
    opening = shipped.next_opening(now)
    assert opening == now and opening.tzinfo == LONDON


def test_next_opening_skips_holidays(shipped: BusinessHours) -> None:
    # Thu 24 Dec after closing; 25 (Fri) and 26 (Sat) are holidays, 27 is Sunday.
    assert shipped.next_opening(utc(2026, 12, 24, 18, 30)) == datetime(2026, 12, 28, 9, 0, tzinfo=LONDON)


def test_next_opening_across_the_spring_dst_change(shipped: BusinessHours) -> None:
    # Clocks go forward on Sunday 29 March 2026; Monday opens at 09:00 BST = 08:00 UTC.
    opening = shipped.next_opening(utc(2026, 3, 28, 15, 0))
    assert opening == utc(2026, 3, 30, 8, 0)
    assert opening is not None and opening.utcoffset() == timedelta(hours=1)


def test_next_opening_across_the_autumn_dst_change(shipped: BusinessHours) -> None:
    # Clocks go back on Sunday 25 October 2026; Monday opens at 09:00 GMT = 09:00 UTC.
    opening = shipped.next_opening(utc(2026, 10, 24, 16, 0))
    assert opening == utc(2026, 10, 26, 9, 0)
    assert opening is not None and opening.utcoffset() == timedelta(0)


def test_opening_inside_the_skipped_hour(tmp_path: Path) -> None:
    hours = load_business_hours(write_hours(tmp_path, hours={"sunday": "01:30-03:00"}))
    # 01:30 does not exist in London on 29 March 2026: the shop opens when the clocks say 02:00.
    opening = hours.next_opening(utc(2026, 3, 29, 0, 30))
    assert opening == utc(2026, 3, 29, 1, 0)
    assert hours.is_open(utc(2026, 3, 29, 1, 45))  # 02:45 BST
    assert not hours.is_open(utc(2026, 3, 29, 2, 0))  # 03:00 BST


def test_never_open(tmp_path: Path) -> None:
    hours = load_business_hours(write_hours(tmp_path, hours={"monday": "closed"}))
    assert hours.never_open and not hours.is_open(utc(2026, 1, 12, 12, 0))
    assert hours.next_opening(utc(2026, 1, 12, 12, 0)) is None


# --- file format ----------------------------------------------------------------------------------------


def test_several_ranges_per_day(tmp_path: Path) -> None:
    hours = load_business_hours(write_hours(tmp_path, hours={"monday": "09:00-12:00, 13:00-18:00"}))
    assert hours.weekly[0] == ((540, 720), (780, 1080))
    assert hours.is_open(utc(2026, 1, 12, 11, 59))
    assert not hours.is_open(utc(2026, 1, 12, 12, 30))
    assert hours.next_opening(utc(2026, 1, 12, 12, 30)) == datetime(2026, 1, 12, 13, 0, tzinfo=LONDON)
    assert hours.next_opening(utc(2026, 1, 12, 18, 0)) == datetime(2026, 1, 19, 9, 0, tzinfo=LONDON)


def test_overlapping_ranges_are_merged(tmp_path: Path) -> None:
    hours = load_business_hours(write_hours(tmp_path, hours={"monday": "13:00-18:00,09:00-14:00"}))
    assert hours.weekly[0] == ((540, 1080),)


def test_whole_day_and_always_open(tmp_path: Path) -> None:
    every_day = {day: "00:00-24:00" for day in
                 ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
    hours = load_business_hours(write_hours(tmp_path, timezone="Asia/Tokyo", hours=every_day))
    assert hours.always_open
    assert hours.is_open(datetime(2026, 5, 5, 23, 59, 59, tzinfo=TOKYO))
    assert hours.is_open(datetime(2026, 5, 6, 0, 0, tzinfo=TOKYO))


def test_always_constructor() -> None:
    hours = BusinessHours.always()
    assert hours.always_open and hours.timezone == ZoneInfo("UTC") and hours.reply_within_hours == 24
    now = utc(2026, 12, 25, 3, 0)
    assert hours.is_open(now) and hours.next_opening(now) == now
    assert BusinessHours.always("Asia/Tokyo", 4).reply_within_hours == 4


def test_holidays_make_a_24_7_shop_not_always_open(tmp_path: Path) -> None:
    every_day = {day: "00:00-24:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                                "saturday", "sunday")}
    hours = load_business_hours(write_hours(tmp_path, hours=every_day, holidays=["2026-12-25"]))
    assert not hours.always_open
    assert hours.next_opening(utc(2026, 12, 25, 10, 0)) == datetime(2026, 12, 26, 0, 0, tzinfo=LONDON)


def test_yaml_details(tmp_path: Path) -> None:
    path = write_hours(tmp_path, text=(
        "timezone: Asia/Tokyo\n"
        "hours:\n  Monday: '9:00-17:30'\n  tuesday: off\n  wednesday:\n"
        "holidays: [2026-05-05, '2026-05-06']\n"
    ))
    hours = load_business_hours(str(path))
    assert hours.reply_within_hours == 24  # the default
    assert hours.weekly[0] == ((540, 1050),) and hours.weekly[1] == () and hours.weekly[2] == ()
    assert hours.weekly[3] == ()  # days left out are closed
    assert hours.holidays == {date(2026, 5, 5), date(2026, 5, 6)}


def test_is_frozen(shipped: BusinessHours) -> None:
    with pytest.raises(AttributeError):
        shipped.reply_within_hours = 1  # type: ignore[misc]


@pytest.mark.parametrize("changes, expected", [
    ({"hours": {"funday": "09:00-18:00"}}, "unknown day 'funday'"),
    ({"hours": {"monday": "9am-5pm"}}, "hours.monday: bad time range '9am-5pm'"),
    ({"hours": {"monday": "25:00-26:00"}}, "hours.monday: bad time"),
    ({"hours": {"monday": "09:60-10:00"}}, "hours.monday: bad time"),
    ({"hours": {"monday": "24:00-24:00"}}, "hours.monday: bad time"),
    ({"hours": {"monday": "09:00-24:30"}}, "hours.monday: bad time"),
    ({"hours": {"friday": "18:00-09:00"}}, "hours.friday: range '18:00-09:00' ends before it starts"),
    ({"hours": {"friday": "09:00-09:00"}}, "ends before it starts"),
    ({"hours": {"monday": 9}}, "hours.monday: expected a string"),
    ({"hours": ["09:00-18:00"]}, "hours: expected a mapping"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone: unknown time zone 'Mars/Olympus_Mons'"),
    ({"timezone": "../etc/passwd"}, "timezone: unknown time zone"),
    ({"timezone": 5}, "timezone: expected an IANA time zone name"),
    ({"holidays": ["2026-13-01"]}, "holidays: '2026-13-01' is not a date"),
    ({"holidays": "2026-12-25"}, "holidays: expected a list"),
    ({"reply_within_hours": -3}, "reply_within_hours: expected a positive whole number"),
    ({"reply_within_hours": "soon"}, "reply_within_hours"),
    ({"reply_within_hours": True}, "reply_within_hours"),
    ({"opening": "always"}, "unknown key(s) opening"),
])
def test_bad_files_name_the_file_and_the_problem(tmp_path: Path, changes: dict, expected: str) -> None:
    path = write_hours(tmp_path, **changes)
    with pytest.raises(ValueError) as error:
        load_business_hours(path)
    message = str(error.value)
    assert str(path) in message and expected in message, message


@pytest.mark.parametrize("text, expected", [
    ("hours:\n  monday: '09:00-18:00'\n", "missing required key 'timezone'"),
    ("timezone: UTC\n", "missing required key 'hours'"),
    ("- just\n- a list\n", "expected a mapping"),
    ("timezone: [unclosed\n", "not valid YAML"),
])
def test_malformed_files(tmp_path: Path, text: str, expected: str) -> None:
    path = write_hours(tmp_path, text=text)
    with pytest.raises(ValueError, match="business_hours.yml") as error:
        load_business_hours(path)
    assert expected in str(error.value)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere.yml"):
        load_business_hours(tmp_path / "nowhere.yml")
