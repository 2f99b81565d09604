"""Who is asking, and may they: the session's user, CSRF tokens on every form, a limit on
login attempts, and which agencies a user may see."""
from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque

from fastapi import HTTPException, Request
from sqlalchemy import select

from minhbach.audit.store.models import Agency, User
from minhbach.audit.words.i18n import _

LOGIN_ATTEMPTS = 5           # failures allowed per address and user name...
LOGIN_WINDOW = 300.0         # ...in this many seconds


class LoginRequired(Exception):
    """Raised for a page asked without a session: the app answers with a redirect to /login."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise HTTPException(status_code=403, detail=_("The session is not valid; reload the page and try again."))


class LoginThrottle:
    """At most LOGIN_ATTEMPTS failed logins per (address, user name) in LOGIN_WINDOW seconds."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window: float = LOGIN_WINDOW):
        self.attempts, self.window = attempts, window
        self.failures: dict[tuple[str, str], deque] = defaultdict(deque)

    def blocked(self, key: tuple[str, str]) -> bool:
        failures = self.failures[key]
        while failures and failures[0] < time.monotonic() - self.window:
            failures.popleft()
        return len(failures) >= self.attempts

    def failed(self, key: tuple[str, str]) -> None:
        self.failures[key].append(time.monotonic())

    def succeeded(self, key: tuple[str, str]) -> None:
        self.failures.pop(key, None)


def current_user(request: Request) -> User:
    """The logged-in user of a page request, or LoginRequired."""
    user_id = request.session.get("uid")
    if user_id is None:
        raise LoginRequired()
    with request.app.state.sessions() as session:
        user = session.get(User, user_id)
    if user is None or not user.active:
        request.session.clear()
        raise LoginRequired()
    return user


def visible_codes(request: Request, user: User) -> set[str] | None:
    """The agencies a user may see: None for all; an agency user sees its own and its children."""
    if user.role != "agency":
        return None
    with request.app.state.sessions() as session:
        children = set(session.scalars(select(Agency.code).where(Agency.parent_code == user.agency_code)))
    assert user.agency_code is not None  # an agency account always names its agency (people/accounts.py)
    return {user.agency_code} | children


def require_visible(request: Request, user: User, code: str) -> None:
    codes = visible_codes(request, user)
    if codes is not None and code not in codes:
        raise HTTPException(status_code=403, detail=_("This account cannot see this agency."))


def require_admin(request: Request, refusal: str) -> User:
    """The logged-in user if an administrator; else 403 with `refusal` (what only an admin does)."""
    user = current_user(request)
    if user.role != "admin":
        raise HTTPException(status_code=403, detail=refusal)
    return user
