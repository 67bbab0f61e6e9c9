"""Agent accounts, login sessions, CSRF and API tokens.

- Passwords are hashed with Argon2id (``argon2-cffi``).
- A login creates a random session token; the cookie holds it (HttpOnly,
  SameSite=Strict, Secure behind HTTPS), the database only its SHA-256.
- Every state-changing request made with a session cookie must carry the
  session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``).
- Integrations call the JSON API with ``Authorization: Bearer <token>``; tokens
  are created with the CLI, stored hashed, and act as their agent.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta
from typing import Awaitable, Callable, Deque, Dict, Optional

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from actions.shop.clock import utcnow
from actions.shop.models import Agent, AgentSession, ApiToken
from actions.shop.tickets import AgentView

logger = logging.getLogger(__name__)

COOKIE = "console_session"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
PUBLIC_PREFIXES = ("/login", "/health", "/static/", "/shop", "/widget/")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

_hasher = PasswordHasher()
# verifying against this keeps a login for an unknown user as slow as for a known one
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountError(ValueError):
    """An account operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class Login:
    agent: AgentView
    csrf_token: str


class AgentAccounts:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # ---- accounts ---------------------------------------------------------
    def create_agent(self, username: str, display_name: str, password: str) -> AgentView:
        username = username.strip().lower()
        if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise AccountError("a username is letters, digits, '.', '-' or '_'")
        check_password(password)
        with self._sessions.begin() as session:
            if session.scalar(select(Agent).where(Agent.username == username)) is not None:
                raise AccountError(f"agent {username!r} already exists (use set-password to change the password)")
            agent = Agent(username=username, display_name=display_name.strip() or username,
                          password_hash=_hasher.hash(password), is_active=True)
            session.add(agent)
            session.flush()
            return AgentView(agent.id, agent.username, agent.display_name)

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        with self._sessions.begin() as session:
            agent = self._agent(session, username)
            agent.password_hash = _hasher.hash(password)
            agent.is_active = True
            session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))

    def deactivate(self, username: str) -> None:
        with self._sessions.begin() as session:
            agent = self._agent(session, username)
            agent.is_active = False
            session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
            session.execute(delete(ApiToken).where(ApiToken.agent_id == agent.id))

    def list_agents(self) -> list[tuple[AgentView, bool]]:
        with self._sessions() as session:
            agents = session.scalars(select(Agent).order_by(Agent.username)).all()
            return [(AgentView(a.id, a.username, a.display_name), a.is_active) for a in agents]

    def has_active_agent(self) -> bool:
        with self._sessions() as session:
            return session.scalar(select(Agent.id).where(Agent.is_active.is_(True)).limit(1)) is not None

    def authenticate(self, username: str, password: str) -> Optional[AgentView]:
        with self._sessions.begin() as session:
            agent = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
            if agent is None or not agent.is_active or agent.password_hash.startswith("!"):
                try:
                    _hasher.verify(_DUMMY_HASH, password)
                except VerificationError:
                    pass
                return None
            try:
                _hasher.verify(agent.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if _hasher.check_needs_rehash(agent.password_hash):
                agent.password_hash = _hasher.hash(password)
            return AgentView(agent.id, agent.username, agent.display_name)

    # ---- sessions ---------------------------------------------------------
    def start_session(self, agent_id: int) -> tuple[str, str]:
        """A new login for the agent: (cookie token, CSRF token)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        with self._sessions.begin() as session:
            session.execute(delete(AgentSession).where(AgentSession.expires_at < now))
            session.add(AgentSession(token_hash=_digest(token), agent_id=agent_id, csrf_token=csrf,
                                     created_at=now, expires_at=now + SESSION_LIFETIME))
        return token, csrf

    def session_login(self, token: str) -> Optional[Login]:
        if not token:
            return None
        with self._sessions() as session:
            row = session.get(AgentSession, _digest(token))
            if row is None or row.expires_at <= utcnow():
                return None
            agent = session.get(Agent, row.agent_id)
            if agent is None or not agent.is_active:
                return None
            return Login(AgentView(agent.id, agent.username, agent.display_name), row.csrf_token)

    def end_session(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(AgentSession).where(AgentSession.token_hash == _digest(token)))

    # ---- API tokens -------------------------------------------------------
    def create_token(self, username: str, name: str) -> str:
        token = "shk_" + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            agent = self._agent(session, username)
            session.add(ApiToken(name=name.strip() or "integration", token_hash=_digest(token), agent_id=agent.id))
        return token

    def token_agent(self, token: str) -> Optional[AgentView]:
        if not token:
            return None
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is None:
                return None
            agent = session.get(Agent, row.agent_id)
            if agent is None or not agent.is_active:
                return None
            row.last_used_at = utcnow()
            return AgentView(agent.id, agent.username, agent.display_name)

    @staticmethod
    def _agent(session: Session, username: str) -> Agent:
        agent = session.scalar(select(Agent).where(Agent.username == username.strip().lower()))
        if agent is None:
            raise AccountError(f"there is no agent {username!r} (create it with add-agent)")
        return agent


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


class LoginThrottle:
    """At most ``limit`` failed logins per key in ``window`` seconds; keys ``addr:...`` get ``address_limit``
    (one office behind one address has many agents)."""

    def __init__(self, limit: int = 5, address_limit: int = 30, window: float = 900) -> None:
        self.limit, self.address_limit, self.window = limit, address_limit, window
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def _limit(self, key: str) -> int:
        return self.address_limit if key.startswith("addr:") else self.limit

    def _recent(self, key: str) -> Deque[float]:
        failures = self._failures[key]
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(k)) >= self._limit(k) for k in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)


def _is_public(path: str) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in PUBLIC_PREFIXES)


def csrf_ok(expected: str, supplied: Optional[str]) -> bool:
    return bool(supplied) and hmac.compare_digest(expected, supplied or "")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def auth_middleware(accounts_key: web.AppKey) -> Callable:
    """Login on every page and API call except the public ones; CSRF on every cookie-authenticated change."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _is_public(request.path):
            return await handler(request)
        accounts: AgentAccounts = request.app[accounts_key]
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
