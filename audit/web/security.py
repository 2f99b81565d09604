"""Who is asking, and may they: one policy declared on every route (tests/test_web_policy.py
walks the route table and fails for a route without one), the form token every form carries,
the client's address, and which agencies a reader may see.

The policies, each a FastAPI dependency:
- `public`: anyone (the login page, the health probe);
- `signed_in`: any live session; the agencies it shows are then filtered by `visible_codes`;
- `province`: a session that reads the whole province (admin or inspector; an agency account
  gets 403): the monthly report, the nights' runs of every site;
- `admin`: an administrator (the registry's edits, the rubric, remaking a report).
The API's routes declare `api_reader` (a bearer token, scoped like a user: web/api.py)."""
from __future__ import annotations

import ipaddress
import secrets

from fastapi import HTTPException, Request
from sqlalchemy import select

from minhbach.audit.store.models import Agency, User
from minhbach.audit.web.sessions import LoginRequired, current_user
from minhbach.audit.words.i18n import _

__all__ = ["LoginRequired", "POLICIES", "admin", "check_csrf", "client_address", "csrf_token", "province",
           "public", "require_visible", "signed_in", "visible_codes"]


# -- the policies ------------------------------------------------------------------------------

def public(request: Request) -> None:
    """Anyone, signed in or not."""


def signed_in(request: Request) -> User:
    return current_user(request)


def province(request: Request) -> User:
    user = current_user(request)
    if user.role == "agency":
        raise HTTPException(status_code=403, detail=_("An agency account sees its own agency only."))
    return user


def admin(request: Request) -> User:
    user = current_user(request)
    if user.role != "admin":
        raise HTTPException(status_code=403, detail=_("Only an administrator does this."))
    return user


POLICIES = (public, signed_in, province, admin)


# -- forms ---------------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: object) -> None:
    expected = request.session.get("csrf")
    if not expected or not isinstance(submitted, str) or not submitted \
            or not secrets.compare_digest(expected, submitted):
        raise HTTPException(status_code=403, detail=_("The session is not valid; reload the page and try again."))


# -- who is connecting -----------------------------------------------------------------------

def client_address(request: Request) -> str:
    """The client's address: the connecting one, unless it is a proxy named in `[web]
    trusted_proxies`; then the last address in X-Forwarded-For that is not such a proxy (what
    the nearest trusted proxy saw). Anyone else's X-Forwarded-For is ignored."""
    peer = request.client.host if request.client else ""
    trusted = [ipaddress.ip_network(n, strict=False) for n in request.app.state.settings.web.trusted_proxies]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not is_trusted(peer):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            return hop if _is_address(hop) else peer
    return peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


# -- which agencies ----------------------------------------------------------------------------

def codes_for(session, role: str, agency_code: str | None) -> set[str] | None:
    """The agencies a reader of `role` may see: None for all; an agency reader sees its own and
    its children (users and API tokens alike)."""
    if role != "agency":
        return None
    assert agency_code is not None  # an agency account or token always names its agency (people/accounts.py)
    children = set(session.scalars(select(Agency.code).where(Agency.parent_code == agency_code)))
    return {agency_code} | children


def visible_codes(request: Request, user: User) -> set[str] | None:
    with request.app.state.sessions() as session:
        return codes_for(session, user.role, user.agency_code)


def require_visible(request: Request, user: User, code: str) -> None:
    codes = visible_codes(request, user)
    if codes is not None and code not in codes:
        raise HTTPException(status_code=403, detail=_("This account cannot see this agency."))
