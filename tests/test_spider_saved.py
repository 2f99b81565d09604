"""The spider on saved responses: real portal pages from ../shared/fixtures/real/."""

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from minhbach.crawler.items import PageItem
from minhbach.crawler.middlewares import SiteScopeMiddleware
from minhbach.crawler.settings import CrawlOptions, build_settings
from minhbach.crawler.site import SiteTarget
from minhbach.crawler.spider import HOME_PRIORITY, AgencySpider
from tests.support.paths import SHARED

REAL = SHARED / "fixtures" / "real"
needs_real_pages = pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} not found (shared/ beside the repo)")


def make_spider(url: str, **target) -> AgencySpider:
    crawler = get_crawler(AgencySpider, settings_dict=build_settings(CrawlOptions()))
    return AgencySpider.from_crawler(crawler, targets=[SiteTarget(code="s", portal_url=url, **target)])


def saved(spider: AgencySpider, name: str, url: str, home: bool = False) -> HtmlResponse:
    request = Request(url, meta={"agency": "s", "depth": 0, "home": home})
    spider.sites["s"].in_flight += 1
    return HtmlResponse(url, body=(REAL / name).read_bytes(), request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


@needs_real_pages
def test_home_page_yields_page_links_documents_and_prioritised_requests():
    spider = make_spider("https://sotttt.hanoi.gov.vn/")
    output = list(spider.parse_page(saved(spider, "sotttt_hanoi_index.html", "https://sotttt.hanoi.gov.vn/", home=True)))
    page = next(o for o in output if isinstance(o, PageItem))
    requests = [o for o in output if isinstance(o, Request)]
    assert page.title == "Trang chủ - Sở Thông Tin Và Truyền Thông"
    assert len(page.links) > 100
    assert all(r.url.startswith("https://sotttt.hanoi.gov.vn") for r in requests), "offsite link followed"
    by_url = {r.url.rsplit("/", 1)[-1].removesuffix(".html"): r.priority for r in requests}
    # Disclosure sections (budget banner image, tenders, drafts) are crawled before ordinary pages.
    assert by_url["cong-khai-ngan-sach"] > 0 and by_url["lay-y-kien-van-ban-du-thao"] > 0
    assert by_url["cong-khai-ngan-sach"] > by_url["lien-he"] > by_url["gioi-thieu"]
    assert min(by_url.values()) < 0  # ordinary pages wait behind the disclosure sections
    assert all(r.priority < HOME_PRIORITY for r in requests)
    assert len({r.url for r in requests}) == len(requests), "same page scheduled twice"


@needs_real_pages
def test_budget_listing_records_documents_and_anchor_text():
    spider = make_spider("https://sotttt.hanoi.gov.vn/")
    output = list(spider.parse_page(saved(spider, "sotttt_hanoi_cong-khai-ngan-sach.html",
                                          "https://sotttt.hanoi.gov.vn/cong-khai-ngan-sach")))
    page = next(o for o in output if isinstance(o, PageItem))
    texts = " ".join(text for _, text, _ in page.links)
    assert "Công khai số liệu" in texts


@needs_real_pages
def test_page_cap_is_spent_on_disclosure_sections_first():
    spider = make_spider("https://sotttt.hanoi.gov.vn/", max_pages=8)
    spider.sites["s"].sent_pages = 1  # the home page itself
    output = list(spider.parse_page(saved(spider, "sotttt_hanoi_index.html", "https://sotttt.hanoi.gov.vn/", home=True)))
    queue = sorted((o for o in output if isinstance(o, Request) and o.method == "GET"), key=lambda r: -r.priority)
    spider.crawler.spider = spider
    scope = SiteScopeMiddleware(spider.crawler)
    sent = []
    for request in queue:  # the order Scrapy's priority queue hands them to the downloader
        try:
            scope.process_request(request)
            sent.append(request.url.rsplit("/", 1)[-1])
        except IgnoreRequest:
            pass
    assert len(sent) == 7 and "cong-khai-ngan-sach.html" in sent and "-au-thau-mua-sam-cong.html" in sent
    assert spider.sites["s"].stop_reason == "page cap"


def test_non_html_is_stored_but_not_parsed():
    spider = make_spider("https://a.gov.vn/")
    request = Request("https://a.gov.vn/x.pdf", meta={"agency": "s", "depth": 1})
    spider.sites["s"].in_flight += 1
    response = Response("https://a.gov.vn/x.pdf", body=b"%PDF-1.4 <html><a href='/y'>y</a>", request=request,
                        headers={"Content-Type": "application/pdf"})
    output = list(spider.parse_page(response))
    assert len(output) == 1 and output[0].links == [] and output[0].title is None


def test_home_page_error_marks_the_site_unreachable():
    spider = make_spider("https://a.gov.vn/")
    request = Request("https://a.gov.vn/", meta={"agency": "s", "depth": 0, "home": True})
    spider.sites["s"].in_flight += 1
    list(spider.parse_page(HtmlResponse("https://a.gov.vn/", status=503, body=b"down", request=request)))
    site = spider.sites["s"]
    assert site.status == "unreachable" and site.reason == {"kind": "home_http_error", "status": 503} and site.finished


def test_a_page_that_breaks_the_callback_is_logged_counted_and_left_unread(monkeypatch, caplog):
    import minhbach.crawler.spider as spider_module

    spider = make_spider("http://so.gov.vn/")

    def broken(response):
        raise RuntimeError("boom")

    monkeypatch.setattr(spider_module, "decode_html", broken)
    url = "http://so.gov.vn/cong-khai-ngan-sach"
    request = Request(url, meta={"agency": "s", "depth": 1, "page": True, "anchor": "Công khai ngân sách"})
    spider.sites["s"].in_flight += 1
    with caplog.at_level("ERROR"):
        output = list(spider.parse_page(HtmlResponse(url, body=b"<html><body>x</body></html>", request=request,
                                                     headers={"Content-Type": "text/html; charset=utf-8"})))
    unread = [o for o in output if type(o).__name__ == "UnreadItem"]
    assert [(u.url, u.kind, u.anchor_text) for u in unread] == [(url, "parse_error", "Công khai ngân sách")]
    assert spider.sites["s"].errors["parse_error"] == 1
    assert any(url in record.getMessage() for record in caplog.records)


def test_home_redirects_are_left_to_the_redirect_middleware():
    spider = make_spider("http://so.gov.vn/")
    import asyncio

    async def first_two():
        return [request async for request in spider.start()]

    home, sitemap = asyncio.run(first_two())
    for request in (home, sitemap):
        assert "handle_httpstatus_all" not in request.meta
        assert not set(range(300, 400)) & set(request.meta["handle_httpstatus_list"])
        assert 503 in request.meta["handle_httpstatus_list"]


@pytest.mark.parametrize("path, body, headers, meta", [
    ("/cong-khai-ngan-sach", b"<html><body>   </body></html>", {"Content-Type": "text/html; charset=utf-8"},
     {"page": True, "anchor": "Công khai ngân sách"}),
    ("/cong-khai-ngan-sach", b"%PDF-1.4 binary", {"Content-Type": "text/html"}, {"page": True}),
])
def test_a_page_that_arrives_unreadable_is_recorded_as_unread(path, body, headers, meta):
    spider = make_spider("http://so.gov.vn/")
    url = "http://so.gov.vn" + path
    spider.sites["s"].in_flight += 1
    request = Request(url, meta={"agency": "s", "depth": 1, **meta})
    output = list(spider.parse_page(HtmlResponse(url, body=body, request=request, headers=headers)))
    unread = [o for o in output if type(o).__name__ == "UnreadItem"]
    assert [(u.url, u.kind) for u in unread] == [(url, "parse_error")]


def test_a_sitemap_behind_a_server_error_is_unread_not_missing():
    spider = make_spider("http://so.gov.vn/")
    url = "http://so.gov.vn/sitemap.xml"
    spider.sites["s"].in_flight += 1
    request = Request(url, meta={"agency": "s", "depth": 0, "sitemap_hops": 0})
    output = list(spider.parse_sitemap(Response(url, status=503, body=b"busy", request=request)))
    assert [(o.url, o.kind) for o in output] == [(url, "http_503")]
    spider.sites["s"].in_flight += 1
    gone = list(spider.parse_sitemap(Response(url, status=404, body=b"", request=request)))
    assert gone == []  # a 404 says there is none
