"""Sessions kept on the server. The signed cookie holds a random id and the form token, nothing
else; the id's SHA-256 is a row of `web_sessions`, so a session ends on the server (logout, a
new password, a disabled account, "sign out everywhere") whatever copy of the cookie exists.
A session lives at most `[web] session_hours` from login and ends after `[web] idle_minutes`
unused; a new id is made at every login (a cookie planted before login is worth nothing)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import select, update

from minhbach.audit.clock import as_utc
from minhbach.audit.store.models import User, WebSession, utcnow

SEEN_EVERY = timedelta(seconds=60)  # last_seen is written at most this often (not on every page)


class LoginRequired(Exception):
    """Raised for a page asked without a live session: the app answers with a redirect to /login."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(request: Request, user: User, address: str) -> None:
    """A new session for `user`: the one the browser had is ended and forgotten."""
    end(request)
    token = secrets.token_urlsafe(32)
    with request.app.state.sessions() as session:
        session.add(WebSession(token_sha256=_digest(token), user_id=user.id, address=address[:64]))
        session.commit()
    request.session.clear()
    request.session["sid"] = token


def end(request: Request) -> None:
    token = request.session.get("sid")
    if isinstance(token, str):
        with request.app.state.sessions() as session:
            session.execute(update(WebSession).where(WebSession.token_sha256 == _digest(token),
                                                     WebSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
            session.commit()
    request.session.clear()


def current_user(request: Request) -> User:
    """The user of a live session, or LoginRequired (the cookie is then cleared)."""
    token = request.session.get("sid")
    if not isinstance(token, str):
        raise LoginRequired()
    web = request.app.state.settings.web
    now = utcnow()
    with request.app.state.sessions() as session:
        row = session.scalar(select(WebSession).where(WebSession.token_sha256 == _digest(token)))
        user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None or not _alive(row, now, web.session_hours, web.idle_minutes) \
                or not user.active:
            request.session.clear()
            raise LoginRequired()
        if now - as_utc(row.last_seen) >= SEEN_EVERY:
            row.last_seen = now
            session.commit()
        session.expunge(user)
    return user


def _alive(row: WebSession, now: datetime, hours: float, idle_minutes: float) -> bool:
    return (row.revoked_at is None and now < as_utc(row.created_at) + timedelta(hours=hours)
            and now < as_utc(row.last_seen) + timedelta(minutes=idle_minutes))
