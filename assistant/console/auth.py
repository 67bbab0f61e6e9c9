"""The console's login: session cookies, CSRF and bearer tokens on every request.

- A login creates a random session token; the cookie holds it (HttpOnly,
  SameSite=Strict, Secure behind HTTPS), the database only its SHA-256
  (the accounts themselves: ``assistant.shop.support.accounts``).
- Every state-changing request made with a session cookie must carry the
  session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
- Integrations call the JSON API with ``Authorization: Bearer <token>``; tokens
  are created with the CLI, stored hashed, and act as their agent.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections import defaultdict, deque
from datetime import timedelta
from typing import Awaitable, Callable, Deque, Dict, Optional

from aiohttp import web

from assistant.shop.storage.clock import utcnow
from assistant.shop.support.accounts import SESSION_LIFETIME, AgentAccounts

__all__ = ["COOKIE", "SESSION_LIFETIME", "LoginThrottle", "auth_middleware", "csrf_ok"]

logger = logging.getLogger(__name__)

COOKIE = "console_session"
LOGIN_COOKIE = "console_login"  # the login form's CSRF token (double submit: cookie and form field)
PUBLIC_PREFIXES = ("/login", "/health", "/static/", "/shop", "/widget/")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}



class LoginThrottle:
    """At most ``limit`` failed logins per key in ``window`` seconds; keys ``addr:...`` get ``address_limit``
    (one office behind one address has many agents). With a ``store`` (the agent accounts), the counters
    live in the shop database, so a restart or a second console process does not reset them."""

    def __init__(self, limit: int = 5, address_limit: int = 30, window: float = 900,
                 store: Optional[AgentAccounts] = None) -> None:
        self.limit, self.address_limit, self.window = limit, address_limit, window
        self.store = store
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def _limit(self, key: str) -> int:
        return self.address_limit if key.startswith("addr:") else self.limit

    def _recent(self, key: str) -> Deque[float]:
        failures = self._failures[key]
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        if self.store is not None:
            counts = self.store.login_failures(keys, utcnow() - timedelta(seconds=self.window))
            return any(counts.get(k, 0) >= self._limit(k) for k in keys)
        return any(len(self._recent(k)) >= self._limit(k) for k in keys)

    def failed(self, *keys: str) -> None:
        if self.store is not None:
            self.store.record_login_failure(keys, timedelta(seconds=self.window))
            return
        for key in keys:
            self._recent(key).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        if self.store is not None:
            self.store.clear_login_failures(keys)
            return
        for key in keys:
            self._failures.pop(key, None)


def _is_public(path: str) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in PUBLIC_PREFIXES)


def client_address(request: web.Request, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: behind a trusted reverse proxy, the right-most ``X-Forwarded-For`` hop that is
    not one of the proxies (a client can prepend anything to the header, but not append)."""
    remote = request.remote or ""
    if remote not in trusted_proxies:
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return remote


def is_https(request: web.Request, trusted_proxies: tuple[str, ...]) -> bool:
    if request.secure:
        return True
    return (request.remote or "") in trusted_proxies and \
        request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower() == "https"


def csrf_ok(expected: str, supplied: Optional[str]) -> bool:
    return bool(supplied) and hmac.compare_digest(expected, supplied or "")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def auth_middleware(accounts_key: web.AppKey) -> Callable:
    """Login on every page and API call except the public ones; CSRF on every cookie-authenticated change."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _is_public(request.path):
            return await handler(request)
        accounts: AgentAccounts = request.config_dict[accounts_key]
        is_api = request.path.startswith("/api/")
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            agent = await asyncio.to_thread(accounts.token_agent, header[7:].strip())
            if agent is None:
                logger.warning("API call to %s with an unknown or revoked token", request.path)
                raise web.HTTPUnauthorized(text='{"error": "invalid API token"}', content_type="application/json")
            request["agent"], request["via_token"], request["csrf_token"] = agent, True, ""
            return await handler(request)
        login = await asyncio.to_thread(accounts.session_login, request.cookies.get(COOKIE, ""))
        if login is None:
            if is_api or request.method in UNSAFE_METHODS or request.headers.get("Accept") == "text/event-stream":
                raise web.HTTPUnauthorized(text='{"error": "login required"}', content_type="application/json")
            raise web.HTTPFound(f"/login?next={request.rel_url.path_qs}" if request.path != "/" else "/login")
        if request.method in UNSAFE_METHODS:
            supplied = request.headers.get("X-CSRF-Token")
            if supplied is None and request.content_type in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data"):
                supplied = (await request.post()).get("csrf_token")  # type: ignore[assignment]
            if not csrf_ok(login.csrf_token, supplied if isinstance(supplied, str) else None):
                logger.warning("CSRF check failed for agent %s on %s %s", login.agent.username, request.method,
                               request.path)
                raise web.HTTPForbidden(text='{"error": "CSRF token missing or wrong"}',
                                        content_type="application/json")
        request["agent"], request["via_token"], request["csrf_token"] = login.agent, False, login.csrf_token
        return await handler(request)

    return middleware
