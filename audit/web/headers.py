"""Headers every dashboard answer carries, and the redirect for a trailing slash.

The pages run no script and load nothing from elsewhere, and the policy says so to the browser:
a script a portal managed to slip into a page (it should never get there: templates escape,
addresses pass `safe_url`) would still not run. No page may be framed by another site
(`frame-ancestors 'none'`, and X-Frame-Options for older browsers); the evidence frame sets its
own stricter policy (web/evidence.py), which is kept. `/agency/x/` is sent to `/agency/x` with
a relative address (Starlette's own redirect writes the Host header a client sent into it)."""
from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
            "object-src 'none'; frame-ancestors 'none'")
HEADERS = {
    b"content-security-policy": PAGE_CSP.encode(),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"same-origin",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
}


class SecurityHeaders:
    """A pure ASGI middleware (it leaves streamed files and background tasks alone)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path != "/" and path.endswith("/"):
            await _redirect_without_slash(scope, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in HEADERS.items()
                    if name not in present and not (name == b"x-frame-options"
                                                    and b"content-security-policy" in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _redirect_without_slash(scope: Scope, send: Send) -> None:
    # "/" + the path without its slashes: "//evil.example/" must not become "//evil.example"
    target = quote("/" + scope["path"].strip("/"), safe="/")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    await send({"type": "http.response.start", "status": 308,
                "headers": [(b"location", target.encode("utf-8")), (b"content-length", b"0"),
                            *HEADERS.items()]})
    await send({"type": "http.response.body", "body": b""})
