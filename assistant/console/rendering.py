"""Rendering helpers shared by the console's pages: templates, masked text, times."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, List

from aiohttp import web
from markupsafe import Markup, escape

from assistant.console.keys import SETTINGS, TEMPLATES
from assistant.shop.support.pii import default_placeholder as placeholder
from assistant.shop.support.pii import find_pii, mask_pii

KIND_LABELS = {"email": "email", "phone": "phone number", "card": "card number", "address": "address"}


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """Renders ``template`` with the logged-in agent, CSRF token and shop name available."""
    environment = request.config_dict[TEMPLATES]
    html = environment.get_template(template).render(
        agent=request.get("agent"), csrf_token=request.get("csrf_token", ""),
        shop_name=request.config_dict[SETTINGS].shop_name, path=request.path, **context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store"})


def masked_html(text: str, reveal_url: str = "") -> Markup:
    """``text`` escaped, each piece of personal data replaced by a reveal button (or a plain mask)."""
    spans = find_pii(text)
    parts: List[str] = []
    cursor = 0
    for index, span in enumerate(spans):
        parts.append(str(escape(text[cursor:span.start])))
        label = escape(placeholder(span))
        if reveal_url:
            parts.append(
                f'<button type="button" class="pii" data-reveal-url="{escape(reveal_url)}" data-index="{index}" '
                f'aria-label="Hidden {escape(KIND_LABELS.get(span.kind, span.kind))}: reveal (logged)">{label}</button>')
        else:
            parts.append(f'<span class="pii-masked">{label}</span>')
        cursor = span.end
    parts.append(str(escape(text[cursor:])))
    return Markup("".join(parts))


def masked_text(text: str) -> str:
    return mask_pii(text or "")


def ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return ""
    seconds = int(((now or datetime.now(timezone.utc)) - value).total_seconds())
    return duration(timedelta(seconds=max(0, seconds)))


def duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def stamp(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def template_filters() -> Dict[str, Callable[..., Any]]:
    return {"masked": masked_text, "ago": ago, "stamp": stamp, "duration": duration}
