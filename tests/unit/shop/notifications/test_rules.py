"""Quiet hours, the messengers' 24-hour windows and the notification texts in every language."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from assistant.i18n.languages import LANGUAGES
from assistant.shop.notifications.events import KINDS
from assistant.shop.notifications.messages import messages, render
from assistant.shop.notifications.rules import MESSENGER_TAG, QuietHours, hold_until, route

UTC = timezone.utc
QUIET = QuietHours.parse("21:00-08:00", "Europe/Berlin")


def berlin(hour: int, minute: int = 0, day: int = 12) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2025, 3, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


@pytest.mark.parametrize(("hour", "quiet"), [(20, False), (21, True), (23, True), (3, True), (7, True), (8, False),
                                             (12, False)])
def test_quiet_hours_cross_midnight_in_the_shops_time_zone(hour: int, quiet: bool) -> None:
    assert QUIET.contains(berlin(hour, 30 if hour == 7 else 0)) is quiet


def test_a_notification_in_quiet_hours_is_held_until_they_end_unless_urgent() -> None:
    assert hold_until(berlin(23), QUIET, urgent=False) == berlin(8, day=13)
    assert hold_until(berlin(3), QUIET, urgent=False) == berlin(8)
    assert hold_until(berlin(23), QUIET, urgent=True) is None
    assert hold_until(berlin(12), QUIET, urgent=False) is None
    assert hold_until(berlin(23), None, urgent=False) is None


def test_quiet_hours_across_a_daylight_saving_change_end_at_local_eight() -> None:
    # Europe/Berlin moves to summer time in the night of 29-30 March 2025
    assert hold_until(berlin(22, day=29), QUIET, urgent=False) == berlin(8, day=30)


@pytest.mark.parametrize("text", ["21-08", "25:00-08:00", "nonsense"])
def test_bad_quiet_hours_are_refused_with_the_expected_format(text: str) -> None:
    with pytest.raises(ValueError, match="21:00-08:00|00:00"):
        QuietHours.parse(text, "UTC")


def test_empty_quiet_hours_mean_none() -> None:
    assert QuietHours.parse("", "UTC") is None


NOW = datetime(2025, 3, 12, 12, tzinfo=UTC)


def test_messenger_inside_the_window_is_a_message_and_outside_a_tagged_update() -> None:
    assert route("facebook", "facebook:123", NOW - timedelta(hours=23), NOW).mode == "message"
    late = route("facebook", "facebook:123", NOW - timedelta(hours=25), NOW)
    assert late.send and late.mode == f"tag:{MESSENGER_TAG}"


def test_whatsapp_outside_the_window_needs_a_template_else_it_is_skipped() -> None:
    assert route("twilio", "whatsapp:+4915112345678", NOW - timedelta(hours=2), NOW).mode == "message"
    old = NOW - timedelta(days=3)
    assert route("twilio", "whatsapp:+4915112345678", old, NOW, whatsapp_template="HX123").mode == "template:HX123"
    skipped = route("twilio", "whatsapp:+4915112345678", old, NOW)
    assert not skipped.send and "template" in skipped.reason


def test_telegram_and_sms_have_no_window_the_widget_a_recent_session_and_rest_cannot_be_pushed_to() -> None:
    old = NOW - timedelta(days=10)
    assert route("telegram", "telegram:42", old, NOW).send
    assert route("twilio", "sms:+4915112345678", old, NOW).send
    assert route("socketio", "web:" + "a" * 32, old, NOW).send
    assert not route("socketio", "web:" + "a" * 32, NOW - timedelta(days=31), NOW).send
    assert not route("socketio", "web:" + "a" * 32, None, NOW).send
    assert not route("rest", "shopper-1", NOW, NOW).send


def test_every_text_exists_in_every_language() -> None:
    table = messages()
    for kind in KINDS:
        for part in ("subject", "text"):
            assert set(table[kind][part]) == set(LANGUAGES), (kind, part)
    for key in ("stop_hint", "stop_button", "email_footer"):
        assert set(table[key]) == set(LANGUAGES), key


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_notification_renders_with_no_placeholder_left(kind: str, language: str) -> None:
    payload = {"order_id": "SO100002", "carrier": "UPS", "tracking_number": "1Z999", "tracking_url": "https://t/1Z999",
               "estimated_delivery": "2025-03-20", "return_by": "2025-04-11", "amount": "45.95", "currency": "USD"}
    note = render(kind, payload, language)
    assert "SO100002" in note.text and "{" not in note.text + note.subject
    assert note.language == language


def test_an_unknown_language_falls_back_to_english() -> None:
    assert render("shipped", {"order_id": "SO1"}, "xx").language == "en"
