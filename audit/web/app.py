"""The dashboard application: pages for officers (server-rendered, in Vietnamese; one module
per page family under routes/) and the JSON API mounted at /api/v1. Every page but /login,
/health and /static needs a session."""
from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder as jsonable
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from minhbach.audit import config
from minhbach.audit.config import Settings
from minhbach.audit.store.db import Store
from minhbach.audit.web.api import create_api
from minhbach.audit.web.headers import SecurityHeaders
from minhbach.audit.web.inputs import clean_input
from minhbach.audit.web.pages import render, templates
from minhbach.audit.web.routes import ROUTERS
from minhbach.audit.web.sessions import LoginRequired, current_user
from minhbach.audit.web.throttle import LoginThrottle
from minhbach.audit.words.i18n import _

STATIC = Path(__file__).parent / "static"


def _secret(settings: Settings) -> str:
    """The key that signs session cookies: made once per data folder, kept there, readable by
    its owner only from the moment it exists (created 0600, never chmod'ed afterwards)."""
    path = settings.ensure_data_dir() / "web-secret"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def create_app(settings: Settings | None = None, store: Store | None = None, secure_cookies: bool = False) -> FastAPI:
    """The dashboard on `store` (default: the one `settings` name; default: the settings the
    environment and the settings file give)."""
    settings = settings or config.load()
    store = store or Store.open(settings)
    app = FastAPI(title="minhbach", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(clean_input)], redirect_slashes=False)
    app.state.settings, app.state.store, app.state.sessions = settings, store, store.sessions
    app.state.throttle = LoginThrottle()
    app.state.bodies = store.bodies
    app.state.templates = templates()
    # the cookie carries the session's id and form token; the session itself is on the server
    app.add_middleware(SessionMiddleware, secret_key=_secret(settings), session_cookie="minhbach_session",
                       same_site="lax", https_only=secure_cookies, max_age=int(settings.web.session_hours * 3600))
    app.add_middleware(SecurityHeaders)
    app.mount("/api/v1", create_api(store.sessions))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(StarletteHTTPException, _error_page)
    app.add_exception_handler(RequestValidationError, _bad_request)
    return app


def page_routes(app: FastAPI) -> Iterator[APIRoute]:
    """Every page route of the app, those its routers bring included (what a test of the
    authorisation of every route walks)."""
    def walk(routes) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):  # FastAPI keeps an included router whole
                yield from walk(route.original_router.routes)
    return walk(app.routes)


async def _to_login(request: Request, _exc: Exception) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def _bad_request(request: Request, exc: Exception) -> Response:
    """A value the route's types refuse (an id too large, a word for a number): 422 with what
    was wrong, as JSON under /api/, as a page elsewhere."""
    assert isinstance(exc, RequestValidationError)  # registered for that class only
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)
    fields = ", ".join(str(error["loc"][-1]) for error in exc.errors() if error.get("loc"))
    return await _error_page(request, StarletteHTTPException(
        422, _("These values are not valid: {fields}").format(fields=fields[:200])))


async def _error_page(request: Request, exc: Exception) -> Response:
    """A page, in the reader's language, for what a browser asked and may not have (a program
    asking under /api/ gets JSON, as the API documents)."""
    assert isinstance(exc, StarletteHTTPException)  # registered for that class only
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    try:
        user = current_user(request)
    except LoginRequired:
        user = None
    own_words = isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
    return render(request, "error.html", user, status_code=exc.status_code, headers=exc.headers,
                  message=exc.detail if own_words else "", status=exc.status_code)
