"""One generic spider for every agency. It fetches and records; it never judges.

Order of work per site: the home page first, then sitemap.xml, then links, the ones whose
anchor text or URL matches a disclosure lexicon (budget, tenders, documents...) before the rest,
so that a page budget still reaches the sections the rules need.

Sites are started a few at a time (MINHBACH_SITES_AT_ONCE) and a site's URL sets are dropped
when it is done, so memory follows the sites in progress, not the size of the night. A page an
earlier crawl stored is asked for conditionally; a 304 is read from the stored copy, exactly as
if it had been downloaded, so the site is seen whole either way.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.sitemap import Sitemap
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from minhbach.crawler.encoding import content_type_of, decode_html
from minhbach.crawler.failures import classify_failure, is_not_seen, reason
from minhbach.crawler.items import DocumentInfo, PageItem, UnreadItem
from minhbach.crawler.previous import EarlierCrawls, NoEarlierCrawls, StoredPage
from minhbach.crawler.safety import TrapGuard
from minhbach.crawler.site import SiteState, SiteTarget
from minhbach.crawler.tls import check_certificate
from minhbach.crawler.urls import canonicalize, is_skippable_asset, netloc_of, strip_fragment
from minhbach.rules.artifacts import XML_DECLARATION, document_type
from minhbach.rules.lexicon import TermMatcher, crawl_priority_terms
from minhbach.rules.links import http_url, page_links
from minhbach.rules.nesting import flattened, too_deep
from minhbach.rules.text import clean_space, fold

log = logging.getLogger(__name__)

HOME_PRIORITY = 10_000
SITEMAP_PRIORITY = 5_000
_SLUG_SEPARATORS = re.compile(r"[-_/.+=&?%]+")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Error answers reach the callback (a home page's 503 is the site's status), but redirects do
# not: the redirect middleware follows them, through every safety check, like any request.
ERROR_STATUSES = list(range(400, 600))
# libxml2 gives up at 256 levels of nesting by default; real CMS pages nest deeper.
HTML_PARSER = lxml.html.HTMLParser(huge_tree=True, recover=True, no_network=True)
MAX_UNREAD_RECORDED = 1000  # per site: enough to judge every section, bounded for a trap


def is_html(response: Response) -> bool:
    content_type = content_type_of(response).lower()
    if content_type:
        return any(t in content_type for t in HTML_TYPES)
    return isinstance(response, TextResponse) and b"<html" in response.body[:2048].lower()


def looks_binary(body: bytes) -> bool:
    """A PDF, an image, an archive or any body with NUL bytes, whatever its Content-Type says."""
    head = body[:1024]
    return head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8", b"\xd0\xcf\x11\xe0")) \
        or b"\x00" in head


class AgencySpider(Spider):
    name = "agency"
    custom_settings: dict = {}
    # set by from_crawler, from the crawl's settings
    sites_by_host: dict[str, SiteState]
    ca_file: str
    depth_cap: int
    doc_head_limit: int
    attachment_limit: int
    can_render: bool
    attachment_max_bytes: int
    sites_at_once: int

    def __init__(self, targets: list[SiteTarget], *args, earlier: EarlierCrawls | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.earlier = earlier or NoEarlierCrawls()
        self.sites: dict[str, SiteState] = {}
        self.matcher = TermMatcher(crawl_priority_terms())
        self.sites_in_progress = 0
        self.slot_freed: Deferred | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        for target in spider.targets:
            spider.sites[target.code] = SiteState(
                target=target,
                page_cap=target.max_pages or settings.getint("MINHBACH_PAGE_CAP"),
                time_budget=settings.getfloat("MINHBACH_SITE_TIME_BUDGET"),
                trap_guard=TrapGuard(max_query_variants=settings.getint("MINHBACH_MAX_QUERY_VARIANTS")),
            )
        spider.sites_by_host = {}
        for site in spider.sites.values():
            for host in site.allowed:
                spider.sites_by_host.setdefault(host, site)
        spider.ca_file = settings.get("MINHBACH_CA_FILE") or ""
        spider.depth_cap = settings.getint("MINHBACH_DEPTH_CAP")
        spider.doc_head_limit = settings.getint("MINHBACH_DOCUMENT_HEAD_LIMIT")
        spider.attachment_limit = settings.getint("MINHBACH_ATTACHMENT_LIMIT")
        spider.can_render = settings.getbool("MINHBACH_RENDER_JS")
        spider.attachment_max_bytes = settings.getint("MINHBACH_ATTACHMENT_MAX_BYTES")
        spider.sites_at_once = max(1, settings.getint("MINHBACH_SITES_AT_ONCE", 64))
        return spider

    def site_of(self, request: Request) -> SiteState | None:
        """The site a request is for: by its code, or (robots.txt) by its host."""
        code = request.meta.get("agency")
        if code is not None:
            return self.sites.get(code)
        try:
            return self.sites_by_host.get(netloc_of(request.url))
        except ValueError:
            return None

    # -- scheduling -------------------------------------------------------------------------

    def _request(self, site: SiteState, url: str, callback, priority: int, depth: int, **meta) -> Request:
        site.in_flight += 1
        meta.update({"agency": site.code, "depth": depth})
        if not site.target.obey_robots:
            meta["dont_obey_robotstxt"] = True
        stored = site.stored.get(canonicalize(url)) if callback == self.parse_page else None
        if callback == self.parse_page and site.rendered and stored is None:  # drawn by script: the browser renders it
            meta.update(playwright=True, playwright_context="render")
        elif callback == self.parse_page and site.rendered:
            # rendered last night: ask plainly whether it changed (a 304 costs nothing), render only if so
            meta.update(stored=stored, render_if_changed=True,
                        handle_httpstatus_list=[*meta.get("handle_httpstatus_list", ()), 304])
        elif callback not in (self.parse_document_head, self.parse_document):
            stored = site.stored.get(canonicalize(url))
            if stored is not None:
                meta["stored"] = stored
                meta["handle_httpstatus_list"] = [*meta.get("handle_httpstatus_list", ()), 304]
        return Request(url, callback=callback, errback=self.on_error, priority=priority,
                       meta=meta, dont_filter=True)

    async def start(self):
        for site in self.sites.values():
            while self.sites_in_progress >= self.sites_at_once:  # wait for a site to finish
                self.slot_freed = Deferred()
                await maybe_deferred_to_future(self.slot_freed)
            self.sites_in_progress += 1
            site.rendered = self.can_render and site.target.render == "js"
            site.stored = self.earlier.pages_of(site.code)
            site.read_before = self.earlier.documents_of(site.code)
            home = strip_fragment(site.target.portal_url)
            site.seen.add(canonicalize(home))
            site.scheduled_pages += 1
            yield self._request(site, home, self.parse_page, HOME_PRIORITY, 0, home=True, page=True,
                                handle_httpstatus_list=ERROR_STATUSES)
            sitemap = urljoin(home, "/sitemap.xml")
            yield self._request(site, sitemap, self.parse_sitemap, SITEMAP_PRIORITY, 0,
                                handle_httpstatus_list=ERROR_STATUSES, sitemap_hops=0)

    def _boost(self, url: str, link_text: str) -> int:
        """Lexicon priority of a link, from its text (or image) and the words of its URL."""
        parts = urlsplit(url)
        slug = _SLUG_SEPARATORS.sub(" ", f"{parts.path} {parts.query}")
        return self.matcher.best(fold(f"{link_text} {slug}"))

    def _follow(self, site: SiteState, url: str, boost: int, depth: int, anchor: str = ""):
        """A request for a page link, or None when scope, budget, depth or a trap rule says no.
        Links left out for the budget are recorded as unread: the audit must not take their
        sections as missing."""
        if depth > self.depth_cap or site.finished or site.status in ("unreachable", "blocked"):
            return None
        if not url.startswith(("http://", "https://")) or is_skippable_asset(url):
            return None
        if not site.in_scope(url):
            return None
        canonical = canonicalize(url)
        if canonical in site.seen:
            return None
        # The page cap is enforced when requests leave the queue (highest priority first, see
        # SiteScopeMiddleware); here only a looser bound keeps the queue from growing unbounded.
        if site.scheduled_pages >= site.page_cap * 3:
            site.stop_reason = "page cap"
            site.seen.add(canonical)
            site.record_unread(url, "page_cap", reason("page_cap"), anchor, MAX_UNREAD_RECORDED)
            return None
        if site.out_of_time():
            site.stop_reason = "time budget"
            site.seen.add(canonical)
            site.record_unread(url, "time_budget", reason("time_budget"), anchor, MAX_UNREAD_RECORDED)
            return None
        assert site.trap_guard is not None  # dropped only when the site is finished, refused above
        refusal = site.trap_guard.allows(url)
        if refusal:
            site.errors["trap"] += 1
            return None
        site.seen.add(canonical)
        site.scheduled_pages += 1
        return self._request(site, url, self.parse_page, boost * 10 - depth * 5, depth, page=True, anchor=anchor)

    # -- callbacks --------------------------------------------------------------------------

    def _done_with(self, site: SiteState) -> None:
        site.in_flight -= 1
        if site.in_flight <= 0 and not site.finished:
            site.finish()
            self.sites_in_progress -= 1
            if self.slot_freed is not None and not self.slot_freed.called:
                self.slot_freed.callback(None)
            self.crawler.signals.send_catch_log(signal=site_finished, site=site)

    def restored(self, response: Response) -> Response | None:
        """A 304 Not Modified answered with the stored copy, as the page was when it was
        fetched; None when the store no longer holds that copy (the page is fetched again)."""
        stored: StoredPage = response.meta["stored"]
        try:
            body = self.earlier.body(stored.sha256)
        except LookupError:
            return None
        headers = {"Content-Type": stored.content_type} if stored.content_type else {}
        if stored.etag:
            headers["ETag"] = stored.etag
        if stored.last_modified:
            headers["Last-Modified"] = stored.last_modified
        # The class from the address and the body: from_headers looks up bytes keys, which
        # this dict of str keys never had, so its headers have never counted here.
        cls = responsetypes.from_args(url=stored.final_url, body=body)
        response.meta["carried"] = stored.sha256
        return cls(url=stored.final_url, status=stored.http_status, headers=headers, body=body,
                   request=response.request)

    def _render_again(self, site: SiteState, response: Response) -> Request:
        meta = {k: v for k, v in response.meta.items()
                if k not in ("stored", "render_if_changed", "handle_httpstatus_list", "download_timeout")}
        meta.update(playwright=True, playwright_context="render",
                    handle_httpstatus_list=[c for c in response.meta.get("handle_httpstatus_list", ()) if c != 304])
        site.in_flight += 1
        request = _request_of(response).replace(meta=meta, dont_filter=True, callback=self.parse_page,
                                                errback=self.on_error)
        for header in (b"If-None-Match", b"If-Modified-Since"):
            request.headers.pop(header, None)
        return request

    def _not_modified(self, site: SiteState, response: Response, callback):
        """(the stored copy to read, or a fresh unconditional request when there is none)."""
        if "stored" not in response.meta:  # a 304 nobody asked for: the page is not readable
            return None, None
        copy = self.restored(response)
        if copy is not None:
            return copy, None
        meta = {k: v for k, v in response.meta.items() if k != "stored"}
        meta["handle_httpstatus_list"] = [c for c in meta.get("handle_httpstatus_list", ()) if c != 304]
        site.in_flight += 1
        request = _request_of(response).replace(meta=meta, dont_filter=True, callback=callback, errback=self.on_error)
        for header in (b"If-None-Match", b"If-Modified-Since"):
            request.headers.pop(header, None)
        return None, request

    def _check_tls(self, site: SiteState, response: Response) -> None:
        """Check the certificate of an https home page in a thread, on the address the crawl used."""
        parts = urlsplit(response.url)
        if parts.scheme != "https" or site.tls is not None or response.ip_address is None:
            return
        assert parts.hostname is not None  # an https address that was fetched has a host
        site.tls = ("failed", "")
        site.in_flight += 1
        checked = deferToThread(check_certificate, parts.hostname, str(response.ip_address),
                                parts.port or 443, self.ca_file)

        def done(result):
            site.tls = result if isinstance(result, tuple) else ("failed", str(result.value))
            self._done_with(site)

        checked.addBoth(done)

    def _not_read(self, site: SiteState, response: Response, why: str) -> None:
        """A page that arrived but could not be read as one: recorded as unread (parse_error)."""
        if response.meta.get("page"):
            site.record_unread(response.url, "parse_error", reason(why), response.meta.get("anchor", ""),
                               MAX_UNREAD_RECORDED)

    def _unread_items(self, site: SiteState):
        for url, kind, why, anchor in site.drain_unread():
            yield UnreadItem(agency_code=site.code, url=url, kind=kind, reason=why, anchor_text=anchor)

    def parse_page(self, response: Response):
        site = self.sites[response.meta["agency"]]
        try:
            if response.status == 304:
                response, again = self._not_modified(site, response, self.parse_page)
                if again is not None:
                    yield again
                    return
                if response is None:
                    raise ValueError("304 Not Modified for a page with no stored copy")
            elif response.meta.get("render_if_changed") and response.status < 400:  # changed: draw it
                yield self._render_again(site, response)
                return
            yield from self._parse_page(site, response)
        except Exception:  # one bad page must not cost the site: logged, counted, judged as unread
            log.exception("minhbach: error while reading %s", response.url)
            site.errors["parse_error"] += 1
            if response.meta.get("home") and site.status in ("pending", "running"):
                site.fail("unreachable", "home_unparsable")
            else:
                self._not_read(site, response, "parse_error")
        try:
            yield from self._unread_items(site)
        finally:
            self._done_with(site)

    def _parse_page(self, site: SiteState, response: Response):
        depth = response.meta.get("depth", 0)
        is_home = response.meta.get("home", False)
        if site.status == "pending":
            site.status = "running"
        item = _page_item(site, response, depth)
        if response.status >= 400:
            if is_home:
                site.fail("unreachable", "home_http_error", status=response.status)
            site.errors[f"http_{response.status}"] += 1
            yield item
            return
        if is_home and not site.in_scope(response.url):
            # The home page moved (http -> https, a new domain): follow the site there.
            site.allowed.add(netloc_of(response.url))
        if is_home:
            self._check_tls(site, response)
        if not is_html(response) or looks_binary(response.body):
            if is_home:
                kind = item.content_type.split(";")[0].strip() or "?"
                site.fail("unreachable", "home_not_html", content_type=kind)
            elif is_html(response):  # announced as a page, unreadable as one: its section is not judged
                self._not_read(site, response, "binary_page")
            yield item
            return

        if not isinstance(response, TextResponse):  # said to be HTML, yet no text to read: a page error
            raise TypeError(f"{type(response).__name__} for an HTML page")
        text, item.encoding, item.legacy_encoding = decode_html(response)
        markup = XML_DECLARATION.sub("", text, count=1)
        tree = lxml.html.document_fromstring(markup, parser=HTML_PARSER) if markup.strip() else None
        unreadable = None   # a page that arrived but has nothing to read: never judged, the site not failed
        if tree is not None and too_deep(HTML_PARSER):   # read again flattened (rules/nesting.py)
            tree = lxml.html.document_fromstring(flattened(markup), parser=HTML_PARSER)
            unreadable = "too_deep" if too_deep(HTML_PARSER) else None   # still deeper than the parser reads
        if unreadable is None and (tree is None or (tree.find(".//a[@href]") is None
                                                    and not tree.text_content().strip())):
            unreadable = "empty"
        if unreadable is not None or tree is None:
            site.errors["parse_error"] += 1
            if is_home:
                site.fail("unreachable", f"home_{unreadable}")
            else:
                self._not_read(site, response, f"{unreadable}_page")
            yield item
            return
        if is_home and not site.rendered and self.can_render and _script_shell(tree):
            # an empty page that loads a script bundle: the site is drawn by JavaScript
            site.rendered = True
            site.scheduled_pages += 1
            home = _request_of(response).url
            yield self._request(site, home, self.parse_page, HOME_PRIORITY, 0, home=True, page=True,
                                handle_httpstatus_list=ERROR_STATUSES)
            return
        if is_home and not site.rendered and _script_shell(tree):
            # drawn by JavaScript, and no browser here to draw it: nothing on it can be judged
            site.fail("unreachable", "home_script_shell")
            yield item
            return
        title = tree.findtext(".//title")
        item.title = clean_space(title) if title else None
        requests, carried = self._requests_for_links(site, response, tree, item, depth, is_home)
        yield item
        yield from carried  # after the page: its documents' rows exist when these are written
        yield from requests

    def _requests_for_links(self, site: SiteState, response: Response, tree, item: PageItem, depth: int,
                            is_home: bool) -> tuple[list, list]:
        """The page's links recorded on its item; (requests: the pages to follow, the documents to
        read or to ask the size of; documents an earlier crawl read, carried instead)."""
        requests, candidates, carried = [], [], []
        # a page about a disclosure (its title or address names one): its files are read
        page_boost = 0 if is_home else self._boost(response.url, item.title or "")
        malformed: list[str] = []   # one malformed address ("http://[2001:db8::1/", ":8O80") costs only itself
        for link in page_links(tree, response.url, malformed):   # the rules read the same links
            url, label = link.url, link.text
            doc_type = document_type(url)
            if doc_type:
                first = url not in site.documents_seen
                if first:
                    site.documents_seen.add(url)
                    item.documents.append((url, label, doc_type))
                if site.in_scope(url) and url not in site.documents_read \
                        and (page_boost > 0 or self._boost(url, label) > 0) \
                        and site.attachments_read < self.attachment_limit:
                    # a file of a disclosure section is read: rules take numbers and dates from it
                    site.documents_read.add(url)
                    site.attachments_read += 1
                    if url in site.read_before:  # read by an earlier crawl: carried, not downloaded again
                        carried.append(DocumentInfo(agency_code=site.code, url=url, size=None, content_type=None,
                                                    doc_type=doc_type, carried_sha256=site.read_before[url]))
                    else:
                        requests.append(self._request(site, url, self.parse_document, 2, depth + 1, doc_type=doc_type,
                                                      download_maxsize=self.attachment_max_bytes))
                elif first and site.in_scope(url) and site.doc_heads < self.doc_head_limit:
                    site.doc_heads += 1
                    head = self._request(site, url, self.parse_document_head, 1, depth + 1)
                    requests.append(head.replace(method="HEAD"))
            else:
                candidates.append((self._boost(url, link.cue), url, label))
            item.links.append((url, label, doc_type is not None))
        site.errors["bad_link"] += len(malformed)
        # Best-matching links first, so the scheduling bound never cuts a disclosure section.
        for boost, url, label in sorted(candidates, key=lambda c: -c[0]):
            request = self._follow(site, url, boost, depth + 1, label)
            if request is not None:
                requests.append(request)
        return requests, carried

    def parse_sitemap(self, response: Response):
        site = self.sites[response.meta["agency"]]
        try:
            if response.status == 304:
                response, again = self._not_modified(site, response, self.parse_sitemap)
                if response is None:
                    if again is not None:
                        yield again
                    return
            if response.status >= 400:
                kind = f"http_{response.status}"
                if is_not_seen(kind):  # a 503 says nothing about whether the site has a sitemap
                    why = reason("http_error", status=response.status, host=netloc_of(response.url))
                    site.record_unread(response.url, kind, why, "", MAX_UNREAD_RECORDED)
                    yield from self._unread_items(site)
                return
            if not response.body.lstrip().startswith(b"<"):
                return
            # Stored like a page: the sitemap rule needs to know it exists, with evidence.
            yield PageItem(agency_code=site.code, requested_url=_request_of(response).url, final_url=response.url,
                           http_status=response.status, body=response.body,
                           content_type=content_type_of(response),
                           etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
                           carried_sha256=response.meta.get("carried"))
            try:
                sitemap = Sitemap(response.body)
            except Exception:  # a broken sitemap is the site's problem, not the crawl's
                site.errors["bad_sitemap"] += 1
                return
            hops = response.meta.get("sitemap_hops", 0)
            for entry in list(sitemap)[:5000]:
                loc = http_url(entry.get("loc", ""), response.url)  # only http(s), as for page links
                if loc is None:
                    continue
                try:
                    if sitemap.type == "sitemapindex":
                        if hops < 1 and site.in_scope(loc):
                            yield self._request(site, loc, self.parse_sitemap, SITEMAP_PRIORITY, 0,
                                                sitemap_hops=hops + 1, handle_httpstatus_list=ERROR_STATUSES)
                        continue
                    lastmod = _lastmod(entry)
                    if lastmod is not None and canonicalize(loc) in site.stored:
                        site.sitemap_dates[canonicalize(loc)] = lastmod  # see ConditionalRequests
                    request = self._follow(site, loc, self._boost(loc, ""), 1)
                except ValueError:
                    site.errors["bad_link"] += 1
                    continue
                if request is not None:
                    yield request
            yield from self._unread_items(site)
        finally:
            self._done_with(site)

    def parse_document(self, response: Response):
        site = self.sites[response.meta["agency"]]
        try:
            yield DocumentInfo(agency_code=site.code, url=_request_of(response).url, size=len(response.body),
                               content_type=content_type_of(response) or None,
                               body=response.body, doc_type=response.meta.get("doc_type", ""))
        finally:
            self._done_with(site)

    def parse_document_head(self, response: Response):
        site = self.sites[response.meta["agency"]]
        try:
            length = response.headers.get(b"Content-Length")
            yield DocumentInfo(
                agency_code=site.code,
                url=_request_of(response).url,
                size=int(length) if length and length.isdigit() else None,
                content_type=content_type_of(response) or None,
            )
        finally:
            self._done_with(site)

    def on_error(self, failure):
        request = failure.request
        site = self.sites[request.meta["agency"]]
        try:
            kind, why = classify_failure(failure)
            if kind == "timeout" and site.out_of_time():  # cut short by the site's own budget
                kind, why = "time_budget", reason("time_budget")
            if kind == "time_budget":
                site.stop_reason = "time budget"
            elif kind == "robots":
                site.robots_blocked += 1
                site.errors["robots"] += 1
            elif kind not in ("offsite", "page_cap"):  # scope and budget are not errors
                site.errors[kind] += 1
            if request.meta.get("home") and site.status in ("pending", "running"):
                if kind in ("robots", "private_address"):
                    site.fail("blocked", "home_refused", cause=why)
                else:
                    site.status, site.reason = "unreachable", why
            elif (request.meta.get("page") or "sitemap_hops" in request.meta) and is_not_seen(kind):
                site.record_unread(request.url, kind, why, request.meta.get("anchor", ""), MAX_UNREAD_RECORDED)
            yield from self._unread_items(site)
        finally:
            self._done_with(site)


def _request_of(response: Response) -> Request:
    """The request a response answers: Scrapy sets it before any callback sees the response."""
    assert response.request is not None
    return response.request


def _page_item(site: SiteState, response: Response, depth: int) -> PageItem:
    """What the store keeps of a fetched page (its links and title are added as it is read)."""
    return PageItem(
        agency_code=site.code,
        requested_url=response.request.url if response.request else response.url,
        final_url=response.url,
        http_status=response.status,
        content_type=content_type_of(response),
        body=response.body,
        depth=depth,
        etag=_header(response, b"ETag"),
        last_modified=_header(response, b"Last-Modified"),
        carried_sha256=response.meta.get("carried"),
        rendered=bool(response.meta.get("playwright") or response.meta.get("render_if_changed")),
    )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1")[:200] if value else None


def _lastmod(entry: dict) -> datetime | None:
    """A sitemap <lastmod> (W3C datetime: a date, or a date and time with its zone)."""
    text = (entry.get("lastmod") or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# Sent when a site has nothing left in flight; the runner uses it for progress.
site_finished = object()


def _script_shell(tree) -> bool:
    """A page with next to no text and links that loads a script bundle: what a portal built
    as a single-page application serves before its script runs."""
    if tree.find(".//script[@src]") is None or len(tree.findall(".//a[@href]")) > 2:
        return False
    text = " ".join(t for t in tree.xpath("//body//text()[not(ancestor::script or ancestor::style "
                                          "or ancestor::noscript)]"))
    return len(clean_space(text)) < 200
