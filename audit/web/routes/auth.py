"""Signing in and out, and the health probe a load balancer asks."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from minhbach.audit.people.accounts import authenticate
from minhbach.audit.web import sessions
from minhbach.audit.web.inputs import local_target
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import check_csrf, client_address, public
from minhbach.audit.web.throttle import login_name
from minhbach.audit.words.i18n import _

router = APIRouter(dependencies=[Depends(public)])


@router.get("/health", include_in_schema=False)
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", None, next=local_target(next), error="")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form(""),
          next: str = Form("/")):
    check_csrf(request, csrf)
    name, address, throttle = login_name(username), client_address(request), request.app.state.throttle
    too_many = render(request, "login.html", None, status_code=429, next=local_target(next),
                      error=_("Too many failed logins; try again in 5 minutes."))
    if throttle.blocked(name, address):  # before any hashing: a refused attempt costs nothing
        return too_many
    if not throttle.hashing.acquire(timeout=10):  # a burst waits its turn, memory stays bounded
        return too_many
    try:
        with request.app.state.sessions() as session:
            user = authenticate(session, name, password)
    finally:
        throttle.hashing.release()
    if user is None:
        throttle.failed(name, address)
        return render(request, "login.html", None, status_code=401, next=local_target(next),
                      error=_("Wrong user name or password."))
    throttle.succeeded(name)
    sessions.start(request, user, address)  # a new id (and form token) for the new session
    return RedirectResponse(local_target(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")):
    check_csrf(request, csrf)
    sessions.end(request)
    return RedirectResponse("/login", status_code=303)
