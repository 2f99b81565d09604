"""The HTTP download handlers, with each site's time budget applied to the downloads themselves.

A site's budget is the time it spends downloading: the clock runs from the moment one of its
downloads starts until none is left, never while its requests wait their turn behind other
sites' in a host's queue. When a download starts, the budget is checked and the request's
timeout cut to the time the site has left, so a server that drips one byte every few seconds
ends at the site's deadline, however many requests were queued for it. A page rendered in the
browser (crawler/rendering.py) counts in the same budget."""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from minhbach.crawler.failures import Refused

MIN_TIMEOUT = 0.5  # seconds: a request let through gets at least this long


class SiteBudget:
    """Put in front of a download handler: each download is counted in its site's budget."""

    async def download_request(self, request):
        crawler = getattr(self, "_crawler", None) or getattr(self, "crawler", None)
        spider = getattr(crawler, "spider", None)
        # A site's own requests carry its code; robots.txt, fetched by Scrapy for the host,
        # counts for the site on that host.
        site_of = getattr(spider, "site_of", None)
        site = site_of(request) if site_of is not None else None
        if site is not None:
            assert crawler is not None  # the site came from its spider
            left = site.time_left()
            if left <= 0:
                raise Refused("time_budget")
            timeout = request.meta.get("download_timeout") or crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
            request.meta["download_timeout"] = max(MIN_TIMEOUT, min(timeout, left))
            if request.meta.get("playwright"):  # the browser's own clock, in milliseconds
                request.meta["playwright_page_goto_kwargs"] = {
                    **request.meta.get("playwright_page_goto_kwargs", {}),
                    "timeout": request.meta["download_timeout"] * 1000}
            site.download_started()
        try:
            # a mixin: the handler it is put in front of (next in the MRO) downloads
            return await super().download_request(request)  # type: ignore[misc]
        finally:
            if site is not None:
                site.download_ended()


class BudgetedHTTPDownloadHandler(SiteBudget, HTTP11DownloadHandler):
    pass
