"""Why a request came to nothing: a short kind (stored, counted) and a Vietnamese reason.

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
_LABELS = {
    "time_budget": "chưa tải (hết thời gian dành cho trang)", "page_cap": "chưa tải (giới hạn số trang)",
    "timeout": "hết thời gian chờ", "no_response": "không phản hồi", "too_large": "quá dung lượng",
    "tls": "lỗi TLS", "dns": "lỗi DNS", "refused": "bị từ chối kết nối", "robots": "bị robots.txt chặn",
    "private_address": "trỏ tới địa chỉ nội bộ", "redirect_loop": "chuyển hướng vòng lặp",
    "parse_error": "không phân tích được", "other": "lỗi khác",
}


def unread_label(kind: str) -> str:
    """How a kind of unread page is named in a Vietnamese reason: "HTTP 403", "hết thời gian chờ"."""
    if kind.startswith("http_"):
        return f"lỗi HTTP {kind[5:]}"
    return _LABELS.get(kind, kind)


# HTTP answers that mean "this page is not there": the site's own broken link, judged as absent.
GONE_STATUSES = frozenset({404, 410})


class Refused(IgnoreRequest):
    """A request minhbach itself declined to send (scope, budget, safety)."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason


def is_not_seen(kind: str) -> bool:
    """Whether a failure of this kind hides content (as opposed to content that is absent)."""
    if kind.startswith("http_"):
        return int(kind[5:]) not in GONE_STATUSES
    return kind in NOT_SEEN_KINDS


def classify_failure(failure) -> tuple[str, str]:
    """(kind, Vietnamese reason) for a failed request."""
    exc = failure.value
    request = getattr(failure, "request", None)
    host = urlsplit(request.url).netloc if request is not None else ""
    https = request is not None and request.url.startswith("https:")
    if isinstance(exc, DownloadFailedError) and exc.__cause__ is not None:
        exc = exc.__cause__  # Scrapy wraps Twisted's ResponseFailed; its reasons say more
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http_{status}", f"máy chủ trả về lỗi HTTP {status} ({host})"
    if isinstance(exc, Refused):
        return exc.kind, exc.reason
    if isinstance(exc, IgnoreRequest):
        message = str(exc)
        if "robots.txt" in message.lower():
            return "robots", "robots.txt không cho phép thu thập"
        if "redirection" in message.lower():
            return "redirect_loop", f"chuyển hướng vòng lặp hoặc quá nhiều lần ({host})"
        if "maxsize" in message.lower() or "max size" in message.lower():
            return "too_large", f"phản hồi vượt giới hạn dung lượng sau khi giải nén ({host})"
        return "ignored", f"yêu cầu bị bỏ qua ({host})"
    if isinstance(exc, (DNSLookupError, CannotResolveHostError)):
        return "dns", f"lỗi DNS: không tìm thấy tên miền ({host})"
    if isinstance(exc, (ConnectionRefusedError, DownloadConnectionRefusedError)):
        return "refused", f"máy chủ từ chối kết nối ({host})"
    if isinstance(exc, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout", f"hết thời gian chờ phản hồi ({host})"
    if isinstance(exc, DownloadCancelledError):
        return "too_large", f"phản hồi vượt giới hạn dung lượng ({host})"
    text = f"{type(exc).__name__}: {exc}"
    if "SSL" in text or "TLS" in text or "certificate" in text.lower():
        return "tls", f"lỗi kết nối bảo mật TLS/HTTPS ({host})"
    if isinstance(exc, ResponseNeverReceived) and https:
        # Closed before any answer on an https address: the TLS handshake did not complete.
        return "tls", f"không thiết lập được kết nối HTTPS: máy chủ đóng kết nối khi bắt tay TLS ({host})"
    if isinstance(exc, (ResponseFailed, ResponseDataLossError)):
        return "no_response", f"máy chủ đóng kết nối, không trả lời trọn vẹn ({host})"
    return "other", f"lỗi tải trang {type(exc).__name__} ({host})"
