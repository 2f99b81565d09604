"""The HTTP download handler, with each site's time budget applied to the downloads themselves.

A site's budget is the time it spends downloading: the clock runs from the moment one of its
downloads starts until none is left, never while its requests wait their turn behind other
sites' in a host's queue. When a download starts, the budget is checked and the request's
timeout cut to the time the site has left, so a server that drips one byte every few seconds
ends at the site's deadline, however many requests were queued for it."""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from minhbach.crawler.failures import Refused

MIN_TIMEOUT = 0.5  # seconds: a request let through gets at least this long


class BudgetedHTTPDownloadHandler(HTTP11DownloadHandler):
    async def download_request(self, request):
        crawler = getattr(self, "_crawler", None)
        spider = getattr(crawler, "spider", None)
        # A site's own requests carry its code; robots.txt, fetched by Scrapy for the host,
        # counts for the site on that host.
        site = spider.site_of(request) if hasattr(spider, "site_of") else None
        if site is not None:
            left = site.time_left()
            if left <= 0:
                raise Refused("time_budget", "hết thời gian dành cho trang này")
            timeout = request.meta.get("download_timeout") or crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
            request.meta["download_timeout"] = max(MIN_TIMEOUT, min(timeout, left))
            site.download_started()
        try:
            return await super().download_request(request)
        finally:
            if site is not None:
                site.download_ended()
