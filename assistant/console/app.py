"""The console's application factory: ``create_app(settings) -> web.Application``.

Resources (the shop database, the Rasa client, the templates) are opened in the
startup hook and closed in the cleanup hook; nothing lives at module level.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import AsyncIterator

import jinja2
from aiohttp import web

from assistant.console import api, event_feed, history, live, metrics, pages
from assistant.console.auth import LoginThrottle, auth_middleware
from assistant.console.desk import SupportDesk
from assistant.console.keys import (
    ACCOUNTS,
    DESK,
    KNOWLEDGE,
    RASA,
    SETTINGS,
    SHOP,
    TEMPLATES,
    THROTTLE,
    TICKETS,
)
from assistant.console.rasa_client import RasaClient
from assistant.console.rendering import template_filters
from assistant.runtime.settings import Settings
from assistant.shop.backend import Shop, ShopConfig
from assistant.shop.support.accounts import AgentAccounts

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``, so browsers never keep a stale script."""
    path = HERE / "static" / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "0"
    return f"/static/{name}?v={digest}"


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    shop = await asyncio.to_thread(Shop.open, ShopConfig(settings.database_url, settings.policy_file))
    rasa = RasaClient(settings.rasa_url, settings.rasa_auth_token)
    await rasa.start()
    app[SHOP], app[TICKETS], app[RASA] = shop, shop.tickets, rasa
    app[ACCOUNTS] = AgentAccounts(shop.sessions)
    app[THROTTLE] = LoginThrottle(store=app[ACCOUNTS])  # counters in the database
    app[DESK] = SupportDesk(shop.tickets, rasa)
    logger.info("console ready on port %s (shop database and Rasa at %s)", settings.console_port, settings.rasa_url)
    yield
    await rasa.close()
    shop.close()


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    response = await handler(request)
    if not request.path.startswith(("/widget/", "/shop")):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def create_app(settings: Settings) -> web.Application:
    """The console, its JSON API, the demo shop page and the widget's files, for ``settings``."""
    from assistant.console.widget.routes import setup_widget

    app = web.Application(middlewares=[security_headers, auth_middleware(ACCOUNTS)], client_max_size=1024 ** 2)
    app[SETTINGS] = settings
    app[KNOWLEDGE] = {}  # the knowledge base for suggestions, loaded on first use
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                     autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)
    environment.filters.update(template_filters())
    environment.globals["static"] = static_url
    app[TEMPLATES] = environment
    app.cleanup_ctx.append(_resources)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", HERE / "static")
    pages.setup(app)
    history.setup(app)
    metrics.setup(app)
    event_feed.setup(app)  # live figures from Rasa's event broker, when RABBITMQ_URL is set
    api.setup(app)
    live.setup(app)
    setup_widget(app, settings)
    return app
