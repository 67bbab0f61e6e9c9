"""Support agents' accounts, login sessions and API tokens, stored in the shop database.

- Passwords are hashed with Argon2id (``argon2-cffi``); a login for an unknown user costs as much as one
  for a known user.
- A session or API token is random; the database keeps only its SHA-256.

The console's HTTP side (cookies, CSRF, the middleware) is ``assistant.console.auth``.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.shop.storage.clock import utcnow
from assistant.shop.storage.models import Agent, AgentSession, ApiToken, LoginFailure
from assistant.shop.support.tickets import AgentView

SESSION_LIFETIME = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=90)
MIN_PASSWORD_LENGTH = 10

@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    created_at: datetime
    last_used_at: Optional[datetime]
    expires_at: Optional[datetime]


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
    def create_token(self, username: str, name: str, lifetime: timedelta = TOKEN_LIFETIME) -> str:
        """A new API token for ``username`` (shown once), valid for ``lifetime``."""
        token = "shk_" + secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            agent = self._agent(session, username)
            session.add(ApiToken(name=name.strip() or "integration", token_hash=_digest(token), agent_id=agent.id,
                                 expires_at=utcnow() + lifetime))
        return token

    def list_tokens(self, username: str) -> list[TokenView]:
        with self._sessions() as session:
            agent = self._agent(session, username)
            rows = session.scalars(select(ApiToken).where(ApiToken.agent_id == agent.id).order_by(ApiToken.id))
            return [TokenView(r.id, r.name, r.created_at, r.last_used_at, r.expires_at) for r in rows]

    def revoke_token(self, token_id: int) -> bool:
        """Deletes one API token; False if there is none with that id."""
        with self._sessions.begin() as session:
            return (session.execute(delete(ApiToken).where(ApiToken.id == token_id)).rowcount or 0) > 0

    # ---- failed logins (the console's throttle keeps its counters here) --------------------------------
    @staticmethod
    def _key(key: str) -> str:
        return _digest(key)[:40]

    def login_failures(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        hashed = {self._key(k): k for k in keys}
        with self._sessions() as session:
            rows = session.execute(select(LoginFailure.key, func.count()).where(
                LoginFailure.key.in_(hashed), LoginFailure.failed_at >= since).group_by(LoginFailure.key)).all()
        return {hashed[key]: count for key, count in rows}

    def record_login_failure(self, keys: Sequence[str], window: timedelta) -> None:
        now = utcnow()
        with self._sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - window))
            session.add_all(LoginFailure(key=self._key(k), failed_at=now) for k in keys)

    def clear_login_failures(self, keys: Sequence[str]) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key.in_([self._key(k) for k in keys])))

    def token_agent(self, token: str) -> Optional[AgentView]:
        if not token:
            return None
        with self._sessions.begin() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is None or row.expires_at is None or row.expires_at <= utcnow():
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
