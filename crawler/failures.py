"""Why a request came to nothing: a short kind (stored, counted) and a reason, a code with its
values ({"kind": "refused", "host": "..."}) that the application says in the reader's language
(minhbach.audit.words.reasons). The crawler stores no words.

Order matters: an HTTP error is a subclass of Scrapy's IgnoreRequest, so it is recognised
before any refusal; our own refusals carry their kind and reason with them.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

# Kinds that say nothing about whether the site publishes a page: the page was there (or may
# be) but the crawl could not read it. A rule never fails on a section lost this way.
NOT_SEEN_KINDS = frozenset({
    "time_budget", "page_cap", "timeout", "no_response", "too_large", "tls", "dns", "refused",
    "robots", "private_address", "redirect_loop", "parse_error", "other",
})
# Of those, the faults that make a crawl incomplete ("partial"); robots.txt, the page cap and
# the private-address guard are the crawl's own policy, not faults of the site.
INCOMPLETE_KINDS = NOT_SEEN_KINDS - {"robots", "page_cap", "private_address"}
# Reasons a site could not be reached that are the network's, not the site's answer: when most
# sites of a night fail this way, the crawler itself may be cut off (audit/ops/offline.py).
NETWORK_KINDS = frozenset({"dns", "refused", "timeout", "no_response", "tls", "tls_handshake"})
# HTTP answers that mean "this page is not there": the site's own broken link, judged as absent.
GONE_STATUSES = frozenset({404, 410})


def reason(kind: str, /, **values) -> dict:
    """A reason as it is stored: its kind and its values."""
    return {"kind": kind, **values}


class Refused(IgnoreRequest):
    """A request minhbach itself declined to send (scope, budget, safety)."""

    def __init__(self, kind: str, /, **values):
        super().__init__(f"{kind} {values}")
        self.kind, self.reason = kind, reason(kind, **values)


def is_not_seen(kind: str) -> bool:
    """Whether a failure of this kind hides content (as opposed to content that is absent)."""
    if kind.startswith("http_"):
        return int(kind[5:]) not in GONE_STATUSES
    return kind in NOT_SEEN_KINDS


def classify_failure(failure) -> tuple[str, dict]:
    """(kind, reason) for a failed request."""
    exc = failure.value
    request = getattr(failure, "request", None)
    host = urlsplit(request.url).netloc if request is not None else ""
    https = request is not None and request.url.startswith("https:")
    if isinstance(exc, DownloadFailedError) and exc.__cause__ is not None:
        exc = exc.__cause__  # Scrapy wraps Twisted's ResponseFailed; its reasons say more
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", reason("http_error", status=status, host=host)
    if isinstance(exc, Refused):
        return exc.kind, exc.reason
    if isinstance(exc, IgnoreRequest):
        message = str(exc).lower()
        if "robots.txt" in message:
            return "robots", reason("robots")
        if "redirection" in message:
            return "redirect_loop", reason("redirect_loop", host=host)
        if "maxsize" in message or "max size" in message:
            return "too_large", reason("too_large_unpacked", host=host)
        return "ignored", reason("ignored", host=host)
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", reason("dns", host=host)
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "refused", reason("refused", host=host)
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", reason("timeout", host=host)
    if isinstance(exc, DownloadCancelledError):
        return "too_large", reason("too_large", host=host)
    text = f"{type(exc).__name__}: {exc}"
    if "SSL" in text or "TLS" in text or "certificate" in text.lower():
        return "tls", reason("tls", host=host)
    if isinstance(exc, ResponseNeverReceived) and https:
        # Closed before any answer on an https address: the TLS handshake did not complete.
        return "tls", reason("tls_handshake", host=host)
    if isinstance(exc, (ResponseFailed, ResponseDataLossError)):
        return "no_response", reason("no_response", host=host)
    return "other", reason("download_error", error=type(exc).__name__, host=host)
