"""Safety checks: never reach into private networks, and never fall into crawler traps.

The address check runs on the *resolved* address of every request the crawler sends, including
each hop of a redirect (Scrapy sends redirect targets back through the downloader middlewares).
"""
from __future__ import annotations

import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class AddressPolicy:
    """Where any fetch of a crawl may connect, Scrapy's and the browser's alike: globally
    routable addresses, and private ones only where the operator allowed them (all of them, or
    named host[:port] entries)."""

    allow_all: bool = False
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings) -> AddressPolicy:
        return cls(settings.getbool("MINHBACH_ALLOW_PRIVATE"),
                   frozenset(h.lower() for h in settings.getlist("MINHBACH_ALLOWED_PRIVATE_HOSTS")))

    def allows_unseen(self, host: str, netloc: str) -> bool:
        """Whether `host` (`netloc`: host[:port]) may be reached whatever it resolves to."""
        return self.allow_all or netloc in self.allowed_hosts or host in self.allowed_hosts

    def allows(self, host: str, netloc: str, address: str) -> bool:
        return self.allows_unseen(host, netloc) or is_public_address(address)


def literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


# A path segment that is a year, a month or a day, or a whole date ("2026-11-29", "20261129").
_YEAR = re.compile(r"^(19|20)\d\d$")
_DATE_PART = re.compile(r"^((19|20)\d\d([-_.]?\d{1,2}){0,2}|\d{1,2})$")


def dated_shape(segments: list[str]) -> str | None:
    """'/lich/{date}/{date}' for a path that carries a year (/lich/2026/11/,
    /lich-cong-tac/2026-11-29); None for a path without one."""
    if not any(_YEAR.match(s) or (_DATE_PART.match(s) and len(s) >= 8) for s in segments):
        return None
    return "/" + "/".join("{date}" if _DATE_PART.match(s) else s for s in segments)


@dataclass
class TrapGuard:
    """Bounds the URL space of one site: endless calendars, ever-growing query strings,
    repeating path segments. Counts are per site; limits come from the crawl settings."""

    max_url_length: int = 400
    max_query_params: int = 8
    max_segment_repeats: int = 2
    max_query_variants: int = 25  # distinct query strings under one path, or dates in one path shape
    _variants: Counter = field(default_factory=Counter)
    _dated: Counter = field(default_factory=Counter)

    def allows(self, url: str) -> str | None:
        """None when the URL may be crawled, otherwise the reason it is refused."""
        if len(url) > self.max_url_length:
            return "trap: URL too long"
        parts = urlsplit(url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        if len(params) > self.max_query_params:
            return "trap: too many query parameters"
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(Counter(segments).values()) > self.max_segment_repeats:
            return "trap: repeating path segments"
        shape = dated_shape(segments)
        if shape is not None:  # a path-style calendar: /lich/2026/11/, /lich/2026/12/, ...
            if self._dated[shape] >= self.max_query_variants:
                return "trap: too many dated variants of one path"
            self._dated[shape] += 1
        if params:
            if self._variants[parts.path] >= self.max_query_variants:
                return "trap: too many query variants of one path"
            self._variants[parts.path] += 1
        return None
