"""Safety checks: never reach into private networks, and never fall into crawler traps.

The address check runs on the *resolved* address of every request the crawler sends, including
each hop of a redirect (Scrapy sends redirect targets back through the downloader middlewares).
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


@dataclass
class TrapGuard:
    """Bounds the URL space of one site: endless calendars, ever-growing query strings,
    repeating path segments. Counts are per site; limits come from the crawl settings."""

    max_url_length: int = 400
    max_query_params: int = 8
    max_segment_repeats: int = 2
    max_query_variants: int = 25  # distinct query strings under one path
    _variants: Counter = field(default_factory=Counter)

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
        if params:
            if self._variants[parts.path] >= self.max_query_variants:
                return "trap: too many query variants of one path"
            self._variants[parts.path] += 1
        return None
