"""Links read as a browser reads them, and only http(s) ones kept: what a crawled page writes in
an href can never become a script, a data document or a mail form in an officer's browser."""
import pytest

from minhbach.rules.artifacts import Page, PageSource
from minhbach.rules.lexicon import topic_index
from minhbach.rules.links import http_url, page_links

BASE = "http://so.gov.vn/tin/"


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", " \x01javascript:alert(1)", "\x00javascript:alert(1)", "data:text/html,<script>1</script>",
    "vbscript:msgbox(1)", "mailto:a@so.gov.vn", "tel:02113862629", "file:///etc/passwd", "#top", "", "   ",
    "http://[2001:db8::1/", "http://so.gov.vn:8O80/", "http://", "ftp://so.gov.vn/x",
])
def test_anything_but_an_http_address_is_no_link(href):
    assert http_url(href, BASE) is None


@pytest.mark.parametrize("href, url", [
    ("HTTPS://So.Gov.Vn/A", "HTTPS://So.Gov.Vn/A"), ("  /van-ban\n ", "http://so.gov.vn/van-ban"),
    ("ck\tns.html", "http://so.gov.vn/tin/ckns.html"), ("//cdn.gov.vn/x.pdf", "http://cdn.gov.vn/x.pdf"),
    ("page.html#muc-2", "http://so.gov.vn/tin/page.html"), ("?p=2", "http://so.gov.vn/tin/?p=2"),
])
def test_http_addresses_are_read_as_a_browser_reads_them(href, url):
    assert http_url(href, BASE) == url


def test_the_crawler_and_the_rules_read_the_same_links():
    import lxml.html

    body = ('<html><head><base href="/goc/"></head><body><a href="a.html">Một</a><a href="&#106;avascript:x">Hai</a>'
            '<a href="JaVaScRiPt:x">Ba</a><a href="b.pdf"><img src="/i/ckns.png" alt="Công khai"></a></body></html>')
    page = Page(PageSource(url=BASE, body=body.encode()), topic_index())
    rules_side = [(link.url, link.text) for link in page.links]
    crawler_side = [(raw.url, raw.text) for raw in page_links(lxml.html.document_fromstring(body), BASE)]
    assert rules_side == crawler_side == [("http://so.gov.vn/goc/a.html", "Một"), ("http://so.gov.vn/goc/b.pdf",
                                                                                  "Công khai")]
