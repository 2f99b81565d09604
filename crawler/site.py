"""Per-agency crawl state: scope, budgets, counters and the outcome the store records."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from minhbach.crawler.failures import INCOMPLETE_KINDS, reason
from minhbach.crawler.safety import TrapGuard
from minhbach.crawler.urls import netloc_of


@dataclass
class SiteTarget:
    """What the crawler needs to know of one agency (built from the registry row)."""

    code: str
    portal_url: str
    extra_hosts: tuple[str, ...] = ()
    max_pages: int | None = None
    obey_robots: bool = True
    render: str = "html"   # "js": its pages are drawn by script and rendered in a browser


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@dataclass
class SiteState:
    target: SiteTarget
    page_cap: int
    time_budget: float
    trap_guard: TrapGuard | None
    allowed: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    documents_seen: set[str] = field(default_factory=set)
    scheduled_pages: int = 0
    sent_pages: int = 0
    doc_heads: int = 0
    attachments_read: int = 0
    documents_read: set = field(default_factory=set)
    read_before: dict = field(default_factory=dict)
    rendered: bool = False   # its pages go through the browser (render=js, or its home page was a shell)
    in_flight: int = 0
    # The time budget counts only the time this site has downloads in progress, so a site
    # waiting behind other sites' requests does not lose its budget (see handlers.py).
    downloading: int = 0
    active_seconds: float = 0.0
    active_since: float | None = None
    finished: bool = False
    status: str = "pending"  # pending|running|ok|unreachable|blocked
    reason: dict | None = None   # why the site is what it is: a code and its values (failures.reason)
    stop_reason: str = ""
    errors: Counter = field(default_factory=Counter)
    robots_blocked: int = 0
    # Pages known but not read, by kind; the ones waiting to be handed to the pipeline.
    unread: Counter = field(default_factory=Counter)
    unread_buffer: list[tuple[str, str, dict, str]] = field(default_factory=list)
    # The HTTPS certificate check of the home page: (status, detail), None when not https.
    tls: tuple[str, str] | None = None
    # What the site's latest earlier crawl stored, by canonical URL (incremental recrawl).
    stored: dict = field(default_factory=dict)
    # <lastmod> of the sitemap entries that have a stored copy, by canonical URL.
    sitemap_dates: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.allowed = {netloc_of(self.target.portal_url)} | {h.lower() for h in self.target.extra_hosts}

    @property
    def code(self) -> str:
        return self.target.code

    def in_scope(self, url: str) -> bool:
        """On the agency's own hosts: the portal host (with or without www., and its
        subdomains when no port is given) and the registry's extra_hosts."""
        netloc = netloc_of(url)
        if netloc in self.allowed:
            return True
        host = (urlsplit(url).hostname or "").lower()
        if ":" in netloc:  # an explicit port must match exactly
            return False
        for allowed in self.allowed:
            if ":" in allowed:
                continue
            base = _bare(allowed)
            if _bare(host) == base or host.endswith("." + base):
                return True
        return False

    def download_started(self) -> None:
        if self.downloading == 0:
            self.active_since = time.monotonic()
        self.downloading += 1

    def download_ended(self) -> None:
        self.downloading -= 1
        if self.downloading <= 0 and self.active_since is not None:
            self.active_seconds += time.monotonic() - self.active_since
            self.downloading, self.active_since = 0, None

    def time_used(self) -> float:
        running = time.monotonic() - self.active_since if self.active_since is not None else 0.0
        return self.active_seconds + running

    def time_left(self) -> float:
        return self.time_budget - self.time_used()

    def out_of_time(self) -> bool:
        return self.time_used() >= self.time_budget

    def fail(self, site_status: str, kind: str, /, **values) -> None:
        self.status, self.reason = site_status, reason(kind, **values)

    def record_unread(self, url: str, kind: str, why: dict, anchor: str, limit: int) -> None:
        self.unread[kind] += 1
        if sum(self.unread.values()) <= limit:
            self.unread_buffer.append((url, kind, why, anchor))

    def drain_unread(self) -> list[tuple[str, str, dict, str]]:
        drained, self.unread_buffer = self.unread_buffer, []
        return drained

    def finish(self) -> None:
        """Nothing left in flight: the site is done, completely or not. What was only needed
        while crawling is dropped, so a night's memory does not grow with the sites done."""
        self.finished = True
        self.seen, self.documents_seen, self.documents_read, self.trap_guard = set(), set(), set(), None
        self.stored, self.sitemap_dates = {}, {}
        if self.status not in ("pending", "running"):
            return
        missed = {kind: n for kind, n in self.unread.items() if kind in INCOMPLETE_KINDS or kind.startswith("http_")}
        if missed:
            self.status = "partial"
            self.reason = reason("incomplete", missed=sorted(missed.items(), key=lambda kv: -kv[1]))
        else:
            self.status = "ok"
