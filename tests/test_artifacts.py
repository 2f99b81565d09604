"""Site artifacts: how stored pages are parsed and what rules read from them."""
from urllib.parse import urljoin

import pytest

from minhbach.rules.artifacts import Page, PageSource, Site
from minhbach.rules.lexicon import topic_index
from minhbach.rules.links import http_url

BASES = ["http://a.gov.vn", "http://a.gov.vn/", "http://a.gov.vn/x/y.html?p=1/2", "http://a.gov.vn/x/y/",
         "https://a.gov.vn:8080/x", "http://a.gov.vn/x/y.aspx#frag/z"]
HREFS = ["b.html", "/c", "//d.vn/e", "../f", "./g", "?q=1", "#x", "mailto:a@b", "http://z/", "tel:123",
         "h/i/../j", "a b.pdf", "h/..", ".", "..", "q?x=/../"]


def page(body: bytes, url: str = "http://so.gov.vn/", encoding: str | None = "utf-8") -> Page:
    return Page(PageSource(url=url, body=body, encoding=encoding), topic_index())


@pytest.mark.parametrize("base", BASES)
def test_link_addresses_resolve_as_urljoin_does(base):
    """http(s) addresses as urljoin gives them (without their fragment); other schemes and bare
    fragments are no link at all."""
    expected = [None if h.startswith(("#", "mailto:", "tel:")) else urljoin(base, h).split("#")[0] for h in HREFS]
    assert [http_url(h, base) for h in HREFS] == expected


def test_regions_footer_wins_over_menu_at_any_depth():
    html = """<html><body>
      <nav><a href="/a">Giới thiệu</a><div class="footer-links"><a href="/b">B</a></div></nav>
      <div id="Footer"><ul class="menu"><a href="/c">Liên hệ</a></ul></div>
      <div class="content"><a href="/d">Tin</a><a class="top-menu" href="/e">E</a></div>
      <div class="chan-trang"><p><span><a href="/f">F</a></span></p></div>
    </body></html>"""
    regions = {link.url.rsplit("/", 1)[-1]: link.region for link in page(html.encode()).links}
    assert regions == {"a": "menu", "b": "footer", "c": "footer", "d": "body", "e": "menu", "f": "footer"}


def test_link_words_fold_each_text_and_image_name():
    html = """<html><body><a href="/a">Cổng DỊCH VỤ công!</a><a href="/b"><img src="/i/Duong%00day-nong.png"></a>
      <a href="/c"> </a><a href="/d"><span>Hỏi</span> <b>đáp</b></a></body></html>"""
    links = page(html.encode()).links
    assert [(link.text, link.cue, link.image) for link in links] == [
        ("Cổng DỊCH VỤ công!", "cong dich vu cong", ""), ("", "duong day nong png", "Duong\0day-nong.png"),
        ("", "", ""), ("Hỏi đáp", "hoi dap", "")]


def test_footer_text_is_the_outermost_footers_once():
    html = """<html><body><p>Nội dung</p>
      <footer class="footer"><div class="footer-inner">Đường dây nóng: 0211 3862 480</div></footer>
    </body></html>"""
    assert page(html.encode()).footer_text == "Đường dây nóng: 0211 3862 480"


@pytest.mark.parametrize("body, encoding, title, text", [
    ('\ufeff<?xml version="1.0" encoding="utf-8"?><html><head><meta charset="windows-1252">'
     '<title>Đường dây nóng</title></head><body><p>Tiếng Việt</p><!-- x --><script>x()</script></body></html>'
     .encode(), "utf-8", "Đường dây nóng", "Tiếng Việt"),
    # Windows-1258 writes tones as combining marks: the text rules read is NFC all the same.
    ("<html><body><p>Tiê\u0301ng</p></body></html>".encode("cp1258"), "windows-1258", "", "Tiếng"),
    (b"<html><body><p>bad \xff byte</p></body></html>", "utf-8", "", "bad \ufffd byte"),
    (b"<html><body>x</body></html>", "no-such-encoding", "", "x"),
    (b"", "utf-8", "", ""),
    (b"   ", None, "", ""),
])
def test_pages_parse_whatever_the_bytes(body, encoding, title, text):
    parsed = page(body, encoding=encoding)
    assert (parsed.title, parsed.text) == (title, text)


def test_bodies_are_read_only_when_a_rule_needs_them():
    reads = []

    def load() -> bytes:
        reads.append(1)
        return b"<html><head><title>x</title></head><body>Ng\xc3\xa0y 1/2/2026</body></html>"

    site = Site("x", "so", home_url="http://so.gov.vn/", sources=[
        PageSource(url="http://so.gov.vn/", body=b"", title="Trang chủ", load_body=load)])
    assert site.home.title == "Trang chủ" and not reads
    assert site.home.text == "Ngày 1/2/2026" and reads == [1]


def test_malformed_addresses_cost_only_themselves():
    body = ('<html><head><title>Trang chủ</title></head><body><a href="http://[2001:db8::1/bad">IPv6 hỏng</a>'
            '<a href="http://x.gov.vn:8O80/">cổng sai</a><a href="/so-do">Sơ đồ cổng</a></body></html>')
    site = Site("x", "tinh", home_url="http://so.gov.vn/", sources=[PageSource(url="http://so.gov.vn/", body=body.encode())])
    assert [link.url for link in site.home.links] == ["http://so.gov.vn/so-do"]  # as the crawler reads them
    assert site.links_about("sitemap")[0][1].url == "http://so.gov.vn/so-do"


def test_deep_nesting_is_parsed_whole():
    body = "<html><body>" + "<div>" * 400 + "<p>Công khai ngân sách năm 2026</p>" + "</div>" * 400 + "</body></html>"
    site = Site("x", "tinh", home_url="http://so.gov.vn/", sources=[PageSource(url="http://so.gov.vn/", body=body.encode())])
    assert "Công khai ngân sách năm 2026" in site.home.text
