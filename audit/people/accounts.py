"""Dashboard accounts and API tokens. Passwords are hashed with argon2 (never stored); tokens
are shown once and kept only as their SHA-256."""
from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from minhbach.audit.store.models import Agency, ApiToken, User, WebSession, utcnow
from minhbach.audit.words.i18n import _

ROLES = ("admin", "inspector", "agency")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
_HASHER = PasswordHasher()
MIN_PASSWORD = 10


class AccountError(ValueError):
    pass


def add_user(session: Session, username: str, password: str, role: str, agency_code: str | None = None) -> User:
    if not _NAME.match(username):
        raise AccountError(_("username '{username}': 2-64 lower-case letters, digits, '.', '_' or '-'").format(
            username=username))
    _check_scope(session, role, agency_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(_("user '{username}' exists already (see `minhbach users list`)").format(
            username=username))
    _check_password(password)
    user = User(username=username, password_hash=_HASHER.hash(password), role=role, agency_code=agency_code)
    session.add(user)
    session.commit()
    return user


def _check_scope(session: Session, role: str, agency_code: str | None) -> None:
    """A role, and an agency exactly when the role is agency (accounts and tokens alike)."""
    if role not in ROLES:
        raise AccountError(_("role '{role}': one of {roles}").format(role=role, roles=", ".join(ROLES)))
    if role == "agency":
        if not agency_code or session.scalar(select(Agency.id).where(Agency.code == agency_code)) is None:
            raise AccountError(_("an agency account needs --agency CODE of a registered agency, "
                                 "not '{agency_code}'").format(
                agency_code=agency_code))
    elif agency_code:
        raise AccountError(_("--agency goes only with --role agency"))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("the password needs at least {n} characters").format(n=MIN_PASSWORD))


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    try:
        if user is None:
            _HASHER.hash(password)  # the same work whether or not the name exists
            return None
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.commit()
    return user


def set_password(session: Session, username: str, password: str) -> None:
    """A new password ends every session of the account (a stolen cookie with it)."""
    user = _user(session, username)
    _check_password(password)
    user.password_hash = _HASHER.hash(password)
    _revoke_sessions(session, user)
    session.commit()


def set_active(session: Session, username: str, active: bool) -> None:
    user = _user(session, username)
    user.active = active
    if not active:
        _revoke_sessions(session, user)
    session.commit()


def sign_out_everywhere(session: Session, username: str) -> int:
    """End every live session of the account; the number ended."""
    ended = _revoke_sessions(session, _user(session, username))
    session.commit()
    return ended


def _revoke_sessions(session: Session, user: User) -> int:
    result = session.execute(update(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                             .values(revoked_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(_("no user '{username}' (see `minhbach users list`)").format(username=username))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_token(session: Session, name: str, role: str = "inspector", agency_code: str | None = None) -> str:
    """A new token that reads what a `role` account would (an agency token: its agency)."""
    if not _NAME.match(name):
        raise AccountError(_("token name '{name}': 2-64 lower-case letters, digits, '.', '_' or '-'").format(
            name=name))
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise AccountError(_("a token named '{name}' exists already").format(name=name))
    _check_scope(session, role, agency_code)
    token = "mb_" + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, token_sha256=_digest(token), role=role, agency_code=agency_code))
    session.commit()
    return token


def revoke_token(session: Session, name: str) -> None:
    token = session.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
    if token is None:
        raise AccountError(_("no active token named '{name}'").format(name=name))
    token.revoked_at = utcnow()
    session.commit()


def live_token(session: Session, token: str) -> ApiToken | None:
    """The token's row, unless it is unknown or revoked."""
    return session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token),
                                                 ApiToken.revoked_at.is_(None)))
