"""Only Rasa may call the action server: every ``/webhook`` call must carry the shared secret.

Rasa sends it as the ``token`` query parameter (``action_endpoint.token`` in the rendered
``endpoints.yml``); ``Authorization: Bearer <secret>`` is accepted too. Without it, or with a wrong one,
the call gets 401 before any action runs, so a forged tracker (a made-up ``verified_customer_id``)
reaches nothing. ``/health`` stays open for the process supervisor.

Installed through rasa-sdk's plugin hook (``attach_sanic_app_extensions``), which runs in every
worker when its app is built.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Optional

import pluggy
from sanic import response

from assistant.runtime.settings import get_settings

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN_PATHS = ("/health",)


def supplied_token(args: Any, headers: Any) -> Optional[str]:
    token = args.get("token") if args is not None else None
    if token:
        return str(token)
    header = str(headers.get("Authorization", "")) if headers is not None else ""
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def token_ok(expected: str, supplied: Optional[str]) -> bool:
    return bool(expected) and bool(supplied) and hmac.compare_digest(expected.encode(), (supplied or "").encode())


class ActionServerGuard:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        expected = get_settings().action_server_token

        @app.on_request
        async def require_token(request: Any) -> Any:
            if request.path in OPEN_PATHS:
                return None
            if token_ok(expected, supplied_token(request.args, request.headers)):
                return None
            logger.warning("action server: refused %s %s without the right token", request.method, request.path)
            return response.json({"error": "a valid action-server token is required"}, status=401)


GUARD = ActionServerGuard()


def install() -> None:
    """Registers the guard with rasa-sdk's plugin manager (idempotent)."""
    from rasa_sdk.plugin import plugin_manager

    manager = plugin_manager()
    if not manager.is_registered(GUARD):
        manager.register(GUARD, name="shop-action-server-guard")
