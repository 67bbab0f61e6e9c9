"""The chat widget's routes on the console app: its files, the history API and the demo shop.

| route | what it serves |
| --- | --- |
| ``GET /shop`` | the demo shop: products from the catalogue, with the widget embedded as README shows |
| ``GET /shop/product/{sku}`` | one product's page, with the widget |
| ``GET /widget/widget.js``, ``/widget/widget.css`` | our widget (``src/``), gzip when the browser accepts it |
| ``GET /widget/socket.io.min.js`` | the pinned socket.io client from npm (``node_modules``, installed by setup) |
| ``GET /widget/api/history?session_id=`` | the last 50 user, bot and agent messages of a conversation, from Rasa's tracker |
| ``GET /widget/api/history?session_id=&since=<ts>`` | the messages after the widget's cursor (oldest first, at most 200, ``more`` when cut) |

Files and the history API send ``Access-Control-Allow-Origin: *``: a shop embeds the widget on its own origin.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import jinja2
from aiohttp import web

from assistant.console.keys import RASA, SETTINGS, SHOP
from assistant.console.rasa_client import RasaUnavailable
from assistant.i18n.formatting import money
from assistant.i18n.languages import DEFAULT_LANGUAGE
from assistant.runtime.sessions import valid_web_session
from assistant.runtime.settings import Settings
from assistant.shop.commerce.catalog import ProductView

logger = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parent
SOURCE_DIR = WIDGET_DIR / "src"
TEMPLATE_DIR = WIDGET_DIR / "templates"
SOCKETIO_CLIENT = WIDGET_DIR / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

HISTORY_LIMIT = 50
MISSED_LIMIT = 200
# Events are stored in the order they are appended, but their timestamps are taken a moment before
# (an agent's reply is stamped by the console): a fetch "since" a cursor also returns the last few
# seconds before it, and the widget drops what it already shows by the message's key.
LATE_SECONDS = 5.0
SHOP_PRODUCTS = 24
SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
CORS = {"Access-Control-Allow-Origin": "*"}

PAGES: web.AppKey[jinja2.Environment] = web.AppKey("widget_pages")  # the demo shop's templates


@dataclass(frozen=True)
class Asset:
    path: Path
    content_type: str
    missing_hint: str = ""


ASSETS: Dict[str, Asset] = {
    "widget.js": Asset(SOURCE_DIR / "widget.js", "application/javascript"),
    "widget.css": Asset(SOURCE_DIR / "widget.css", "text/css"),
    "socket.io.min.js": Asset(SOCKETIO_CLIENT, "application/javascript",
                              "the socket.io client is not installed: run `make setup` "
                              "(it runs `npm ci --prefix assistant/console/widget`)"),
}


# ---- conversation history ----------------------------------------------------------------------

def transcript(events: Iterable[Mapping[str, Any]], limit: Optional[int] = HISTORY_LIMIT) -> List[Dict[str, Any]]:
    """The shopper-visible messages of a Rasa tracker's events, oldest first, at most ``limit`` (the last).
    A user message keeps its ``message_id`` (the widget's own id for what it sent).

    A user message that is a button payload (``/intent{...}``) shows as the button's title,
    or is skipped when no earlier button had that payload.
    """
    messages: List[Dict[str, Any]] = []
    titles: Dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = str(event.get("text") or "").strip()
            if text.startswith("/"):
                text = titles.get(text, "")
            if text:
                message = {"role": "user", "text": text, "timestamp": event.get("timestamp")}
                if isinstance(event.get("message_id"), str):
                    message["message_id"] = event["message_id"]
                messages.append(message)
        elif kind == "bot":
            message = _bot_message(event)
            if message is not None:
                titles.update({r["payload"]: r["title"] for r in message.get("quick_replies", [])})
                messages.append(message)
    return messages if limit is None else messages[-limit:]


def missed(events: Iterable[Mapping[str, Any]], since: float,
           limit: int = MISSED_LIMIT) -> Tuple[List[Dict[str, Any]], bool]:
    """The messages stamped after ``since`` (less :data:`LATE_SECONDS`), oldest first, at most ``limit``,
    and whether more follow (the widget then asks again from the last one's timestamp)."""
    after = since - LATE_SECONDS
    found = [m for m in transcript(events, None) if _stamp(m) > after]
    return found[:limit], len(found) > limit


def _stamp(message: Mapping[str, Any]) -> float:
    value = message.get("timestamp")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def parse_since(value: Optional[str]) -> Optional[float]:
    """``since`` as a timestamp (seconds since 1970), or None when it is not a finite, non-negative number."""
    try:
        since = float(value or "")
    except ValueError:
        return None
    return since if math.isfinite(since) and 0 <= since < 1e11 else None


def _bot_message(event: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    data = event.get("data") or {}
    metadata = event.get("metadata") or {}
    message: Dict[str, Any] = {"role": "bot", "timestamp": event.get("timestamp")}
    if event.get("text"):
        message["text"] = str(event["text"])
    buttons = [b for b in data.get("buttons") or [] if isinstance(b, dict) and b.get("payload")]
    if buttons:
        message["quick_replies"] = [{"content_type": "text", "title": str(b.get("title") or b["payload"]),
                                     "payload": str(b["payload"])} for b in buttons]
    if isinstance(data.get("custom"), dict):
        message["custom"] = data["custom"]
    if data.get("image"):
        message["attachment"] = {"type": "image", "payload": {"src": str(data["image"])}}
    elif isinstance(data.get("attachment"), dict):
        message["attachment"] = data["attachment"]
    agent = metadata.get("agent")
    if isinstance(agent, dict) and message.get("text"):
        message["role"] = "agent"
        message["agent"] = {"name": str(agent.get("name", ""))}
        if metadata.get("handoff"):
            message["handoff"] = str(metadata["handoff"])
    return message if len(message) > 2 else None


shop_routes = web.RouteTableDef()
widget_routes = web.RouteTableDef()


def history_cors(request: web.Request) -> dict[str, str]:
    """CORS for the history API: only the shop's own pages (``SHOP_ALLOWED_ORIGINS``) may read it."""
    origin = request.headers.get("Origin", "")
    allowed = origin in request.config_dict[SETTINGS].allowed_origins
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if allowed else {"Vary": "Origin"}


@widget_routes.get("/api/history")
async def history(request: web.Request) -> web.Response:
    """The widget's transcript after a reload, or (``since``) what it missed while disconnected: only
    with the session's id *and* the token the server issued for it, so a conversation id alone (a
    Telegram chat id, a guess) reads nothing."""
    cors = history_cors(request)
    session_id = request.query.get("session_id", "")
    settings = request.config_dict[SETTINGS]
    if not SESSION_ID.match(session_id):
        return web.json_response({"error": "session_id is missing or malformed", "messages": []},
                                 status=400, headers=cors)
    since = parse_since(request.query.get("since")) if "since" in request.query else None
    if "since" in request.query and since is None:
        return web.json_response({"error": "since must be a timestamp in seconds (a number from a message's "
                                           "timestamp)", "messages": []}, status=400, headers=cors)
    if not valid_web_session(settings.session_key, session_id, request.query.get("session_token")):
        return web.json_response({"error": "this session's token is missing or wrong", "messages": []},
                                 status=403, headers=cors)
    try:
        tracker = await request.config_dict[RASA].tracker(session_id)
    except RasaUnavailable as exc:  # a 4xx (RasaRefused) too: the browser sees Rasa's status, not its text
        if exc.status is not None:
            logger.warning("history: Rasa answered %s (check RASA_AUTH_TOKEN and RASA_URL)", exc.status)
            return web.json_response({"error": f"Rasa answered {exc.status}", "messages": []},
                                     status=502, headers=cors)
        logger.warning("history: %s", exc)
        return web.json_response({"error": "the assistant is not reachable; try again shortly", "messages": []},
                                 status=502, headers=cors)
    events = tracker.get("events") or []
    body: Dict[str, Any] = {"session_id": session_id, "language": (tracker.get("slots") or {}).get("language")}
    if since is None:
        body["messages"] = transcript(events)
    else:
        body["messages"], body["more"] = missed(events, since)
    return web.json_response(body, headers={**cors, "Cache-Control": "no-store"})


# ---- widget files ------------------------------------------------------------------------------

@widget_routes.get("/{name}")
async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    item = ASSETS.get(name)
    if item is None:
        raise web.HTTPNotFound(text=f"no widget file named {name}")
    try:
        body = await asyncio.to_thread(item.path.read_bytes)
    except FileNotFoundError:
        logger.error("widget file %s is missing: %s", item.path, item.missing_hint or "check the checkout")
        return web.Response(status=503, text=f"{name} is missing: {item.missing_hint}", headers=CORS)
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    headers = {**CORS, "ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    response = web.Response(body=body, content_type=item.content_type, charset="utf-8", headers=headers)
    response.enable_compression()
    return response


# ---- demo shop ---------------------------------------------------------------------------------

def _money(amount: Any, currency: str) -> str:
    return money(amount, currency or "USD", DEFAULT_LANGUAGE)  # the demo shop's pages are in English


def product_view(product: ProductView) -> Dict[str, Any]:
    return {
        "sku": product.sku, "name": product.name, "category": product.category,
        "subcategory": product.subcategory, "description": product.description,
        "price": _money(product.price, product.currency), "rating": product.rating,
        "review_count": product.review_count, "image": product.image, "colors": list(product.colors),
        "sizes": list(product.sizes), "hue": int(hashlib.sha1(product.sku.encode()).hexdigest()[:4], 16) % 360,
        "in_stock": product.in_stock,
    }


def widget_embed(request: web.Request, settings: Settings) -> Dict[str, str]:
    """What the page's snippet needs: where the widget's files and Rasa's socket.io are."""
    origin = f"{request.scheme}://{request.host}"
    return {"widget_url": f"{origin}/widget/widget.js", "server_url": settings.public_rasa_url,
            "product_url": f"{origin}/shop/product/{{sku}}", "title": settings.shop_name}


def render(request: web.Request, template: str, **context: Any) -> web.Response:
    settings = request.config_dict[SETTINGS]
    html = request.config_dict[PAGES].get_template(template).render(
        shop_name=settings.shop_name, widget=widget_embed(request, settings), **context)
    return web.Response(text=html, content_type="text/html")


@shop_routes.get("/shop")
async def shop_page(request: web.Request) -> web.Response:
    products = [product_view(p) for p in await asyncio.to_thread(request.config_dict[SHOP].catalog.featured, SHOP_PRODUCTS)]
    categories = sorted({p["category"] for p in products if p["category"]})
    return render(request, "shop.html", products=products, categories=categories)


@shop_routes.get("/shop/product/{sku}")
async def product_page(request: web.Request) -> web.Response:
    product = await asyncio.to_thread(request.config_dict[SHOP].catalog.product, request.match_info["sku"])
    if product is None:
        raise web.HTTPNotFound(text="no such product in the demo shop")
    return render(request, "product.html", product=product_view(product))


# ---- wiring ------------------------------------------------------------------------------------

def setup_widget(app: web.Application, settings: Settings) -> None:
    """Adds the widget's files, its history API and the demo shop to the console ``app``."""
    app[PAGES] = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
                                    autoescape=jinja2.select_autoescape(["html"]))
    app.add_routes(shop_routes)
    widget = web.Application()  # the embeddable files and the history API: public, cross-origin
    widget.add_routes(widget_routes)
    app.add_subapp("/widget", widget)
    if not SOCKETIO_CLIENT.exists():
        logger.warning("the widget's socket.io client is missing (%s): run `make setup`", SOCKETIO_CLIENT)
    logger.info("chat widget at /widget/widget.js, demo shop at http://%s:%s/shop (socket.io: %s)",
                settings.host, settings.console_port, settings.public_rasa_url)
