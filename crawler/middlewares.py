"""Downloader middlewares: what every request, redirect hops included, must pass before it
leaves the machine."""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import signals
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from minhbach.crawler.failures import Refused
from minhbach.crawler.safety import AddressPolicy, literal_address
from minhbach.crawler.urls import canonicalize, netloc_of


class CrawlerMiddleware:
    """A downloader middleware that reads the crawler (its settings, its spider's sites)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class PrivateAddressGuard(CrawlerMiddleware):
    """Refuses requests whose host resolves to a private, loopback, link-local or otherwise
    non-public address, unless the operator allowed it (crawler/safety.py's AddressPolicy, the
    same one the browser's proxy applies: crawler/egress.py). It fails closed: a host that
    cannot be resolved is refused, with the resolver's error."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.policy = AddressPolicy.from_settings(crawler.settings)

    async def resolve(self, host: str) -> str:
        from twisted.internet import reactor

        # Twisted declares the reactor by zope interface, whose methods have no self: mypy
        # reads `host` as the timeout
        return await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]

    async def process_request(self, request):
        host = (urlsplit(request.url).hostname or "").lower()
        if self.policy.allows_unseen(host, netloc_of(request.url)):
            return None
        address = literal_address(host)
        if address is None:
            try:
                address = await self.resolve(host)
            except Exception as error:  # noqa: BLE001 - whatever the resolver says, nothing is sent
                raise Refused("dns", host=host, error=type(error).__name__) from error
        if not self.policy.allows(host, netloc_of(request.url), address):
            self.crawler.stats.inc_value("minhbach/private_address_refused")
            raise Refused("private_address", address=str(address), host=host)
        return None


class SiteScopeMiddleware(CrawlerMiddleware):
    """Keeps each request on its agency's hosts (redirects included), within its time budget
    and within its page cap. (The budget is checked again when the download starts: see
    handlers.py.)"""

    def process_request(self, request):
        code = request.meta.get("agency")
        spider = self.crawler.spider
        if code is None or spider is None:
            return None
        site = spider.sites[code]
        if not request.meta.get("home") and not site.in_scope(request.url):
            raise Refused("offsite", host=netloc_of(request.url))
        if site.out_of_time():
            raise Refused("time_budget")
        if request.meta.get("page") and not request.meta.get("redirect_times"):
            # Requests leave the queue highest priority first, so the cap is spent on the
            # disclosure sections before ordinary pages.
            if site.sent_pages >= site.page_cap:
                site.stop_reason = "page cap"
                raise Refused("page_cap")
            site.sent_pages += 1
        return None


class ConditionalRequests(CrawlerMiddleware):
    """An incremental recrawl: a page an earlier crawl stored is asked for with the validators
    its server gave (If-None-Match, If-Modified-Since), so an unchanged page costs a 304 and no
    body. A page the site's sitemap dates before our copy is answered 304 here, with no request
    at all. The spider reads the stored copy for either (see AgencySpider.restored)."""

    def process_request(self, request):
        stored = request.meta.get("stored")
        if stored is None or request.method != "GET":
            return None
        site = self.crawler.spider.site_of(request)
        if site is not None and stored.unchanged_since(site.sitemap_dates.get(canonicalize(request.url))):
            return Response(request.url, status=304, request=request)
        for name, value in stored.conditional_headers().items():
            request.headers.setdefault(name, value)
        return None


class CrawlDelay(CrawlerMiddleware):
    """robots.txt's `Crawl-delay`: requests to that host start at least that many seconds
    apart (at most MAX_SECONDS), with no random jitter and no AutoThrottle shortening it. Sits
    after Scrapy's robots.txt middleware, so a host's first page waits for its robots.txt.
    The delays found are in the crawl's stats (`minhbach/crawl_delay/HOST`), for the cluster's
    leases to keep the spacing between one worker's crawl of a host and the next's."""

    MAX_SECONDS = 60.0

    def __init__(self, crawler):
        super().__init__(crawler)
        self.delays: dict[str, float] = {}
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    def robots_parsed(self, robotparser, request, **_):
        try:
            delay = robotparser.crawl_delay(self.crawler.settings.get("USER_AGENT"))
        except Exception:  # a parser that cannot say: no delay  # noqa: BLE001
            delay = None
        host = urlparse_cached(request).hostname or ""
        if delay and delay > 0 and host:
            self.delays[host] = min(float(delay), self.MAX_SECONDS)
            self.crawler.stats.set_value(f"minhbach/crawl_delay/{host}", self.delays[host])

    def process_request(self, request):
        delay = self.delays.get(urlparse_cached(request).hostname or "")
        if not delay:
            return None
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0)  # for a new slot
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0
        return None
