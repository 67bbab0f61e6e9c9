"""Typed keys for what the console application holds (opened in its startup hook)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from actions.shop.services import Shop
    from actions.shop.tickets import TicketService
    from assistant.console.auth import AgentAccounts, LoginThrottle
    from assistant.console.rasa_client import RasaClient
    from assistant.settings import Settings

SETTINGS: web.AppKey["Settings"] = web.AppKey("settings")
SHOP: web.AppKey["Shop"] = web.AppKey("shop")  # the shop database and its services
TICKETS: web.AppKey["TicketService"] = web.AppKey("tickets")
ACCOUNTS: web.AppKey["AgentAccounts"] = web.AppKey("accounts")
THROTTLE: web.AppKey["LoginThrottle"] = web.AppKey("throttle")
RASA: web.AppKey["RasaClient"] = web.AppKey("rasa")  # Rasa's HTTP API (agent replies, handoff end)
TEMPLATES: web.AppKey[Any] = web.AppKey("templates")  # jinja2.Environment over console/templates
KNOWLEDGE: web.AppKey[dict] = web.AppKey("knowledge")  # {"kb": KnowledgeBase} once loaded
