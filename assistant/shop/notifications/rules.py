"""When and how a notification may go out: quiet hours, the messengers' 24-hour windows, reachable targets.

Pure functions over plain values (no database), so each rule is tested alone.

- **Quiet hours** (``NOTIFY_QUIET_HOURS``, e.g. ``21:00-08:00`` in ``NOTIFY_TIMEZONE``): a notification
  that falls inside is held until they end; an urgent one (a delay) goes out anyway.
- **Facebook Messenger** allows a free message only within 24 hours of the shopper's last message; after
  that a message needs a tag: order updates use ``POST_PURCHASE_UPDATE``.
- **WhatsApp** (through Twilio) allows free text only within 24 hours too; after that only a pre-approved
  template (``NOTIFY_WHATSAPP_TEMPLATE_SID``). Without one the target is skipped and email takes over.
- **Telegram and SMS** have no window. **The web widget** gets it while its conversation is recent
  (``NOTIFY_WEB_SESSION_DAYS``): the message is in the transcript, and the widget shows it when it is open.
- **REST** conversations cannot be pushed to (the caller only gets replies to its own requests).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MESSAGING_WINDOW = timedelta(hours=24)
MESSENGER_TAG = "POST_PURCHASE_UPDATE"
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily period (it may cross midnight) in ``zone``; ``start == end`` means none."""

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, text: str, zone: str) -> QuietHours | None:
        """``"21:00-08:00"`` in ``zone``; an empty text means no quiet hours (None)."""
        if not text.strip():
            return None
        match = _CLOCK.match(text)
        if not match:
            raise ValueError(f"quiet hours must look like 21:00-08:00, got {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"quiet hours must use times between 00:00 and 23:59, got {text!r}")
        return cls(time(h1, m1), time(h2, m2), ZoneInfo(zone))

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """The first instant after ``moment`` at which these quiet hours are over (UTC)."""
        local = moment.astimezone(self.zone)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end = (local + timedelta(days=1)).replace(hour=self.end.hour, minute=self.end.minute,
                                                      second=0, microsecond=0)
        # re-localise: a DST change between today and tomorrow must not shift the wall time
        end = datetime(end.year, end.month, end.day, end.hour, end.minute, tzinfo=self.zone)
        return end.astimezone(timezone.utc)


def hold_until(now: datetime, quiet: QuietHours | None, urgent: bool) -> datetime | None:
    """When a notification due ``now`` may go out, or None for right away."""
    if quiet is None or urgent or not quiet.contains(now):
        return None
    return quiet.ends_after(now)


@dataclass(frozen=True)
class Route:
    """How one linked conversation gets a notification, or why it does not."""

    send: bool
    mode: str = "message"        # message | tag:<tag> | template:<sid>
    reason: str = ""             # why not, when ``send`` is False


def channel_kind(channel: str, conversation_id: str) -> str:
    """``socketio``, ``telegram``, ``facebook``, ``whatsapp``, ``sms``, ``rest`` or the channel itself."""
    if channel == "twilio":
        return "whatsapp" if conversation_id.startswith("whatsapp:") else "sms"
    return channel


def route(channel: str, conversation_id: str, last_active: datetime | None, now: datetime, *,
          whatsapp_template: str = "", web_session_days: int = 30) -> Route:
    """Whether and how to reach ``conversation_id`` on ``channel`` given the shopper's last activity."""
    kind = channel_kind(channel, conversation_id)
    inside = last_active is not None and now - last_active <= MESSAGING_WINDOW
    if kind in ("telegram", "sms"):
        return Route(True)
    if kind == "socketio":
        if last_active is None or now - last_active > timedelta(days=web_session_days):
            return Route(False, reason="web conversation too old")
        return Route(True)
    if kind == "facebook":
        return Route(True) if inside else Route(True, mode=f"tag:{MESSENGER_TAG}")
    if kind == "whatsapp":
        if inside:
            return Route(True)
        if whatsapp_template:
            return Route(True, mode=f"template:{whatsapp_template}")
        return Route(False, reason="outside the 24-hour window and no template configured")
    return Route(False, reason=f"the {channel} channel cannot receive messages it did not ask for")
