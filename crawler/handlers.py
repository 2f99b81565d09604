"""The HTTP download handler, with each site's time budget applied when a download actually
starts: a request may have waited its turn in its host's queue, so the budget is checked and
the request's timeout cut to the site's time left only then. A site whose server drips one
byte every few seconds therefore ends at its deadline, however many requests were queued."""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from minhbach.crawler.failures import Refused

MIN_TIMEOUT = 0.5  # seconds: a request let through gets at least this long


class BudgetedHTTPDownloadHandler(HTTP11DownloadHandler):
    async def download_request(self, request):
        crawler = getattr(self, "_crawler", None)
        sites = getattr(getattr(crawler, "spider", None), "sites", {})
        site = sites.get(request.meta.get("agency"))
        if site is not None:
            left = site.time_left()
            if left <= 0:
                raise Refused("time_budget", "hết thời gian dành cho trang này")
            timeout = request.meta.get("download_timeout") or crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
            request.meta["download_timeout"] = max(MIN_TIMEOUT, min(timeout, left))
        return await super().download_request(request)
