"""Typed keys for what the console application holds (opened in its startup hook)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from assistant.console.auth import LoginThrottle
    from assistant.console.desk import SupportDesk
    from assistant.console.rasa_client import RasaClient
    from assistant.runtime.settings import Settings
    from assistant.shop.backend import Shop
    from assistant.shop.support.accounts import AgentAccounts
    from assistant.shop.support.tickets import TicketService

SETTINGS: web.AppKey["Settings"] = web.AppKey("settings")
SHOP: web.AppKey["Shop"] = web.AppKey("shop")  # the shop database and its services
TICKETS: web.AppKey["TicketService"] = web.AppKey("tickets")
ACCOUNTS: web.AppKey["AgentAccounts"] = web.AppKey("accounts")
THROTTLE: web.AppKey["LoginThrottle"] = web.AppKey("throttle")
DESK: web.AppKey["SupportDesk"] = web.AppKey("desk")  # what agents do to tickets (pages and API)
RASA: web.AppKey["RasaClient"] = web.AppKey("rasa")  # Rasa's HTTP API (the desk, the widget's history)
TEMPLATES: web.AppKey[Any] = web.AppKey("templates")  # jinja2.Environment over console/templates
KNOWLEDGE: web.AppKey[dict] = web.AppKey("knowledge")  # {"kb": KnowledgeBase} once loaded
