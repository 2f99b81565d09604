"""Per-agency crawl state: scope, budgets, counters and the outcome the store records."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

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


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


@dataclass
class SiteState:
    target: SiteTarget
    page_cap: int
    time_budget: float
    trap_guard: TrapGuard
    allowed: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    documents_seen: set[str] = field(default_factory=set)
    scheduled_pages: int = 0
    sent_pages: int = 0
    doc_heads: int = 0
    in_flight: int = 0
    started: float | None = None
    finished: bool = False
    status: str = "pending"  # pending|running|ok|unreachable|blocked
    reason: str = ""
    stop_reason: str = ""
    errors: Counter = field(default_factory=Counter)
    robots_blocked: int = 0

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

    def start_clock(self) -> None:
        if self.started is None:
            self.started = time.monotonic()

    def out_of_time(self) -> bool:
        return self.started is not None and time.monotonic() - self.started > self.time_budget

    def fail(self, status: str, reason: str) -> None:
        self.status, self.reason = status, reason
