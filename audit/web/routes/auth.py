"""Signing in and out, and the health probe a load balancer asks."""
from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from minhbach.audit.people.accounts import authenticate
from minhbach.audit.web.pages import render
from minhbach.audit.web.security import check_csrf
from minhbach.audit.words.i18n import _

router = APIRouter()


@router.get("/health", include_in_schema=False)
def health() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", None, next=next, error="")


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form(""),
          next: str = Form("/")):
    check_csrf(request, csrf)
    key = (request.client.host if request.client else "", username.lower())
    throttle = request.app.state.throttle
    if throttle.blocked(key):
        return render(request, "login.html", None, status_code=429, next=next,
                      error=_("Too many failed logins; try again in 5 minutes."))
    with request.app.state.sessions() as session:
        user = authenticate(session, username.strip().lower(), password)
    if user is None:
        throttle.failed(key)
        return render(request, "login.html", None, status_code=401, next=next,
                      error=_("Wrong user name or password."))
    throttle.succeeded(key)
    request.session.clear()  # a new session (and a new CSRF token) for the new user
    request.session["uid"] = user.id
    return RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")):
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
