"""What an earlier crawl stored of a site, for an incremental recrawl.

The crawler asks for a site's earlier pages when it starts the site, and forgets them when the
site is done. Where they come from (the store) is the application's business: it passes an
object with the two methods of `EarlierCrawls`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class StoredPage:
    """One page as an earlier crawl fetched it: enough to ask the server "changed since?" and,
    when it answers 304 Not Modified, to read the stored copy instead."""

    requested_url: str
    final_url: str
    http_status: int
    content_type: str
    sha256: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None

    def conditional_headers(self) -> dict[str, str]:
        """Only the validators the server gave: a date of our own could meet a server clock
        that disagrees, and a wrong 304 would hide a change."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def unchanged_since(self, lastmod: datetime | None) -> bool:
        """The sitemap's <lastmod> for this page is older than our copy."""
        if lastmod is None:
            return False
        if lastmod.tzinfo is None:
            lastmod = lastmod.replace(tzinfo=self.fetched_at.tzinfo)
        return lastmod < self.fetched_at


class EarlierCrawls(Protocol):
    def pages_of(self, agency_code: str) -> dict[str, StoredPage]:
        """The site's pages from its latest earlier crawl, by canonical requested URL."""

    def body(self, sha256: str) -> bytes:
        """A stored body (raises LookupError when it is no longer kept)."""

    def documents_of(self, agency_code: str) -> dict[str, str]:
        """The documents the site's latest earlier crawl read: URL -> sha256 of the stored file.
        A document's address names one file: it is read once, then carried."""


class NoEarlierCrawls:
    """A full crawl: every page is downloaded."""

    def pages_of(self, agency_code: str) -> dict[str, StoredPage]:
        return {}

    def documents_of(self, agency_code: str) -> dict[str, str]:
        return {}

    def body(self, sha256: str) -> bytes:
        raise LookupError(sha256)
